"""Exact nearest neighbours over a matrix of unit vectors: the search a small store uses
instead of Chroma's HNSW graph, and the one a full disk falls back to (vectors read from
the catalog's cache)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def nearest(
    ids: list[str],
    docs: np.ndarray,
    matrix: np.ndarray,
    vector: np.ndarray,
    n: int,
    doc_ids: Sequence[str] | None = None,
) -> list[tuple[str, float]]:
    """The n rows most similar to `vector` by cosine (rows are unit vectors), only of
    `doc_ids` when given; ties keep the stored order, so results repeat exactly."""
    if not ids:
        return []
    q = np.asarray(vector, dtype=np.float32).reshape(-1)
    scores = matrix @ (q / (np.linalg.norm(q) or 1.0))
    rows = np.arange(len(ids))
    if doc_ids:
        rows = rows[np.isin(docs, list(doc_ids))]
    best = rows[np.argsort(-scores[rows], kind="stable")[:n]]
    return [(ids[i], float(scores[i])) for i in best]
