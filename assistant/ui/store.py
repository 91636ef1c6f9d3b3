"""The page's side of the store: opening it at start-up (repairing what a killed writer
left, bringing in seeds/ on the first run) and running a write in the background while
the page says how long it is queued."""

from __future__ import annotations

import queue
import sys
import threading
from typing import Any

from assistant.config import Settings
from assistant.index import Index
from assistant.ingest import ingest_paths
from assistant.serving import StoreGuard
from assistant.uploads import settle_uploads

SEEDED_MARKER = ".seeded"


def prepare_index(settings: Settings) -> Index:
    """Open the index, repair what a killed writer left (an interrupted upload: its
    pending document, its vectors, its copy in uploads/), and bring seeds/ into it on the
    first run only (so that a seed document deleted in the page stays deleted after a
    restart)."""
    index = Index(settings)
    with index.writing("start", on_wait=lambda m: print(m, file=sys.stderr)) as repaired:
        removed = settle_uploads(index)
    done = {k: v for k, v in {**repaired, "orphan_uploads": removed}.items() if v}
    if done:
        print(f"repaired an interrupted earlier run: {done}", file=sys.stderr)
    marker = settings.data_dir / SEEDED_MARKER
    if settings.seeds_dir.is_dir() and not marker.exists():
        report = ingest_paths(
            index, [settings.seeds_dir], on_wait=lambda m: print(m, file=sys.stderr)
        )
        added = report.count("added") + report.count("updated")
        if added:
            print(f"ingested {added} seed documents", file=sys.stderr)
        marker.write_text(str(settings.seeds_dir.resolve()), encoding="utf-8")
    return index


def writing_in_background(
    index: Index, command: str, guard: StoreGuard, job: Any, box: dict[str, Any]
):  # noqa: ANN201 - a generator of status notes
    """Run a write (upload, delete) in a thread holding the store's writer lock, then the
    page's guard (no answer reads meanwhile); yield a note each time it is still queued
    behind another writer (a CLI ingest, another upload). Leaves the job's result or error
    in `box`."""
    notes: queue.Queue[str | None] = queue.Queue()

    def work() -> None:
        try:
            with index.writing(command, on_wait=notes.put), guard.writing():
                box["result"] = job()
        except Exception as exc:  # shown to the user, never a traceback
            box["error"] = exc
        finally:
            notes.put(None)

    threading.Thread(target=work, name=command, daemon=True).start()
    while (note := notes.get()) is not None:
        yield note
