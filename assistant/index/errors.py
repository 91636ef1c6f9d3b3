"""The index's errors: raised by the vector store, reported to the user by the CLI."""

from __future__ import annotations


class IndexError_(Exception):
    """The index cannot be used as configured; the message says what to do."""


class EmbeddingMismatchError(IndexError_):
    pass
