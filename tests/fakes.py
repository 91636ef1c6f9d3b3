"""A retriever and an index over hand-made passages, beside `conftest.ScriptedLLM`: a stage of
the answer pipeline is tested on records it is handed, without a seeded store.

The retriever is a plain keyword ranker (the index's own jieba query terms, counted in the
passage's title, heading and text); the catalog answers what the stages ask of the store
(document frequencies, sections, the places and words of its documents) from the passages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.index.tokenize import query_terms
from assistant.schema import Chunk, Passage


def passage(cid: str, doc: str, text: str, heading: str = "", title: str = "") -> Passage:
    return Passage(cid, doc, title, heading, text, 0, len(text), 1.0)


class FakeCatalog:
    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages

    def chunk_count(self) -> int:
        return len(self.passages)

    def document_frequency(self, term: str) -> int:
        return sum(1 for p in self.passages if term in f"{p.title}{p.heading}{p.text}".lower())

    def sections(self) -> list[tuple[str, str, str]]:
        return list(dict.fromkeys((p.doc_id, p.title, p.heading) for p in self.passages))

    def section_text(self, doc_id: str, heading_prefix: str = "") -> str:
        return "".join(
            p.heading + p.text
            for p in self.passages
            if p.doc_id == doc_id and p.heading.startswith(heading_prefix)
        )

    def all_chunks(self) -> list[Chunk]:
        return [
            Chunk(p.chunk_id, p.doc_id, p.title, p.heading, p.text, 0, 0, i)
            for i, p in enumerate(self.passages)
        ]

    def neighbour(self, chunk_id: str, step: int = 1) -> Chunk | None:
        """By the document's passages in order of their offsets; none when the passages
        were made without places in a document (all at 0, `passage`)."""
        me = next((p for p in self.passages if p.chunk_id == chunk_id), None)
        if me is None:
            return None
        own = sorted((p for p in self.passages if p.doc_id == me.doc_id), key=lambda p: p.start)
        if len({p.start for p in own}) < len(own):
            return None
        i = own.index(me) + step
        if not 0 <= i < len(own):
            return None
        p = own[i]
        return Chunk(p.chunk_id, p.doc_id, p.title, p.heading, p.text, p.start, p.end, i)

    def vocabulary(self) -> list[tuple[str, int]]:
        return []


@dataclass
class FakeIndex:
    passages: list[Passage]

    @property
    def catalog(self) -> FakeCatalog:
        return FakeCatalog(self.passages)


class FakeRetriever:
    """`retrieval.search` over the index's passages by keyword counts; records the queries."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def __call__(
        self,
        index: FakeIndex,
        query: str,
        k: int | None = None,
        keyword_query: str | None = None,
        literals: Sequence[str] = (),
        doc_ids: Sequence[str] | None = None,
        **_: object,
    ) -> list[Passage]:
        self.queries.append(query)
        terms = query_terms(f"{query} {keyword_query or ''}")
        scored = []
        for p in index.passages:
            if doc_ids is not None and p.doc_id not in doc_ids:
                continue
            text = f"{p.title}{p.heading}{p.text}".lower()
            hits = sum(1 for t in terms if t in text)
            if hits:
                scored.append((hits, p))
        scored.sort(key=lambda s: -s[0])  # stable: ties keep the index's order
        return [
            replace(p, score=float(hits), ranks={"keyword": n + 1})
            for n, (hits, p) in enumerate(scored[: k or 5])
        ]
