"""Start the web UI: `python app.py` (or `make run`). Ingests seeds/ first if needed."""

from __future__ import annotations

import sys

from assistant.config import ConfigError, load_settings


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    from assistant.ui import launch

    return launch(settings)


if __name__ == "__main__":
    sys.exit(main())
