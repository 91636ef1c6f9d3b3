"""Optional cross-encoder reranking of the fused candidates (`[retrieval] reranker`).

A cross-encoder reads the question and each passage together, which ranks better than
either retriever alone but costs one forward pass per candidate, so it sees only the top
`rerank_candidates` of the fusion. Off by default: no reranker weights install from a
package here; on a machine with a model hub any sentence-transformers CrossEncoder name
(e.g. "BAAI/bge-reranker-base") or local folder works.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from assistant.config import ConfigError, RetrievalSettings
from assistant.schema import Passage

_models: dict[str, Any] = {}
_lock = threading.Lock()


class RerankerError(ConfigError):
    """The configured reranker cannot be loaded; the message says what to do."""


def cross_encoder(name: str) -> Any:
    """The CrossEncoder for a name or path, loaded once per process."""
    with _lock:
        if name not in _models:
            try:
                from sentence_transformers import CrossEncoder
            except ImportError as exc:
                raise RerankerError(
                    "retrieval.reranker needs sentence-transformers: pip install -e '.[st]'"
                ) from exc
            try:
                _models[name] = CrossEncoder(name, device="cpu")
            except Exception as exc:  # hub unreachable, bad path, not a cross-encoder
                raise RerankerError(
                    f"Cannot load the reranker '{name}' (retrieval.reranker): {exc}. Give a "
                    'local folder, a model name on a machine that can reach the hub, or "".'
                ) from exc
        return _models[name]


def candidates(cfg: RetrievalSettings, k: int) -> int:
    """How many fused passages retrieval should collect before reranking (k when off)."""
    return max(k, cfg.rerank_candidates) if cfg.reranker else k


def rerank(cfg: RetrievalSettings, query: str, passages: list[Passage], k: int) -> list[Passage]:
    """The k passages the cross-encoder scores highest; unchanged when no reranker is set.

    `score` stays the fused score; `ranks["rerank"]` records the cross-encoder's order.
    """
    if not cfg.reranker or not passages:
        return passages[:k]
    model = cross_encoder(cfg.reranker)
    scores = model.predict(
        [(query, f"{p.heading}\n{p.text}" if p.heading else p.text) for p in passages],
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    order = sorted(range(len(passages)), key=lambda i: -float(scores[i]))[:k]
    return [
        replace(passages[i], ranks={**passages[i].ranks, "rerank": r})
        for r, i in enumerate(order, start=1)
    ]
