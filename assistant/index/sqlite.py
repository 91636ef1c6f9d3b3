"""SQLite connections whose failures say what happened to the catalog, not SQLite's words.

A damaged file ("database disk image is malformed", "file is not a database") may only be
noticed at the first page a query touches, deep inside any read; a full disk at any
write. The catalog's connections translate both where they surface - every execute and
every fetch - into `CatalogDamagedError` (names the file and the repair) and
`DiskFullError`, which the CLI and the page turn into a sentence.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from assistant.index.errors import CatalogDamagedError, DiskFullError


def translated(exc: sqlite3.Error, path: Path, frozen: bool = False) -> Exception:
    """The catalog's own error for a damaged file or a full disk (a write through a
    connection opened frozen because the disk is full, too); else exc itself."""
    name = getattr(exc, "sqlite_errorname", "")  # Python 3.11+; the text says it too
    text = str(exc)
    if frozen and (name.startswith("SQLITE_READONLY") or "readonly" in text):
        return DiskFullError(path.parent)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or (
        "malformed" in text or "not a database" in text
    ):
        return CatalogDamagedError(path)
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return DiskFullError(path.parent)
    return exc


class _Cursor(sqlite3.Cursor):
    def _fault(self, exc: sqlite3.Error) -> Exception:
        conn = self.connection
        return translated(
            exc, getattr(conn, "path", Path("catalog")), getattr(conn, "frozen", False)
        )

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.DatabaseError as exc:
            raise self._fault(exc) from exc

    def executemany(self, sql: str, seq: Any, /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, seq)
        except sqlite3.DatabaseError as exc:
            raise self._fault(exc) from exc

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._fault(exc) from exc

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._fault(exc) from exc

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.DatabaseError as exc:
            raise self._fault(exc) from exc


class _Connection(sqlite3.Connection):
    path: Path
    frozen: bool = False

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory or _Cursor)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, seq: Any, /) -> sqlite3.Cursor:
        return self.cursor().executemany(sql, seq)


def connect(
    path: Path, read_only: bool = False, frozen: bool = False, **kwargs: Any
) -> sqlite3.Connection:
    """A connection to the catalog at path whose errors name it (see the module doc).

    frozen: read-only and `immutable`, for a full disk - SQLite then needs no -shm file
    (creating one fails when no block is left), and sees the file as it is: when the disk
    is full no one can be writing to it."""
    try:
        if read_only or frozen:
            query = "mode=ro&immutable=1" if frozen else "mode=ro"
            uri = f"{path.resolve().as_uri()}?{query}"
            db = sqlite3.connect(uri, uri=True, factory=_Connection, **kwargs)
        else:
            db = sqlite3.connect(path, factory=_Connection, **kwargs)
    except sqlite3.DatabaseError as exc:
        raise translated(exc, path) from exc
    db.path = path  # type: ignore[attr-defined]
    db.frozen = frozen  # type: ignore[attr-defined]
    return db


def integrity_problems(path: Path, limit: int = 20) -> list[str]:
    """SQLite's own integrity check of the file: [] when whole, else what it found
    (a file that cannot be opened at all says so)."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = db.execute(f"PRAGMA integrity_check({int(limit)})").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    found = [str(r[0]) for r in rows]
    return [] if found == ["ok"] else found
