"""Table rows made self-describing for reading. Pure functions.

A flattened row "汝南街道 176000 7 6" means nothing to a small model; with its header it
reads "汝南街道｜省外资金：176000万元｜引进项目：7个｜其中亿元以上项目：6". The
header comes from the chunk's heading path (the chunker keeps a table's caption and header
lines there) or from the non-row line just above the rows; PDF headers arrive split over
lines and cells, so the header is reassembled tolerantly. Only the reading text changes:
citations keep pointing at the original passage text.
"""

from __future__ import annotations

import re

from assistant.answer.text import bigrams, squash
from assistant.cleaning import NUM_CELL
from assistant.cleaning import table_cells as cells_of

_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}")
_GROUP_WORDS = ("总数", "合计", "小计", "总计")
_UNIT_LABEL = re.compile(r"^(?:计量)?单位$")
_UNIT_ONLY = re.compile(r"^[（(][^（）()]{1,8}[）)]$")


def _piped(line: str) -> bool:
    return "|" in line or "｜" in line


def is_row(line: str) -> bool:
    """A table row: cells split by pipes with a figure among them ("类别 | 50" too), or at
    least two bare numbers split by spaces."""
    line = line.strip()
    if _SEPARATOR.match(line):
        return False
    cells = cells_of(line)
    numeric = sum(bool(NUM_CELL.match(c)) for c in cells)
    return numeric >= 1 and len(cells) >= 2 if _piped(line) else numeric >= 2


def header_labels(header: str, n_values: int) -> list[str]:
    """The labels of the last `n_values` columns of a (possibly split) header, or [].

    Tolerant of PDF headers: a unit cell "（万元）" joins the label before it, a group label
    followed by "总数" stands for that column, and a "其中…" label absorbs the fragments
    after it ("其中亿元" "以上项目" -> "其中亿元以上项目").
    """
    cells = [c for c in cells_of(header) if not re.fullmatch(r"[|｜:\-\s]*-{2,}[|｜:\-\s]*", c)]
    if any(NUM_CELL.match(c) for c in cells):
        return []  # a row, not a header: the real header is lost
    pieces: list[str] = []
    for cell in cells:
        if pieces and (_UNIT_ONLY.match(cell) or cell.startswith(("（", "("))):
            pieces[-1] += cell
        else:
            pieces.append(cell)
    merged: list[str] = []
    for piece in pieces:
        if merged and piece in _GROUP_WORDS:
            continue  # "引进项目（个） 总数": the group label names its first column
        if (
            merged
            and merged[-1].startswith("其中")
            and not piece.startswith("其中")
            and not re.search(r"[（(]", piece)
            and len(merged[-1]) < 12
        ):
            merged[-1] += piece
            continue
        merged.append(piece)
    if len(merged) < n_values:
        return []
    return merged[-n_values:]


def row_cells(row: str) -> list[str]:
    """A row's cells; "合 计 22 10" (a PDF spaces out a short label) has the label "合计"."""
    cells = cells_of(row)
    while len(cells) > 2 and len(cells[0]) == 1 and re.fullmatch(r"[\u4e00-\u9fff]", cells[1]):
        cells = [cells[0] + cells[1], *cells[2:]]
    return cells


def describe_row(row: str, header: str) -> str:
    """ "汝南街道 176000 7 6" + its header -> "汝南街道｜省外资金：176000万元｜…"."""
    cells = row_cells(row)
    if len(cells) < 2:
        return row
    name, values = cells[0], cells[1:]
    labels = header_labels(header, len(values)) if header else []
    if not labels:
        return "｜".join(cells)
    pairs = list(zip(labels, values, strict=True))
    unit = next((v for lab, v in pairs if _UNIT_LABEL.match(lab) and not NUM_CELL.match(v)), "")
    # "单位：人｜2024年目标：5000" reads "2024年目标：5000人"; a "（%）" column keeps its own
    if unit:
        pairs = [
            (lab, v + unit if NUM_CELL.match(v) and not re.search(r"[（(%]", lab + v) else v)
            for lab, v in pairs
            if not _UNIT_LABEL.match(lab)
        ]
    return "｜".join([name] + [_with_unit(lab, val) for lab, val in pairs])


