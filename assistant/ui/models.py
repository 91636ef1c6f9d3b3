"""The LLMs as the page knows them: loaded in the background, polled for their state, and
named in the settings panel (a model, never a key or URL)."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.llm import LLMError, get_llm, has_model
from assistant.messages import say


@dataclass
class ModelStatus:
    """Which LLMs are loaded, loading or failed; the page polls this."""

    settings: Settings
    state: dict[str, str] = field(default_factory=dict)  # provider -> loading | ready | error
    names: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def settings_for(self, provider: str) -> Settings:
        return self.settings.model_copy(
            update={"llm": self.settings.llm.model_copy(update={"provider": provider})}
        )

    def load(self, provider: str) -> Any:
        """The provider's LLM (None for extractive), loading it once; raises LLMError."""
        if not has_model(provider):
            self.state[provider] = "ready"
            return None
        if self.state.get(provider) != "ready":
            self.state[provider] = "loading"
        t0 = time.perf_counter()
        try:
            llm = get_llm(self.settings_for(provider))  # cached per process, one load at a time
        except LLMError as exc:
            self.state[provider], self.errors[provider] = "error", str(exc)
            raise
        if self.state.get(provider) != "ready":
            self.seconds[provider] = time.perf_counter() - t0
        self.state[provider], self.names[provider] = "ready", llm.name
        return llm

    def start(self) -> None:
        """Load the configured provider in the background, so the page is up at once."""
        provider = self.settings.llm.provider
        if not has_model(provider):
            self.state[provider] = "ready"
            return
        self.state[provider] = "loading"

        def run() -> None:
            print(f"loading the {provider} model ...", file=sys.stderr)
            try:
                self.load(provider)
                print(
                    f"model {self.names[provider]} ready in {self.seconds[provider]:.1f}s",
                    file=sys.stderr,
                )
            except LLMError as exc:
                print(
                    f"warning: {exc} (choose another model in the page)",
                    file=sys.stderr,
                )

        threading.Thread(target=run, name="model-loader", daemon=True).start()

    def loading(self) -> bool:
        return "loading" in self.state.values()

    def describe(self, provider: str, lang: str) -> str:
        state = self.state.get(provider, "")
        if not has_model(provider):
            return say("model.extractive", lang)
        name = self.names.get(provider) or model_label(self.settings, provider)
        if state == "ready":
            return say("model.ready", lang, name=name, secs=self.seconds.get(provider, 0.0))
        if state == "error":
            error = self.errors.get(provider, "").rstrip("。. ")
            return say("model.error", lang, name=name, error=error)
        if state == "loading":
            return say("model.loading", lang, name=name)
        return ""


def model_label(settings: Settings, provider: str) -> str:
    """What the settings panel shows for a provider: its model, never a key or URL."""
    if provider == "local":
        return f"local · {Path(settings.llm.model_path).name or 'qwen2.5-coder-1.5b-instruct (bundled)'}"
    if not has_model(provider):
        return f"{provider} · " + say("ui.extractive_choice", settings.ui.language)
    return f"{provider} · {settings.llm.model}"
