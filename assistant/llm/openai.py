"""`openai`: any OpenAI-compatible server, through langchain-openai."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.config import Settings
from assistant.llm.base import LLMError, Message, estimate_tokens


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
