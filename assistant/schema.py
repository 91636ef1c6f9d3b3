"""The records that flow through the pipeline: document -> chunk -> passage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Document:
    """A cleaned document, ready to chunk. `doc_id` is its file name, unique in the store."""

    doc_id: str
    title: str
    text: str
    source: str = ""
    content_hash: str = ""


@dataclass
class Chunk:
    """A span of a document's cleaned text with the headings it sits under."""

    chunk_id: str
    doc_id: str
    title: str
    heading: str
    text: str
    start: int
    end: int
    ordinal: int

    def embed_text(self) -> str:
        """What gets embedded: the heading path keeps pronoun-only passages on topic."""
        prefix = " > ".join(p for p in (self.title, self.heading) if p)
        return f"{prefix}\n{self.text}" if prefix else self.text


@dataclass
class Passage:
    """A retrieved chunk with its fused score and where each retriever ranked it."""

    chunk_id: str
    doc_id: str
    title: str
    heading: str
    text: str
    start: int
    end: int
    score: float
    ranks: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
