"""The catalog: SQLite holding documents, chunks, the FTS5 keyword index and embedding cache.

SQLite is the source of truth; the vector store is made to agree with it (see the facade).
Its schema and migrations are in `migrations`, keyword search in `keyword`, the embedding
cache in `embedding_cache`.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.index import sqlite
from assistant.index.chunk_reading import ChunkReading
from assistant.index.embedding_cache import EmbeddingCache
from assistant.index.errors import DiskFullError
from assistant.index.keyword import KeywordSearch
from assistant.index.migrations import migrate, schema_version
from assistant.index.tokenize import tokenize
from assistant.schema import Chunk

# Less free than this and a catalog SQLite cannot open for writing is opened frozen.
FULL_BYTES = 1024 * 1024


@dataclass
class DocumentInfo:
    """A catalog row: what `status` and the page list of a document."""

    doc_id: str
    source: str
    title: str
    content_hash: str
    status: str
    n_chunks: int
    n_chars: int
    added_at: float
    updated_at: float


class Catalog(KeywordSearch, EmbeddingCache, ChunkReading):
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

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))
