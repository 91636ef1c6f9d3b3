"""What every `assistant` command shares: the typer app and its --config option, the
settings, the consoles, and how a user error ends a command (a message, never a traceback)."""

from __future__ import annotations

import resource
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape  # keeps "[local]" in install hints and "[n]" in paths
from rich.progress import Progress

from assistant.config import ConfigError, Settings, load_settings
from assistant.embeddings import EmbeddingError
from assistant.index import Index, IndexError_
from assistant.llm import PROVIDERS as LLM_PROVIDERS
from assistant.llm import LLMError
from assistant.messages import Fault

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Ask questions of Chinese policy documents and get answers with cited passages.",
)
console = Console()
err = Console(stderr=True, soft_wrap=True)
state: dict[str, Any] = {}

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
    """Options before the command: the config file every command reads."""
    state["config"] = config


def settings() -> Settings:
    """The settings, loaded once per run (a command may replace them, as eval does)."""
    if "settings" not in state:
        state["settings"] = load_settings(state.get("config"))
    return state["settings"]


def fail(message: str, code: int = 2) -> None:
    """End the command with a message the user can act on, never a traceback."""
    err.print(f"[bold red]Error:[/] {escape(message)}")
    raise typer.Exit(code)


def open_index(check_model: bool = True) -> Index:
    """The store, or a message saying why it cannot be opened."""
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
    """This process's peak memory, which ingest reports (documents can be large)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
