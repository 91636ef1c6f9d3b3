"""LLM providers behind one small interface: stream chat tokens, count prompt tokens.

`local` runs a GGUF in-process with llama.cpp; `openai` talks to any OpenAI-compatible
server through langchain-openai; `extractive` has no model at all (the answer module then
quotes sentences). A new provider is one class and one entry in `PROVIDERS`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Protocol

from assistant.config import Settings
from assistant.models import ModelError, bundled_model_path

Message = dict[str, str]


class LLMError(Exception):
    """The model could not answer; the message says why and what to do."""


class LLM(Protocol):
    name: str
    n_ctx: int

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]: ...

    def count_tokens(self, text: str) -> int: ...


def estimate_tokens(text: str) -> int:
    """Rough count for servers whose tokenizer we cannot see: ~0.7 per CJK char, ~0.3 per other."""
    cjk = len(re.findall(r"[\u3400-\u9fff]", text))
    return int(cjk * 0.7 + (len(text) - cjk) * 0.3) + 1


class LocalLLM:
    """llama.cpp in-process. One generation at a time (a lock), the KV cache of the shared
    system-prompt prefix reused across questions by llama.cpp's prefix matching."""

    def __init__(self, settings: Settings) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise LLMError(
                "llama-cpp-python is not installed: pip install -e '.[local]' (or `make run`)"
            ) from exc
        cfg = settings.llm
        try:
            path = cfg.model_path or str(bundled_model_path(settings.cache_dir))
        except ModelError as exc:
            raise LLMError(str(exc)) from exc
        try:
            self._llm = Llama(
                model_path=path,
                n_ctx=cfg.n_ctx,
                n_threads=cfg.threads,
                n_threads_batch=cfg.threads,
                n_batch=512,
                verbose=False,
            )
        except (ValueError, OSError, RuntimeError) as exc:
            raise LLMError(
                f"Cannot load the GGUF model at {path}: {exc}. Check llm.model_path."
            ) from exc
        self.name = f"local/{path.rsplit('/', 1)[-1]}"
        self.n_ctx = cfg.n_ctx
        self._temperature = cfg.temperature
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        with self._lock:
            for part in self._llm.create_chat_completion(
                messages=messages, temperature=self._temperature, max_tokens=max_tokens, stream=True
            ):
                delta = part["choices"][0].get("delta", {}).get("content")
                if delta:
                    yield delta


class OpenAICompatibleLLM:
    """Any OpenAI-compatible endpoint: Ollama, vLLM, llama.cpp's server, DeepSeek, DashScope."""

    def __init__(self, settings: Settings) -> None:
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:
            raise LLMError("langchain-openai is not installed: pip install -e '.[openai]'") from exc
        cfg = settings.llm
        key = settings.api_key()
        self._chat = ChatOpenAI(
            base_url=cfg.base_url,
            model=cfg.model,
            api_key=key.get_secret_value() if key else "not-needed",
            timeout=cfg.timeout_s,
            max_retries=cfg.max_retries,
            temperature=cfg.temperature,
        )
        self._cfg = cfg
        self.name = f"openai/{cfg.model}"
        self.n_ctx = cfg.n_ctx

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        import openai

        try:
            for chunk in self._chat.stream(messages, max_tokens=max_tokens):
                if chunk.content:
                    yield str(chunk.content)
        except openai.AuthenticationError as exc:
            raise LLMError(
                f"The server at {self._cfg.base_url} refused the API key (401). Set the key in "
                f"the environment variable {self._cfg.api_key_env}."
            ) from exc
        except openai.RateLimitError as exc:
            raise LLMError(
                f"The server at {self._cfg.base_url} is rate-limiting requests (429) even after "
                f"{self._cfg.max_retries} retries; wait and ask again."
            ) from exc
        except openai.APITimeoutError as exc:
            raise LLMError(
                f"No answer from {self._cfg.base_url} within {self._cfg.timeout_s:.0f}s "
                "(llm.timeout_s); the server may be overloaded."
            ) from exc
        except openai.APIConnectionError as exc:
            raise LLMError(
                f"Cannot connect to {self._cfg.base_url}: is the server running? (llm.base_url)"
            ) from exc
        except openai.NotFoundError as exc:
            raise LLMError(
                f"The server at {self._cfg.base_url} does not know model '{self._cfg.model}' (llm.model)."
            ) from exc
        except openai.APIStatusError as exc:
            raise LLMError(
                f"The server at {self._cfg.base_url} answered {exc.status_code}: {exc.message}"
            ) from exc


PROVIDERS: dict[str, type | None] = {
    "local": LocalLLM,
    "openai": OpenAICompatibleLLM,
    "extractive": None,
}
_cache: dict[tuple[str, str, str], LLM] = {}
_cache_lock = threading.Lock()


def get_llm(settings: Settings) -> LLM | None:
    """The configured LLM, loaded once per process (None for extractive)."""
    provider = settings.llm.provider
    cls = PROVIDERS[provider]
    if cls is None:
        return None
    key = (provider, settings.llm.model_path or settings.llm.model, settings.llm.base_url)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = cls(settings)
        return _cache[key]
