"""`assistant check`: the store's health (and its repair), then what the answer stage gets
from the configured LLM."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from assistant.cli.common import (
    LLM_HELP,
    USER_ERRORS,
    console,
    err,
    fail,
    settings,
    waiting_notice,
)
from assistant.llm import LLMError


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