_LABEL_UNIT = re.compile(
    r"^(.+?)\s*[（(](万元|亿元|千元|元|万人|人|个|项|家|户|%|％|万吨|吨|亩|万亩|公顷|平方公里"
    r"|万平方米|平方米|公里|千瓦时|万千瓦时)[）)]$"
)


def _with_unit(label: str, value: str) -> str:
    """ "奖励金额（万元）" + "50" -> "奖励金额：50万元": the figure reads with its unit, as
    prose states it (and is checked, compared and translated like prose)."""
    m = _LABEL_UNIT.match(label)
    if m and NUM_CELL.match(value) and not re.search(r"[^\d.,\-+]", value):
        return f"{m.group(1)}：{value}{m.group(2).replace('％', '%')}"
    return f"{label}：{value}"


def needs_header(text: str) -> bool:
    """The text begins inside a piped table: its first line (of text) is a row, so the
    table's header line is in an earlier chunk of the document."""
    for line in text.split("\n"):
        line = line.strip()
        if line and not _SEPARATOR.match(line):
            return _piped(line) and is_row(line)
    return False


def last_header(text: str) -> str | None:
    """Read from a chunk's end up: its last piped line that is no row (a table's header);
    "" when a line of prose comes first (the table began after it: no header); None when
    there are only rows (the header is further up)."""
    for line in reversed(text.split("\n")):
        line = line.strip()
        if not line or _SEPARATOR.match(line):
            continue
        if _piped(line):
            if not is_row(line):
                return line
        elif len(line) > 40 or re.search(r"[。！？；]$", line):
            return ""
    return None


def readable(text: str, heading: str, carried: str = "") -> str:
    """A passage's text with every table row rewritten to name its columns.

    The header is the nearest non-row line above the rows in the passage, else `carried`
    (the header line of a table begun in an earlier chunk, `needs_header`), else the last
    part of the heading path (where the chunker keeps a table's caption and header).
    """
    caption = heading.split(" > ")[-1] if heading else ""
    lost = heading_rows(heading)
    if lost:  # rows kept in the heading path are read with the rest of the table
        text = "\n".join(lost) + "\n" + text
        caption = ""
    above: list[str] = []  # short non-row lines since the last row: a (split) header
    after_row = False
    out: list[str] = []
    changed = False
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            out.append(line)
            continue
        if _SEPARATOR.match(stripped):
            changed = True
            continue
        if is_row(stripped):
            # a header row with pipes stands alone (a group line under it, "一、知识产权保护
            # 方面（共5项）", is no column label); a PDF's split header is several lines
            piped = [a for a in above if _piped(a)]
            header = piped[-1] if piped else " ".join(above)
            n_values = len(row_cells(stripped)) - 1
            if not header or not header_labels(header, n_values):
                # no header for this row above it: the one carried over, else the caption
                header = carried if carried and header_labels(carried, n_values) else caption
            out.append(describe_row(stripped, header))
            changed = after_row = True
            continue
        if after_row or len(stripped) > 80 or re.search(r"[。！？；]$", stripped):
            above = []
        after_row = False
        if len(stripped) <= 80 and not re.search(r"[。！？；]$", stripped):
            above.append(stripped)
        out.append(line)
    return "\n".join(out) if changed else text


def caption(heading: str) -> str:
    """A table's name from the heading path ("…分解表"), short; pipe debris skipped."""
    for part in reversed(heading.split(" > ") if heading else []):
        part = re.split(r"[|｜]", part)[0].lstrip("#").strip()  # the header kept after it
        if not part:
            continue  # a header or row the chunker kept in the path
        named = next((p for p in part.split() if "表" in p), "")
        return named if len(named) >= 4 else part[:24]
    return ""


