"""Which document - and which place - a passage speaks for. Pure functions.

A county bulletin says "全县" in its body and names the county only in its title or file
name, so a passage alone cannot tell 渑池's GDP from 诏安's. A document's identity (title,
file name without extension or hash suffix, the places and organisations named there and
in the heading path) travels with every passage; a question naming a place is answered
only from passages bound to that place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath

# Administrative and organisational suffixes, longest first so "产业集聚区" wins over "区".
ADMIN_SUFFIXES = (
    "特别行政区",
    "产业集聚区",
    "经济开发区",
    "高新技术产业开发区",
    "自治州",
    "自治县",
    "开发区",
    "高新区",
    "集聚区",
    "产业园区",
    "工业园区",
    "产业园",
    "工业园",
    "新区",
    "园区",
    "街道",
    "省",
    "市",
    "县",
    "区",
    "镇",
    "乡",
)
_SUFFIX_ALT = "|".join(ADMIN_SUFFIXES)
# Words that name a level, not a place: "全县" in 渑池县's bulletin is 渑池.
GENERIC_PLACES = {
    "城市",
    "地区",
    "全省",
    "全市",
    "全县",
    "全区",
    "全镇",
    "全乡",
    "全国",
    "本省",
    "本市",
    "本县",
    "本区",
    "我省",
    "我市",
    "我县",
    "我区",
    "该市",
    "该县",
    "该区",
    "各县",
    "各区",
    "各市",
    "国家",
    "省里",
    "市里",
    "县里",
    "园区",
    "区域",
    "城区",
    "新城",
    "老城",
    "主城",
    "城关",
    "市区",
    "县城",
    "社区",
    "景区",
    "小区",
    "中原",
    "东部",
    "西部",
    "南部",
    "北部",
    "中部",
    "中国",
    "中华人民共和国",
    "河南",
    "河南省",
    "中心",  # "中心城区"
    "城镇",  # "城镇居民"
    # every government has one, and "哪家交易所" asks for one: they name no place
    "人民政府",
    "统计局",
    "国务院",
    "管委会",
    "委员会",
    "交易所",
    "银行",
    "公司",
    "集团",
}
_HASH_SUFFIX = re.compile(r"[_-][0-9a-f]{8,}$", re.I)
_SEQUENCE_SUFFIX = re.compile(r"(?<=\D)[_\-\s(（]*\d{1,6}[)）]?$")
_SUFFIX = re.compile(_SUFFIX_ALT)
_LEVEL_PREFIX = re.compile(r"^[全本我该各某每]")
# Characters that do not occur inside a place name but do in the phrase before a suffix.
_FUNCTION_CHARS = re.compile(
    r"[的了在是和与及等年月日个之为对从把被将到有上下中内外多少几各全本该我其这那哪]"
)


def file_stem(doc_id: str) -> str:
    """File name without extension, hash suffix or copy number ("note_0042", "报告(2)");
    "" when only a number is left. Two copies of a text are the same document's words."""
    stem = PurePath(doc_id).stem
    stem = _HASH_SUFFIX.sub("", stem)
    if re.search(r"[_\-\s(（]\d{1,6}[)）]?$", stem):
        stem = _SEQUENCE_SUFFIX.sub("", stem)
    return "" if re.fullmatch(r"[\d_\-\s.]*", stem) else stem


def core(name: str) -> str:
    """A place name without its administrative suffix ("渑池县" -> "渑池"), if 2+ chars remain."""
    for suffix in ADMIN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _plausible_core(c: str) -> bool:
    """Whether the characters before an admin suffix can be a place's name: Chinese only,
    no function characters, not a verb, not a common word ("工业" in "工业园")."""
    import jieba
    import jieba.posseg

    if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", c) or _FUNCTION_CHARS.search(c):
        return False
    if c in GENERIC_PLACES or any(s.startswith(c) for s in ADMIN_SUFFIXES):
        return False
    words = list(jieba.posseg.cut(c))
    if len(words) == 1 and words[0].flag.startswith("ns"):
        return True
    if len(words) == 1 and jieba.dt.FREQ.get(c, 0) > 0:
        return words[0].flag.startswith(("nr", "nt", "nz"))  # a common word ("创业", "工业")
    return not any(w.flag.startswith(("v", "a", "d", "m", "p", "c", "r", "f")) for w in words)


