"""How the index's writers recover: every outermost write first repairs what a dead writer
left (vectors the catalog does not list, chunks without vectors, documents left pending),
and a write that fills the disk is undone with room a reserve file kept in hand."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import numpy as np

from assistant.config import Settings
from assistant.index.catalog import Catalog
from assistant.index.chroma import VectorStore
from assistant.index.errors import DiskFullError
from assistant.index.lock import WriteLock

# Disk a writer keeps in hand (a file of zeros in data_dir): when a write still fills the
# disk, deleting it gives back the room that undoing the write needs.
RESERVE_NAME = ".space-reserve"
RESERVE_BYTES = 4 * 1024 * 1024


class Recovery:
    """The writer lock's repairs (mixed into `Index`, whose catalog, vectors, lock and
    embedder it uses)."""

    settings: Settings
    lock: WriteLock
    catalog: Catalog
    vectors: VectorStore
    last_repair: dict[str, int]
    embed_chunks: Callable[..., np.ndarray]

    @contextmanager
    def writing(
        self, command: str = "write", on_wait: Callable[[str], None] | None = None
    ) -> Iterator[dict[str, int]]:
        """Hold the writer lock for a block of writes (waiting for another writer and
        telling on_wait so). The outermost hold first repairs what a dead writer left and
        yields that repair's counts; nested holds in the same thread yield {}."""
        outermost = not self.lock.held()
        with self.lock.hold(command, self.settings.store.lock_timeout_s, on_wait):
            if outermost:
                self._keep_reserve()
                self.last_repair = self._reconcile()
            yield self.last_repair if outermost else {}

    def _undo(self) -> None:
        """After a write stopped on a full disk: put the store back as it was before the
        document (its new vectors out, its old ones back, the document settled). When even
        that cannot be written, the document stays pending, and the next writer or the
        app's start repairs it the same way; readers never see its half-written chunks."""
        (self.settings.data_dir / RESERVE_NAME).unlink(missing_ok=True)  # room to undo in
        with suppress(DiskFullError):
            self._reconcile()

    def _keep_reserve(self) -> None:
        """Put the disk reserve back (see RESERVE_BYTES) when there is room for it."""
        path = self.settings.data_dir / RESERVE_NAME
        if path.exists() or shutil.disk_usage(self.settings.data_dir).free < 3 * RESERVE_BYTES:
            return
        try:
            with path.open("wb") as f:  # written, not sparse: the blocks are really taken
                f.write(b"\0" * RESERVE_BYTES)
        except OSError:
            path.unlink(missing_ok=True)

    def reconcile(self) -> dict[str, int]:
        """Make Chroma agree with SQLite after a crash; returns what was repaired.

        Runs under the writer lock: whatever disagrees then was left by a writer that died."""
        with self.lock.hold("repair", self.settings.store.lock_timeout_s):
            return self._reconcile()

    def _reconcile(self) -> dict[str, int]:
        in_catalog = self.catalog.chunk_ids()
        in_vectors = self.vectors.ids()
        orphans = in_vectors - in_catalog
        if orphans:
            self.vectors.delete(sorted(orphans))
        missing = in_catalog - in_vectors
        if missing:  # re-embed those chunks (from the cache, usually) and put them back
            ids = sorted(missing)
            step = max(1, self.settings.ingest.batch_chunks)
            for b in range(0, len(ids), step):
                chunks = list(self.catalog.chunks(ids[b : b + step]).values())
                self.vectors.upsert(
                    [c.chunk_id for c in chunks],
                    self.embed_chunks(chunks),
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
