"""The `assistant` command: ingest, search, ask, evaluate - the same functions the UI calls."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape  # keeps "[local]" in install hints and "[n]" in paths
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from assistant.config import ConfigError, Settings, load_settings
from assistant.embeddings import EmbeddingError
from assistant.index import Index, IndexError_
from assistant.index.lock import describe_holder
from assistant.ingest import FileResult, ingest_paths
from assistant.llm import PROVIDERS as LLM_PROVIDERS
from assistant.llm import LLMError
from assistant.messages import Fault, say

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Ask questions of Chinese policy documents and get answers with cited passages.",
)
console = Console()
err = Console(stderr=True, soft_wrap=True)
_state: dict[str, Any] = {}

LLM_HELP = f"{' | '.join(LLM_PROVIDERS)} | package.module:Class (default: config)"
USER_ERRORS = (ConfigError, IndexError_, EmbeddingError, FileNotFoundError, LLMError, Fault)


@app.callback()
def main(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="TOML config file (default: ./assistant.toml if present)"
        ),
    ] = None,
) -> None:
    _state["config"] = config


def settings() -> Settings:
    if "settings" not in _state:
        _state["settings"] = load_settings(_state.get("config"))
    return _state["settings"]


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]Error:[/] {escape(message)}")
    raise typer.Exit(code)


def open_index(check_model: bool = True) -> Index:
    try:
        return Index(settings(), check_model=check_model)
    except USER_ERRORS as exc:
        fail(str(exc))
        raise  # unreachable; keeps type checkers calm


def waiting_notice(progress: Progress | None = None, task: Any = None):  # noqa: ANN201
    """An on_wait callback: the first message printed once, later ones on the progress line."""
    said = [False]

    def notice(message: str) -> None:
        if not said[0] or progress is None:
            (progress.console if progress else err).print(f"[yellow]{message}[/]")
            said[0] = True
        else:
            progress.update(task, description=message)

    return notice


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@app.command()
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


@app.command()
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


@app.command()
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


@app.command()
def check(
    llm: Annotated[str | None, typer.Option("--llm", help=LLM_HELP)] = None,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair", help="Rebuild what is broken in the store (catalog, vectors, uploads/)"
        ),
    ] = False,
) -> None:
    """Check the store (catalog integrity, vectors against chunks, embedding model), then
    load the configured LLM and say what the answer stage gets from it.

    Exits 1 when the store has a problem (`--repair` rebuilds it) or the model cannot
    stream (answers would appear only at the end).
    """
    if repair:
        _repair_store()
        return
    if not _check_store():
        raise typer.Exit(1)
    _check_llm(llm)


def _check_store() -> bool:
    from assistant.index.health import check_store

    findings = check_store(settings())
    for f in findings:
        mark = "[green]ok[/]     " if f.ok else "[red]problem[/]"
        console.print(f"[bold]{f.part:18}[/] {mark} {escape(f.detail)}", highlight=False)
    return all(f.ok for f in findings)


def _repair_store() -> None:
    from assistant.index.health import check_store, repair_store

    try:
        done = repair_store(settings(), on_wait=waiting_notice())
    except USER_ERRORS as exc:
        fail(str(exc))
        raise
    for action in done.actions or ["nothing to repair"]:
        console.print(f"[green]repaired[/] {escape(action)}", highlight=False)
    for lost in done.lost:
        err.print(f"[yellow]lost[/]     {escape(lost)}")
    findings = check_store(settings())
    for f in findings:
        if not f.ok:
            err.print(f"[red]still:[/] {f.part}: {escape(f.detail)}")
    if not all(f.ok for f in findings):
        raise typer.Exit(1)


def _check_llm(llm: str | None) -> None:
    from assistant.llm import get_llm

    s = settings()
    if llm is not None:
        s = s.model_copy(update={"llm": s.llm.model_copy(update={"provider": llm})})
    try:
        model = get_llm(s)
    except (LLMError, ValueError) as exc:
        fail(str(exc))
        raise
    if model is None:
        console.print("extractive: no model; answers quote the passages")
        return
    console.print(f"[bold]{'model':18}[/] {model.name}")
    console.print(f"[bold]{'context (n_ctx)':18}[/] {model.n_ctx} tokens")
    caps = getattr(model, "capabilities", None)
    if caps is None:  # built-in providers: both stream; local counts with the model's tokenizer
        counting = "model" if s.llm.provider == "local" else "estimate"
        console.print(f"[bold]{'streaming':18}[/] yes\n[bold]{'token counting':18}[/] {counting}")
        return
    console.print(f"[bold]{'streaming':18}[/] {'yes' if caps.streaming else 'no'}")
    console.print(f"[bold]{'token counting':18}[/] {caps.token_count}")
    console.print(f"[bold]{'max tokens field':18}[/] {caps.max_tokens_field or 'none'}")
    console.print(f"[bold]{'structured output':18}[/] {'yes' if caps.structured_output else 'no'}")
    for item in caps.missing:
        err.print(f"[yellow]missing:[/] {item}")
    if not caps.streaming:
        raise typer.Exit(1)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="The question or search terms")],
    k: Annotated[int, typer.Option("--k", "-k", help="How many passages")] = 5,
    mode: Annotated[str, typer.Option(help="hybrid | dense | keyword")] = "hybrid",
    doc: Annotated[
        list[str] | None, typer.Option("--doc", help="Only these documents (repeatable)")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON: the contract evaluation relies on")
    ] = False,
) -> None:
    """Ranked passages for a question, with which retriever found each and at what rank."""
    from assistant.retrieval import MODES
    from assistant.retrieval import search as run_search

    if mode not in MODES:
        fail(f"--mode must be one of {', '.join(MODES)}")
    limit = settings().answer.max_question_chars
    if limit and len(query.strip()) > limit:
        fail(say("question.too_long", "en", n=len(query.strip()), limit=limit))
    index = open_index()
    t0 = time.perf_counter()
    passages = run_search(index, query, k=k, mode=mode, doc_ids=doc)
    ms = (time.perf_counter() - t0) * 1000
    if as_json:
        print(
            json.dumps(
                {
                    "query": query,
                    "mode": mode,
                    "k": k,
                    "ms": round(ms, 1),
                    "passages": [p.to_dict() for p in passages],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not passages:
        console.print("No passages found. Is anything ingested? (`assistant status`)")
    for i, p in enumerate(passages, 1):
        found = ", ".join(f"{name} #{rank}" for name, rank in p.ranks.items())
        console.print(
            f"[bold cyan][{i}][/] [bold]{p.doc_id}[/] {p.heading} [dim]({found}; score {p.score:.4f}; chars {p.start}-{p.end})[/]"
        )
        console.print(p.text.strip(), highlight=False)
        console.print()
    err.print(f"[dim]{len(passages)} passages in {ms:.0f} ms[/]")


@app.command()
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


def _answerer(llm: str | None, index: Index | None = None):  # noqa: ANN202
    from assistant import registry
    from assistant.answer import Answerer
    from assistant.llm import get_llm

    if llm is not None:
        try:
            registry.check(llm, LLM_PROVIDERS, "--llm")
        except ValueError as exc:
            fail(str(exc))
        s = settings()
        _state["settings"] = s.model_copy(
            update={"llm": s.llm.model_copy(update={"provider": llm})}
        )
    index = index or open_index()
    if not index.catalog.documents():
        fail("The index is empty: run `assistant ingest seeds/` (or your own documents) first.")
    try:
        model = get_llm(settings())
    except LLMError as exc:
        fail(str(exc))
        raise
    return Answerer(settings(), index, model)


def _print_answer(result, streamed: bool) -> None:  # noqa: ANN001
    if not streamed or result.answer.strip() != result.raw_answer.strip():
        if streamed:
            console.print("\n[dim]checked answer:[/]")
        console.print(result.answer, highlight=False)
    else:
        console.print()
    for c in result.citations:
        mark = "" if c.supported else " [yellow](unsupported)[/]"
        console.print(f"[bold cyan][{c.n}][/] [bold]{c.doc}[/] {c.heading}{mark}", highlight=False)
        for sentence in c.sentences[:2]:
            console.print(f"    {sentence}", highlight=False)
    t = result.timings
    err.print(
        f"[dim]{result.llm['model']} · retrieval {t['retrieval_ms']:.0f} ms · first token {t['first_token_ms'] / 1000:.1f} s · "
        f"total {t['total_ms'] / 1000:.1f} s · prompt {result.prompt_tokens} tokens[/]"
    )


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question (omit with --file)")] = None,
    llm: Annotated[str | None, typer.Option("--llm", help=LLM_HELP)] = None,
    k: Annotated[int | None, typer.Option("--k", "-k", help="Passages to retrieve")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    file: Annotated[
        Path | None, typer.Option("--file", help="JSONL of questions (id, question[, history])")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="With --file: where to write answers (JSONL)")
    ] = None,
) -> None:
    """Answer a question from the documents, with cited passages."""
    if (question is None) == (file is None):
        fail("Give a question, or --file questions.jsonl (not both).")
    answerer = _answerer(llm)
    if file is not None:
        _ask_batch(answerer, file, output, k)
        return
    streamed = not as_json and sys.stdout.isatty()
    on_token = (lambda tok: console.print(tok, end="", highlight=False)) if streamed else None
    try:
        result = answerer.ask(question, on_token=on_token, k=k)
    except USER_ERRORS as exc:
        fail(str(exc))
        raise
    if as_json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_answer(result, streamed)


def _ask_batch(answerer, file: Path, output: Path | None, k: int | None) -> None:  # noqa: ANN001
    from assistant.answer import QuestionTooLongError

    lines = []
    for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                fail(f"{file}:{n}: not JSON ({exc.msg})")
            if not isinstance(item, dict) or "id" not in item or "question" not in item:
                fail(f'{file}:{n}: each line needs "id" and "question"')
            lines.append(item)
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    with Progress(
        TextColumn("answering"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    ) as progress:
        task = progress.add_task("ask", total=len(lines))
        for item in lines:
            try:
                result = answerer.ask(item["question"], history=item.get("history"), k=k)
            except QuestionTooLongError as exc:  # that line only; the others are answered
                err.print(f"[red]{escape(str(item['id']))}:[/] {escape(str(exc))}")
                shown = {**item, "question": str(item["question"])[:200] + "…"}
                out.write(json.dumps({**shown, "error": str(exc)}, ensure_ascii=False) + "\n")
                progress.advance(task)
                continue
            out.write(json.dumps({**item, **result.to_dict()}, ensure_ascii=False) + "\n")
            out.flush()
            progress.advance(task)
    if output:
        out.close()
        console.print(f"wrote {len(lines)} answers to {output}")


@app.command("eval")
def eval_(
    set_: Annotated[
        Path,
        typer.Option(
            "--set",
            help="Evaluation set (JSONL); documents in the same folder are ingested first",
        ),
    ] = Path("evals/questions.jsonl"),
    docs: Annotated[
        list[Path] | None,
        typer.Option("--docs", help="More files or folders to ingest before the run (repeatable)"),
    ] = None,
    llm: Annotated[str | None, typer.Option("--llm", help=LLM_HELP)] = None,
    k: Annotated[int | None, typer.Option("--k", help="Passages given to the answer step")] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Report folder (default reports/<timestamp>-<llm>/)"),
    ] = None,
    retrieval_only: Annotated[
        bool, typer.Option("--retrieval-only", help="Only retrieval metrics; no LLM, seconds")
    ] = False,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline", help="Report to compare with (default: baseline.json beside the set)"
        ),
    ] = None,
    write_baseline: Annotated[
        Path | None, typer.Option("--write-baseline", help="Also save this run as the CI baseline")
    ] = None,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance", help="With --write-baseline: questions' worth a metric may lose"
        ),
    ] = 2,
    compare_: Annotated[
        tuple[Path, Path] | None,
        typer.Option("--compare", help="Print the difference between two report.json files"),
    ] = None,
    split: Annotated[
        str | None,
        typer.Option(
            "--split", help="Only the questions of this split (train | tune | dev | test)"
        ),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="Data folder of the store to evaluate in (default: with --docs, "
            "<data_dir>/eval/<set folder>, holding seeds/ and those documents)",
        ),
    ] = None,
    fit_refusal: Annotated[
        bool,
        typer.Option(
            "--fit-refusal",
            help="After the run, re-fit the refusal model on its tune half (and --fit-from reports)",
        ),
    ] = False,
    fit_from: Annotated[
        list[Path] | None,
        typer.Option(
            "--fit-from",
            help="report.json files whose tune rows the refusal model is fitted on (no run needed)",
        ),
    ] = None,
) -> None:
    """Run a fixed evaluation set; write report.json, report.md and plots (all, tune, test)."""
    from assistant import evaluation as ev

    if fit_from and not fit_refusal:
        reports = [_load_report(p) for p in fit_from]
        _fit_refusal(reports, out or Path("reports") / f"{time.strftime('%Y%m%d-%H%M%S')}-fit")
        return
    if compare_:
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in compare_)
        console.print(ev.compare(a, b), highlight=False)
        return
    if not set_.is_file():
        fail(f"No evaluation set at {set_}")
    try:
        questions = ev.load_questions(set_)
    except ValueError as exc:  # a malformed line: say which, no traceback
        fail(
            f"{exc}. Each line needs id, question, lang, type, doc, evidence, answer, must_include."
        )
        raise
    named = {d for q in questions for d in q.docs}  # of the whole set, whatever the split
    if split:
        if split not in ev.SPLITS:
            fail(f"--split must be one of {', '.join(ev.SPLITS)}")
        questions = [q for q in questions if q.split == split]
        if not questions:
            fail(f"The set has no questions of split '{split}'")
    seeds: list[Path] = []
    if docs or store:
        # documents from elsewhere get a store of their own, so evaluating does not put
        # 65 reports into the user's store; seeds/ go in too (they are the app's corpus)
        own = store or settings().data_dir / "eval" / set_.parent.name
        _state["settings"] = eval_settings(settings(), own)
        seeds = [settings().seeds_dir] if settings().seeds_dir.is_dir() else []
    index = open_index()
    # only the documents the set's questions name: other files beside it stay out
    extra = seeds + ev.set_documents(set_, named) + list(docs or [])
    if extra:
        try:
            report_ = ingest_paths(index, extra)
        except USER_ERRORS as exc:
            fail(str(exc))
            raise
        if report_.failed:
            fail("; ".join(f"{r.path}: {r.error}" for r in report_.failed))
        added = report_.count("added") + report_.count("updated")
        err.print(
            f"set documents: {added} ingested, {report_.count('unchanged')} already in the store "
            f"({index.settings.data_dir}); `assistant delete` removes them"
        )
    stored = [d.doc_id for d in index.catalog.documents()]
    missing = ev.missing_documents(questions, stored)
    if missing:
        fail(
            f"The store lacks {len(missing)} document(s) the set asks about: {', '.join(missing[:5])}. "
            "Ingest them first (`assistant ingest seeds/`) or pass --docs."
        )
    answerer = _answerer("extractive" if retrieval_only else llm, index)
    k = k or settings().retrieval.k
    with Progress(
        TextColumn("evaluating"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
    ) as progress:
        task = progress.add_task("eval", total=len(questions))
        model = "extractive" if answerer.llm is None else answerer.llm.name
        name = model.split("/")[-1].replace(".gguf", "")
        out = out or Path("reports") / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
        out.mkdir(parents=True, exist_ok=True)
        rows_file = (out / "rows.jsonl").open("w", encoding="utf-8")
        (out / "llm.txt").write_text(model, encoding="utf-8")

        def done(row: dict) -> None:  # rows as they come: a long local-model run survives a kill
            rows_file.write(json.dumps(row, ensure_ascii=False) + "\n")
            rows_file.flush()
            progress.advance(task)

        report = ev.run_eval(
            questions, answerer, k, retrieval_only, on_question=done, set_name=set_.as_posix()
        )
        rows_file.close()
    if retrieval_only:
        report["llm"] = "none"
    base_path = baseline or set_.parent / "baseline.json"
    base = json.loads(base_path.read_text(encoding="utf-8")) if base_path.is_file() else None
    paths = ev.write_report(report, out, base)
    console.print(ev.render_markdown(report).split("## By type")[0], highlight=False)
    console.print("wrote " + ", ".join(str(p) for p in paths))
    if fit_refusal:
        earlier = [_load_report(p) for p in fit_from or []]
        _fit_refusal([report, *earlier], out)
    if write_baseline:
        slim = ev.make_baseline(report, tolerance_questions=tolerance)
        write_baseline.write_text(
            json.dumps(slim, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        console.print(f"baseline written to {write_baseline}")


def eval_settings(base: Settings, data_dir: Path) -> Settings:
    """The settings of an evaluation's own store in `data_dir`; on a Chroma server, a
    collection of its own as well."""
    vector_store = base.vector_store
    if vector_store.url:
        name = f"{vector_store.collection}-{data_dir.name}"
        vector_store = vector_store.model_copy(update={"collection": name})
    return base.model_copy(update={"data_dir": data_dir, "vector_store": vector_store})


def _load_report(path: Path) -> dict:
    """A report.json, or the rows.jsonl an unfinished run left (its LLM named beside it)."""
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        llm = "extractive" if all("llm_refused" not in r.get("flags", []) for r in rows) else "llm"
        llm = (
            (path.parent / "llm.txt").read_text().strip()
            if (path.parent / "llm.txt").is_file()
            else llm
        )
        return {"llm": llm, "set": path.as_posix(), "questions": rows}
    return json.loads(path.read_text(encoding="utf-8"))


def _fit_refusal(reports: list[dict], out: Path) -> None:
    """Fit the refusal model on the reports' tune rows; plot the trade-off on both halves."""
    from assistant import fitting as fit
    from assistant.answer import refusal

    kinds = {"extractive" if r["llm"] == "extractive" else "llm" for r in reports}
    if len(kinds) != 1:
        fail("--fit-refusal: the reports must all come from the LLM or all from extractive")
    kind = kinds.pop()
    rows = [row for r in reports for row in r["questions"]]
    try:
        model, summary = fit.fit_rows(rows)
    except ValueError as exc:
        fail(str(exc))
        raise
    model.info["reports"] = [r.get("set", "") for r in reports]
    model.info["llm"] = sorted({r["llm"] for r in reports})
    refusal.save({kind: model})
    png = fit.plot(rows, model, out / f"refusal_{kind}.png", f"Refusal model ({kind})")
    (out / f"refusal_{kind}.json").write_text(
        json.dumps(model.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    console.print(json.dumps(summary, ensure_ascii=False, indent=1), highlight=False)
    console.print(f"refusal model ({kind}) written to {refusal.MODEL_PATH}; plot {png}")


def run() -> None:
    """Entry point that turns user errors into messages rather than tracebacks."""
    try:
        app()
    except USER_ERRORS as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        sys.exit(2)
    except Exception as exc:  # never a traceback: what failed, and where to look
        err.print(
            f"[bold red]Error:[/] {escape(type(exc).__name__)}: {escape(str(exc))} "
            "(unexpected; `assistant check` verifies the store)"
        )
        sys.exit(3)
