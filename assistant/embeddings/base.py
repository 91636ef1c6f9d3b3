"""The interface every embedding provider implements.

Documents and queries are embedded by different calls: e5-style models need "passage: "
and "query: " prefixes, and mixing them quietly ruins retrieval. Nothing here imports a
backend; the backends and the registry import this.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class EmbeddingError(Exception):
    """The configured embedding model cannot be loaded; the message says what to do."""


class Embedder(Protocol):
    name: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...
