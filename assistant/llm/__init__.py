"""LLM providers: the interface in `base`, one module per backend, and the factory here.

`local` runs a GGUF in-process with llama.cpp; `openai` talks to any OpenAI-compatible
server through langchain-openai; `langchain` builds any LangChain chat model from
`[llm] model = "provider:model"` with `init_chat_model`; `extractive` has no model at all (the answer module then
quotes sentences). A new provider is one module with a class taking `Settings` and
implementing `LLM`; name it in `[llm] provider` as "package.module:Class", or give it a
short name with `register`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from assistant import registry
from assistant.llm.base import LLM, BudgetSpent, LLMError, Message, estimate_tokens

if TYPE_CHECKING:
    from assistant.config import Settings

__all__ = [
    "LLM",
    "PROVIDERS",
    "BudgetSpent",
    "LLMError",
    "Message",
    "estimate_tokens",
    "get_llm",
    "has_model",
    "register",
]

# name -> "package.module:Class" (`registry.LLM_PROVIDERS`); None: no model (extractive).
PROVIDERS = registry.LLM_PROVIDERS
_cache: dict[tuple[str, str, str], LLM] = {}
_cache_lock = threading.Lock()


def register(name: str, path: str | None) -> None:
    """Give a provider class ("package.module:Class") a short name for `[llm] provider`."""
    PROVIDERS[name] = path


def has_model(provider: str) -> bool:
    """False for a provider that answers without a model (extractive)."""
    return PROVIDERS.get(provider, provider) is not None


def get_llm(settings: Settings) -> LLM | None:
    """The configured LLM, loaded once per process (None for extractive)."""
    provider = settings.llm.provider
    if not has_model(provider):
        return None
    try:
        cls = registry.load(provider, PROVIDERS)
    except (ImportError, AttributeError, KeyError) as exc:
        raise LLMError(
            f"Cannot load LLM provider '{provider}': {exc}. Registered: {', '.join(PROVIDERS)}."
        ) from exc
    key = (provider, settings.llm.model_path or settings.llm.model, settings.llm.base_url)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = cls(settings)
        return _cache[key]
