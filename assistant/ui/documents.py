"""The documents in the page: the list, uploads (too big, failed, queued behind another
writer: said per file; the previous version back when the new one fails) and deletes."""

from __future__ import annotations

import errno
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from assistant.config import Settings
from assistant.index import Index
from assistant.index.errors import DiskFullError
from assistant.ingest import FileResult, ingest_paths
from assistant.messages import say
from assistant.pagetext import page_error
from assistant.serving import StoreGuard
from assistant.ui.store import writing_in_background
from assistant.uploads import discard_temp, safe_name


class DocumentHandlers(NamedTuple):
    """The documents tab's handlers."""

    doc_rows: Callable[[], list[list[Any]]]
    doc_choices: Callable[[], list[str]]
    refresh_docs: Callable[[], Any]
    upload: Callable[..., Any]
    delete: Callable[[str | None], Any]


def document_handlers(settings: Settings, index: Index, guard: StoreGuard) -> DocumentHandlers:
    """The document list, an upload (one line per file in the log) and a delete, each
    written behind the store's writer lock: the page's documents tab, apart from its layout."""
    import gradio as gr

    lang = settings.ui.language

    def doc_rows() -> list[list[Any]]:
        """Title first (what a reader knows a document by), the file name second."""
        return [
            [
                d.title or d.doc_id,
                d.doc_id,
                d.n_chunks,
                time.strftime("%Y-%m-%d %H:%M", time.localtime(d.added_at)),
            ]
            for d in index.catalog.documents()
        ]

    def doc_choices() -> list[str]:
        return [d.doc_id for d in index.catalog.documents()]

    def refresh_docs():
        return doc_rows(), gr.update(choices=doc_choices(), value=None)

    def ingested(results: list[FileResult]) -> list[str]:
        return [
            f"✅ {r.doc_id}: "
            + say(
                "ingest.ok",
                lang,
                status=say(f"ingest.{r.status}", lang),
                chunks=r.chunks,
            )
            for r in results
        ]

    def upload(files: list[str] | None, progress=gr.Progress()):  # noqa: B008 - gradio's injection idiom
        """Ingest the files just dropped, one line each in the log; the box is emptied at
        the end, so the next upload sends only its own files. Gradio's copies never outlive
        the upload, whatever became of it."""
        files = list(files or [])
        try:
            yield from _upload(files, progress)
        finally:
            for f in files:
                discard_temp(Path(f), settings)

    def _upload(files: list[str], progress: Any):  # noqa: ANN202 - a generator of page updates
        picked: dict[str, Path] = {}  # a file picked twice is ingested (and listed) once
        for f in files:
            picked.setdefault(safe_name(Path(f).name), Path(f))
        lines: list[str] = []
        ok = bad = 0
        total = len(picked)
        settings.uploads_dir.mkdir(parents=True, exist_ok=True)
        settings.uploads_dir.chmod(0o700)
        for i, (name, src) in enumerate(picked.items(), 1):
            progress((i - 1, total), desc=name)
            note = say("ingest.progress", lang, i=i, n=total, name=name)
            yield "\n".join([*lines, note]), gr.skip(), gr.skip(), gr.skip()
            size = src.stat().st_size
            if size > settings.ui.max_upload_mb * 1024 * 1024:
                reason = say(
                    "upload.too_big",
                    lang,
                    mb=size / 1024 / 1024,
                    limit=settings.ui.max_upload_mb,
                )
                lines.append(f"❌ {name}: {reason}")
                bad += 1
                continue
            dest = settings.uploads_dir / name
            backup = dest.with_name(f".{name}.previous")
            if dest.exists():
                os.replace(dest, backup)  # restored if the new version fails
            box: dict[str, Any] = {}
            try:
                shutil.copyfile(src, dest)
            except OSError as exc:  # a full disk: nothing was written to the store
                full = exc.errno == errno.ENOSPC
                box["error"] = DiskFullError(settings.data_dir) if full else exc
            if not box:  # copied: ingested behind the writer lock, saying when it waits
                for detail in writing_in_background(
                    index, "upload", guard, lambda d=dest: ingest_paths(index, [d]), box
                ):
                    queued = say("ingest.queued", lang, i=i, n=total, name=name, detail=detail)
                    yield "\n".join([*lines, queued]), gr.skip(), gr.skip(), gr.skip()
            results = box["result"].results if "result" in box else []
            failures = [page_error(box["error"], lang)] if "error" in box else []
            failures += [r.reason(lang) for r in results if r.status == "failed"]
            if failures:  # the previous version of the file comes back
                dest.unlink(missing_ok=True)
                if backup.exists():
                    os.replace(backup, dest)
                lines.append(f"❌ {name}: " + "; ".join(failures))
                bad += 1
                continue
            backup.unlink(missing_ok=True)
            lines += ingested(results)
            ok += len(results)
        progress((total, total))
        lines.append(say("ingest.done", lang, ok=ok, bad=bad))
        rows, choices = refresh_docs()
        yield "\n".join(lines), rows, choices, None

    def delete(doc_id: str | None):
        message = ""
        if doc_id:
            box: dict[str, Any] = {}
            for detail in writing_in_background(
                index, "delete", guard, lambda: index.delete(doc_id), box
            ):
                yield (
                    say("docs.queued_delete", lang, doc=doc_id, detail=detail),
                    gr.skip(),
                    gr.skip(),
                )
            if "error" in box:
                message = f"❌ {doc_id}: {page_error(box['error'], lang)}"
            else:
                (settings.uploads_dir / safe_name(doc_id)).unlink(missing_ok=True)
                message = "🗑️ " + say("docs.deleted", lang, doc=doc_id)
        rows, choices = refresh_docs()
        yield message, rows, choices

    return DocumentHandlers(doc_rows, doc_choices, refresh_docs, upload, delete)
