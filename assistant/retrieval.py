"""Hybrid retrieval: dense (Chroma) and keyword (BM25 over jieba tokens), fused by RRF.

Reciprocal-rank fusion needs no score calibration between the two retrievers, which
matters here: e5 similarities all sit between 0.75 and 0.96, and BM25 scores are
unbounded. Each passage keeps the rank each retriever gave it, so a reader (or the
evaluation) can see why it was found.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait

from assistant.index import Index, query_terms
from assistant.rerank import candidates, rerank
from assistant.schema import Passage

MODES = ("hybrid", "dense", "keyword")
# Keyword search runs here while the calling thread embeds the question and queries
# Chroma: onnxruntime, Chroma's Rust core and SQLite all release the GIL while they work.
_KEYWORD_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="keyword-search")


def _overlaps(a: Passage, b: Passage) -> bool:
    """Two passages from the same document that share most of their text."""
    if a.doc_id != b.doc_id:
        return False
    shared = min(a.end, b.end) - max(a.start, b.start)
    return shared > 0.5 * min(a.end - a.start, b.end - b.start)


def _dense(
    index: Index, query: str, n: int, doc_ids: Sequence[str] | None, timings: dict[str, float]
) -> list[tuple[str, float]]:
    t0 = time.perf_counter()
    vector = index.embedder.embed_query(query)
    t1 = time.perf_counter()
    ranking = index.vectors.query(vector, n, doc_ids)
    timings["embedding_ms"] = (t1 - t0) * 1000
    timings["chroma_ms"] = (time.perf_counter() - t1) * 1000
    return ranking


def _keyword(
    index: Index, text: str, n: int, doc_ids: Sequence[str] | None, timings: dict[str, float]
) -> list[tuple[str, float]]:
    t0 = time.perf_counter()
    ranking = index.catalog.keyword_search(
        query_terms(text), n, doc_ids, index.settings.retrieval.keyword_max_matches
    )
    timings["keyword_ms"] = (time.perf_counter() - t0) * 1000
    return ranking


def search(
    index: Index,
    query: str,
    k: int | None = None,
    mode: str | None = None,
    doc_ids: Sequence[str] | None = None,
    keyword_query: str | None = None,
    concurrent: bool = True,
    timings: dict[str, float] | None = None,
    literals: Sequence[str] = (),
) -> list[Passage]:
    """The k best passages for a question; `keyword_query` lets a caller add search terms.

    `literals` (the wording a question quotes: "两个“3000亩”") add a third ranking to the
    fusion: the candidates that contain every one of them, in their fused order. A jieba
    token "3000" is shared by every "3000万元"; the quoted "3000亩" is not.

    In hybrid mode the keyword search runs in a worker thread beside the dense one
    (`concurrent=False` runs them one after the other; the result is the same). `timings`,
    if given, receives embedding_ms, chroma_ms, keyword_ms, fusion_ms and total_ms.
    """
    t0 = time.perf_counter()
    cfg = index.settings.retrieval
    k = k or cfg.k
    mode = mode or cfg.mode
    if mode not in MODES:
        raise ValueError(f"unknown search mode '{mode}' (use one of {', '.join(MODES)})")
    n = max(cfg.candidates, k * 3)
    spent: dict[str, float] = {}
    keyword_text = keyword_query or query
    rankings: dict[str, list[tuple[str, float]]] = {}
    if mode == "hybrid" and concurrent:
        pending = _KEYWORD_POOL.submit(_keyword, index, keyword_text, n, doc_ids, spent)
        try:
            rankings["dense"] = _dense(index, query, n, doc_ids, spent)
        finally:  # never leave a keyword search running behind a failed dense one
            wait([pending])
        rankings["keyword"] = pending.result()
    else:
        if mode in ("hybrid", "dense"):
            rankings["dense"] = _dense(index, query, n, doc_ids, spent)
        if mode in ("hybrid", "keyword"):
            rankings["keyword"] = _keyword(index, keyword_text, n, doc_ids, spent)
    t_fuse = time.perf_counter()

    scores: dict[str, float] = {}
    ranks: dict[str, dict[str, int]] = {}
    for name, ranking in rankings.items():
        for rank, (chunk_id, raw) in enumerate(ranking, start=1):
            ranks.setdefault(chunk_id, {})[name] = rank
            fused = 1.0 / (cfg.rrf_k + rank) if mode == "hybrid" else raw
            scores[chunk_id] = scores.get(chunk_id, 0.0) + fused
    ordered = sorted(scores, key=lambda cid: -scores[cid])
    wanted = candidates(cfg, k)  # more than k when a reranker reorders them
    chunks = index.catalog.chunks(ordered[: n * 2])
    wording = [w.lower() for w in literals if w.strip()]
    if wording and mode == "hybrid":
        stating = [
            cid
            for cid in ordered
            if cid in chunks and all(w in chunks[cid].text.lower() for w in wording)
        ]
        for rank, chunk_id in enumerate(stating, start=1):
            ranks[chunk_id]["literal"] = rank
            scores[chunk_id] += 1.0 / (cfg.rrf_k + rank)
        ordered = sorted(scores, key=lambda cid: -scores[cid])
    passages: list[Passage] = []
    for chunk_id in ordered:
        chunk = chunks.get(chunk_id)
        if chunk is None:  # a vector whose chunk is gone; reconcile() removes it
            continue
        p = Passage(
            chunk.chunk_id,
            chunk.doc_id,
            chunk.title,
            chunk.heading,
            chunk.text,
            chunk.start,
            chunk.end,
            round(scores[chunk_id], 6),
            ranks[chunk_id],
        )
        if any(_overlaps(p, kept) for kept in passages):
            continue
        passages.append(p)
        if len(passages) == wanted:
            break
    passages = rerank(cfg, query, passages, k)
    if timings is not None:
        end = time.perf_counter()
        timings.update(spent)
        timings["fusion_ms"] = (end - t_fuse) * 1000
        timings["total_ms"] = (end - t0) * 1000
    return passages
