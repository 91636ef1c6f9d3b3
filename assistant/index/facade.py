"""The index: a vector store (Chroma) and a keyword index (SQLite FTS5 over jieba tokens).

SQLite is the source of truth: it holds the document catalog, every chunk's text and
offsets, the BM25 index and a cache of embeddings keyed by model and text. Chroma holds
vectors under the same ids and is made to agree with SQLite: a document is marked
`pending` before its vectors change and `ready` in the same transaction that writes its
chunks, and `reconcile()` repairs whatever a crash in between left behind. Only one writer
at a time (a file lock in data_dir), and repairs happen only while holding it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.embeddings import make_embedder
from assistant.index.catalog import Catalog
from assistant.index.chroma import VECTOR_STORES, VectorStore
from assistant.index.errors import DiskFullError
from assistant.index.fallback import CachedVectors
from assistant.index.lock import WriteLock
from assistant.index.recovery import Recovery
from assistant.schema import Chunk


class Index(Recovery):
    """Catalog + vectors + the embedder, kept in agreement; what ingest and retrieval use.

    Writes (add, delete, reindex, reconcile) hold the store's writer lock (`lock.py`), so
    one process or thread writes at a time and recovery never touches a live writer's work.
    """

    def __init__(self, settings: Settings, embedder: Any = None, check_model: bool = True) -> None:
        self.settings = settings
        self.lock = WriteLock(settings.data_dir)
        self.last_repair: dict[str, int] = {}  # what the last outermost write repaired
        self.catalog = Catalog(settings.catalog_path)
        self.embedder = embedder or make_embedder(settings.embedding)
        try:
            self.vectors: VectorStore = VECTOR_STORES["chroma"](
                settings, self.embedder.name, self.embedder.dim, check_model=check_model
            )
        except DiskFullError:  # Chroma writes as it opens; readers go on from the cache
            self.vectors = CachedVectors(
                self.catalog, self.embedder.name, self.embedder.dim, str(settings.data_dir)
            )

    def embed_chunks(self, chunks: list[Chunk], on_embedded: Any = None) -> np.ndarray:
        """Vectors for chunks, from the cache where the same text was embedded before."""
        model = self.embedder.name
        keys = [Catalog.cache_key(model, c.embed_text()) for c in chunks]
        cached = self.catalog.cached_vectors(keys)
        todo = list({k: i for i, k in enumerate(keys) if k not in cached}.values())
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

    def to_embed(self, chunks: list[Chunk]) -> int:
        """How many distinct chunk texts the model has not embedded yet (a progress total)."""
        keys = {Catalog.cache_key(self.embedder.name, c.embed_text()) for c in chunks}
        return len(keys - self.catalog.cached_keys(list(keys)))

    def add(
        self,
        doc_id: str,
        source: str,
        title: str,
        content_hash: str,
        chunks: list[Chunk],
        vectors: np.ndarray | None = None,
        on_embedded: Any = None,
    ) -> None:
        """Replace a document's chunks everywhere: pending -> vectors -> chunks + ready.

        Without `vectors`, chunks are embedded and written `ingest.batch_chunks` at a time,
        so a huge file never holds all its vectors at once; a crash in between leaves only
        vectors the catalog does not list, which the next writer removes."""
        # The lock alone, no repair: add() is self-contained, and a caller adding many
        # documents should not rescan the store for each (ingest_paths repairs once).
        with self.lock.hold("ingest", self.settings.store.lock_timeout_s):
            self._keep_reserve()
            try:
                self._add(doc_id, source, title, content_hash, chunks, vectors, on_embedded)
            except DiskFullError:
                self._undo()
                raise

    def _add(
        self,
        doc_id: str,
        source: str,
        title: str,
        content_hash: str,
        chunks: list[Chunk],
        vectors: np.ndarray | None,
        on_embedded: Any,
    ) -> None:
        old = self.catalog.chunk_ids(doc_id)
        self.catalog.mark(doc_id, source, title, "pending")
        step = max(1, self.settings.ingest.batch_chunks)
        for b in range(0, len(chunks), step):
            part = chunks[b : b + step]
            vecs = (
                vectors[b : b + step]
                if vectors is not None
                else self.embed_chunks(part, on_embedded)
            )
            metas = [{"doc_id": c.doc_id, "ordinal": c.ordinal} for c in part]
            self.vectors.upsert([c.chunk_id for c in part], vecs, metas)
        stale = old - {c.chunk_id for c in chunks}
        if stale:
            self.vectors.delete(sorted(stale))
        self.catalog.replace_chunks(doc_id, source, title, content_hash, chunks)

    def delete(self, doc_id: str, on_wait: Callable[[str], None] | None = None) -> bool:
        """Remove a document everywhere (repairing a dead writer's leftovers first)."""
        with self.writing("delete", on_wait):
            if self.catalog.document(doc_id) is None:
                return False
            self.catalog.mark(doc_id, "", "", "pending")
            self.vectors.delete(sorted(self.catalog.chunk_ids(doc_id)))
            self.catalog.delete_document(doc_id)
            return True

    def reindex(self, on_embedded: Any = None, on_wait: Callable[[str], None] | None = None) -> int:
        """Re-embed every chunk with the configured model into a fresh collection.

        All vectors are computed first (into the embedding cache, a batch at a time), so
        the old collection serves searches until the new one is filled from the cache;
        a crash while filling leaves missing vectors that the next writer re-adds."""
        with self.lock.hold("reindex", self.settings.store.lock_timeout_s, on_wait):
            chunks = self.catalog.all_chunks()
            step = max(1, self.settings.ingest.batch_chunks)
            for b in range(0, len(chunks), step):
                self._cache_only(chunks[b : b + step], on_embedded)
            self.vectors.reset()
            for b in range(0, len(chunks), step):
                part = chunks[b : b + step]
                self.vectors.upsert(
                    [c.chunk_id for c in part],
                    self.embed_chunks(part),
                    [{"doc_id": c.doc_id, "ordinal": c.ordinal} for c in part],
                )
            self._reconcile()  # settles documents a dead writer left pending
            return len(chunks)

    def _cache_only(self, chunks: list[Chunk], on_embedded: Any) -> None:
        """Embed the chunks the cache lacks, keeping no vectors."""
        keys = [Catalog.cache_key(self.embedder.name, c.embed_text()) for c in chunks]
        have = self.catalog.cached_keys(keys)
        todo = [c for c, k in zip(chunks, keys, strict=True) if k not in have]
        if todo:
            self.embed_chunks(todo, on_embedded)
