"""Hybrid retrieval: dense (Chroma) and keyword (BM25 over jieba tokens), fused by RRF.

Reciprocal-rank fusion needs no score calibration between the two retrievers, which
matters here: e5 similarities all sit between 0.75 and 0.96, and BM25 scores are
unbounded. Each passage keeps the rank each retriever gave it, so a reader (or the
evaluation) can see why it was found.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.index import Index, query_terms
from assistant.rerank import candidates, rerank
from assistant.schema import Passage

MODES = ("hybrid", "dense", "keyword")


def _overlaps(a: Passage, b: Passage) -> bool:
    """Two passages from the same document that share most of their text."""
    if a.doc_id != b.doc_id:
        return False
    shared = min(a.end, b.end) - max(a.start, b.start)
    return shared > 0.5 * min(a.end - a.start, b.end - b.start)


def search(
    index: Index,
    query: str,
    k: int | None = None,
    mode: str | None = None,
    doc_ids: Sequence[str] | None = None,
    keyword_query: str | None = None,
) -> list[Passage]:
    """The k best passages for a question; `keyword_query` lets a caller add search terms."""
    cfg = index.settings.retrieval
    k = k or cfg.k
    mode = mode or cfg.mode
    if mode not in MODES:
        raise ValueError(f"unknown search mode '{mode}' (use one of {', '.join(MODES)})")
    n = max(cfg.candidates, k * 3)
    rankings: dict[str, list[tuple[str, float]]] = {}
    if mode in ("hybrid", "dense"):
        rankings["dense"] = index.vectors.query(index.embedder.embed_query(query), n, doc_ids)
    if mode in ("hybrid", "keyword"):
        terms = query_terms(keyword_query or query)
        rankings["keyword"] = index.catalog.keyword_search(terms, n, doc_ids)

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
    return rerank(cfg, query, passages, k)
