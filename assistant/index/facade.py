"""The index: a vector store (Chroma) and a keyword index (SQLite FTS5 over jieba tokens).

SQLite is the source of truth: it holds the document catalog, every chunk's text and
offsets, the BM25 index and a cache of embeddings keyed by model and text. Chroma holds
vectors under the same ids and is made to agree with SQLite: a document is marked
`pending` before its vectors change and `ready` in the same transaction that writes its
chunks, and `reconcile()` repairs whatever a crash in between left behind.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.embeddings import make_embedder
from assistant.index.catalog import Catalog
from assistant.index.chroma import VECTOR_STORES, VectorStore
from assistant.schema import Chunk


class Index:
    """Catalog + vectors + the embedder, kept in agreement; what ingest and retrieval use."""

    def __init__(self, settings: Settings, embedder: Any = None, check_model: bool = True) -> None:
        self.settings = settings
        self.catalog = Catalog(settings.catalog_path)
        self.embedder = embedder or make_embedder(settings.embedding)
        self.vectors: VectorStore = VECTOR_STORES["chroma"](
            settings, self.embedder.name, self.embedder.dim, check_model=check_model
        )

    def embed_chunks(self, chunks: list[Chunk], on_embedded: Any = None) -> np.ndarray:
        """Vectors for chunks, from the cache where the same text was embedded before."""
        model = self.embedder.name
        keys = [Catalog.cache_key(model, c.embed_text()) for c in chunks]
        cached = self.catalog.cached_vectors(keys)
        todo = [i for i, k in enumerate(keys) if k not in cached]
        batch = max(1, self.settings.embedding.batch_size)
        for b in range(0, len(todo), batch):
            idx = todo[b : b + batch]
            vecs = self.embedder.embed_passages([chunks[i].embed_text() for i in idx])
            fresh = {keys[i]: vecs[j] for j, i in enumerate(idx)}
            self.catalog.cache_vectors(fresh)
            cached.update(fresh)
            if on_embedded:
                on_embedded(len(idx))
        if not chunks:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([cached[k] for k in keys]).astype(np.float32)

    def add(
        self,
        doc_id: str,
        source: str,
        title: str,
        content_hash: str,
        chunks: list[Chunk],
        vectors: np.ndarray,
    ) -> None:
        """Replace a document's chunks everywhere: pending -> vectors -> chunks + ready."""
        old = self.catalog.chunk_ids(doc_id)
        self.catalog.mark(doc_id, source, title, "pending")
        metas = [{"doc_id": c.doc_id, "ordinal": c.ordinal} for c in chunks]
        if chunks:
            self.vectors.upsert([c.chunk_id for c in chunks], vectors, metas)
        stale = old - {c.chunk_id for c in chunks}
        if stale:
            self.vectors.delete(sorted(stale))
        self.catalog.replace_chunks(doc_id, source, title, content_hash, chunks)

    def delete(self, doc_id: str) -> bool:
        if self.catalog.document(doc_id) is None:
            return False
        self.catalog.mark(doc_id, "", "", "pending")
        self.vectors.delete(sorted(self.catalog.chunk_ids(doc_id)))
        self.catalog.delete_document(doc_id)
        return True

    def reconcile(self) -> dict[str, int]:
        """Make Chroma agree with SQLite after a crash; returns what was repaired."""
        in_catalog = self.catalog.chunk_ids()
        in_vectors = self.vectors.ids()
        orphans = in_vectors - in_catalog
        if orphans:
            self.vectors.delete(sorted(orphans))
        missing = in_catalog - in_vectors
        if missing:  # re-embed those chunks (from the cache, usually) and put them back
            chunks = list(self.catalog.chunks(missing).values())
            vecs = self.embed_chunks(chunks)
            self.vectors.upsert(
                [c.chunk_id for c in chunks],
                vecs,
                [{"doc_id": c.doc_id, "ordinal": c.ordinal} for c in chunks],
            )
        pending = [d.doc_id for d in self.catalog.documents() if d.status != "ready"]
        for doc_id in pending:  # a crash before commit: the old chunks are whole again
            self.catalog.settle(doc_id)
        return {
            "orphan_vectors": len(orphans),
            "missing_vectors": len(missing),
            "pending_docs": len(pending),
        }

    def reindex(self, on_embedded: Any = None) -> int:
        """Re-embed every chunk with the configured model into a fresh collection."""
        chunks = self.catalog.all_chunks()
        vecs = self.embed_chunks(chunks, on_embedded)
        self.vectors.reset()
        if chunks:
            self.vectors.upsert(
                [c.chunk_id for c in chunks],
                vecs,
                [{"doc_id": c.doc_id, "ordinal": c.ordinal} for c in chunks],
            )
        return len(chunks)
