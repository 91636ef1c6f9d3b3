"""The embedding cache in the catalog: a text is never embedded twice with the same model
(a re-ingest, a reindex back to a model used before, a repair all read it)."""

from __future__ import annotations

import hashlib
import sqlite3

import numpy as np


class EmbeddingCache:
    """Vectors keyed by model and text (mixed into `Catalog`, whose `db` it uses)."""

    db: sqlite3.Connection

    @staticmethod
    def cache_key(model: str, text: str) -> str:
        return hashlib.sha1(f"{model}\0{text}".encode()).hexdigest()

    def cached_vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            q = f"SELECT key, vector FROM embedding_cache WHERE key IN ({','.join('?' * len(part))})"
            for key, blob in self.db.execute(q, part):
                out[key] = np.frombuffer(blob, dtype=np.float32)
        return out

    def cached_keys(self, keys: list[str]) -> set[str]:
        """Which of these keys are cached, without loading their vectors."""
        out: set[str] = set()
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            q = f"SELECT key FROM embedding_cache WHERE key IN ({','.join('?' * len(part))})"
            out.update(r[0] for r in self.db.execute(q, part))
        return out

    def cache_vectors(self, items: dict[str, np.ndarray]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO embedding_cache(key, vector) VALUES (?, ?)",
            [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
        )
