"""`local`: a GGUF run in-process by llama.cpp."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from assistant.config import Settings
from assistant.llm.base import LLMError, Message
from assistant.models import ModelError, bundled_model_path

# Prompt tokens evaluated together, at fixed positions (see `LocalLLM._settle`).
_BLOCK = 64


class LocalLLM:
    """llama.cpp in-process. One generation at a time (a lock); the prompt is evaluated in
    fixed blocks, the blocks it shares with the previous prompt reused (`_settle`)."""

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
        yield from self.stream_prefixed(messages, "", max_tokens)

    def stream_prefixed(
        self, messages: list[Message], prefix: str, max_tokens: int
    ) -> Iterator[str]:
        """The continuation of an assistant turn that already starts with `prefix` ("" for a
        plain answer).

        The chat template (from the GGUF) renders the conversation up to the assistant tag;
        the prefix follows it, so the model writes on from "根据资料，" instead of choosing
        between answering and refusing.
        """
        llm = self._llm
        prompt, stop = self._render(messages, prefix)
        with self._lock:
            yield from self._settle(prompt)
            for part in llm.create_completion(
                prompt,
                max_tokens=max_tokens,
                temperature=self._temperature,
                stop=stop,
                stream=True,
            ):
                text = part["choices"][0].get("text")
                if text:
                    yield text

    def _render(self, messages: list[Message], prefix: str) -> tuple[list[int], list[str]]:
        """The prompt's tokens (the chat template from the GGUF, then the prefix) and its
        stop strings."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llm = self._llm
        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise LLMError("The GGUF model has no chat template; use a chat (instruct) model.")
        eos_id, bos_id = llm.token_eos(), llm.token_bos()
        eos = llm._model.token_get_text(eos_id) if eos_id != -1 else ""
        bos = llm._model.token_get_text(bos_id) if bos_id != -1 else ""
        formatted = Jinja2ChatFormatter(template, eos_token=eos, bos_token=bos)(messages=messages)
        stop = formatted.stop if isinstance(formatted.stop, list) else [formatted.stop or eos]
        return self._tokens(formatted.prompt + prefix), [s for s in stop if s]

    def _tokens(self, text: str) -> list[int]:
        return self._llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)

    def _settle(self, tokens: list[int]) -> Iterator[str]:
        """Evaluate the prompt (all but its last token) in blocks at fixed positions, reusing
        the cached blocks it shares with the previous prompt.

        llama.cpp's own reuse goes up to wherever two prompts happen to agree and evaluates
        the rest in other batches; the floating-point results then differ a little, and a
        borderline answer flipped with the order of the questions. Blocks of `_BLOCK`
        tokens at fixed positions are evaluated the same way whatever came before, so what
        the model writes depends on its prompt alone, and a shared system message and
        shared passages are still not evaluated twice."""
        llm = self._llm
        cached = llm._input_ids
        common = 0
        for a, b in zip(cached, tokens[:-1], strict=False):
            if a != b:
                break
            common += 1
        keep = common - common % _BLOCK
        if keep == 0:
            llm.reset()
        else:
            llm.n_tokens = keep
        for start in range(keep, len(tokens) - 1, _BLOCK):
            llm.eval(tokens[start : min(start + _BLOCK, len(tokens) - 1)])  # keep % _BLOCK == 0
            # "" after each block: a caller out of time (`answer.budget`) can stop here
            # instead of waiting out a long prompt (seconds on 2 cores)
            yield ""
