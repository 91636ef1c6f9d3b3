"""`local`: a GGUF run in-process by llama.cpp."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from assistant.config import Settings
from assistant.llm.base import LLMError, Message
from assistant.models import ModelError, bundled_model_path


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
                n_batch=cfg.n_batch,
                # With mmap, the weights llama.cpp repacks for AVX2 (q4_K_8x8) stay mapped
                # and resident next to their repacked copy: ~600 MB more RSS for this model.
                use_mmap=cfg.use_mmap,
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