def heading_rows(heading: str) -> list[str]:
    """Table rows the chunker left in the heading path (a first row taken for a header)."""
    last = heading.split(" > ")[-1] if heading else ""
    if "|" not in last:
        return []
    segments = [seg.strip() for seg in re.split(r"\|\s+\|", last)]
    rows = []
    for seg in segments:
        line = "| " + seg.strip("| ") + " |"
        if is_row(line):
            rows.append(line)
    return rows


# A question about the sum of a table's rows, and the rows that state it.
ASKS_TOTAL = re.compile(
    r"总共|一共|共计|合计|总计|加起来|加在一起|总和|\b(?:in total|combined|altogether)\b", re.I
)
TOTAL_ROWS = {"合计", "总计", "共计", "总数"}


def row_label(sentence: str) -> str:
    """The row name of a described table row ("汝南街道｜省外资金：176000" -> 汝南街道), or ""."""
    return re.sub(r"[^\w]", "", sentence.split("｜")[0]) if "｜" in sentence else ""


def label_named(label: str, question: str) -> float:
    """Share of a row label's character pairs the question names: by the label's share,
    not a prefix ("高新技术企业（首次认定）" is not named by a question about 企业认定)."""
    grams = bigrams(label)
    return len(grams & bigrams(re.sub(r"[^\w]", "", question))) / len(grams) if grams else 0.0


# "哪个乡镇的省外资金目标最大": a question about the row at one end of a column.
_EXTREME = re.compile(
    r"最(多|大|高|少|低|小)|\b(largest|biggest|most|highest|smallest|lowest|fewest|least)\b",
    re.I,
)
_LOW = {"少", "低", "小", "smallest", "lowest", "fewest", "least"}


def asks_extreme(question: str) -> bool:
    return bool(_EXTREME.search(question))


def extreme_row(question: str, rows: list[str]) -> tuple[list[str], float] | None:
    """The described rows holding the largest (or smallest) figure of the column the
    question names (all of them on a tie), and how much of that column's label the
    question names; None unless it asks for an extreme and names a column of three rows."""
    m = _EXTREME.search(question)
    if not m:
        return None
    low = (m.group(1) or m.group(2) or "").lower() in _LOW
    columns: dict[str, list[tuple[float, str]]] = {}
    for row in rows:
        name = row_label(row)
        if not name or name in TOTAL_ROWS:
            continue
        for cell in row.split("｜")[1:]:
            label, _, value = cell.partition("：")
            figure = re.match(r"-?\d+(?:\.\d+)?", value.strip())
            if figure and label:
                columns.setdefault(label, []).append((float(figure.group(0)), row))
    named = [(label_named(re.sub(r"[^\w]", "", c), question), c) for c in columns]
    named = [(share, c) for share, c in named if share >= 0.5 and len(columns[c]) >= 3]
    if not named:
        return None
    share, column = max(named)
    values = columns[column]
    end = min(v for v, _ in values) if low else max(v for v, _ in values)
    return list(dict.fromkeys(r for v, r in values if v == end)), share


# A cell longer than this is prose (主要内容): left out of a row's quote unless asked.
_LONG_CELL = 30


def asked_columns(row: str, question: str) -> str:
    """A described row without the long text cells the question does not ask for: for
    "专利保险机制由哪些部门指导", "3｜改革举措：…专利保险机制｜主要内容：围绕专利应用…（60
    字）｜指导部门：国家知识产权局、中国银保监会｜推广范围：全国" -> the row without 主要内容.

    A column is asked when its label shares a word with the question (指导部门 - 部门,
    指导). Short cells stay (a figure's neighbours are cheap to show and often asked
    next); the row is left whole when no label is asked (the row itself is asked)."""
    head, *cells = row.split("｜")
    words = bigrams(question)
    kept, asked = [head], False
    for cell in cells:
        label, _, value = cell.partition("：")
        named = bool(value) and bool(bigrams(label) & words)
        asked = asked or (named and not bigrams(value) <= words)  # not the question's own
        if named or len(squash(value or cell)) <= _LONG_CELL:
            kept.append(cell)
    return "｜".join(kept) if asked else row
