"""The reader's commands: search (ranked passages) and ask (an answer with citations, one
question or a JSONL file of them)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.cli.common import (
    LLM_HELP,
    LLM_PROVIDERS,
    USER_ERRORS,
    console,
    err,
    fail,
    open_index,
    settings,
    state,
)
from assistant.index import Index
from assistant.llm import LLMError
from assistant.messages import say


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


def make_answerer(llm: str | None, index: Index | None = None):  # noqa: ANN202
    """The answerer of ask and eval: the LLM given (or the configured one) over a non-empty
    store; a user error ends the command."""
    from assistant import registry
    from assistant.answer import Answerer
    from assistant.llm import get_llm

    if llm is not None:
        try:
            registry.check(llm, LLM_PROVIDERS, "--llm")
        except ValueError as exc:
            fail(str(exc))
        s = settings()
        state["settings"] = s.model_copy(update={"llm": s.llm.model_copy(update={"provider": llm})})
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
    answerer = make_answerer(llm)
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
