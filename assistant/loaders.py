"""File -> raw text, one small function per format, registered by extension.

A loader raises `LoadError` with a reason a user can act on; it never returns an empty
document silently. Adding a format is one function and one `@loader(".ext")` line.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from assistant.messages import say

LoaderFn = Callable[[bytes], tuple[str, str]]  # bytes -> (text, title or "")
LOADERS: dict[str, LoaderFn] = {}


class LoadError(Exception):
    """A file that cannot be ingested; the message says why and what to do. `key` and
    `fields` name the message (`assistant.messages`), so the page can say it in its own
    language; str() is the English the CLI prints."""

    def __init__(self, key: str, **fields: object) -> None:
        self.key, self.fields = key, fields
        super().__init__(say(key, "en", **fields))


def loader(*extensions: str) -> Callable[[LoaderFn], LoaderFn]:
    def register(fn: LoaderFn) -> LoaderFn:
        for ext in extensions:
            LOADERS[ext] = fn
        return fn

    return register


def supported_extensions() -> list[str]:
    return sorted(LOADERS)


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), GB18030/GBK or Big5, whichever the bytes are."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise LoadError("upload.binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # GBK bytes often also decode as Big5 (and the reverse) into rare characters;
        # the right reading is the one made of common characters.
        candidates.append((_common_share(text), text))
    if candidates:
        return max(candidates, key=lambda c: c[0])[1]
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise LoadError("upload.encoding")
    return str(best)


_COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
)


def _common_share(text: str) -> float:
    return sum(1 for ch in text if ch in _COMMON) / max(1, len(text))


@loader(".txt", ".md", ".markdown", ".text")
def load_text(data: bytes) -> tuple[str, str]:
    text = decode_text(data)
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if control > max(8, len(text) // 50) or text.count("\ufffd") > max(8, len(text) // 50):
        raise LoadError("upload.not_text")
    return text, ""


@loader(".pdf")
def load_pdf(data: bytes) -> tuple[str, str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError("upload.bad_pdf", error=exc) from exc
    text = "\n".join(pages)
    if not text.strip():
        raise LoadError("upload.scanned")
    return text, str(title)


@loader(".docx")
def load_docx(data: bytes) -> tuple[str, str]:
    import zipfile

    from docx import Document as Docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = Docx(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError("upload.bad_docx", error=exc) from exc
    lines: list[str] = []
    for item in doc.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            style = (item.style.name if item.style is not None else "") or ""
            if text and style.startswith("Heading"):
                level = "".join(ch for ch in style if ch.isdigit()) or "1"
                text = "#" * min(int(level), 6) + " " + text
            lines.append(text)
        elif isinstance(item, Table):
            lines.append("")
            for row in item.rows:  # one row a line, cells kept apart
                cells = [c.text.strip().replace("\n", " ") for c in row.cells]
                lines.append(" | ".join(cells))
            lines.append("")
    return "\n".join(lines), doc.core_properties.title or ""


@loader(".html", ".htm")
def load_html(data: bytes) -> tuple[str, str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(data), "lxml")
    title = soup.title.get_text(strip=True) if soup.title else ""
    for tag in soup(
        ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe"]
    ):
        tag.decompose()
    body = soup.find("article") or soup.find("main") or soup.body or soup
    # a table becomes one line a row, cells kept apart (as from .docx), so the row reads
    # as a row ("国家级专精特新企业 | 50") instead of one cell a line; inner tables first
    for table in reversed(body.find_all("table")):
        rows = [
            " | ".join(c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"]))
            for tr in table.find_all("tr")
        ]
        table.replace_with("\n" + "\n".join(r for r in rows if r.strip(" |")) + "\n")
    return body.get_text("\n"), title


def load_file(path: Path) -> tuple[str, str]:
    """Read a file with the loader its extension names; raise LoadError on anything wrong."""
    fn = LOADERS.get(path.suffix.lower())
    if fn is None:
        raise LoadError(
            "upload.unsupported",
            ext=path.suffix or path.name,
            supported=", ".join(supported_extensions()),
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError("upload.unreadable", error=exc.strerror) from exc
    if not data.strip():
        raise LoadError("upload.empty")
    return fn(data)
