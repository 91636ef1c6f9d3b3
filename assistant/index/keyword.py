"""Keyword search over the catalog: BM25 on SQLite FTS5 (jieba tokens), with bounded work
per question, on a read-only connection of each thread's own."""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.config import RetrievalSettings
from assistant.index import sqlite

# (chunk, term) matches one keyword search may score, unless the caller says otherwise
# (retrieval.keyword_max_matches); see keyword_search.
KEYWORD_MAX_MATCHES = RetrievalSettings().keyword_max_matches
# When the budget leaves terms out, this many of the best matches are re-scored with all of them.
KEYWORD_RESCORE = 100
_K1, _B = 1.2, 0.75  # FTS5's bm25() constants


class _Reader:
    """A read-only connection and the corpus statistics it has seen (chunk count, average
    chunk length in tokens, term document frequencies), kept until another connection
    commits (SQLite's data_version says when)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._version = -1
        self.total = 0
        self.avgdl = 1.0
        self._df: dict[str, int] = {}

    def stats(self, terms: list[str]) -> dict[str, int]:
        """Each term's document frequency (fts5vocab reads a term's whole posting list, so
        they are cached between commits), after refreshing the corpus totals if needed."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version or len(self._df) > 100_000:
            self._df.clear()
            self.total, tokens = _fts5_totals(self.db)
            self.avgdl = tokens / self.total if self.total else 1.0
            self._version = version
        for t in terms:
            if t not in self._df:
                row = self.db.execute("SELECT doc FROM chunks_vocab WHERE term=?", (t,)).fetchone()
                self._df[t] = int(row[0]) if row else 0
        return {t: self._df[t] for t in terms}


def _fts5_totals(db: sqlite3.Connection) -> tuple[int, int]:
    """Rows and tokens in the keyword index, from FTS5's own "averages" record (id 1 of its
    data table: the row count, then each column's token total, as SQLite varints): what its
    bm25() divides by, read without a scan."""
    row = db.execute("SELECT block FROM chunks_fts_data WHERE id=1").fetchone()
    if row is None or not row[0]:
        return 0, 0
    rows, pos = _varint(row[0], 0)
    tokens, _ = _varint(row[0], pos)
    return rows, tokens


def _varint(blob: bytes, pos: int) -> tuple[int, int]:
    """An SQLite varint at pos (7 bits a byte, high bit = more; a 9th byte gives all 8
    bits) and the position after it."""
    value = 0
    for k in range(9):
        byte = blob[pos + k]
        if k == 8:
            return (value << 8) | byte, pos + 9
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, pos + k + 1
    raise AssertionError("unreachable")


def _bm25_scorer(
    terms: list[str], df: dict[str, int], total: int, avgdl: float
) -> Callable[[str], float]:
    """FTS5's bm25() of a row for OR-ed terms (k1 1.2, b 0.75, the same idf), computed from
    the row's stored tokens. Rows hold jieba tokens joined by spaces and the terms are single
    FTS5 tokens, so counting space-separated tokens gives what FTS5's unicode61 tokenizer
    counts (it would split a jieba token with punctuation inside, like "10.8", once more)."""
    idf: dict[str, float] = {}  # keyed by " term ", as found in the padded row
    for t in terms:
        value = math.log((total - df[t] + 0.5) / (df[t] + 0.5))
        idf[f" {t} "] = value if value > 0 else 1e-6

    def score(tokens: str) -> float:
        # every token between two spaces of its own, so str.count finds each occurrence
        padded = " " + tokens.replace(" ", "  ") + " "
        norm = _K1 * (1 - _B + _B * (tokens.count(" ") + 1) / avgdl)
        total_score = 0.0
        for padded_term, weight in idf.items():
            tf = padded.count(padded_term)
            if tf:
                total_score += weight * tf * (_K1 + 1) / (tf + norm)
        return total_score

    return score


