"""Turn extracted text into clean paragraphs.

Each rule mends a defect seen in real documents of this kind: PDF page numbers stuck
inside sentences ("产业集聚 1\\n区之一", "汽车项\\n2目", "—3—"), hard line wraps of
PDF text, repeated running footers, web-page chrome around a newspaper article, and
full-width letters and digits. The output keeps one paragraph (or table row) per line,
with blank lines between blocks; offsets of chunks refer to this cleaned text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
# Sentence-final or clause-final marks: a line ending in one is not a broken line.
_TERMINAL = tuple("。！？；：!?;:…”’」』）)】]")
# A line made only of a page number: "—3—", "- 3 -", "第3页", "第 3 页 共 10 页".
_PAGE_LINE = re.compile(
    r"^(?:[-—–─]+\s*\d{1,4}\s*[-—–─]+|第\s*\d{1,4}\s*页(?:\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})$"
)
# Units that legitimately follow a number at the start of a line.
_UNITS = "年月日号时万亿千百元个家项吨亩台平米公里倍人户座条栋所间辆套件次期%％.．、,，:："
_HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[篇章节条部分]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|#{1,6}\s)"
)
# Web-page and e-paper chrome; matched against a whole line.
_BOILERPLATE = re.compile(
    r"版面导航|ICP备|版权所有|不得转载|数字报刊|手机报|官方微博"
    r"|^(?:关闭|返回|打印|首页|分享到?|登录|注册|【?字号.*】?)$|^[^\d|]{1,6}(?:\s*\|\s*[^\d|]{1,6}){2,}$"
)
# A web page's toolbar laid out one control a line ("下载", "全屏", "【字号：", "加大", "】"):
# only a line that is nothing but such words goes.
_TOOLBAR = re.compile(
    r"^[【\[]?(?:下载|打印|全屏|收藏|加大|还原|减小|放大|缩小|默认|字号[：:]?|大|中|小|[】\]]|\s)+[】\]]?$"
)
# Share buttons and the page's QR-code prompt, each alone on its line.
_SHARE = re.compile(
    r"^(?:分享到[：:]?|扫一扫在手机(?:上)?打开当前页|QQ空间|新浪微博|腾讯微博|微信|人人网|开心网|百度空间|和讯|天涯社区|豆瓣网?)$"
)
# Where a web page's navigation starts after the text ("上一篇：", "相关文章", "阅读排行"):
# from there on only links to other pages follow, whose titles name other places.
_PAGE_NAV = re.compile(
    r"^(?:上一篇|下一篇|相关文章|相关阅读|本栏最新|本栏推荐|阅读排行|热门文章|推荐阅读)[：:]?$"
)
# A page-counter label with nothing after it ("阅读：", "评论：", "相关报道：") and the bare
# count a web page prints on the next line; the report's own text never ends a line in "：".
_PAGE_LABEL = re.compile(
    r"^(?:阅读|评论|浏览|点击|标签|相关报道|相关链接|相关阅读|相关新闻|责任编辑)[：:]$"
)
_COUNTER_END = re.compile(r"(?:阅读|浏览|点击)[：:]$")
# "????": characters lost in a code-page conversion (a non-breaking space that became "?").
_LOST_CHARS = re.compile(r"[ \t]*\?{2,}[ \t]*")
# A newspaper photo credit under a report ("……作政府工作报告。本报记者 戴冰摄").
_PHOTO_CREDIT = re.compile(r"(?:记者|通讯员)\s*\S{1,8}\s*摄$")
# Page controls inside a line that also carries content ("2013年1月10日 放大 缩小 默认").
_CHROME = re.compile(r"\s*(?:放大\s*缩小(?:\s*默认)?|上一版\s*\d*|\d*\s*下一版)\s*")
_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F) if chr(c - 0xFEE0).isalnum()}
_FULLWIDTH_ALNUM.update(
    {0x3000: 0x20, 0xA0: 0x20, 0xFF05: 0x25, 0xFF0E: 0x2E}
)  # space, nbsp, ％, ．


def normalize_width(text: str) -> str:
    """Full-width letters, digits and spaces to ASCII; Chinese punctuation stays as it is."""
    return unicodedata.normalize("NFC", text).translate(_FULLWIDTH_ALNUM)


def display_width(line: str) -> int:
    """Width in half-width cells: how a hard-wrapping PDF measured its lines."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


