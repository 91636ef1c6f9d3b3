"""Files -> cleaned documents -> chunks -> index, incrementally.

A file whose content (and chunking settings) are unchanged is skipped without embedding;
a changed file replaces exactly its old chunks, and only chunk texts never embedded
before reach the model. One bad file is reported by name and skipped; the rest go on.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.chunking import chunk_document
from assistant.cleaning import clean_text
from assistant.index import Index
from assistant.index.errors import DiskFullError
from assistant.loaders import LOADERS, LoadError, load_file
from assistant.messages import say
from assistant.schema import Chunk, Document

# Bump when cleaning or chunking changes, so unchanged files are re-chunked once.
# 2: table lines keep their columns (aligned and pipe tables); 3: HTML tables one row a line;
# 4: a title keeps its subtitle; 6: photo captions and figure titles head nothing;
# 7: web-page furniture cleaned away, a file without a title line titled by its name
PIPELINE_VERSION = "8"


@dataclass
class FileResult:
    path: str
    doc_id: str
    status: str  # "added" | "updated" | "unchanged" | "failed" | "deleted"
    chunks: int = 0
    embedded: int = 0
    error: str = ""  # English, what the CLI prints
    error_key: str = ""  # the same reason as an `assistant.messages` key, for the page
    error_fields: dict[str, object] = field(default_factory=dict)

    def reason(self, lang: str) -> str:
        """Why the file failed, in the page's language (the English text when no key)."""
        return say(self.error_key, lang, **self.error_fields) if self.error_key else self.error


def _failed(path: Path, key: str, **fields: object) -> FileResult:
    return FileResult(
        str(path),
        path.name,
        "failed",
        error=say(key, "en", **fields),
        error_key=key,
        error_fields=fields,
    )


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    repaired: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult]]:
    """Expand folders into supported files; name paths that do not exist."""
    files: list[Path] = []
    missing: list[FileResult] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in LOADERS and not p.name.startswith(".")
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(_failed(path, "upload.missing"))
    return files, missing


def read_document(path: Path, doc_id: str | None = None) -> Document:
    """Load and clean one file; LoadError if nothing usable is in it."""
    raw, title = load_file(path)
    text = clean_text(raw)
    if not text.strip():
        raise LoadError("upload.no_text")
    return Document(doc_id or path.name, title.strip(), text, str(path.resolve()))


def content_hash(data: bytes, settings_json: str) -> str:
    return hashlib.sha256(data + PIPELINE_VERSION.encode() + settings_json.encode()).hexdigest()


def chunking_json(index: Index) -> str:
    return json.dumps(index.settings.chunking.model_dump(), sort_keys=True)


def file_hash(index: Index, path: Path) -> str:
    """The content hash the catalog records for this file under the current settings."""
    return content_hash(path.read_bytes(), chunking_json(index))


# Bytes the store grows by per chunk beyond its text: vector in Chroma (its table, the
# HNSW graph, the write-ahead queue) and in the embedding cache, metadata, FTS postings.
# Measured on the seeds (see tests/test_faults.py) and doubled: SQLite's write-ahead log
# holds a document's pages once more until its checkpoint.
PER_CHUNK_BYTES = 24_000
PER_CHAR_BYTES = 12  # the text, its jieba tokens and their FTS5 index, in UTF-8, doubled


def space_needed(chunks: list[Chunk], vectors_here: bool = True) -> int:
    """An estimate of the disk a document's chunks take in the store, before any is written."""
    per_chunk = PER_CHUNK_BYTES if vectors_here else PER_CHUNK_BYTES // 4
    return sum(len(c.text) + len(c.heading) for c in chunks) * PER_CHAR_BYTES + per_chunk * len(
        chunks
    )


# Plain text holds at least a character per 3 bytes (UTF-8 Chinese; GBK takes 2): from its
# size alone, a file that cannot fit is refused before it is read (a 30 MB file in 0.1 s,
# not after 40 s of reading and chunking). Halved: cleaning drops blank lines and furniture.
PLAIN_TEXT = {".txt", ".text", ".md", ".markdown"}


def least_needed(path: Path, size: int, index: Index) -> int:
    """A lower bound of the disk a plain-text file takes in the store (0 for other types,
    whose text cannot be told from their size)."""
    if path.suffix.lower() not in PLAIN_TEXT:
        return 0
    chars = size // 3 // 2
    chunks = chars // max(1, index.settings.chunking.max_chars)
    return chars * PER_CHAR_BYTES + chunks * PER_CHUNK_BYTES // 4


