"""Text helpers shared by the answer modules: sentences, figures, bigrams, prompts."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from assistant.chunking import DATE_LINE
from assistant.config import Settings

MARKER = re.compile(r"[\[【［]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】］]")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*(?:\s*\[\d+\])*")
REFUSAL = re.compile(
    r"未找到|没有找到|未提及|没有提到|没有提及|未提供|没有相关|无法回答|无法确定|未说明|没有说明|"
    r"do(?:es)? not (?:say|mention|contain|provide|specify)|no information|"
    r"not (?:found|mentioned|specified|provided|given|stated)",
    re.I,
)
CJK = re.compile(r"[\u3400-\u9fff]")


def squash(text: str) -> str:
    """White space removed: how answer text is compared with passage text."""
    return re.sub(r"\s+", "", text)


def bigrams(text: str) -> set[str]:
    """Character bigrams without white space: how sentences are matched to passages."""
    t = squash(text)
    return {t[i : i + 2] for i in range(len(t) - 1)}


# A table row as the reader sees it: cells split by pipes ("3 | 专利保险机制 | … | 全国",
# described: "3｜改革举措：…｜指导部门：…").
_ROW_CELLS = re.compile(r"[|｜].*[|｜]")


def sentences(text: str) -> list[str]:
    """Sentences (and table rows: one per line, whole) with any trailing [n] markers kept."""
    out: list[str] = []
    for line in _EN_END.sub(r".\1\n", text).split("\n"):
        # a row ends at its citation (a sentence quoted after it on the line is its own)
        found = _CITED.findall(line) if _ROW_CELLS.search(line) else SENTENCE.findall(line)
        out += [s.strip() for s in found if s.strip()]
    return out


# An English sentence's end: a full stop after a word or a figure, its markers, a space and
# a capital ("…jobs.[2] Its target…"); "5.5" and "U.S. Government" are no ends.
_EN_END = re.compile(r"(?<=[a-z0-9%)\"'])\.((?:\s*\[\d+(?:\s*[,，、]\s*\d+)*\])*)\s+(?=[A-Z])")
_CITED = re.compile(r".+?(?:\s*\[\d+\])+|.+$")


def _pieces(text: str) -> list[str]:
    """Lines, and sentences within them; a table row stays whole: its text cells end in
    "。" too, and a row cut there loses the columns after it (指导部门, 推广范围)."""
    out: list[str] = []
    for line in text.split("\n"):
        out += [line] if _ROW_CELLS.search(line) else re.split(r"(?<=[。！？；!?;])", line)
    return out


def passage_sentences(text: str) -> list[str]:
    """A passage's sentences and lines (a table row is a line), punctuation kept. A label
    alone ("（一）发展目标。", "1.装备制造产业。") heads the sentence after it: read apart, it
    answers nothing, and the sentence loses what it is about."""
    out: list[str] = []
    label = ""
    for s in _pieces(text):
        if not s.strip():
            continue
        if label:
            s, label = f"{label}：{s.strip()}", ""
        elif _LABEL.match(s):
            label = s.strip().rstrip("。.:：")
            continue
        out.append(s)
    if label:
        out.append(label + "。")
    return out


# What a Chinese scale character multiplies a figure by ("1.47亿" is 147,000,000).
SCALES = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}


# A clause that opens with a figure or "其中" goes on about the topic before the "；":
# "6座公厕，4座已完成主体工程；2座为装配式建筑" - the 2座 are 公厕.
CONTINUES = re.compile(
    r"^(?:其中|另有|分别|[\d一二两三四五六七八九十]+[\u4e00-\u9fff]?(?:为|是|已|正|在|于))"
)


def finished(clause: str, text: str, limit: int = 160) -> str:
    """A clause cut at "；" read on through the clauses that continue its topic (`CONTINUES`),
    within `limit`: "6座公厕，4座已完成主体工程，正在进行装修；" goes on "2座为装配式建筑，已完成
    地基开挖。", and a reader quoting the first clause alone says half of what the sentence
    does; "…变电站正在建设；" is not run on into "已争取到天然气用气额度…", another item."""
    at = text.find(clause)
    if at < 0 or not re.search(r"[；;]$", clause):
        return clause
    out, rest = clause, text[at + len(clause) :]
    while re.search(r"[；;]$", out):
        item = re.match(r"[^；;。！？!?\n]*[；;。！？!?]?", rest).group(0)
        if not item.strip() or not CONTINUES.match(item.strip()) or len(out + item) > limit:
            break
        out, rest = out + item, rest[len(item) :]
    return out


# A 公文's 发文字号 on its own line: "汝政办〔2023〕17号", "豫发改工业〔2010〕1234号".
_DOC_NUMBER = re.compile(
    r"^[\u4e00-\u9fff]{1,12}[〔［\[（(]\s*(?:19|20)\d{2}\s*[〕］\]）)]\s*第?\s*\d{1,5}\s*号$"
)


# The body a 落款 names: "…管委会", "…人民政府办公室", "…统计局".
_ISSUER = re.compile(r"(?:委员会|管委会|政府|办公室|办公厅|局|厅|委|办|院|中心|公司|集团|协会)$")


# The labels `official_lines` gives a document's own elements, for reading.
OFFICIAL_LABEL = re.compile(r"^(发文字号（文号）|落款|成文日期|出版日期)：")
# A newspaper page's masthead: "第23版:今日沁阳/新春特刊".
_MASTHEAD = re.compile(r"^第\s*[\d一二三四五六七八九十]+\s*版")


def official_lines(text: str) -> str:
    """A 公文's elements (GB/T 9704) said for what they are, for reading: the 发文字号 line
    is the 文号, a date alone on its line the 成文日期, and the short line right above that
    date the 落款's 发文机关. Bare, they read as captions and answer no "文号/落款是什么".
    A date a few lines under a newspaper page's masthead is the page's 出版日期."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        said = line.strip()
        if _DOC_NUMBER.match(said):
            out.append(f"发文字号（文号）：{said}。")
        elif DATE_LINE.match(said):
            above = next((x.strip() for x in reversed(lines[:i]) if x.strip()), "")
            head = [x.strip() for x in lines[:i] if x.strip()][-3:]
            masthead = next((x for x in head if _MASTHEAD.match(x)), "")
            if masthead:
                out.append(f"出版日期：{said}（{masthead}）。")
            elif len(above) <= 30 and _ISSUER.search(above):
                out.append(f"落款：{above}，成文日期：{said}。")
            elif re.search(r"[。！？!?]$", above):  # the date right under the body's end
                out.append(f"成文日期：{said}。")
            else:
                out.append(line)  # a page's date under its headline is no 成文日期
        else:
            out.append(line)
    return "\n".join(out)