def _generic(name: str) -> bool:
    return (
        name in GENERIC_PLACES
        or core(name) in GENERIC_PLACES
        or bool(_LEVEL_PREFIX.match(name) and len(core(name)) <= 2 and core(name) == name[:2])
        or bool(re.search(r"\d", name))
    )


# The suffix of a township, village or county named in running text or a table row.
_LOCAL_SUFFIX = re.compile(r"街道|镇|乡|村|县")
_CJK_ONLY = re.compile(r"[\u4e00-\u9fff]+")


def local_names(texts: Iterable[str]) -> list[str]:
    """The two and the three characters before each township/village/county suffix in the
    texts, each once: what an English question may spell in pinyin ("Miaoxia town" ->
    庙下 in "庙下镇 50000 3 2", which jieba cuts as 庙/下镇, so the keyword index holds no
    such word). Most are no names; only one an English word spells exactly is used."""
    found: dict[str, None] = {}
    for text in texts:
        for m in _LOCAL_SUFFIX.finditer(text):
            for size in (2, 3):
                core = text[max(0, m.start() - size) : m.start()]
                if len(core) == size and _CJK_ONLY.fullmatch(core) and core not in GENERIC_PLACES:
                    found.setdefault(core, None)
    return list(found)


def place_names(text: str) -> list[str]:
    """Cores of the places and organisations a text names (jieba ns/nt, admin suffixes).

    "渑池县2022年统计公报" -> ["渑池"]; level words ("全县", "本区") are not places.
    """
    return list(_place_names(text))


@lru_cache(maxsize=4096)
def _place_names(text: str) -> tuple[str, ...]:
    """`place_names`, once per text: a question and the passages it reads are asked
    again and again (a quote spent a third of its time in jieba's tagger here)."""
    from assistant.index.tokenize import _jieba

    _jieba()  # initialised quietly once, as the index's tokenizer does
    import jieba.posseg

    found: dict[str, None] = {}
    words = list(jieba.posseg.cut(text))
    starts, ends, pos = set(), set(), 0
    for word, _ in words:
        starts.add(pos)
        pos += len(word)
        ends.add(pos)
    for i, (word, flag) in enumerate(words):
        nxt = words[i + 1].word if i + 1 < len(words) else ""
        if flag in ("ns", "nt") and len(word) >= 2 and not _generic(word):
            found.setdefault(core(word), None)
        elif nxt in ADMIN_SUFFIXES and _plausible_core(word) and not _generic(word + nxt):
            found.setdefault(word, None)  # "渑池" + "县" cut apart by jieba
    for m in _SUFFIX.finditer(text):
        if not (m.start() in starts or m.end() in ends):
            continue  # "返乡": the suffix character is inside another word
        for size in (4, 3, 2):  # the longest run before the suffix that can be a name
            c = text[max(0, m.start() - size) : m.start()]
            if len(c) == size and m.start() - size in starts and _plausible_core(c):
                if not any(c in f or f in c for f in found):
                    found.setdefault(c, None)
                break
    return tuple(p for p in found if len(p) >= 2)


# The zones a place's name goes on to name ("安阳" + "高新技术" + "产业集聚区"); a park (产业园,
# 园区) is an entity of its own, not the place (`query.asked_entities`).
_ZONES = [s for s in ADMIN_SUFFIXES if len(s) >= 2 and not s.endswith(("园", "园区", "街道"))]
_SUBJECT_TAIL = re.compile(
    rf"[省市县区]?(?:(?:(?![的和与及])[\u4e00-\u9fff]){{0,6}}?(?:{'|'.join(_ZONES)}))?"
)


def named_subjects(question: str) -> dict[str, str]:
    """The full name of each place a question asks about, with the zone it goes on to
    name: "安阳高新技术产业集聚区…投资多少" -> {"安阳": "安阳高新技术产业集聚区"}. A passage
    bound to that place speaks for all of these words, whether or not a sentence repeats
    them."""
    return dict(_subjects(question))


