"""Files -> cleaned documents -> chunks -> index, incrementally.

A file whose content (and chunking settings) are unchanged is skipped without embedding;
a changed file replaces exactly its old chunks, and only chunk texts never embedded
before reach the model. One bad file is reported by name and skipped; the rest go on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.chunking import chunk_document
from assistant.cleaning import clean_text
from assistant.index import Index
from assistant.loaders import LOADERS, LoadError, load_file
from assistant.messages import say
from assistant.schema import Document

# Bump when cleaning or chunking changes, so unchanged files are re-chunked once.
# 2: table lines keep their columns (aligned and pipe tables); 3: HTML tables one row a line;
# 4: a title keeps its subtitle; 6: photo captions and figure titles head nothing
PIPELINE_VERSION = "6"


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
        chunk_cfg = index.settings.chunking
        settings_json = json.dumps(chunk_cfg.model_dump(), sort_keys=True)
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
    if on_chunks:
        on_chunks(doc_id, len(chunks), index.to_embed(chunks))
    embedded = [0]

    def count(n: int) -> None:
        embedded[0] += n
        if on_embedded:
            on_embedded(n)

    index.add(doc_id, source, title, digest, chunks, on_embedded=count)
    status = "updated" if known else "added"
    return FileResult(str(path), doc_id, status, chunks=len(chunks), embedded=embedded[0])
