"""Structure-aware chunking for Chinese official documents.

The document's own structure decides first (第X篇/章, 一、, （一）, 1., （1）, short
caption lines), sentence ends second (。！？；), and a chunk never cuts a sentence's
number or a table row. Every chunk's text is exactly `cleaned[start:end]`, so a citation
can point at the passage in the document; the heading path (and a table's header) rides
along in `heading` and is prefixed to the embedded text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.cleaning import is_table_row, numeric_cell
from assistant.config import ChunkingSettings
from assistant.schema import Chunk, Document

_NUM = "一二三四五六七八九十百零〇"
# (level, pattern) - the first that matches a short line makes it a heading.
_HEADINGS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^第[{_NUM}\d]+篇")),
    (1, re.compile(r"^#\s")),
    (2, re.compile(rf"^第[{_NUM}\d]+[章部]")),
    (2, re.compile(r"^附件\s*\d*$")),
    (2, re.compile(r"^##\s")),
    (3, re.compile(rf"^第[{_NUM}\d]+节")),
    (3, re.compile(rf"^[{_NUM}]+、")),
    (3, re.compile(r"^###\s")),
    (4, re.compile(rf"^[（(][{_NUM}]+[）)]")),
    (4, re.compile(r"^####+\s")),
    (5, re.compile(r"^\d+(?:\.\d+)+\s*\S")),
    (5, re.compile(rf"^第[{_NUM}\d]+条")),
    (6, re.compile(r"^\d+[.、．]\s*\S")),
    (7, re.compile(r"^[（(]\d+[）)]")),
]
_CAPTION_LEVEL = 9
# A date alone on its line is the 成文日期 closing what is above it (the 落款), never a
# caption of what follows: "2023年 3月 15日" above the attached plan's title.
DATE_LINE = re.compile(
    r"^(?:(?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
    r"\s*月\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*日$"
)
_MAX_HEADING_CHARS = 40
# A figure's title or a photo's credit ("图1 …", "图为…", "（记者 王伟 摄）") labels a
# picture, never the text under it.
_FIGURE = re.compile(
    rf"^(?:图|图片|照片|附图)\s*[\d{_NUM}]+(?:[-.．]\d+)?(?:\s|[:：、.．]|$)|^图[为：:]"
    r"|^[（(].{0,16}摄[）)]$|\s摄$|(?:效果|示意|规划|鸟瞰|平面|位置)图$"
)
# A newspaper's subhead: two short phrases side by side ("民生优先 基础设施先行").
_SUBHEAD = re.compile(r"^(?:\d{1,2}\s*)?[\u4e00-\u9fff]{2,10}(?:\s+[\u4e00-\u9fff]{2,10})+$")
# The byline of a page whose pictures have captions: "文/图 …", "图/…", "…摄影".
_PHOTO_CREDIT = re.compile(r"文\s*/\s*图|图\s*/\s*文|(?:^|\s)图\s*/|摄影|摄像")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
_CLAUSE_END = re.compile(r"(?<=[，、,])(?![\d])")


@dataclass
class _Block:
    kind: str  # "heading" | "short" | "row" | "header" (a table's) | "para" | "close" (a date)
    text: str
    start: int
    level: int = 0


def heading_level(line: str) -> int:
    if len(line) > _MAX_HEADING_CHARS or line.endswith(("；", ";", "，", ",")):
        return 0  # list items ("（4）《…法》，1997年3月1日；") are content
    for level, pattern in _HEADINGS:
        if pattern.match(line):
            return level
    return 0


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    pos = 0
    for raw in text.split("\n"):
        line, start = raw.strip(), pos + (len(raw) - len(raw.lstrip()))
        pos += len(raw) + 1
        if not line:
            continue
        level = heading_level(line)
        if is_table_row(line):
            blocks.append(_Block("row", line, start))
        elif level:
            blocks.append(_Block("heading", line, start, level))
        elif DATE_LINE.match(line):
            blocks.append(_Block("close", line, start))
        elif len(line) <= 30 and not line.endswith(("。", "！", "？", "；", "”")):
            blocks.append(_Block("short", line, start))
        else:
            blocks.append(_Block("para", line, start))
    return _headers(blocks)


def _headers(blocks: list[_Block]) -> list[_Block]:
    """A table line without figures is the header of the rows right below it (a pipe
    table's "| 指标 | 单位 | 2023年 |", an aligned "民生实事  主要内容  计划投资"); one
    with no rows below is plain text."""
    for i, b in enumerate(blocks):
        if b.kind != "row" or numeric_cell(b.text) or re.fullmatch(r"[|:\-\s]+", b.text):
            continue
        below = blocks[i + 1] if i + 1 < len(blocks) else None
        if below is not None and below.kind == "row":
            b.kind = "header"
        else:
            b.kind = "short" if len(b.text) <= 30 else "para"
    return blocks


def _pieces(block: _Block, max_chars: int) -> list[tuple[int, int]]:
    """Split a paragraph into (start, end) sentence spans no longer than max_chars."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for sentence in filter(None, _SENTENCE_END.split(block.text)):
        parts = [sentence]
        if len(sentence) > max_chars:
            parts = [p for p in _CLAUSE_END.split(sentence) if p]
        for part in parts:
            spans.append((block.start + offset, block.start + offset + len(part)))
            offset += len(part)
    return spans


def _title(doc: Document) -> str:
    """The document's title line: a short line near the top that is not a sentence
    ("园区规划面积为600亩。" names 规划 but states a fact), without Markdown's "#", and
    the subtitle right under it (`_subtitled`)."""
    lines = [ln.strip().lstrip("#").strip() for ln in doc.text.split("\n") if ln.strip()][:6]
    # a line ending in a colon is a salutation or a label ("各位代表：" opens a speech)
    # nor is a section heading ("一、2024年工作回顾") the document's title
    lines = [
        ln
        for ln in lines
        if ln
        and not re.search(r"[。！？；!?;：:]$", ln)
        and not re.match("[一二三四五六七八九十]+、", ln)
    ]
    for line in lines:
        if len(line) <= 40 and re.search(r"通知|方案|报告|意见|办法|规划|决定|汇报", line):
            return _subtitled(line, lines)
    for line in lines:
        if len(line) <= 40 and ":" not in line and "：" not in line[:4]:
            return _subtitled(line, lines)
    # no title line: the file's name says what it is ("2013年国务院政府工作报告.txt")
    return doc.title or Path(doc.doc_id).stem


# A line under a title that is a byline, masthead, date, document number or salutation.
_NOT_SUBTITLE = re.compile(r"[:：|｜/·—]|^[\d（(]|号$|[，,、]")
_PART = re.compile(r"^第[一二三四五六七八九十\d]+[篇章部]|^[一二三四五六七八九十]+、")


def _subtitled(title: str, lines: list[str]) -> str:
    """A newspaper page's headline with its subtitle: "擦亮星级名片 创梦产业新城" is
    about 汝州 only by its second line "汝州市产业集聚区晋升省二星级产业集聚区" (which
    no chunk keeps: the two lines head the page). A part marker ("第一篇：…") has none:
    the line under it heads that part, not the document."""
    i = lines.index(title)
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    bare = re.sub(r"[（(][^）)]*[）)]", "", nxt)  # "县统计局（2024年4月）" is a byline
    if _PART.match(title) or _PART.match(nxt) or _NOT_SUBTITLE.search(nxt):
        return title
    return f"{title} {nxt}" if 8 <= len(bare) <= 40 else title


def _caption_heads(shorts: list[_Block], below: str, photos: bool) -> list[_Block]:
    """Which of the short lines right above a paragraph head it: the last two, but never
    a figure's title or a photo's credit. On a page with photos (its byline credits them)
    a short line is a picture's caption, printed wherever the picture sits, even inside a
    sentence ("…项目标准化管 / 汝州市扶贫开发移民搬迁安置小区 / 理体系和办事流程…"),
    unless it is a subhead of side-by-side phrases ("机制完善 机关管理规范") or the
    paragraph below names what it names (a park's name over the park's description)."""
    kept = [s for s in shorts if not _FIGURE.search(s.text)]
    if len(kept) < len(shorts):  # a figure's title: only the lines under it may head
        last = max(s.start for s in shorts if s not in kept)
        kept = [s for s in kept if s.start > last]
    if photos:
        subheads = [s for s in kept if _SUBHEAD.match(s.text)]
        if subheads:
            return subheads[-1:]
        if not kept or re.sub(r"\s", "", kept[-1].text)[:4] not in below[:80]:
            return []
    return kept[-2:]


def chunk_document(doc: Document, cfg: ChunkingSettings) -> list[Chunk]:
    """Cut one cleaned document into chunks with headings, offsets and stable ids."""
    text = doc.text
    title = doc.title or _title(doc)
    chunks: list[Chunk] = []
    path: dict[int, str] = {}
    shorts: list[_Block] = []
    table_header = ""
    units: list[tuple[int, int]] = []  # (start, end) of sentences/rows in the open chunk
    seen: dict[str, int] = {}

    def heading_path() -> str:
        parts = [path[level] for level in sorted(path)]
        if table_header:
            parts.append(table_header)
        return " > ".join(parts)

    def flush(keep_overlap: bool = False) -> None:
        nonlocal units
        if not units:
            return
        start, end = units[0][0], units[-1][1]
        body = text[start:end]
        heading = heading_path()
        digest = hashlib.sha1(f"{doc.doc_id}\0{heading}\0{body}".encode()).hexdigest()[:16]
        n = seen.get(digest, 0)
        seen[digest] = n + 1
        chunk_id = f"{digest}-{n}" if n else digest
        chunks.append(Chunk(chunk_id, doc.doc_id, title, heading, body, start, end, len(chunks)))
        last = units[-1]
        units = [last] if keep_overlap and last[1] - last[0] <= cfg.overlap_chars * 2 else []

    def add(span: tuple[int, int]) -> None:
        size = span[1] - units[0][0] if units else 0
        if (
            units
            and size > cfg.max_chars
            or (units and units[-1][1] - units[0][0] >= cfg.target_chars)
        ):
            flush(keep_overlap=True)
        units.append(span)

    def set_heading(level: int, line: str) -> None:
        for deeper in [lv for lv in path if lv >= level]:
            del path[deeper]
        path[level] = line

    photos = bool(_PHOTO_CREDIT.search(text[:300]))
    started = False  # lines above the first paragraph are the title's, never captions
    for block in _blocks(text):
        if block.kind == "short":
            shorts.append(block)
            continue
        if block.kind == "header":  # rides along with every chunk of its table
            flush()
            table_header = " ".join([s.text for s in shorts] + [block.text])
            shorts = []
            add((block.start, block.start + len(block.text)))
            continue
        if block.kind == "row":
            if shorts:  # the short lines just above a table are its caption and header
                flush()
                table_header = " ".join(s.text for s in shorts)
                shorts = []
            add((block.start, block.start + len(block.text)))
            continue
        if table_header:
            flush()
            table_header = ""
        if block.kind == "close":  # the 落款 (signature lines and date) ends the text above
            for short in [*shorts, block]:
                add((short.start, short.start + len(short.text)))
            shorts = []
            continue
        if block.kind == "heading":
            for short in shorts:  # short lines that head nothing are content
                add((short.start, short.start + len(short.text)))
            shorts = []
            flush()
            set_heading(block.level, block.text)
            continue
        if shorts:  # short lines right above a paragraph caption it
            heads = _caption_heads(shorts, block.text, photos and started)
            first = shorts.index(heads[0]) if heads else len(shorts)
            for short in shorts[:first]:  # lines above the heading end the text before it
                add((short.start, short.start + len(short.text)))
            if heads:
                flush()
                set_heading(_CAPTION_LEVEL, " ".join(s.text for s in heads))
            for short in shorts[first:]:  # captions under it are content
                if short not in heads:
                    add((short.start, short.start + len(short.text)))
            shorts = []
        started = True
        for span in _pieces(block, cfg.max_chars):
            add(span)
    for short in shorts:
        add((short.start, short.start + len(short.text)))
    flush()
    return _merge_scraps(text, chunks, cfg)


def _merge_scraps(text: str, chunks: list[Chunk], cfg: ChunkingSettings) -> list[Chunk]:
    """Fold a scrap ("总则", "分解表") into the chunk after it; alone it retrieves nothing."""
    out: list[Chunk] = []
    carry: Chunk | None = None
    for chunk in chunks:
        if carry and chunk.end - carry.start <= cfg.max_chars:
            chunk.start = carry.start
            chunk.text = text[chunk.start : chunk.end]
        elif carry:
            out.append(carry)
        carry = None
        if len(chunk.text) < cfg.min_chars:
            carry = chunk
            continue
        out.append(chunk)
    if carry:
        out.append(carry)
    for i, chunk in enumerate(out):
        chunk.ordinal = i
    return out