@lru_cache(maxsize=256)
def _subjects(question: str) -> tuple[tuple[str, str], ...]:
    """Cached: the reader asks for every ranking (a jieba pass over the question)."""
    out = []
    for place in place_names(question):
        start = question.find(place)
        if start < 0:
            continue
        tail = _SUBJECT_TAIL.match(question, start + len(place))
        out.append((place, place + (tail.group(0) if tail else "")))
    return tuple(out)


@dataclass(frozen=True)
class Identity:
    """What a document is: its title, its file name and the places they name."""

    title: str
    stem: str
    places: tuple[str, ...]

    def text(self) -> str:
        """One line for indexing and display: title｜file name｜places (no repeats)."""
        parts: list[str] = []
        for part in (self.title, self.stem, *self.places):
            if part and not any(part in p for p in parts):
                parts.append(part)
        return "｜".join(parts)

    def name(self) -> str:
        """How a citation names the document: its title, else its file name."""
        return self.title or self.stem


# The nation as an asked place: "2022年全国城镇新增就业多少", "国务院报告提出…" ask the
# national figure, which a province's or a county's report never states for it (its
# "居全国前列" is a comparison). A national document names no place of its own and is
# issued by a national body.
NATIONAL = "全国"
_NATION_ASKED = re.compile(r"全国|我国|国务院|中国(?![（(])|中央政府")
_NATIONAL_ISSUER = re.compile(
    r"国务院|中共中央|全国人大|全国人民代表大会|中华人民共和国|国家统计局"
)


def asks_nation(question: str) -> bool:
    """The question names the nation (asked as a place only when it names no other)."""
    return bool(_NATION_ASKED.search(question))


def is_national(identity: Identity) -> bool:
    """A document issued by a national body that names no place of its own (its issuer,
    "国务院办公厅", read as one, is none)."""
    own = [p for p in identity.places if not _NATIONAL_ISSUER.search(p)]
    return not own and bool(_NATIONAL_ISSUER.search(f"{identity.title}{identity.stem}"))


@lru_cache(maxsize=4096)
def doc_identity(doc_id: str, title: str, heading: str = "") -> Identity:
    """Identity of the document (and, with a heading path, of the section) a chunk sits in."""
    stem = file_stem(doc_id)
    places = place_names(f"{title}\n{stem}\n{heading}")
    return Identity(title.strip(), stem, tuple(places))


def home_place(scope: str) -> str:
    """The place a document keeps coming back to, or "": named at least 5 times and twice
    as often as any other. A newspaper page titled "奋力打造一流产业集聚区" that names
    沁阳 14 times and no other place more than 4 is about 沁阳, though neither its title
    nor its file name says so."""
    counts = sorted(((scope.count(p), p) for p in place_names(scope)), reverse=True)
    if not counts or counts[0][0] < 5:
        return ""
    if len(counts) > 1 and counts[0][0] < 2 * counts[1][0]:
        return ""  # several places share the document: none is its own
    return counts[0][1]


def among(place: str, places: list[str]) -> bool:
    """The place is one of them, however fully either is written ("沁阳" / "沁阳市")."""
    return any(place in p or p in place for p in places)


def bound(
    asked: list[str],
    identity: Identity,
    heading: str,
    text: str,
    scope: str = "",
    home: str = "",
) -> float:
    """How firmly a passage speaks for the places the question names (mean over places).

    1.0: the place is in the document's identity, the passage's heading path or its text,
         or it is the document's `home_place`, the one its body keeps naming.
    0.5: it is at least named somewhere in the passage's document or section (`scope`),
         and the identity names no other place of its own.
    0.0: otherwise - another county's bulletin never answers for this one.
    """
    if not asked:
        return 1.0
    strong = f"{identity.text()}\n{heading}\n{text}"
    own = [p for p in identity.places if not among(p, asked)]
    scores = []
    for place in asked:
        if place == NATIONAL:  # the nation: spoken for by national documents alone
            scores.append(1.0 if is_national(identity) else 0.0)
        elif place in strong or (home and not own and (place in home or home in place)):
            scores.append(1.0)
        elif scope and not own and place in scope:
            scores.append(0.5)
        else:
            scores.append(0.0)
    return sum(scores) / len(scores)
