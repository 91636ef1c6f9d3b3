"""`langchain`: any chat model LangChain knows, by `[llm] model = "provider:model"`.

`init_chat_model` builds it ("ollama:qwen2.5:7b", "openai:gpt-4o-mini",
"deepseek:deepseek-chat", ...); each provider needs its partner package (an extra:
`.[ollama]`, `.[deepseek]`, `.[openai]`). What the answer stage needs from a model is
checked once at load (`capabilities`), and `assistant check` prints what is missing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.config import Settings
from assistant.llm.base import LLMError, Message, estimate_tokens

log = logging.getLogger(__name__)

# Providers whose chat class takes the OpenAI client's timeout / max_retries arguments.
_OPENAI_LIKE = {"openai", "azure_openai", "deepseek", "groq", "xai", "openrouter", "together"}
# Field names chat classes use for "at most this many new tokens".
_MAX_TOKEN_FIELDS = ("max_tokens", "num_predict", "max_output_tokens", "max_new_tokens")
# Partner packages, for the install hint.
_EXTRAS = {"ollama": "ollama", "deepseek": "deepseek", "openai": "openai"}


@dataclass
class Capabilities:
    """What a chat model can do for the answer stage; `missing` says what it cannot."""

    streaming: bool
    token_count: str  # "model" (its own tokenizer) or "estimate" (assistant.llm.base)
    max_tokens_field: str | None
    structured_output: bool
    missing: list[str] = field(default_factory=list)


def _overrides(cls: type, base: type, name: str) -> bool:
    return getattr(cls, name, None) is not getattr(base, name, None)


def capabilities(chat: Any) -> Capabilities:
    """Inspect a LangChain chat model: native streaming, token counting, output limit, schema."""
    from langchain_core.language_models import BaseChatModel, BaseLanguageModel

    cls = type(chat)
    streaming = _overrides(cls, BaseChatModel, "_stream") and not getattr(
        chat, "disable_streaming", False
    )
    token_count = "estimate"
    own_tokenizer = _overrides(cls, BaseLanguageModel, "get_token_ids") or _overrides(
        cls, BaseLanguageModel, "get_num_tokens"
    )
    if own_tokenizer:  # the default is GPT-2's tokenizer from the hub: wrong for Chinese
        try:
            if chat.get_num_tokens("产业集聚区 tokens") > 0:
                token_count = "model"
        except Exception as exc:  # tokenizer files not downloadable, server without one, ...
            log.info("%s cannot count tokens (%s); using the estimate", cls.__name__, exc)
    fields = getattr(cls, "model_fields", {})
    max_field = next((f for f in _MAX_TOKEN_FIELDS if f in fields), None)
    structured = _overrides(cls, BaseChatModel, "with_structured_output") or _overrides(
        cls, BaseChatModel, "bind_tools"
    )
    missing = []
    if not streaming:
        missing.append("streaming (tokens arrive all at once at the end)")
    if token_count == "estimate":
        missing.append("token counting (a per-character estimate is used)")
    if max_field is None:
        missing.append("an output-length limit (llm.max_tokens is not enforced)")
    if not structured:
        missing.append("structured output (with_structured_output / tools)")
    return Capabilities(streaming, token_count, max_field, structured, missing)


def _provider_of(model: str) -> str:
    return model.split(":", 1)[0] if ":" in model else ""


def chat_model_kwargs(settings: Settings) -> dict[str, Any]:
    """init_chat_model arguments from the settings; `llm.model_kwargs` adds or overrides any."""
    cfg = settings.llm
    provider = _provider_of(cfg.model)
    kwargs: dict[str, Any] = {"temperature": cfg.temperature}
    if "base_url" in cfg.model_fields_set:  # the default points at a local llama.cpp server
        kwargs["base_url"] = cfg.base_url
    key = settings.api_key()
    if key is not None and provider != "ollama":
        kwargs["api_key"] = key.get_secret_value()
    elif provider == "openai" and "base_url" in kwargs:
        kwargs["api_key"] = "not-needed"  # a local OpenAI-compatible server takes any key
    if provider in _OPENAI_LIKE:
        kwargs.update(timeout=cfg.timeout_s, max_retries=cfg.max_retries)
    if provider == "ollama":
        kwargs["num_ctx"] = cfg.n_ctx  # Ollama's default window is smaller than our prompts
    kwargs.update(cfg.model_kwargs)
    return kwargs


class LangChainLLM:
    """A LangChain chat model behind the `LLM` interface the answer stage uses."""

    def __init__(self, settings: Settings) -> None:
        cfg = settings.llm
        try:
            from langchain.chat_models import init_chat_model
        except ImportError as exc:
            raise LLMError("langchain is not installed: pip install -e '.[langchain]'") from exc
        provider = _provider_of(cfg.model)
        kwargs = chat_model_kwargs(settings)
        # ChatOpenAI sends only `max_completion_tokens`, which llama.cpp's and other
        # OpenAI-compatible servers ignore: repeat the limit as `max_tokens` for them.
        self._compat_server = provider == "openai" and "base_url" in kwargs
        try:
            self.chat = init_chat_model(cfg.model, **kwargs)
        except ImportError as exc:
            extra = _EXTRAS.get(provider, provider or "...")
            raise LLMError(
                f"llm.model '{cfg.model}' needs its LangChain partner package: {exc}. "
                f"Install it (pip install -e '.[{extra}]' or pip install langchain-{extra})."
            ) from exc
        except ValueError as exc:  # unknown provider, missing key, bad argument
            raise LLMError(
                f"Cannot build LangChain chat model '{cfg.model}': {exc}. Write llm.model as "
                '"provider:model", e.g. "ollama:qwen2.5:7b" or "openai:gpt-4o-mini".'
            ) from exc
        self.name = f"langchain/{cfg.model}"
        self.n_ctx = cfg.n_ctx
        self.capabilities = capabilities(self.chat)
        if self.capabilities.missing:
            log.warning("%s lacks: %s", self.name, "; ".join(self.capabilities.missing))
        self._limited: dict[int, Any] = {}
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        if self.capabilities.token_count == "model":
            return int(self.chat.get_num_tokens(text))
        return estimate_tokens(text)

    def _with_limit(self, max_tokens: int) -> Any:
        """The chat model with its output limit set (a copy per limit, kept)."""
        name = self.capabilities.max_tokens_field
        if name is None:
            return self.chat
        with self._lock:
            if max_tokens not in self._limited:
                update: dict[str, Any] = {name: max_tokens}
                if self._compat_server:
                    extra = getattr(self.chat, "extra_body", None) or {}
                    update["extra_body"] = {**extra, "max_tokens": max_tokens}
                self._limited[max_tokens] = self.chat.model_copy(update=update)
            return self._limited[max_tokens]

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        chat = self._with_limit(max_tokens)
        try:
            for chunk in chat.stream([(m["role"], m["content"]) for m in messages]):
                text = chunk.text if isinstance(chunk.text, str) else str(chunk.content)
                if text:
                    yield text
        except LLMError:
            raise
        except Exception as exc:  # each partner package raises its own client errors
            kind = type(exc).__name__
            hint = " Is the server running? (llm.base_url)" if "Connect" in kind else ""
            raise LLMError(f"{self.name} failed: {kind}: {exc}.{hint}") from exc
