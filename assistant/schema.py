"""The records that flow through the pipeline: document -> chunk -> passage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.identity import doc_identity


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

    def identity(self) -> str:
        """The document's identity: title, file name and the places they name.

        A county bulletin says "全县"; its county is only in its title or file name, so
        both retrievers must see them to find 渑池's figures for a question about 渑池.
        """
        return doc_identity(self.doc_id, self.title, self.heading).text()

    def embed_text(self) -> str:
        """What gets embedded: identity and heading path keep "全县" passages on their county."""
        prefix = " > ".join(p for p in (self.identity(), self.heading) if p)
        return f"{prefix}\n{self.text}" if prefix else self.text

    def keyword_text(self) -> str:
        """What the keyword index sees: identity, heading path and text."""
        return f"{self.identity()}\n{self.heading}\n{self.text}"


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
    # the document's text just before and after that completes a sentence the passage
    # cuts (`answer.whole.around`): read with it, never shown as it
    before: str = ""
    after: str = ""
    # the header line of a table the passage continues from an earlier chunk (`bind`):
    # its rows name their columns by it
    header: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