# An enumerated label standing alone as a sentence.
_LABEL = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.．、]|[①-⑳])"
    r"[^。！？；!?;\d]{1,16}[。.:：]?\s*$"
)


def ungrouped(text: str) -> str:
    """1,000s separators removed ("80,000" -> "80000"): how figures are compared."""
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


def numbers(text: str) -> list[str]:
    """Figures of a text, 1,000s separators removed ("80,000" -> "80000")."""
    return [ungrouped(n) for n in NUMBER.findall(MARKER.sub("", text))]


def markers(text: str) -> set[int]:
    return {int(x) for m in MARKER.findall(text) for x in re.split(r"[,，、\s]+", m) if x}


def is_refusal(text: str) -> bool:
    """The model's "not found" with hardly anything else said."""
    body = MARKER.sub("", text).strip(" \n。.,，")
    return bool(REFUSAL.search(text)) and len(squash(body)) < 40


@lru_cache(maxsize=64)
def _read_prompt(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def prompt(settings: Settings, name: str) -> str:
    """A prompt template from prompts/ (cached; edit the files, not the code)."""
    path = settings.prompts_dir / name
    if not path.is_file():
        raise FileNotFoundError(
            f"Prompt file {path} is missing (prompts_dir = {settings.prompts_dir})."
        )
    return _read_prompt(path)


def jieba_ready():  # noqa: ANN201 - jieba has no types
    """jieba, initialised quietly once (the index's tokenizer does the same)."""
    from assistant.index.tokenize import _jieba

    return _jieba()


def drop_title_line(text: str, title: str) -> str:
    """Text without the line that only repeats the document's title: a title states nothing,
    while a sentence that contains the title's words may be the answer."""
    if not title.strip():
        return text
    line = rf"^[#\s]*{re.escape(title.strip())}[ \t]*$\n?"
    return re.sub(line, "", text, count=1, flags=re.M)


def english_value(value: float) -> str:
    """A value as English writes it: "20 billion", "1.5 million", "427,000"."""
    for word, scale in (("trillion", 1e12), ("billion", 1e9), ("million", 1e6)):
        if value >= scale:
            return f"{value / scale:g} {word}"
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"
