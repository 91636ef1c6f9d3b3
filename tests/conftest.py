"""Shared fixtures: real settings, a real Chroma, the real embedding model."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.config import Settings, load_settings
from assistant.index import Index
from assistant.ingest import ingest_paths
from assistant.llm import estimate_tokens

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def make_settings(data_dir: Path, **overrides) -> Settings:
    return load_settings(data_dir=data_dir, **overrides)


def model_reads(settings: Settings) -> Settings:
    """The settings with quote-first off and no floor: the model reads every question, an
    English one's translation too (tests of its path)."""
    answer = settings.answer.model_copy(
        update={"quote_first": False, "model_floor": 0.0, "read_translated": True}
    )
    return settings.model_copy(update={"answer": answer})


@pytest.fixture(scope="session")
def embedder():
    """The default embedder, loaded once for the whole run."""
    from assistant.config import EmbeddingSettings
    from assistant.embeddings import make_embedder

    return make_embedder(EmbeddingSettings())


@pytest.fixture(scope="session")
def seeded(tmp_path_factory, embedder) -> Index:
    """All five seed documents ingested into a fresh store (read-only for tests)."""
    settings = make_settings(tmp_path_factory.mktemp("seeded"))
    index = Index(settings, embedder=embedder)
    report = ingest_paths(index, [SEEDS])
    assert not report.failed, report.failed
    return index


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """Two seed documents in a folder a test may change."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("000_049d4401db69d305.txt", "003_5e6f342b3dea3258.txt"):
        shutil.copy(SEEDS / name, folder / name)
    return folder


@pytest.fixture
def fresh_index(tmp_path, embedder) -> Index:
    return Index(make_settings(tmp_path / "data"), embedder=embedder)


def cli_env(data_dir: Path, **more: str) -> dict[str, str]:
    """The environment of a CLI or app subprocess on its own data folder: this checkout's
    package, one embedding thread (its threads busy-wait), wide enough not to wrap."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        ASSISTANT_DATA_DIR=str(data_dir),
        OMP_NUM_THREADS="1",
        COLUMNS="200",
        **more,
    )
    return env


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc, timeout: float) -> None:
    """Poll a local server until it answers; fail if it dies or the time runs out."""
    import time
    import urllib.request

    deadline = time.time() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.5)


@pytest.fixture(scope="session")
def llama_server(seeded):
    """A real llama.cpp OpenAI-compatible server on 127.0.0.1 serving the bundled GGUF as
    "qwen-test"; yields its base URL (…/v1). Tests using it are `slow`."""
    import subprocess
    import sys

    from assistant.models import bundled_model_path

    gguf = bundled_model_path(seeded.settings.cache_dir)  # the copy the local-model tests use
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf)]
        + ["--model_alias", "qwen-test", "--host", "127.0.0.1", "--port", str(port)]
        + ["--n_ctx", "4096", "--n_threads", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/v1/models", proc, 120)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class ScriptedLLM:
    """The project's LLM interface with fixed replies, streamed three characters at a time;
    records the prompts it was given. For deterministic prompt and citation plumbing tests
    (the real models have their own tests)."""

    name = "scripted"
    n_ctx = 4096

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.prompts: list[list[dict]] = []

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    def stream(self, messages, max_tokens):
        self.prompts.append(messages)
        reply = self.replies.pop(0)
        yield from (reply[i : i + 3] for i in range(0, len(reply), 3))
