"""Reading stored chunks back from the catalog: by id, in document order, a chunk's
neighbour (a quote read on across a chunk's edge) and a section's run-together text."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from assistant.schema import Chunk


class ChunkReading:
    """Chunk reads (mixed into `Catalog`, whose `db` it uses)."""

    db: sqlite3.Connection

    def chunks(self, ids: Iterable[str]) -> dict[str, Chunk]:
        ids = list(ids)
        out: dict[str, Chunk] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = f'SELECT chunk_id, doc_id, title, heading, text, start, "end", ordinal FROM chunks WHERE chunk_id IN ({",".join("?" * len(part))})'
            for row in self.db.execute(q, part):
                out[row[0]] = Chunk(*row)
        return out

    def neighbour(self, chunk_id: str, step: int = 1) -> Chunk | None:
        """The chunk `step` places after this one in its document (before it, when
        negative), by ordinal; None at the document's end or for an unknown chunk."""
        row = self.db.execute(
            'SELECT c.chunk_id, c.doc_id, c.title, c.heading, c.text, c.start, c."end", '
            "c.ordinal FROM chunks AS me JOIN chunks AS c "
            "ON c.doc_id = me.doc_id AND c.ordinal = me.ordinal + ? WHERE me.chunk_id = ?",
            (step, chunk_id),
        ).fetchone()
        return Chunk(*row) if row else None

    def sections(self) -> list[tuple[str, str, str]]:
        """Distinct (doc_id, title, heading path) of the stored chunks: what names a section."""
        return list(self.db.execute("SELECT DISTINCT doc_id, title, heading FROM chunks"))

    def all_chunks(self) -> list[Chunk]:
        q = 'SELECT chunk_id, doc_id, title, heading, text, start, "end", ordinal FROM chunks ORDER BY doc_id, ordinal'
        return [Chunk(*row) for row in self.db.execute(q)]

    def section_text(self, doc_id: str, heading_prefix: str = "") -> str:
        """Headings and texts of a document's chunks under a heading prefix, run together:
        what a passage's surrounding section mentions."""
        rows = self.db.execute("SELECT heading, text FROM chunks WHERE doc_id=?", (doc_id,))
        return "".join(h + t for h, t in rows if h.startswith(heading_prefix))
