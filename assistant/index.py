"""The index: a vector store (Chroma) and a keyword index (SQLite FTS5 over jieba tokens).

SQLite is the source of truth: it holds the document catalog, every chunk's text and
offsets, the BM25 index and a cache of embeddings keyed by model and text. Chroma holds
vectors under the same ids and is made to agree with SQLite: a document is marked
`pending` before its vectors change and `ready` in the same transaction that writes its
chunks, and `reconcile()` repairs whatever a crash in between left behind.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.config import Settings
from assistant.schema import Chunk

log = logging.getLogger(__name__)


class IndexError_(Exception):
    """The index cannot be used as configured; the message says what to do."""


class EmbeddingMismatchError(IndexError_):
    pass


# --------------------------------------------------------------------------- tokens

_STOPWORDS = set(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "或",
        "有",
        "为",
        "对",
        "把",
        "被",
        "从",
        "到",
        "向",
        "等",
        "其",
        "之",
        "以",
        "于",
        "中",
        "上",
        "下",
        "个",
        "这",
        "那",
        "哪",
        "哪些",
        "什么",
        "多少",
        "几",
        "几个",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "么",
        "怎么",
        "怎样",
        "如何",
        "是否",
        "请问",
        "请",
        "问",
        "一下",
        "一个",
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "他们",
        "它们",
        "哪里",
        "哪个",
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "what",
        "which",
        "who",
        "how",
        "many",
        "much",
        "does",
        "do",
        "did",
        "with",
        "by",
        "from",
        "as",
        "that",
        "this",
        "it",
        "its",
    ]
)
_TOKEN_OK = re.compile(r"[\w\u3400-\u9fff]")
_jieba_ready = False


def _jieba():  # noqa: ANN202 - jieba has no types
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba_ready = True
    return jieba


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens (words and their sub-words), lower-cased, no punctuation."""
    return [t.lower() for t in _jieba().cut_for_search(text) if t.strip() and _TOKEN_OK.search(t)]


def query_terms(text: str) -> list[str]:
    """Tokens worth matching in a question: no stopwords, no duplicates, order kept."""
    seen: dict[str, None] = {}
    for token in tokenize(text):
        if token not in _STOPWORDS:
            seen.setdefault(token, None)
    return list(seen)


# --------------------------------------------------------------------------- vectors


class VectorStore(Protocol):
    """What the index needs of a vector database."""

    def upsert(
        self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]
    ) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def ids(self) -> set[str]: ...

    def count(self) -> int: ...

    def query(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None
    ) -> list[tuple[str, float]]: ...

    def reset(self) -> None: ...


class ChromaVectorStore:
    """Chroma, embedded under data_dir or a server at `vector_store.url`.

    Vectors are always computed by us and passed in; the collection is opened with no
    embedding function so Chroma's own (which downloads a model) never loads.
    """

    def __init__(self, settings: Settings, model: str, dim: int, check_model: bool = True) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        url = settings.vector_store.url
        try:
            if url:
                m = re.match(r"^(https?)://([^:/]+)(?::(\d+))?/?$", url)
                if not m:
                    raise IndexError_(
                        f"vector_store.url '{url}' is not of the form http://host:port"
                    )
                self._client = chromadb.HttpClient(
                    host=m.group(2),
                    port=int(m.group(3) or 8000),
                    ssl=m.group(1) == "https",
                    settings=chroma_settings,
                )
            else:
                settings.chroma_dir.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(
                    path=str(settings.chroma_dir), settings=chroma_settings
                )
        except IndexError_:
            raise
        except Exception as exc:
            where = url or settings.chroma_dir
            raise IndexError_(f"Cannot open the Chroma store at {where}: {exc}") from exc
        self._name = settings.vector_store.collection
        self._model, self._dim = model, dim
        self._collection = self._open(check_model)

    def _open(self, check_model: bool = True):  # noqa: ANN202 - chromadb's Collection
        col = self._client.get_or_create_collection(
            self._name,
            embedding_function=None,
            metadata={"embed_model": self._model, "dim": self._dim},
            configuration={"hnsw": {"space": "cosine"}},
        )
        meta = col.metadata or {}
        if (
            check_model
            and meta.get("embed_model") != self._model
            or int(meta.get("dim", -1)) != self._dim
        ):
            raise EmbeddingMismatchError(
                f"The index was built with embedding model '{meta.get('embed_model')}' "
                f"(dim {meta.get('dim')}), but the config now uses '{self._model}' (dim {self._dim}). "
                "Run `assistant reindex` to re-embed every chunk with the new model, "
                "or switch the config back."
            )
        return col

    def upsert(
        self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]
    ) -> None:
        for i in range(0, len(ids), 1000):
            self._collection.upsert(
                ids=list(ids[i : i + 1000]),
                embeddings=vectors[i : i + 1000],
                metadatas=list(metadatas[i : i + 1000]),
            )

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), 1000):
            self._collection.delete(ids=ids[i : i + 1000])

    def ids(self) -> set[str]:
        return set(self._collection.get(include=[])["ids"])

    def count(self) -> int:
        return int(self._collection.count())

    def query(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None
    ) -> list[tuple[str, float]]:
        total = self.count()
        if total == 0:
            return []
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None
        res = self._collection.query(
            query_embeddings=[vector], n_results=min(n, total), where=where, include=["distances"]
        )
        return [
            (i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)
        ]

    def reset(self) -> None:
        self._client.delete_collection(self._name)
        self._collection = self._open(check_model=True)


