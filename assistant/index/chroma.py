"""The vector store: what the index needs of one (`VectorStore`) and Chroma behind it."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np

from assistant.config import Settings
from assistant.index.errors import (
    DiskFullError,
    EmbeddingMismatchError,
    IndexError_,
    StoreUnreachableError,
)
from assistant.index.exact import nearest

T = TypeVar("T")


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


def _is_unreachable(exc: BaseException) -> bool:
    """A connection that failed (refused, reset, timed out), however the client wraps it."""
    text = f"{type(exc).__name__} {exc}".lower()
    return isinstance(exc, ConnectionError | TimeoutError) or any(
        w in text for w in ("connect", "refused", "timeout", "timed out", "unreachable")
    )


def _fault(store: ChromaVectorStore, exc: Exception) -> Exception:
    """The user's version of a failure inside Chroma: the server is down, the disk is
    full, or the folder cannot be opened; anything else as it is."""
    if isinstance(exc, IndexError_):
        return exc
    if store.url and _is_unreachable(exc):
        return StoreUnreachableError(store.url)
    text = str(exc).lower()
    if "disk is full" in text or "no space left" in text:
        return DiskFullError(store.where)
    if "malformed" in text or "not a database" in text:
        return IndexError_(key="store.unopenable", where=store.where)
    return exc


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Turn Chroma's failures in method into the messages of `_fault`."""

    @functools.wraps(method)
    def wrapper(self: ChromaVectorStore, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            raise _fault(self, exc) from exc

    return wrapper


def _connect(store: ChromaVectorStore, settings: Settings) -> Any:
    """Chroma's client: a server at `store.url`, else embedded in the chroma folder. A
    failure to connect or open is the user's message (`_fault`), never Chroma's."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    url = store.url
    try:
        if url:
            m = re.match(r"^(https?)://([^:/]+)(?::(\d+))?/?$", url)
            if not m:
                raise IndexError_(f"vector_store.url '{url}' is not of the form http://host:port")
            return chromadb.HttpClient(
                host=m.group(2),
                port=int(m.group(3) or 8000),
                ssl=m.group(1) == "https",
                settings=chroma_settings,
            )
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except IndexError_:
        raise
    except Exception as exc:
        fault = _fault(store, exc)
        if fault is exc:
            fault = IndexError_(key="store.unopenable", where=store.where)
        raise fault from exc


class ChromaVectorStore:
    """Chroma, embedded under data_dir or a server at `vector_store.url`.

    Vectors are always computed by us and passed in; the collection is opened with no
    embedding function so Chroma's own (which downloads a model) never loads.
    """

    def __init__(self, settings: Settings, model: str, dim: int, check_model: bool = True) -> None:
        url = self.url = settings.vector_store.url
        self.where = url or str(settings.chroma_dir)
        self._client = _connect(self, settings)
        self._name = settings.vector_store.collection
        self._model, self._dim = model, dim
        self._collection = self._open(check_model)
        self._exact_max = 0 if url else settings.vector_store.exact_search_max
        # (count it was loaded at, ids, their doc ids, unit vectors): dropped on every write
        self._exact: tuple[int, list[str], np.ndarray, np.ndarray] | None = None

    @_guarded
    def _open(self, check_model: bool = True):  # noqa: ANN202 - chromadb's Collection
        # An existing collection is only read (a reader opens it on a full disk too).
        if self._name in {getattr(c, "name", c) for c in self._client.list_collections()}:
            col = self._client.get_collection(self._name, embedding_function=None)
        else:
            col = self._client.get_or_create_collection(
                self._name,
                embedding_function=None,
                metadata={"embed_model": self._model, "dim": self._dim},
                configuration={"hnsw": {"space": "cosine"}},
            )
        meta = col.metadata or {}
        self.built_with = (meta.get("embed_model"), int(meta.get("dim", -1)))
        # check_model=False is for `reindex`, which resets the collection before writing:
        # neither the model nor the dimension may stop it.
        if check_model and self.built_with != (self._model, self._dim):
            raise EmbeddingMismatchError(
                f"The index was built with embedding model '{meta.get('embed_model')}' "
                f"(dim {meta.get('dim')}), but the config now uses '{self._model}' (dim {self._dim}). "
                "Run `assistant reindex` to re-embed every chunk with the new model, "
                "or switch the config back."
            )
        return col

    @_guarded
    def upsert(
        self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict[str, Any]]
    ) -> None:
        self._exact = None
        for i in range(0, len(ids), 1000):
            self._collection.upsert(
                ids=list(ids[i : i + 1000]),
                embeddings=vectors[i : i + 1000],
                metadatas=list(metadatas[i : i + 1000]),
            )

    @_guarded
    def delete(self, ids: Sequence[str]) -> None:
        self._exact = None
        ids = list(ids)
        for i in range(0, len(ids), 1000):
            self._collection.delete(ids=ids[i : i + 1000])

    @_guarded
    def ids(self) -> set[str]:
        return set(self._collection.get(include=[])["ids"])

    @_guarded
    def stored(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these ids (those it has): what a catalog rebuild reuses."""
        out: dict[str, np.ndarray] = {}
        ids = list(ids)
        for i in range(0, len(ids), 1000):
            got = self._collection.get(ids=ids[i : i + 1000], include=["embeddings"])
            for cid, vec in zip(got["ids"], got["embeddings"], strict=True):
                out[cid] = np.asarray(vec, dtype=np.float32)
        return out

    @_guarded
    def doc_ids(self) -> set[str]:
        """The documents the stored vectors belong to (from their metadata)."""
        got = self._collection.get(include=["metadatas"])
        return {str((m or {}).get("doc_id", "")) for m in got["metadatas"]} - {""}

    @_guarded
    def count(self) -> int:
        return int(self._collection.count())

    @_guarded
    def query(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None
    ) -> list[tuple[str, float]]:
        if self._exact_max:
            found = self._exact_query(vector, n, doc_ids)
            if found is not None:
                return found
        # No count() first: Chroma returns fewer results from a smaller (or empty) collection,
        # and count() scans its table (40 ms at 200,000 vectors; a round trip to a server).
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None
        res = self._collection.query(
            query_embeddings=[vector], n_results=n, where=where, include=["distances"]
        )
        return [
            (i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)
        ]

    def _exact_query(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None
    ) -> list[tuple[str, float]] | None:
        """Cosine similarity to every stored vector, best first (ties by id order), or None
        when the store is too large for it. Reloaded when the count moves, so another
        process's ingest is seen too."""
        count = self.count()
        if count > self._exact_max:
            return None
        if self._exact is None or self._exact[0] != count:
            got = self._collection.get(include=["embeddings", "metadatas"])
            matrix = np.asarray(got["embeddings"], dtype=np.float32).reshape(-1, self._dim)
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            matrix = matrix / np.where(norms == 0, 1.0, norms)
            docs = np.array([(m or {}).get("doc_id", "") for m in got["metadatas"]], dtype=object)
            self._exact = (count, list(got["ids"]), docs, matrix)
        _, ids, docs, matrix = self._exact
        return nearest(ids, docs, matrix, vector, n, doc_ids)

    @_guarded
    def reset(self) -> None:
        self._exact = None
        self._client.delete_collection(self._name)
        self._collection = self._open(check_model=True)


VECTOR_STORES: dict[str, type] = {"chroma": ChromaVectorStore}