def short_of_space(index: Index, name: str, need: int) -> FileResult | None:
    """A refusal when writing `need` bytes would leave the data folder's disk with less
    than `ingest.min_free_mb` free; None when there is room."""
    data_dir = index.settings.data_dir
    free = shutil.disk_usage(data_dir).free
    reserve = index.settings.ingest.min_free_mb * 1024 * 1024
    if need + reserve <= free:
        return None
    fields = {
        "name": name,
        "need_mb": need / 1024 / 1024,
        "where": str(data_dir),
        "free_mb": free / 1024 / 1024,
        "reserve_mb": reserve / 1024 / 1024,
    }
    error = say("ingest.disk_full", "en", **fields)
    return FileResult(
        name, name, "failed", error=error, error_key="ingest.disk_full", error_fields=fields
    )


def ingest_paths(
    index: Index,
    paths: Iterable[Path],
    prune: bool = False,
    on_file: Callable[[FileResult], None] | None = None,
    on_embedded: Callable[[int], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
    on_chunks: Callable[[str, int, int], None] | None = None,
) -> IngestReport:
    """Bring the index up to date with these files and folders.

    Holds the store's writer lock throughout (on_wait hears about a wait for another
    writer); on_chunks(doc_id, chunks, to_embed) announces each file's work before it
    is embedded, on_embedded(n) reports progress within it."""
    with index.writing("ingest", on_wait) as repaired:
        report = IngestReport(repaired=repaired)
        files, missing = collect_files(paths)
        report.results += missing
        settings_json = chunking_json(index)
        for path in files:
            result = _ingest_one(index, path, settings_json, on_embedded, on_chunks)
            report.results.append(result)
            if on_file:
                on_file(result)
        if prune:
            for doc in index.catalog.documents():
                if doc.source and not Path(doc.source).exists():
                    index.delete(doc.doc_id)
                    result = FileResult(doc.source, doc.doc_id, "deleted")
                    report.results.append(result)
                    if on_file:
                        on_file(result)
    return report


def _ingest_one(
    index: Index,
    path: Path,
    settings_json: str,
    on_embedded: Callable[[int], None] | None,
    on_chunks: Callable[[str, int, int], None] | None = None,
) -> FileResult:
    doc_id = path.name
    limit_mb = index.settings.ingest.max_file_mb
    try:
        size = path.stat().st_size
        if size > limit_mb * 1024 * 1024:
            return _failed(path, "upload.file_too_big", mb=size / 1024 / 1024, limit=limit_mb)
        refused = short_of_space(index, doc_id, least_needed(path, size, index))
        if refused:
            refused.path = str(path)
            return refused
        data = path.read_bytes()
    except OSError as exc:
        return _failed(path, "upload.unreadable", error=exc.strerror)
    digest = content_hash(data, settings_json)
    del data
    known = index.catalog.document(doc_id)
    if known and known.status == "ready" and known.content_hash == digest:
        return FileResult(str(path), doc_id, "unchanged", chunks=known.n_chunks)
    try:
        doc = read_document(path, doc_id)
    except LoadError as exc:
        return _failed(path, exc.key, **exc.fields)
    chunks = chunk_document(doc, index.settings.chunking)
    source, title = doc.source, chunks[0].title if chunks else doc.title
    del doc  # the chunks hold the text now
    vectors_here = not index.settings.vector_store.url
    refused = short_of_space(index, doc_id, space_needed(chunks, vectors_here))
    if refused:
        refused.path = str(path)
        return refused
    if on_chunks:
        on_chunks(doc_id, len(chunks), index.to_embed(chunks))
    embedded = [0]

    def count(n: int) -> None:
        embedded[0] += n
        if on_embedded:
            on_embedded(n)

    try:
        index.add(doc_id, source, title, digest, chunks, on_embedded=count)
    except DiskFullError as exc:  # the store is as it was before this file
        return FileResult(
            str(path), doc_id, "failed", error=str(exc), error_key=exc.key, error_fields=exc.fields
        )
    status = "updated" if known else "added"
    return FileResult(str(path), doc_id, status, chunks=len(chunks), embedded=embedded[0])
