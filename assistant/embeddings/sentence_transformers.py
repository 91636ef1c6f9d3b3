"""`sentence-transformers`: any sentence-transformers model by name or local folder."""

from __future__ import annotations

import numpy as np

from assistant.config import EmbeddingSettings
from assistant.embeddings.base import EmbeddingError


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
