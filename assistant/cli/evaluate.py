"""`assistant eval`: run an evaluation set in a store of its own, write its report, compare
reports, and fit the refusal model on their tune rows."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.cli.ask import make_answerer
from assistant.cli.common import (
    LLM_HELP,
    USER_ERRORS,
    console,
    err,
    fail,
    open_index,
    settings,
    state,
)
from assistant.config import Settings
from assistant.ingest import ingest_paths


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
            help="report.json files whose tune rows the refusal model is fitted on (no run "
            "needed); with --fit-ranker, ranker_rows.jsonl files of earlier fits",
        ),
    ] = None,
    fit_ranker: Annotated[
        bool,
        typer.Option(
            "--fit-ranker",
            help="Instead of a run, re-fit the candidate ranker on the set's train/tune "
            "questions (and --fit-from rows); reports top-1 on dev",
        ),
    ] = False,
) -> None:
    """Run a fixed evaluation set; write report.json, report.md and plots (all, tune, test)."""
    from assistant import evaluation as ev

    if fit_from and not fit_refusal and not fit_ranker:
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
        state["settings"] = eval_settings(settings(), own)
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
    answerer = make_answerer("extractive" if retrieval_only else llm, index)
    if fit_ranker:
        _fit_ranker(answerer, questions, fit_from or [], out)
        return
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


def _fit_ranker(answerer, questions: list, earlier: list[Path], out: Path | None) -> None:  # noqa: ANN001
    """Collect the set's candidate rows, fit the ranker on them and the earlier rows, save it."""
    from assistant import fitting as fit
    from assistant.answer import ranker

    out = out or Path("reports") / f"{time.strftime('%Y%m%d-%H%M%S')}-ranker"
    out.mkdir(parents=True, exist_ok=True)
    rows = fit.ranker_rows(answerer, questions)
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    (out / "ranker_rows.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for path in earlier:
        rows += [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
    try:
        model = fit.fit_ranker(rows)
    except ValueError as exc:
        fail(str(exc))
        raise
    model.save()
    console.print(json.dumps(model.info, ensure_ascii=False, indent=1), highlight=False)
    console.print(f"ranker written to {ranker.MODEL_PATH}; its rows in {out / 'ranker_rows.jsonl'}")