VECTOR_STORES: dict[str, type] = {"chroma": ChromaVectorStore}


# --------------------------------------------------------------------------- catalog

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source TEXT, title TEXT, content_hash TEXT,
    status TEXT NOT NULL, n_chunks INTEGER DEFAULT 0, n_chars INTEGER DEFAULT 0,
    added_at REAL, updated_at REAL);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL,
    ordinal INTEGER, title TEXT, heading TEXT, text TEXT, start INTEGER, "end" INTEGER);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(tokens, tokenize='unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
CREATE TABLE IF NOT EXISTS embedding_cache (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


@dataclass
class DocumentInfo:
    doc_id: str
    source: str
    title: str
    content_hash: str
    status: str
    n_chunks: int
    n_chars: int
    added_at: float
    updated_at: float


class Catalog:
    """SQLite: documents, chunks, the FTS5 keyword index and the embedding cache."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

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

    def chunks(self, ids: Iterable[str]) -> dict[str, Chunk]:
        ids = list(ids)
        out: dict[str, Chunk] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = f'SELECT chunk_id, doc_id, title, heading, text, start, "end", ordinal FROM chunks WHERE chunk_id IN ({",".join("?" * len(part))})'
            for row in self.db.execute(q, part):
                out[row[0]] = Chunk(*row)
        return out

    def all_chunks(self) -> list[Chunk]:
        q = 'SELECT chunk_id, doc_id, title, heading, text, start, "end", ordinal FROM chunks ORDER BY doc_id, ordinal'
        return [Chunk(*row) for row in self.db.execute(q)]

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
                tokens = " ".join(tokenize(f"{c.heading}\n{c.text}"))
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
            self.db.execute("ROLLBACK")
            raise

    def keyword_search(
        self, terms: list[str], n: int, doc_ids: Sequence[str] | None
    ) -> list[tuple[str, float]]:
        if not terms:
            return []
        # Terms in most chunks add almost nothing to BM25 but make SQLite score every row.
        total = self.chunk_count()
        df = {t: self.document_frequency(t) for t in terms}
        rare = [t for t in terms if df[t] <= 0.4 * total]
        terms = rare or sorted(terms, key=lambda t: df[t])[:2]
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = (
            "SELECT c.chunk_id, bm25(chunks_fts) AS s FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid "
            "WHERE chunks_fts MATCH ?"
        )
        params: list[Any] = [match]
        if doc_ids:
            sql += f" AND c.doc_id IN ({','.join('?' * len(doc_ids))})"
            params += list(doc_ids)
        sql += " ORDER BY s LIMIT ?"
        params.append(n)
        return [(cid, -float(s)) for cid, s in self.db.execute(sql, params)]

    def document_frequency(self, term: str) -> int:
        """How many chunks contain a term: rare terms weigh more when judging support."""
        row = self.db.execute("SELECT doc FROM chunks_vocab WHERE term=?", (term,)).fetchone()
        return int(row[0]) if row else 0

    def chunk_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    # embedding cache: never embed the same text with the same model twice
    @staticmethod
    def cache_key(model: str, text: str) -> str:
        return hashlib.sha1(f"{model}\0{text}".encode()).hexdigest()

    def cached_vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            q = f"SELECT key, vector FROM embedding_cache WHERE key IN ({','.join('?' * len(part))})"
            for key, blob in self.db.execute(q, part):
                out[key] = np.frombuffer(blob, dtype=np.float32)
        return out

    def cache_vectors(self, items: dict[str, np.ndarray]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO embedding_cache(key, vector) VALUES (?, ?)",
            [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
        )

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))


# --------------------------------------------------------------------------- facade


class Index:
    """Catalog + vectors + the embedder, kept in agreement; what ingest and retrieval use."""

    def __init__(self, settings: Settings, embedder: Any = None, check_model: bool = True) -> None:
        from assistant.embeddings import make_embedder

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
            self.catalog.db.execute(
                "UPDATE documents SET status='ready' WHERE doc_id=? AND n_chunks>0", (doc_id,)
            )
            self.catalog.db.execute(
                "DELETE FROM documents WHERE doc_id=? AND n_chunks=0", (doc_id,)
            )
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
