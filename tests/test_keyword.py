"""Keyword search with bounded work: the rarest terms within a postings budget."""

from __future__ import annotations

import threading

import pytest

from assistant.index import keyword as keyword_module
from assistant.index.catalog import Catalog
from assistant.index.tokenize import query_terms
from assistant.schema import Chunk


def _chunk(i: int, text: str, doc: str = "d.txt") -> Chunk:
    return Chunk(f"{doc}#{i}", doc, "t", "", text, 0, len(text), i)


@pytest.fixture
def catalog(tmp_path) -> Catalog:
    """200 chunks: 产业 in all, 园区 in 100, 集聚 in 20, 鹤淇 in 2."""
    cat = Catalog(tmp_path / "catalog.sqlite3")
    chunks = []
    for i in range(200):
        words = ["产业"]
        if i % 2 == 0:
            words.append("园区")
        if i % 10 == 0:
            words.append("集聚")
        if i in (3, 155):
            words.append("鹤淇")
        chunks.append(_chunk(i, "，".join(words) + f"，编号{i}。"))
    cat.replace_chunks("d.txt", "d.txt", "t", "h", chunks)
    return cat


def test_common_terms_are_dropped_and_rare_ones_kept(catalog):
    hits = catalog.keyword_search(["产业", "园区", "鹤淇"], 10, None)
    # 产业 (every chunk) and 园区 (half of them) are in more than 40% of the chunks
    assert sorted(cid for cid, _ in hits) == ["d.txt#155", "d.txt#3"]
    # ... unless nothing else is left: then the two rarest
    assert len(catalog.keyword_search(["产业", "园区"], 10, None)) == 10


def test_match_budget_keeps_the_rarest_terms_only(catalog, monkeypatch):
    everything = {cid for cid, _ in catalog.keyword_search(["集聚", "鹤淇"], 50, None)}
    assert len(everything) == 22  # 20 chunks with 集聚, 2 with 鹤淇, none with both
    rarest = {cid for cid, _ in catalog.keyword_search(["集聚", "鹤淇"], 50, None, 10)}
    assert rarest == {"d.txt#3", "d.txt#155"}
    assert len(catalog.keyword_search(["集聚", "鹤淇"], 50, None, 22)) == 22
    # the rarest term always, and the module default when the caller names none
    assert {cid for cid, _ in catalog.keyword_search(["园区", "集聚"], 50, None, 0)} == {
        f"d.txt#{i}" for i in range(0, 200, 10)
    }
    monkeypatch.setattr(keyword_module, "KEYWORD_MAX_MATCHES", 10)
    assert {cid for cid, _ in catalog.keyword_search(["集聚", "鹤淇"], 50, None)} == rarest


def test_scores_are_fts5_bm25_best_first(catalog):
    hits = catalog.keyword_search(["集聚", "鹤淇", "编号3"], 30, None)
    expected = catalog.db.execute(
        "SELECT c.chunk_id, -bm25(chunks_fts) FROM chunks_fts JOIN chunks c "
        "ON c.rowid = chunks_fts.rowid WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts) LIMIT 30",
        ('"集聚" OR "鹤淇" OR "编号3"',),
    ).fetchall()
    assert hits == [(cid, pytest.approx(s)) for cid, s in expected]


def test_document_frequencies_follow_new_commits(catalog):
    """Frequencies are cached per reader connection until another connection commits."""
    assert catalog.keyword_search(["沁阳"], 5, None) == []
    catalog.replace_chunks("e.txt", "e.txt", "t", "h", [_chunk(0, "沁阳产业集聚区。", "e.txt")])
    assert [cid for cid, _ in catalog.keyword_search(["沁阳"], 5, None)] == ["e.txt#0"]
    catalog.delete_document("e.txt")
    assert catalog.keyword_search(["沁阳"], 5, None) == []


def test_keyword_search_from_another_thread_uses_its_own_connection(catalog):
    out: list = []
    t = threading.Thread(target=lambda: out.append(catalog.keyword_search(["鹤淇"], 5, None)))
    t.start()
    t.join()
    assert sorted(cid for cid, _ in out[0]) == ["d.txt#155", "d.txt#3"]
    assert catalog._reader() is not None and catalog._reader().db is not catalog.db


def test_doc_filter_and_question_terms(catalog):
    catalog.replace_chunks("e.txt", "e.txt", "t", "h", [_chunk(0, "鹤淇产业集聚区。", "e.txt")])
    terms = query_terms("鹤淇产业集聚区有多少家企业？")
    assert "鹤淇" in terms
    hits = catalog.keyword_search(terms, 5, ["e.txt"])
    assert [cid for cid, _ in hits] == ["e.txt#0"]


def test_terms_left_out_by_the_budget_still_rank_the_candidates(tmp_path):
    """Matched on the rarest term only, candidates are re-scored with FTS5's BM25 over all."""
    cat = Catalog(tmp_path / "catalog.sqlite3")
    chunks = []
    for i in range(40):
        words = ["产业"]
        if i < 6:
            words.append("沁阳")  # the rarest term: 6 chunks
        if i in (4, 5) or i >= 28:
            words.append("盐业")  # 14 chunks, two of them with 沁阳
        chunks.append(_chunk(i, "，".join(words) + f"，第{i}段。"))
    cat.replace_chunks("d.txt", "d.txt", "t", "h", chunks)
    hits = cat.keyword_search(["沁阳", "盐业"], 4, None, 6)  # the budget fits 沁阳 only
    assert {cid for cid, _ in hits[:2]} == {"d.txt#4", "d.txt#5"}
    assert all(cid in {f"d.txt#{i}" for i in range(6)} for cid, _ in hits)
    full = dict(
        cat.db.execute(
            "SELECT c.chunk_id, -bm25(chunks_fts) FROM chunks_fts JOIN chunks c "
            "ON c.rowid = chunks_fts.rowid WHERE chunks_fts MATCH ?",
            ('"沁阳" OR "盐业"',),
        ).fetchall()
    )
    assert hits == [(cid, pytest.approx(full[cid])) for cid, _ in hits]
