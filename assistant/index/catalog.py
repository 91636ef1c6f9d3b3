"""The catalog: SQLite holding documents, chunks, the FTS5 keyword index and embedding cache.

SQLite is the source of truth; the vector store is made to agree with it (see the facade).
"""

from __future__ import annotations

import hashlib
import math
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import RetrievalSettings
from assistant.index import sqlite
from assistant.index.errors import DiskFullError, IndexError_
from assistant.index.tokenize import tokenize
from assistant.schema import Chunk

# Numbered migrations: MIGRATIONS[n - 1] brings a store from schema n - 1 to n, and the
# version reached is kept in meta('schema_version'). Migration 1 is the schema of the first
# release, which wrote no version: every statement is IF NOT EXISTS, so such a store is
# recognised (its tables are already there) and merely stamped. Append, never edit.
MIGRATIONS: list[str] = [
    """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source TEXT, title TEXT, content_hash TEXT,
    status TEXT NOT NULL, n_chunks INTEGER DEFAULT 0, n_chars INTEGER DEFAULT 0,
    added_at REAL, updated_at REAL);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL,
    ordinal INTEGER, title TEXT, heading TEXT, text TEXT, start INTEGER, "end" INTEGER);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(tokens, tokenize='unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
CREATE TABLE IF NOT EXISTS embedding_cache (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
""",
]
SCHEMA_VERSION = len(MIGRATIONS)
# Less free than this and a catalog SQLite cannot open for writing is opened frozen.
FULL_BYTES = 1024 * 1024


class StoreVersionError(IndexError_):
    """The store was written by a newer release than this code."""


