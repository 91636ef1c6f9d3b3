"""`assistant check`: is the store whole, and `--repair`: rebuild what can be rebuilt.

Checked: the catalog file (SQLite's integrity check), the vectors against the catalog's
chunks (none missing, none orphaned, no document left pending), and the embedding
fingerprint (the model and dimension that built the vectors against the configured ones).

Repaired, holding the writer lock: a damaged catalog is moved aside and rebuilt - the
documents it still yields whole are copied, the rest re-ingested from their files (the
source path it recorded, `uploads/`, `seeds/`), with the vectors Chroma still holds reused
instead of re-embedded; a Chroma folder that cannot be opened is moved aside and filled
again from the catalog; then the vectors are made to agree with the catalog (or
re-embedded when another model built them) and uploads/ keeps only indexed files.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.index.catalog import Catalog
from assistant.index.chroma import VECTOR_STORES
from assistant.index.errors import CatalogDamagedError, IndexError_
from assistant.index.facade import Index
from assistant.index.lock import WriteLock
from assistant.index.sqlite import integrity_problems
from assistant.schema import Chunk


@dataclass
class Finding:
    part: str  # "catalog" | "vectors" | "embedding"
    ok: bool
    detail: str


@dataclass
class Repair:
    actions: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # documents no file could rebuild


def check_store(settings: Settings, embedder: Any = None) -> list[Finding]:
    """What is wrong with the store, part by part ([] of problems: all findings ok)."""
    path = settings.catalog_path
    if not path.exists():
        return [Finding("catalog", True, f"{path}: none yet (nothing ingested)")]
    problems = integrity_problems(path)
    if problems:
        detail = f"{path}: {'; '.join(problems[:3])}. {CatalogDamagedError(path)}"
        return [Finding("catalog", False, detail)]
    out = [Finding("catalog", True, f"{path}: integrity ok")]
    try:
        index = Index(settings, embedder=embedder, check_model=False)
        chunks, vectors = index.catalog.chunk_ids(), index.vectors.ids()
        pending = [d.doc_id for d in index.catalog.documents() if d.status != "ready"]
    except IndexError_ as exc:
        return [*out, Finding("vectors", False, str(exc))]
    missing, orphans = len(chunks - vectors), len(vectors - chunks)
    ok = not (missing or orphans or pending)
    detail = f"{len(vectors)} vectors for {len(chunks)} chunks"
    if not ok:
        detail += (
            f": {missing} missing, {orphans} orphaned, {len(pending)} documents pending "
            "(an interrupted write): run `assistant check --repair`"
        )
    out.append(Finding("vectors", ok, detail))
    built = index.vectors.built_with
    want = (index.embedder.name, index.embedder.dim)
    same = built == want or not vectors
    out.append(
        Finding(
            "embedding",
            same,
            f"{want[0]} (dim {want[1]})"
            if same
            else f"built with {built[0]} (dim {built[1]}), configured {want[0]} (dim {want[1]}): "
            "run `assistant reindex` (or `check --repair`)",
        )
    )
    return out


def repair_store(
    settings: Settings, embedder: Any = None, on_wait: Callable[[str], None] | None = None
) -> Repair:
    """Rebuild what the check finds broken (see the module doc)."""
    from assistant.embeddings import make_embedder

    embedder = embedder or make_embedder(settings.embedding)
    repair = Repair()
    lock = WriteLock(settings.data_dir)
    with lock.hold("repair", settings.store.lock_timeout_s, on_wait):
        vectors = _vectors_or_fresh(settings, embedder, repair)
        rebuild: list[Path] = []
        path = settings.catalog_path
        gone = not path.exists() and vectors is not None and vectors.count() > 0
        if gone or (path.exists() and integrity_problems(path)):
            rebuild = _rebuild_catalog(settings, embedder, vectors, repair)
    index = Index(settings, embedder=embedder, check_model=False)
    with index.writing("repair", on_wait) as repaired:
        for key, n in repaired.items():
            if n:
                repair.actions.append(f"{key.replace('_', ' ')}: {n} repaired")
        if rebuild:
            from assistant.ingest import ingest_paths

            report = ingest_paths(index, rebuild)
            done = report.count("added") + report.count("updated") + report.count("unchanged")
            repair.actions.append(f"re-ingested {done} documents from their files")
            repair.lost += [f"{r.doc_id} ({r.error})" for r in report.failed]
        if index.vectors.built_with != (embedder.name, embedder.dim) and index.catalog.chunk_ids():
            n = index.reindex()
            repair.actions.append(f"re-embedded {n} chunks with {embedder.name}")
        from assistant.uploads import settle_uploads

        removed = settle_uploads(index)
        if removed:
            repair.actions.append(f"removed {removed} files in uploads/ that no document uses")
    return repair


def _vectors_or_fresh(settings: Settings, embedder: Any, repair: Repair) -> Any:
    """The vector store, or (embedded Chroma that cannot be opened) a fresh one, the old
    folder moved aside; None when a server does not answer (nothing to rebuild here)."""
    try:
        return VECTOR_STORES["chroma"](settings, embedder.name, embedder.dim, check_model=False)
    except IndexError_:
        if settings.vector_store.url:
            raise
        aside = _aside(settings.chroma_dir)
        repair.actions.append(f"the Chroma folder could not be opened: moved to {aside}")
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()  # it keeps the failed store's system open
        return VECTOR_STORES["chroma"](settings, embedder.name, embedder.dim, check_model=False)


def _aside(path: Path) -> Path:
    """Move a damaged file or folder (and SQLite's -wal/-shm beside it) out of the way."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def _rebuild_catalog(settings: Settings, embedder: Any, vectors: Any, repair: Repair) -> list[Path]:
    """Move the damaged catalog aside, copy into a new one every document it still yields
    whole and every embedding it still holds (plus Chroma's vectors for the model that
    built them); return the files the other documents are re-ingested from."""
    path = settings.catalog_path
    docs: dict[str, dict] = {}
    chunks: dict[str, list[Chunk]] = {}
    cache: list[tuple] = []
    if path.exists():
        old = _aside(path)
        repair.actions.append(f"damaged catalog moved to {old}")
        docs, chunks, cache = _salvage(old)
    else:
        repair.actions.append(f"no catalog at {path}: rebuilt from the vectors' documents")
    new = Catalog(path)
    whole = 0
    for doc in docs.values():
        mine = sorted(chunks.get(doc["doc_id"], []), key=lambda c: c.ordinal)
        if doc["status"] == "ready" and mine and len(mine) == doc["n_chunks"]:
            new.replace_chunks(doc["doc_id"], doc["source"], doc["title"], doc["hash"], mine)
            whole += 1
    for b in range(0, len(cache), 500):
        new.cache_vectors(dict(cache[b : b + 500]))
    repair.actions.append(f"copied {whole} whole documents and {len(cache)} cached embeddings")
    kept = {d.doc_id for d in new.documents()}
    wanted = (set(docs) | (vectors.doc_ids() if vectors else set())) - kept
    files: list[Path] = []
    for doc_id in sorted(wanted):
        source = Path(docs.get(doc_id, {}).get("source") or "")
        for candidate in (source, settings.uploads_dir / doc_id, settings.seeds_dir / doc_id):
            if candidate.name == doc_id and candidate.is_file():
                files.append(candidate)
                break
        else:
            repair.lost.append(f"{doc_id} (no file to rebuild it from; ingest it again)")
    if vectors is not None and vectors.built_with == (embedder.name, embedder.dim):
        _reuse_vectors(new, vectors, embedder.name, files, settings)
    new.close()
    return files


def _reuse_vectors(
    catalog: Catalog, vectors: Any, model: str, files: list[Path], settings: Settings
) -> None:
    """Put Chroma's vectors for the files' chunks into the embedding cache, so the
    re-ingest embeds only what Chroma lost (chunk ids are digests of their text)."""
    from assistant.chunking import chunk_document
    from assistant.ingest import read_document
    from assistant.loaders import LoadError

    for f in files:
        try:
            pieces = chunk_document(read_document(f), settings.chunking)
        except LoadError:
            continue
        have = vectors.stored([c.chunk_id for c in pieces])
        catalog.cache_vectors(
            {
                Catalog.cache_key(model, c.embed_text()): have[c.chunk_id]
                for c in pieces
                if c.chunk_id in have
            }
        )


def _rows(db: sqlite3.Connection, table: str, columns: str) -> Iterator[tuple]:
    """Every row of a table a damaged file still yields, by rowid, skipping what fails."""
    last, failures = 0, 0
    while failures < 50:
        try:
            cursor = db.execute(
                f"SELECT rowid, {columns} FROM {table} WHERE rowid > ? ORDER BY rowid", (last,)
            )
            for row in cursor:
                last, failures = row[0], 0
                yield row[1:]
            return
        except sqlite3.DatabaseError:
            last, failures = last + 1, failures + 1


def _salvage(path: Path) -> tuple[dict[str, dict], dict[str, list[Chunk]], list[tuple]]:
    """What a damaged catalog still holds: documents, chunks, cached embeddings."""
    import numpy as np

    docs: dict[str, dict] = {}
    chunks: dict[str, list[Chunk]] = {}
    cache: list[tuple] = []
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.DatabaseError:
        return docs, chunks, cache
    try:
        names = "doc_id, source, title, content_hash, status, n_chunks"
        for d in _rows(db, "documents", names):
            keys = ("doc_id", "source", "title", "hash", "status", "n_chunks")
            docs[d[0]] = dict(zip(keys, d, strict=True))
        names = 'chunk_id, doc_id, title, heading, text, start, "end", ordinal'
        for c in _rows(db, "chunks", names):
            chunks.setdefault(c[1], []).append(Chunk(*c))
        for key, blob in _rows(db, "embedding_cache", "key, vector"):
            cache.append((key, np.frombuffer(blob, dtype=np.float32)))
    except sqlite3.DatabaseError:
        pass
    finally:
        db.close()
    return docs, chunks, cache
