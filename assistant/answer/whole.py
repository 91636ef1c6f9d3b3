"""Whole sentences: what a passage is read as, when a line or a chunk cuts a sentence.

A PDF's lines break inside sentences ("…引回产业工人3000余名，以汝绣特色吸\\n\\n引八方来客。"),
and a chunk may end (or begin) inside one: a long sentence is cut at a clause, a broken
line at the chunk's edge. Quoted as read, the answer stops at "以汝绣特色吸". So a passage is
read with its broken lines joined (`joined`) and with the document's text, from the chunks
beside it in the store, that ends its last sentence and begins its first (`around`), at
most `BOUND` characters each way: the checker and a model read whole sentences. The
extractive reader still chooses among the passage's lines as they stand (only the
sentences cut at its edges made whole, `edged`), so the sentence it picks is the one it
always picked, and quotes it whole (`Evidence.whole`). The citation still shows (and
opens) the passage itself.

A line break is inside a sentence (`continues`) when the line is prose (a clause mark, or
longer than any heading) that stops without a sentence or clause end, and the next line
is no heading, table row or list item and ends a sentence of its own: a photo caption
under a cut line ("…银丰伟业建" / "…四期效果图") ends none, and is not run in.
"""

from __future__ import annotations

import re
from typing import Protocol

from assistant.answer.tables import last_header, needs_header
from assistant.chunking import heading_level
from assistant.cleaning import is_table_row
from assistant.schema import Chunk, Passage

BOUND = 200  # characters read on (or back) at most, each way
# A sentence's end, with the closing quotes or brackets after it.
_END = re.compile(r"(?:[。！？!?；;]|\.(?=\s|$))[”’」』）)】\"']*")
# A line that stops at a sentence or clause end, an ellipsis or a closing mark.
_ENDED = re.compile(r"[。！？；：.!?;:…”’」』）)】\]\"']\s*$")
_CLAUSE = re.compile(r"[，、；。：,;]")
# A list item or a section of its own: "（一）", "一、", "1.", "①", "——", "- ".
_ITEM = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.．、]"
    r"|[①-⑳]|第[一二三四五六七八九十百\d]+[篇章节条]|——|[-*•·]\s)"
)
# A line break and the white space around it.
_BREAK = re.compile(r"[ \t\u3000]*\n\s*")


def _prose(line: str) -> bool:
    line = line.strip()
    return (
        bool(line)
        and not is_table_row(line)
        and not heading_level(line)
        and (len(line) > 40 or (len(line) >= 10 and bool(_CLAUSE.search(line))))
    )


def continues(line: str, following: str) -> bool:
    """The sentence `line` stops in runs on at the start of `following`, the next line."""
    following = following.strip()
    if not _prose(line) or _ENDED.search(line) or not following:
        return False
    if heading_level(following) or is_table_row(following) or _ITEM.match(following):
        return False
    return bool(_END.search(following[:BOUND]))


def joined(text: str) -> str:
    """Lines broken inside a sentence joined (a space between two Latin words)."""
    if "\n" not in text:
        return text
    out, pos = [], 0
    for m in _BREAK.finditer(text):
        line = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
        end = text.find("\n", m.end())
        following = text[m.end() : end if end >= 0 else len(text)]
        if continues(line, following):
            words = re.match(r"[A-Za-z]", line[-1:]) and re.match(r"[A-Za-z]", following)
            out += [text[pos : m.start()], " " if words else ""]
            pos = m.end()
    return "".join(out) + text[pos:]


def read_on(text: str, after: str, bound: int = BOUND) -> str:
    """What of `after` (the document's text after the passage `text`) ends the passage's
    last sentence: up to the sentence end, or on the same line up to the line end; across
    a line break only where the sentence runs on (`continues`). "" when the passage ends
    its sentence, or nothing ends it within `bound` characters."""
    last = text.rsplit("\n", 1)[-1]
    if not after or not last.strip() or _ENDED.search(last):
        return ""
    start = 0
    if m := _BREAK.match(after):  # the passage ends its line
        if not continues(last, after[m.end() :].split("\n", 1)[0]):
            return ""
        start = m.end()
    line = after[start:].split("\n", 1)[0]
    if end := _END.search(line[:bound]):
        return after[: start + end.end()]
    same_line = start == 0 and "\n" in after[: bound + 1]
    return after[: len(line)] if same_line and len(line) <= bound else ""


