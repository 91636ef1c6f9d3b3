"""The store's commands: ingest, delete, status and reindex."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from assistant.cli.common import (
    USER_ERRORS,
    console,
    err,
    fail,
    open_index,
    peak_rss_mb,
    settings,
    waiting_notice,
)
from assistant.index.lock import describe_holder
from assistant.ingest import FileResult, ingest_paths


def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders (txt, md, pdf, docx, html)")
    ],
    prune: Annotated[
        bool, typer.Option(help="Also remove documents whose source file is gone")
    ] = False,
) -> None:
    """Add or update documents; unchanged files are skipped without embedding."""
    index = open_index()
    t0 = time.perf_counter()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks · {task.fields[rate]} · ETA"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("ingest", total=None, rate="")
        started = [time.perf_counter()]

        def on_chunks(doc_id: str, n_chunks: int, to_embed: int) -> None:
            # One bar per file: the chunks the model still has to embed, with an ETA.
            started[0] = time.perf_counter()
            progress.reset(task, total=to_embed, description=doc_id, rate="")

        def on_embedded(n: int) -> None:
            progress.advance(task, n)
            done = progress.tasks[0].completed
            rate = done / max(1e-6, time.perf_counter() - started[0])
            progress.update(task, rate=f"{rate:.1f}/s")

        def on_file(r: FileResult) -> None:
            style = {"failed": "red", "unchanged": "dim", "deleted": "yellow"}.get(
                r.status, "green"
            )
            detail = (
                f"{r.chunks} chunks, {r.embedded} embedded"
                if r.status in ("added", "updated")
                else r.error
            )
            progress.console.print(f"[{style}]{r.status:9}[/] {r.doc_id}  {detail}")

        try:
            report = ingest_paths(
                index,
                paths,
                prune=prune,
                on_file=on_file,
                on_embedded=on_embedded,
                on_wait=waiting_notice(progress, task),
                on_chunks=on_chunks,
            )
        except USER_ERRORS as exc:
            fail(str(exc))
    for r in report.results:
        if r.status == "failed" and not r.path.endswith(r.doc_id):
            err.print(f"[red]failed[/]    {r.path}: {r.error}")
    elapsed = time.perf_counter() - t0
    embedded = sum(r.embedded for r in report.results)
    repaired = {k: v for k, v in report.repaired.items() if v}
    if repaired:
        err.print(f"[yellow]repaired an interrupted earlier run:[/] {repaired}")
    console.print(
        f"{report.count('added')} added, {report.count('updated')} updated, {report.count('unchanged')} unchanged, "
        f"{report.count('deleted')} deleted, {len(report.failed)} failed; {embedded} chunks embedded in {elapsed:.1f}s "
        f"(peak RSS {peak_rss_mb():.0f} MB)"
    )
    if report.failed:
        for r in report.failed:
            err.print(f"[red]  {r.path}: {r.error}[/]")
        raise typer.Exit(1)


def delete(
    doc: Annotated[str, typer.Argument(help="Document id (its file name, as `status` lists it)")],
) -> None:
    """Remove a document and all its chunks."""
    index = open_index()
    try:
        deleted = index.delete(doc, on_wait=waiting_notice())
    except USER_ERRORS as exc:
        fail(str(exc))
    if not deleted:
        known = ", ".join(d.doc_id for d in index.catalog.documents()) or "none"
        fail(f"No document '{doc}'. Known documents: {known}")
    console.print(f"deleted {doc}")


def status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Where the store is, what is in it, and which embedding model built it."""
    index = open_index()
    s = settings()
    docs = index.catalog.documents()
    info = {
        "data_dir": str(s.data_dir.resolve()),
        "vector_store": s.vector_store.url or str(s.chroma_dir.resolve()),
        "schema_version": index.catalog.schema_version,
        "writer": describe_holder(w) if (w := index.lock.writer()) is not None else "none",
        "embedding_model": index.embedder.name,
        "embedding_dim": index.embedder.dim,
        "documents": len(docs),
        "chunks": sum(d.n_chunks for d in docs),
        "vectors": index.vectors.count(),
        "catalog_bytes": index.catalog.size_bytes(),
        "chroma_bytes": sum(f.stat().st_size for f in s.chroma_dir.rglob("*") if f.is_file())
        if not s.vector_store.url
        else None,
        "docs": [
            {
                "doc_id": d.doc_id,
                "title": d.title,
                "chunks": d.n_chunks,
                "chars": d.n_chars,
                "status": d.status,
                "added": time.strftime("%Y-%m-%d %H:%M", time.localtime(d.added_at)),
            }
            for d in docs
        ],
    }
    if as_json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return
    for key in (
        "data_dir",
        "vector_store",
        "schema_version",
        "writer",
        "embedding_model",
        "embedding_dim",
        "documents",
        "chunks",
        "vectors",
    ):
        console.print(f"[bold]{key:16}[/] {info[key]}")
    console.print(
        f"[bold]{'keyword index':16}[/] {info['catalog_bytes'] / 1e6:.1f} MB (SQLite FTS5 + catalog)"
    )
    if info["chroma_bytes"] is not None:
        console.print(f"[bold]{'vector index':16}[/] {info['chroma_bytes'] / 1e6:.1f} MB (Chroma)")
    table = Table("document", "title", "chunks", "chars", "status", "added")
    for d in info["docs"]:
        table.add_row(
            d["doc_id"], d["title"], str(d["chunks"]), str(d["chars"]), d["status"], d["added"]
        )
    console.print(table)


def reindex() -> None:
    """Re-embed every stored chunk with the configured embedding model (after switching models)."""
    index = open_index(check_model=False)
    t0 = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks · ETA"),
        TimeRemainingColumn(),
        console=err,
    ) as progress:
        task = progress.add_task("re-embedding", total=index.to_embed(index.catalog.all_chunks()))
        try:
            n = index.reindex(
                lambda m: progress.advance(task, m), on_wait=waiting_notice(progress, task)
            )
        except USER_ERRORS as exc:
            fail(str(exc))
    console.print(
        f"re-embedded {n} chunks with {index.embedder.name} in {time.perf_counter() - t0:.1f}s"
    )
