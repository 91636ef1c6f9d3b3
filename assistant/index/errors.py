"""The index's errors: raised by the vector store, reported to the user by the CLI."""

from __future__ import annotations

from assistant.messages import Fault


class IndexError_(Fault):
    """The index cannot be used as configured; the message says what to do (raised with a
    `messages.py` key, in the page's language too)."""


class EmbeddingMismatchError(IndexError_):
    pass


class CatalogDamagedError(IndexError_):
    """The catalog (SQLite) cannot be read: a truncated or overwritten file."""

    def __init__(self, path: object) -> None:
        super().__init__(key="catalog.damaged", path=path)


class DiskFullError(IndexError_):
    """A write stopped on a full disk; what was stored before it is intact."""

    def __init__(self, where: object) -> None:
        super().__init__(key="store.disk_full", where=where)


class StoreUnreachableError(IndexError_):
    """The Chroma server does not answer."""

    def __init__(self, where: object) -> None:
        super().__init__(key="store.unreachable", where=where)
