"""`sentence-transformers`: any sentence-transformers model by name or local folder.

Queries go through `encode_query` and passages through `encode_document`, as the library's
docs show, so a model that ships its own prompts (in config_sentence_transformers.json:
"query", "document"/"passage"/"corpus") gets them. `[embedding] query_prefix` /
`passage_prefix` apply to models without prompts, or override them when set explicitly.
"""

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
        # sentence-transformers 6 fills in empty "query"/"document" prompts for models without
        # any; a model with a non-empty one ships its prompts (maybe "" for one side, as bge
        # does for documents), and then they decide both sides unless the config sets them.
        own = any(v for v in (getattr(self._model, "prompts", None) or {}).values())
        explicit = cfg.model_fields_set
        # None: encode_query / encode_document pick the model's own prompt.
        self.query_prompt: str | None = (
            cfg.query_prefix if "query_prefix" in explicit or not own else None
        )
        self.passage_prompt: str | None = (
            cfg.passage_prefix if "passage_prefix" in explicit or not own else None
        )

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode_document(
            list(texts),
            prompt=self.passage_prompt,
            batch_size=self._cfg.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        vector = self._model.encode_query(
            text, prompt=self.query_prompt, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vector, dtype=np.float32)