def read_back(text: str, before: str, bound: int = BOUND) -> str:
    """What of `before` (the document's text before the passage `text`) begins the
    passage's first sentence: back to the last sentence end, or on the same line to the
    line start; across a line break only where the sentence runs on. "" when the
    passage begins a sentence, or it begins more than `bound` characters back."""
    if not before:
        return ""
    head, gap = before, ""
    if m := re.search(r"[ \t\u3000]*\n\s*$", before):  # the passage begins its line
        head, gap = before[: m.start()], before[m.start() :]
        if not continues(head.rsplit("\n", 1)[-1], text.split("\n", 1)[0]):
            return ""
    line = head.rsplit("\n", 1)[-1]
    ends = list(_END.finditer(line))
    start = ends[-1].end() if ends else len(line) - len(line.lstrip())
    part = line[start:]
    if not part.strip() or len(part) > bound:
        return ""
    return part + gap


def edged(p: Passage) -> str:
    """The passage's own lines as they stand, with only the sentences cut at its edges made
    whole from the text beside it (`Passage.before`/`after`)."""
    before = re.sub(r"[ \t\u3000]*\n\s*$", "", p.before)
    after = _BREAK.sub("", p.after, count=1) if _BREAK.match(p.after) else p.after
    return before + p.text + after


class Neighbours(Protocol):
    def neighbour(self, chunk_id: str, step: int = 1) -> Chunk | None: ...


def around(catalog: Neighbours, p: Passage, bound: int = BOUND) -> tuple[str, str]:
    """(read back, read on): the document's text just before and after the passage that
    completes the sentences it cuts, from the chunks beside it (`Catalog.neighbour`).
    Chunks are exact spans of the cleaned text: an overlap or a touching edge gives the
    text itself; between two chunks under the same heading lies only white space (a
    heading between them would have changed it), read as a line break; anything else
    is unknown, and not read."""
    before = after = ""
    if not _ENDED.search(p.text.rsplit("\n", 1)[-1]):
        after = _after(p, catalog.neighbour(p.chunk_id, 1))
    before = _before(p, catalog.neighbour(p.chunk_id, -1))
    return read_back(p.text, before, bound), read_on(p.text, after, bound)


def _after(p: Passage, c: Chunk | None) -> str:
    if c is None or c.end <= p.end:
        return ""
    if c.start <= p.end:
        return c.text[max(0, p.end - c.start) :]
    return "\n" + c.text if c.heading == p.heading else ""


def _before(p: Passage, c: Chunk | None) -> str:
    if c is None or c.start >= p.start:
        return ""
    if c.end >= p.start:
        return c.text[: p.start - c.start]
    return c.text + "\n" if c.heading == p.heading else ""


# How many chunks back a continued table's header is looked for (a long table of short rows
# spans a few chunks; a table's group lines become headings, so the heading path changes).
HEADER_REACH = 8


def carried_header(catalog: Neighbours, p: Passage, reach: int = HEADER_REACH) -> str:
    """The header line of the table a passage continues (its text begins with a row): the
    last piped header line in the chunks before it, so "11 | 基于…服务 | … | 中国银保监会、
    科技部 | 全国" reads its 指导部门 and 推广范围. "" when the passage begins outside a table,
    when prose comes first (another table's rows, or none) or nothing is found within
    `reach` chunks."""
    if not needs_header(p.text):
        return ""
    chunk_id = p.chunk_id
    for _ in range(reach):
        c = catalog.neighbour(chunk_id, -1)
        if c is None:
            return ""
        found = last_header(c.text)
        if found is not None:
            return found
        chunk_id = c.chunk_id
    return ""
