"""Binding: which retrieved passages speak for the asked places, as numbered `Evidence`.

A county bulletin says "全县"; its county is in its title. A passage is bound to an asked
place by its document's identity, its heading, its text, and - when none of these names
it - by the place its document (or its 第X篇 section, or its own part) keeps naming
(`identity.home_place`). Unbound passages are dropped, near-copies too; a kept passage is read with
its sentences whole (`whole`: the text beside it that ends a sentence it cuts) and tables
made readable (`tables.readable`) for the reader and the checker.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answer.evidence import Evidence
from assistant.answer.tables import readable
from assistant.answer.text import bigrams, drop_title_line, official_lines
from assistant.answer.whole import around, carried_header, edged, joined
from assistant.identity import Identity, bound, doc_identity, home_place
from assistant.index import Index
from assistant.schema import Passage


def reading_text(p: Passage) -> str:
    """What a reader reads of a passage: its sentences whole (`whole`), table rows that
    name their columns, 公文 elements (文号, 落款, 成文日期) named; citations still show
    `p.text`."""
    return official_lines(readable(joined(p.before + p.text + p.after), p.heading, p.header))


def line_text(p: Passage) -> str:
    """The passage's lines read as `reading_text` reads them, a line broken inside the
    passage left apart, a sentence cut at its edges whole (`Evidence.lines`)."""
    return official_lines(readable(edged(p), p.heading, p.header))


def identity(p: Passage) -> Identity:
    return doc_identity(p.doc_id, p.title, p.heading)


class Binder:
    """Passages -> the evidence bound to the asked places (document scopes cached per store)."""

    def __init__(self, index: Index, max_passages: int) -> None:
        self.index = index
        self.max_passages = max_passages
        self._scopes: dict[tuple[str, str], str] = {}
        self._homes: dict[tuple[str, str], str] = {}

    def _scope(self, p: Passage) -> str:
        """What the passage's document (or its 第X篇 section) mentions anywhere."""
        key = self._scope_key(p)
        if key not in self._scopes:
            self._scopes[key] = p.title + self.index.catalog.section_text(p.doc_id, key[1])
        return self._scopes[key]

    @staticmethod
    def _scope_key(p: Passage) -> tuple[str, str]:
        top = p.heading.split(" > ")[0]
        return (p.doc_id, top if re.match(r"^第\S+篇", top) else "")

    def _home(self, p: Passage) -> str:
        """The place the passage's document or section keeps naming (`home_place`), else
        the place its own part keeps naming: a report that first studies 温岭 and then
        describes 安阳 is about neither as a whole, but its part "二、…现状" is 安阳's.
        A jieba pass over the text, so only asked for when nothing else decides."""
        key = self._scope_key(p)
        if key not in self._homes:
            self._homes[key] = home_place(self._scope(p))
        if self._homes[key]:
            return self._homes[key]
        levels = p.heading.split(" > ")
        part = " > ".join(levels[: 2 if key[1] else 1])
        if not part or part == key[1]:
            return ""
        sub = (p.doc_id, part)
        if sub not in self._homes:
            self._homes[sub] = home_place(self.index.catalog.section_text(p.doc_id, part))
        return self._homes[sub]

    def bound(self, asked: list[str] | tuple[str, ...], p: Passage) -> float:
        """How firmly the passage speaks for the asked places (`identity.bound`)."""
        if not asked:
            return 1.0
        asked = list(asked)
        who, scope = identity(p), self._scope(p)
        b = bound(asked, who, p.heading, p.text, scope)
        if b == 1.0 or not any(place[:2] in scope for place in asked):
            return b  # named in the passage or its identity, or nowhere in its document
        return bound(asked, who, p.heading, p.text, scope, self._home(p))

    def evidence(
        self, asked: list[str] | tuple[str, ...], passages: list[Passage], limit: int | None = None
    ) -> tuple[list[Passage], list[Evidence]]:
        """The top passages bound to the asked places, near-duplicates dropped, numbered."""
        limit = limit or self.max_passages
        kept: list[Passage] = []
        evidence: list[Evidence] = []
        for p in passages:
            b = self.bound(asked, p)
            if asked and b == 0.0:
                continue
            grams = bigrams(p.text)
            # a copy adds nothing; a longer report that repeats a shorter one's lines and
            # goes on ("…12亿公司债获上交所批准") is no copy
            if any(len(grams & bigrams(k.text)) > 0.7 * max(1, len(grams)) for k in kept):
                continue
            before, after = around(self.index.catalog, p)
            p = replace(p, before=before, after=after) if before or after else p
            if header := carried_header(self.index.catalog, p):
                p = replace(p, header=header)
            kept.append(p)
            reading = drop_title_line(reading_text(p), p.title)
            lines = drop_title_line(line_text(p), p.title)
            places = tuple(asked) if b == 1.0 else ()
            evidence.append(
                Evidence(
                    len(kept),
                    p.text,
                    reading,
                    p.heading,
                    b,
                    p.title,
                    places,
                    lines if lines != reading else "",
                )
            )
            if len(kept) == limit:
                break
        return kept, evidence
