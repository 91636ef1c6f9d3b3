"""The catalog's schema, as numbered migrations: a store written by an older release is
brought up to date as it opens, and one written by a newer release is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from assistant.index.errors import IndexError_

# Numbered migrations: MIGRATIONS[n - 1] brings a store from schema n - 1 to n, and the
# version reached is kept in meta('schema_version'). Migration 1 is the schema of the first
# release, which wrote no version: every statement is IF NOT EXISTS, so such a store is
# recognised (its tables are already there) and merely stamped. Append, never edit.
MIGRATIONS: list[str] = [
    """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source TEXT, title TEXT, content_hash TEXT,
    status TEXT NOT NULL, n_chunks INTEGER DEFAULT 0, n_chars INTEGER DEFAULT 0,
    added_at REAL, updated_at REAL);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL,
    ordinal INTEGER, title TEXT, heading TEXT, text TEXT, start INTEGER, "end" INTEGER);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(tokens, tokenize='unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
CREATE TABLE IF NOT EXISTS embedding_cache (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
""",
]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreVersionError(IndexError_):
    """The store was written by a newer release than this code."""


def schema_version(db: sqlite3.Connection) -> int:
    """The store's schema version; 0 for an empty file or a store from before versions."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name='meta'").fetchone():
        return 0
    row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(db: sqlite3.Connection, path: Path, migrations: list[str] = MIGRATIONS) -> int:
    """Apply the migrations this store lacks, each in its own transaction (a crash leaves
    a whole version); refuse a store newer than the code. Returns the version reached."""
    target = len(migrations)
    version = schema_version(db)
    if version > target:
        raise StoreVersionError(
            f"The store {path} was written by a newer version of the assistant "
            f"(schema {version} > {target}): upgrade the assistant, or point data_dir "
            "at another store."
        )
    while version < target:
        db.execute("BEGIN IMMEDIATE")
        try:
            version = schema_version(db)  # another process may have just migrated
            if version < target:
                for statement in migrations[version].split(";"):  # no ';' inside a statement
                    if statement.strip():
                        db.execute(statement)
                version += 1
                db.execute(
                    "INSERT INTO meta(key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                    (str(version),),
                )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite rolls back by itself on a full disk
                db.execute("ROLLBACK")
            raise
    return version