class KeywordSearch:
    """The catalog's keyword side (mixed into `Catalog`, whose `db`, `path` and `frozen` it
    reads): BM25 search, the vocabulary and term frequencies."""

    db: sqlite3.Connection
    path: Path
    frozen: bool

    def _reader(self) -> _Reader:
        """The calling thread's read-only connection: keyword search runs in a worker thread
        beside the dense search, so it must not share the writer's connection (nor see the
        writer's open transaction)."""
        local = self.__dict__.get("_readers") or self.__dict__.setdefault(
            "_readers", threading.local()
        )
        reader = getattr(local, "reader", None)
        if reader is None:
            db = sqlite.connect(self.path, read_only=True, frozen=self.frozen)
            reader = local.reader = _Reader(db)
        return reader

    def keyword_search(
        self,
        terms: list[str],
        n: int,
        doc_ids: Sequence[str] | None,
        max_matches: int | None = None,
    ) -> list[tuple[str, float]]:
        """BM25 over the question's terms, with bounded work per question.

        FTS5 scores every chunk that holds any OR-ed term (a docsize lookup and a walk over
        the term instances each), so a question's cost is about the sum of its terms'
        document frequencies. Terms in over 40% of the chunks add almost nothing to BM25 and
        are dropped. Of the rest, the rarest are matched while their frequencies add up to
        at most `max_matches` (the rarest one always). When that is all of them, FTS5's
        bm25() ranks the matches; otherwise its best KEYWORD_RESCORE matches are re-scored
        with the same BM25 over every term, so the terms left out of the match still order
        the candidates. The work stops growing with the corpus's common words.
        """
        if not terms:
            return []
        reader = self._reader()
        df = reader.stats(terms)
        present = [t for t in terms if df[t] > 0]
        if not present:
            return []
        rare = [t for t in present if df[t] <= 0.4 * reader.total]
        kept = rare or sorted(present, key=lambda t: df[t])[:2]
        budget = KEYWORD_MAX_MATCHES if max_matches is None else max_matches
        chosen: list[str] = []
        for t in sorted(kept, key=lambda t: df[t]):
            if chosen and budget < df[t]:
                break
            chosen.append(t)
            budget -= df[t]
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in chosen)
        if len(chosen) == len(kept):
            return self._fts_ranked(reader.db, match, n, doc_ids)
        rows = self._fts_ranked(reader.db, match, max(n, KEYWORD_RESCORE), doc_ids, "tokens")
        score = _bm25_scorer(kept, df, reader.total, reader.avgdl)
        scored = sorted(((cid, score(tokens)) for cid, tokens in rows), key=lambda item: -item[1])
        return scored[:n]

    @staticmethod
    def _fts_ranked(
        db: sqlite3.Connection,
        match: str,
        n: int,
        doc_ids: Sequence[str] | None,
        column: str = "rank",
    ) -> list[tuple[str, Any]]:
        """The n best chunks for an FTS5 query by bm25(), best first, with their score
        (negated: higher is better) or, with column="tokens", their stored tokens."""
        if doc_ids:
            sql = (
                f"SELECT c.chunk_id, f.{column} FROM chunks_fts f JOIN chunks c ON c.rowid = f.rowid "
                f"WHERE chunks_fts MATCH ? AND c.doc_id IN ({','.join('?' * len(doc_ids))}) "
                "ORDER BY f.rank LIMIT ?"
            )
            params: list[Any] = [match, *doc_ids, n]
        else:
            # `rank` (bm25 by default) lets FTS5 sort inside the table, about 3x faster than
            # ORDER BY bm25(); chunk ids are looked up for the n best rows only.
            inner = "rowid, rank" if column == "rank" else f"rowid, rank, {column}"
            sql = (
                f"SELECT c.chunk_id, f.{column} FROM (SELECT {inner} FROM chunks_fts "
                "WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?) f "
                "JOIN chunks c ON c.rowid = f.rowid ORDER BY f.rank"
            )
            params = [match, n]
        rows = db.execute(sql, params).fetchall()
        return [(cid, -float(v)) for cid, v in rows] if column == "rank" else rows

    def vocabulary(self) -> list[tuple[str, int]]:
        """(term, chunks holding it) for every Chinese word of 2-4 characters the keyword
        index holds: what an English question's pinyin may spell."""
        rows = self.db.execute("SELECT term, doc FROM chunks_vocab")
        return [(t, int(d)) for t, d in rows if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", t)]

    def document_frequency(self, term: str) -> int:
        """How many chunks contain a term: rare terms weigh more when judging support."""
        row = self.db.execute("SELECT doc FROM chunks_vocab WHERE term=?", (term,)).fetchone()
        return int(row[0]) if row else 0