_COLUMN_GAP = re.compile(r"[ \t]{2,}")


def aligned_cells(line: str) -> list[str]:
    """The cells of a space-aligned table line (PDF and fixed-width text keep columns apart
    by runs of spaces): three or more, else []."""
    cells = [c for c in _COLUMN_GAP.split(line.strip()) if c]
    return cells if len(cells) >= 3 else []


def is_table_row(line: str) -> bool:
    """A table line: cells between pipes, columns aligned by runs of spaces, or two or
    more bare numbers separated by spaces (a flattened row)."""
    s = line.strip()
    if s.count("|") >= 2 or aligned_cells(s):
        return True
    return len(re.findall(r"(?:^|\s)[\d.,]+(?=\s|$)", s)) >= 2


NUM_CELL = re.compile(r"^-?[\d.,]+%?$")


def table_cells(line: str) -> list[str]:
    """Cells of a row or header line: pipe-separated, else white-space-separated."""
    line = line.strip()
    if "|" in line or "｜" in line:
        return [c.strip() for c in re.split(r"[|｜]", line.strip("|｜ ")) if c.strip()]
    return line.split()


def numeric_cell(line: str) -> bool:
    """A table line with at least one cell that is a bare figure: a data row, not a header."""
    return any(NUM_CELL.match(c) for c in table_cells(line))


def _ends_sentence(line: str) -> bool:
    return line.endswith(_TERMINAL)


def _drop_repeated(lines: list[str]) -> list[str]:
    """Running headers/footers: short lines repeated three or more times. Not the cells of
    a table laid out one cell a line ("总投资", "2022年", "启动" under every project of a
    county report's attachment): a header or footer names something, so it is 6+ long."""
    counts = Counter(ln for ln in lines if 6 <= len(ln) <= 40 and not _HEADING.match(ln))
    repeated = {ln for ln, n in counts.items() if n >= 3}
    return [ln for ln in lines if ln not in repeated]


def _join_page_breaks(lines: list[str]) -> list[str]:
    """Mend paragraphs that a page break cut, dropping the page number left inside them."""
    out: list[str] = []
    for line in lines:
        k = len(out)
        while k and not out[k - 1]:
            k -= 1  # look past blank lines to the previous text line
        prev = out[k - 1] if k else ""
        if line and len(prev) >= 60 and not _ends_sentence(prev) and not _HEADING.match(line):
            tail = re.match(rf"^(.*[{CJK}])\s+\d{{1,3}}$", prev)
            head = re.match(rf"^\d{{1,3}}(?=[{CJK}])", line)
            if tail and _CJK_RE.match(line):
                del out[k:]
                out[-1] = tail.group(1) + line  # "产业集聚 1" + "区之一"
                continue
            if head and line[head.end()] not in _UNITS and _CJK_RE.match(prev[-1]):
                del out[k:]
                out[-1] = prev + line[head.end() :]  # "汽车项" + "2目"
                continue
        out.append(line)
    return out