def schema_version(db: sqlite3.Connection) -> int:
    """The store's schema version; 0 for an empty file or a store from before versions."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name='meta'").fetchone():
        return 0
    row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(db: sqlite3.Connection, path: Path, migrations: list[str] = MIGRATIONS) -> int:
    """Apply the migrations this store lacks, each in its own transaction (a crash leaves
    a whole version); refuse a store newer than the code. Returns the version reached."""
    target = len(migrations)
    version = schema_version(db)
    if version > target:
        raise StoreVersionError(
            f"The store {path} was written by a newer version of the assistant "
            f"(schema {version} > {target}): upgrade the assistant, or point data_dir "
            "at another store."
        )
    while version < target:
        db.execute("BEGIN IMMEDIATE")
        try:
            version = schema_version(db)  # another process may have just migrated
            if version < target:
                for statement in migrations[version].split(";"):  # no ';' inside a statement
                    if statement.strip():
                        db.execute(statement)
                version += 1
                db.execute(
                    "INSERT INTO meta(key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                    (str(version),),
                )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite rolls back by itself on a full disk
                db.execute("ROLLBACK")
            raise
    return version


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


@dataclass
class DocumentInfo:
    doc_id: str
    source: str
    title: str
    content_hash: str
    status: str
    n_chunks: int
    n_chars: int
    added_at: float
    updated_at: float


class Catalog:
    """SQLite: documents, chunks, the FTS5 keyword index and the embedding cache."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.frozen = False  # opened read-only because the disk is full
        try:
            self.db = sqlite.connect(path, check_same_thread=False, isolation_level=None)
            # Already in WAL mode (every store since the first), the pragma writes nothing.
            if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.schema_version = migrate(self.db, path)
        except (sqlite3.OperationalError, DiskFullError):
            # A full disk: SQLite cannot even create its -shm file to read a WAL store.
            # Readers go on from the file as it is; a write says the disk is full.
            if path.exists() and shutil.disk_usage(path.parent).free < FULL_BYTES:
                self.db = sqlite.connect(path, frozen=True, check_same_thread=False)
                self.frozen, self.schema_version = True, schema_version(self.db)
            else:
                raise

    def documents(self) -> list[DocumentInfo]:
        rows = self.db.execute("SELECT * FROM documents ORDER BY doc_id").fetchall()
        return [DocumentInfo(*row) for row in rows]

    def document(self, doc_id: str) -> DocumentInfo | None:
        row = self.db.execute("SELECT * FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return DocumentInfo(*row) if row else None

    def chunk_ids(self, doc_id: str | None = None) -> set[str]:
        if doc_id is None:
            return {r[0] for r in self.db.execute("SELECT chunk_id FROM chunks")}
        return {
            r[0] for r in self.db.execute("SELECT chunk_id FROM chunks WHERE doc_id=?", (doc_id,))
        }

    def chunks(self, ids: Iterable[str]) -> dict[str, Chunk]:
        ids = list(ids)
        out: dict[str, Chunk] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = f'SELECT chunk_id, doc_id, title, heading, text, start, "end", ordinal FROM chunks WHERE chunk_id IN ({",".join("?" * len(part))})'
            for row in self.db.execute(q, part):
                out[row[0]] = Chunk(*row)
        return out

    def neighbour(self, chunk_id: str, step: int = 1) -> Chunk | None:
        """The chunk `step` places after this one in its document (before it, when
        negative), by ordinal; None at the document's end or for an unknown chunk."""
        row = self.db.execute(
            'SELECT c.chunk_id, c.doc_id, c.title, c.heading, c.text, c.start, c."end", '
            "c.ordinal FROM chunks AS me JOIN chunks AS c "
            "ON c.doc_id = me.doc_id AND c.ordinal = me.ordinal + ? WHERE me.chunk_id = ?",
            (step, chunk_id),
        ).fetchone()
        return Chunk(*row) if row else None

    def sections(self) -> list[tuple[str, str, str]]:
        """Distinct (doc_id, title, heading path) of the stored chunks: what names a section."""
        return list(self.db.execute("SELECT DISTINCT doc_id, title, heading FROM chunks"))

    def all_chunks(self) -> list[Chunk]:
        q = 'SELECT chunk_id, doc_id, title, heading, text, start, "end", ordinal FROM chunks ORDER BY doc_id, ordinal'
        return [Chunk(*row) for row in self.db.execute(q)]

    def mark(self, doc_id: str, source: str, title: str, status: str) -> None:
        now = time.time()
        self.db.execute(
            "INSERT INTO documents(doc_id, source, title, content_hash, status, added_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?) ON CONFLICT(doc_id) DO UPDATE SET status=excluded.status, updated_at=excluded.updated_at",
            (doc_id, source, title, "", status, now, now),
        )

    def replace_chunks(
        self, doc_id: str, source: str, title: str, content_hash: str, chunks: list[Chunk]
    ) -> None:
        """Swap a document's chunks and keyword entries, and mark it ready, in one transaction."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            self._delete_rows(doc_id)
            for c in chunks:
                cur = db.execute(
                    'INSERT INTO chunks(chunk_id, doc_id, ordinal, title, heading, text, start, "end") VALUES (?,?,?,?,?,?,?,?)',
                    (c.chunk_id, c.doc_id, c.ordinal, c.title, c.heading, c.text, c.start, c.end),
                )
                tokens = " ".join(tokenize(c.keyword_text()))
                db.execute(
                    "INSERT INTO chunks_fts(rowid, tokens) VALUES (?, ?)", (cur.lastrowid, tokens)
                )
            now = time.time()
            db.execute(
                "INSERT INTO documents(doc_id, source, title, content_hash, status, n_chunks, n_chars, added_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(doc_id) DO UPDATE SET source=excluded.source, "
                "title=excluded.title, content_hash=excluded.content_hash, status=excluded.status, "
                "n_chunks=excluded.n_chunks, n_chars=excluded.n_chars, updated_at=excluded.updated_at",
                (
                    doc_id,
                    source,
                    title,
                    content_hash,
                    "ready",
                    len(chunks),
                    sum(len(c.text) for c in chunks),
                    now,
                    now,
                ),
            )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _delete_rows(self, doc_id: str) -> None:
        self.db.execute(
            "DELETE FROM chunks_fts WHERE rowid IN (SELECT rowid FROM chunks WHERE doc_id=?)",
            (doc_id,),
        )
        self.db.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))

    def delete_document(self, doc_id: str) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self._delete_rows(doc_id)
            self.db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

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

    def section_text(self, doc_id: str, heading_prefix: str = "") -> str:
        """Headings and texts of a document's chunks under a heading prefix, run together:
        what a passage's surrounding section mentions."""
        rows = self.db.execute("SELECT heading, text FROM chunks WHERE doc_id=?", (doc_id,))
        return "".join(h + t for h, t in rows if h.startswith(heading_prefix))

    def settle(self, doc_id: str) -> None:
        """A document left pending by a crash before commit: its old chunks are whole again
        (ready), or it had none (gone)."""
        self.db.execute(
            "UPDATE documents SET status='ready' WHERE doc_id=? AND n_chunks>0", (doc_id,)
        )
        self.db.execute("DELETE FROM documents WHERE doc_id=? AND n_chunks=0", (doc_id,))

    def close(self) -> None:
        self.db.close()

    def chunk_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    # embedding cache: never embed the same text with the same model twice
    @staticmethod
    def cache_key(model: str, text: str) -> str:
        return hashlib.sha1(f"{model}\0{text}".encode()).hexdigest()

    def cached_vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            q = f"SELECT key, vector FROM embedding_cache WHERE key IN ({','.join('?' * len(part))})"
            for key, blob in self.db.execute(q, part):
                out[key] = np.frombuffer(blob, dtype=np.float32)
        return out

    def cached_keys(self, keys: list[str]) -> set[str]:
        """Which of these keys are cached, without loading their vectors."""
        out: set[str] = set()
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            q = f"SELECT key FROM embedding_cache WHERE key IN ({','.join('?' * len(part))})"
            out.update(r[0] for r in self.db.execute(q, part))
        return out

    def cache_vectors(self, items: dict[str, np.ndarray]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO embedding_cache(key, vector) VALUES (?, ?)",
            [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
        )

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))
