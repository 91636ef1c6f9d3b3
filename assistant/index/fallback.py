"""Vectors read from the catalog's embedding cache: how readers work on a full disk.

Chroma cannot open its store when the disk is full (it writes as it starts: "database or
disk is full"), which stopped `status`, `search` and `ask` even though nobody wanted to
write. Every stored chunk's vector is also in the catalog's embedding cache (keyed by the
model and the chunk's text), so a reader falls back to an exact search over those; any
write through it is refused with the same full-disk message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from assistant.index.catalog import Catalog
from assistant.index.errors import DiskFullError
from assistant.index.exact import nearest


class CachedVectors:
    """A read-only vector store over the embedding cache (see the module doc)."""

    def __init__(self, catalog: Catalog, model: str, dim: int, where: str) -> None:
        self.catalog, self.where = catalog, where
        self.built_with = (model, dim)
        self._model, self._dim = model, dim
        self._loaded: tuple[list[str], np.ndarray, np.ndarray] | None = None

    def _load(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        if self._loaded is None:
            chunks = self.catalog.all_chunks()
            keys = [Catalog.cache_key(self._model, c.embed_text()) for c in chunks]
            cached = self.catalog.cached_vectors(keys)
            have = [(c, cached[k]) for c, k in zip(chunks, keys, strict=True) if k in cached]
            ids = [c.chunk_id for c, _ in have]
            docs = np.array([c.doc_id for c, _ in have], dtype=object)
            matrix = np.stack([v for _, v in have]) if have else np.zeros((0, self._dim))
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            self._loaded = (ids, docs, matrix / np.where(norms == 0, 1.0, norms))
        return self._loaded

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Any) -> None:
        raise DiskFullError(self.where)

    def delete(self, ids: Sequence[str]) -> None:
        raise DiskFullError(self.where)

    def reset(self) -> None:
        raise DiskFullError(self.where)

    def ids(self) -> set[str]:
        return set(self._load()[0])

    def count(self) -> int:
        return len(self._load()[0])

    def doc_ids(self) -> set[str]:
        return set(self._load()[1].tolist())

    def stored(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        known, _, matrix = self._load()
        where = {cid: i for i, cid in enumerate(known)}
        return {cid: matrix[where[cid]] for cid in ids if cid in where}

    def query(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None
    ) -> list[tuple[str, float]]:
        ids, docs, matrix = self._load()
        return nearest(ids, docs, matrix, vector, n, doc_ids)
