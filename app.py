"""Start the web UI: `python app.py` (or `make run`). Ingests seeds/ first if needed."""

from __future__ import annotations

import sys

from assistant.config import ConfigError, load_settings
from assistant.messages import Fault


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    from assistant.embeddings import EmbeddingError
    from assistant.ui import launch

    try:
        return launch(settings)
    except (Fault, EmbeddingError) as exc:  # a damaged or unreachable store: what to do
        print(f"Error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