def _unwrap(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines (PDF text laid out at a fixed width) back into paragraphs."""
    widths = sorted(display_width(ln) for ln in lines if len(ln) >= 10)
    if len(widths) < 10:
        return lines
    wrap = widths[int(len(widths) * 0.9)]
    if wrap > 90 or sum(1 for w in widths if w >= wrap - 6) < 0.3 * len(widths):
        return lines  # one paragraph per line already
    out: list[str] = []
    joining = False
    for line in lines:
        if not line:
            if not joining:
                out.append(line)
            continue
        if joining and not _HEADING.match(line) and not is_table_row(line):
            out[-1] += line
        else:
            out.append(line)
        joining = display_width(line) >= wrap - 6 and not _ends_sentence(line)
    return out


def _tighten(line: str) -> str:
    """Drop spaces PDF extraction puts between Chinese and numbers ("资金 170亿元")."""
    cells = aligned_cells(line) if "|" not in line else []
    if cells:  # columns kept apart by their cell boundary, not by spaces that collapse
        return " | ".join(_tighten(c) for c in cells)
    if is_table_row(line):
        return re.sub(r"\s+", " ", line)
    line = re.sub(rf"(?<=[{CJK}])\s+(?=[\dA-Za-z])", "", line)
    line = re.sub(rf"(?<=[\dA-Za-z%])\s+(?=[{CJK}])", "", line)
    return re.sub(r"[ \t]{2,}", " ", line)


def _drop_control(text: str, step: int = 1 << 18) -> str:
    """Remove control and format characters (keeping newlines and tabs), a slice at a time:
    one join over a whole 40 MB file would hold each of its ~13M characters as a separate
    string object at once (~1 GB)."""
    return "".join(
        "".join(
            ch for ch in text[i : i + step] if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
        )
        for i in range(0, len(text), step)
    )


def _drop_page_clutter(lines: list[str]) -> list[str]:
    """Web-page furniture around a report: toolbar words, page counters with their bare
    numbers, a "内容摘要" that repeats the opening, photo credits, HTML comments left in
    Markdown ("<!-- INFO END -->")."""
    out: list[str] = []
    skip_next = ""
    for line in lines:
        if skip_next == "number" and re.fullmatch(r"\d{1,9}", line):
            skip_next = ""
            continue
        if skip_next == "summary" and line:
            skip_next = ""
            continue  # the abstract: the report's first paragraphs again, cut with "……"
        skip_next = ""
        if _PAGE_LABEL.match(line):
            skip_next = "number"
            continue
        if _COUNTER_END.search(line):  # "时间：… 来源：… 阅读：" then the count alone
            skip_next = "number"
        if re.fullmatch(r"(?:内容)?摘要[：:]", line):
            skip_next = "summary"
            continue
        if (_TOOLBAR.match(line) and len(line) <= 12) or _SHARE.match(line):
            continue
        if re.fullmatch(r"<!--.*-->", line) or _PHOTO_CREDIT.search(line):
            continue
        out.append(line)
    return _drop_tail_tags(_drop_page_tail(out))


def _drop_page_tail(lines: list[str]) -> list[str]:
    """Cut what follows the text on a web page: its navigation ("上一篇：", "相关文章" and
    the lists of other reports under them) and a licence or disclaimer ("本作品……属于公有领域", "本站为非营利性网站……侵权").
    Only where no paragraph of prose follows, so a report that says "相关文章" in its text
    keeps it."""
    for i, line in enumerate(lines):
        notice = line.startswith(("本作品", "本站", "本网"))
        if not (_PAGE_NAV.match(line) or notice):
            continue
        rest = lines[i:]
        if notice and not re.search("公有领域|著作权|版权|侵权", "".join(rest)[:400]):
            continue
        if not any(len(ln) > 40 and _ends_sentence(ln) for ln in rest[1:]):
            return lines[:i]
    return lines


_AMOUNT = re.compile(r"\d(?:\.\d+)?\s*(?:万|亿|元|%|个|家|吨|亩|人|项)")
_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")


def _drop_tail_tags(lines: list[str]) -> list[str]:
    """A tag cloud or licence footer after the text ("统计公报/上海市/2025年/…",
    "Public domain/false"): four or more short (<= 16 characters) unpunctuated lines closing the file. A
    公文's 落款 (issuer and date) also ends a file in short lines, so a run with a full
    date in it stays, and so do table rows and a run holding an amount ("4.5亿元": the cells
    of a table laid out one a line; a tag list has years, not amounts)."""
    end = len(lines)
    while end and not lines[end - 1]:
        end -= 1
    start = end
    while start and (not lines[start - 1] or _tag_like(lines[start - 1])):
        start -= 1
    tail = [ln for ln in lines[start:end] if ln]
    if len(tail) >= 4 and not any(_DATE.search(ln) or _AMOUNT.search(ln) for ln in tail):
        return lines[:start]
    return lines


def _tag_like(line: str) -> bool:
    """Short, unpunctuated and no table row (a table's last rows also close some files)."""
    return len(line) <= 16 and not _ends_sentence(line) and not is_table_row(line)


def clean_text(raw: str) -> str:
    """The cleaning pipeline, in the order the defects must be undone."""
    text = normalize_width(raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", ""))
    text = _LOST_CHARS.sub(" ", _drop_control(text))
    lines = [_CHROME.sub(" ", ln).strip() for ln in text.split("\n")]
    lines = ["" if _PAGE_LINE.match(ln) or _BOILERPLATE.search(ln) else ln for ln in lines]
    lines = _drop_page_clutter(lines)
    lines = _drop_repeated(lines)
    lines = _unwrap(lines)
    lines = _join_page_breaks(lines)
    lines = [_tighten(ln) for ln in lines]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n" if text.strip() else ""
