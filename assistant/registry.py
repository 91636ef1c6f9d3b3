"""Provider registries: a name maps to a "package.module:Class" path, imported only when used.

Shared by the LLM and embedding factories and by the config check. It imports nothing from
the project, so config.py can validate provider names without importing any backend.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

_IMPORT_PATH = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def is_import_path(value: str) -> bool:
    """True for "package.module:Class" (a provider not in the registry)."""
    return bool(_IMPORT_PATH.match(value))


def check(value: str, registry: dict[str, str | None], field: str) -> str:
    """The value if it is a registered name or an import path; otherwise a clear ValueError."""
    if value in registry or is_import_path(value):
        return value
    raise ValueError(
        f"{field} '{value}' is not a registered provider ({', '.join(registry)}) "
        'nor a "package.module:Class" path'
    )


def load(value: str, registry: dict[str, str | None]) -> Any:
    """The class a registered name or an import path names (None for a registered None).

    Raises ImportError or AttributeError when the path does not lead to an object.
    """
    path = registry.get(value, value)
    if path is None:
        return None
    module, _, attr = path.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj
