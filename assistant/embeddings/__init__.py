"""Embedding providers: the interface in `base`, one module per backend, the factory here.

A new provider is one module with a class taking `EmbeddingSettings` and implementing
`Embedder`; name it in `[embedding] provider` as "package.module:Class", or give it a
short name with `register`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant import registry
from assistant.embeddings.base import Embedder, EmbeddingError

if TYPE_CHECKING:
    from assistant.config import EmbeddingSettings

__all__ = ["PROVIDERS", "Embedder", "EmbeddingError", "make_embedder", "register"]

# name -> "package.module:Class" (`registry.EMBEDDING_PROVIDERS`), imported on first use.
PROVIDERS = registry.EMBEDDING_PROVIDERS


def register(name: str, path: str) -> None:
    """Give an embedder class ("package.module:Class") a short name for `[embedding] provider`."""
    PROVIDERS[name] = path


def make_embedder(cfg: EmbeddingSettings) -> Embedder:
    """The embedder the config names."""
    try:
        cls = registry.load(cfg.provider, PROVIDERS)
    except (ImportError, AttributeError, KeyError) as exc:
        raise EmbeddingError(
            f"Cannot load embedding provider '{cfg.provider}': {exc}. "
            f"Registered: {', '.join(PROVIDERS)}."
        ) from exc
    return cls(cfg)
