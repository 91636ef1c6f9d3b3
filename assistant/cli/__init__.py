"""The `assistant` command: ingest, search, ask, evaluate - the same functions the UI calls.

One module per group of commands (`store`, `check`, `ask`, `evaluate`), what they share in
`common`; the commands are registered here, in the order `--help` lists them.
"""

from __future__ import annotations

import sys

from rich.markup import escape

from assistant.cli.ask import ask, search
from assistant.cli.check import check
from assistant.cli.common import USER_ERRORS, app, err
from assistant.cli.evaluate import eval_
from assistant.cli.store import delete, ingest, reindex, status

for command in (ingest, delete, status, check, search, reindex, ask):
    app.command()(command)
app.command("eval")(eval_)


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
