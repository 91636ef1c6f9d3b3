"""What a question asks about: its quoted terms, content words weighted by rarity, the
quantities and entities it names, and how much of it a text covers."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache

from assistant.answer.text import SCALES, jieba_ready, ungrouped
from assistant.identity import place_names
from assistant.index.tokenize import MENTION_VERBS

# Part-of-speech classes that shape a question without naming what it asks about:
# pronouns, adverbs, conjunctions, prepositions, particles, modals, interjections.
_FUNCTION_POS = ("r", "d", "c", "p", "u", "y", "e", "o", "x", "w", "q", "f", "z", "t")
# Interrogatives and asking verbs are a closed class of the language, not of any question set.
INTERROGATIVE = re.compile(r"多少|什么|哪|几|怎|吗|呢|是否|有没有|如何|为何|请问")
_NAME_POS = ("ns", "nr", "nt", "nz", "nrt", "nrfg", "eng")

# A term the user quotes ("“一带”指什么", "两个“3000亩”") is the exact wording to find.
_QUOTED = re.compile(r"“([^”]{1,20})”|「([^」]{1,20})」|\"([^\"]{1,20})\"|‘([^’]{1,20})’")


def quoted_terms(question: str) -> list[str]:
    """The literal terms a question puts in quotation marks, lower-cased."""
    return [next(g for g in m.groups() if g).strip().lower() for m in _QUOTED.finditer(question)]


def content_words(question: str) -> list[tuple[str, str]]:
    """`_content_words`, as a list (a question's terms are weighed twice or more)."""
    return list(_content_words(question))


@lru_cache(maxsize=1024)
def _content_words(question: str) -> tuple[tuple[str, str], ...]:
    """(term, kind) for the words a question asks about, by part of speech: kind is
    "name" (places, organisations, figures), "noun" or "other" (verbs, adjectives).

    Function words and interrogatives go; long words also contribute their sub-words
    (jieba's search mode), so "产业集聚区" matches "集聚区".
    """
    jieba_ready()
    import jieba
    import jieba.posseg

    out: dict[str, bool] = {}
    for term in quoted_terms(question):  # however jieba cuts it, the quote is one name
        if term:
            out.setdefault(term, "name")
    for place in place_names(question):  # jieba cuts a rare name ("鹤淇") into characters
        out.setdefault(place.lower(), "name")
    for word, flag in jieba.posseg.cut(question):
        w = word.strip().lower()
        if not w or not re.search(r"[\w\u3400-\u9fff]", w):
            continue
        if flag.startswith(_FUNCTION_POS) or INTERROGATIVE.search(w) or w in MENTION_VERBS:
            continue
        if re.fullmatch(r"[\u3400-\u9fff]", w):
            continue  # one character never decides a match
        kind = "other"
        if flag in _NAME_POS or re.fullmatch(r"[\d.]+|[a-z]+", w):
            kind = "name"
        elif flag.startswith("n"):
            kind = "noun"
        out.setdefault(w, kind)
        if len(w) >= 4:
            for sub in jieba.cut_for_search(w):
                sub = sub.lower()
                if len(sub) >= 2 and sub != w and not INTERROGATIVE.search(sub):
                    out.setdefault(sub, kind)
    return tuple(out.items())


def key_terms(
    question: str,
    document_frequency: Callable[[str], int],
    n_chunks: int,
    translated: bool = False,
) -> dict[str, float]:
    """Content words weighted by inverse document frequency over the indexed chunks.

    A verb or adjective the corpus never uses only phrases the question: it is dropped.
    A name or noun the corpus never uses (a county no document covers, a "电话号码" no
    document gives) keeps the highest weight: no passage can answer for it. In a model's
    translation (`translated`) such a noun is the model's word choice ("开发区" for the
    documents' "集聚区"), not the user's: only names keep it.
    """
    weights: dict[str, float] = {}
    for term, kind in content_words(question):
        df = document_frequency(term)
        if df == 0 and (kind == "other" or (translated and kind == "noun")):
            continue
        w = math.log((n_chunks + 1) / (df + 0.5))
        if w > 0:
            weights[term] = w
    return weights


def coverage(terms: dict[str, float], text: str) -> float:
    """Share of the question's term weight a text contains."""
    total = sum(terms.values())
    if not total:
        return 0.0
    low = text.lower()
    return sum(w for t, w in terms.items() if _contains(low, t)) / total


def _contains(text: str, term: str) -> bool:
    """A figure only as a whole number ("10" is not in "107国道"), a word anywhere."""
    if not term[:1].isdigit() or not term.replace(".", "").isdigit():
        return term in text
    return re.search(rf"(?<![\d.]){re.escape(term)}(?![\d]|\.\d)", text) is not None


# Words between a quantity and its interrogative that say nothing of what is measured.
_LEAD = {
    "是",
    "为",
    "有",
    "达",
    "达到",
    "约",
    "共",
    "一共",
    "总共",
    "大约",
    "能",
    "可",
    "会",
    "要",
    "将",
    "实现",
    "完成",
    "计划",
    "预计",
    "能够",
    "可以",
    "已",
}
# How a quantity changed, between it and "多少": "比上年增长了多少" measures what comes before.
_CHANGE = {
    "增长",
    "增加",
    "下降",
    "减少",
    "提高",
    "提升",
    "上升",
    "降低",
    "了",
    "比",
    "较",
    "同比",
    "比上年",
    "较上年",
}
_QUANTITY_POS = ("n", "vn", "j", "an", "nz", "l")
# Quantities of the statistics that jieba tags as verbs ("旅游/vn 收入/v 是多少").
_NOMINAL_VERBS = {"收入", "支出", "消费", "贷款", "存款", "出口", "进口", "产出", "营收"}
# Words that say where a quantity is counted, not what it is: "地区生产总值" is the
# bulletin's "全县生产总值".
_SCOPE = re.compile(r"[全本该各][省市县区镇乡国]|地区|全市域|全县域|当地|本地")
_PLACE_POS = ("ns", "nr", "nt", "nrt", "nrfg")


def asked_quantities(question: str) -> list[tuple[str, ...]]:
    """The words each "多少/几" of a Chinese question measures, with at most one
    modifier: "地区生产总值是多少" -> (生产总值,), "固定资产投资增长了多少" -> (固定资产,
    投资), "入驻多少家工业企业" -> (工业, 企业).

    [] when any of them is unclear ("从多少增长到了多少", "加起来是多少"): the caller
    then checks nothing rather than guess.
    """
    return list(_asked_quantities(question))


@lru_cache(maxsize=256)
def _asked_quantities(question: str) -> tuple[tuple[str, ...], ...]:
    """`asked_quantities`, once per question: it is asked for every sentence checked."""
    if not re.search(r"多少|几", question):
        return ()
    jieba_ready()
    import jieba.posseg

    words = [(w.word, w.flag) for w in jieba.posseg.cut(question)]
    places = place_names(question)

    def measured(i: int) -> bool:
        w, f = words[i]
        return (
            len(w) >= 2
            and f.startswith(_QUANTITY_POS)
            and not f.startswith(_PLACE_POS)
            and not any(w in p or p in w for p in places)
            and not _SCOPE.fullmatch(w)  # "全县", "地区" name where, not what
        )

    def phrase(j: int, step: int) -> tuple[str, ...]:
        """The noun phrase around word j: 固定资产 + 投资, not just 投资 (whose section
        heading "投资和消费" would then vouch for a retail-sales figure)."""
        k = j + step  # one modifier at most: a longer run is the question's wording
        span = [j, k] if 0 <= k < len(words) and measured(k) else [j]
        return tuple(words[x][0] for x in sorted(span))

    heads: list[tuple[str, ...]] = []
    for i, (w, _) in enumerate(words):
        if not re.fullmatch(r"(?:多少|第?几)\S?", w):  # "几座" is one word
            continue
        j = i + 1
        while j < len(words) and (
            words[j][1] in ("q", "m") or (len(words[j][0]) == 1 and words[j][1] != "x")
        ):
            j += 1  # the measure word: "多少家企业", "多少条生产线", "多少万元" (not "？")
        if j < len(words) and measured(j):
            heads.append(phrase(j, 1))
            continue
        j = i - 1
        while j >= 0 and (
            words[j][0] in _LEAD
            or words[j][0] in _CHANGE  # "固定资产投资比上年增长了多少": 投资 is measured
            or (
                words[j][1] in ("m", "t")
                and re.fullmatch(r"(?:19|20)\d{2}|年|上年|同期", words[j][0])
            )
        ):
            j -= 1
        if j > 0 and words[j][0] in _NOMINAL_VERBS and measured(j - 1):
            heads.append((words[j - 1][0], words[j][0]))  # "旅游收入是": 收入 tagged a verb
            continue
        if j < 0 or not measured(j):
            return ()
        heads.append(phrase(j, -1))
    return tuple(heads)


# Parts of a place that have figures of their own: a park, a company, a base.
_ENTITY_KINDS = ("产业园", "工业园", "科技园", "园区", "公司", "集团", "基地")


@lru_cache(maxsize=256)
def asked_entities(question: str) -> tuple[tuple[str, str], ...]:
    """(name, kind) of each park, company or base a question names, its place left off:
    "汝州智能终端产业园" -> (智能终端, 产业园), "汝州产投公司" -> (产投, 公司)."""
    jieba_ready()
    import jieba.posseg

    words = [(w.word, w.flag) for w in jieba.posseg.cut(question)]
    out = []
    for i, (word, _) in enumerate(words):
        kind = next((k for k in _ENTITY_KINDS if word.endswith(k)), "")
        if not kind:
            continue
        name = word[: -len(kind)]
        j = i - 1
        while j >= 0 and len(name) < 6 and words[j][1].startswith(("n", "vn", "l", "j")):
            if words[j][1].startswith("ns") or len(words[j][0]) < 2:
                break  # the place the park belongs to ("汝州", "产业集聚/区")
            name = words[j][0] + name
            j -= 1
        if len(name) >= 2:
            out.append((name, kind))
    return tuple(out)


@lru_cache(maxsize=1024)
def word_parts(word: str) -> tuple[str, ...]:
    """A long word as the words it is made of ("粮食产量" -> 粮食, 产量): "粮食播种面积…，
    总产量达到36.8万吨" states it, though not in one run."""
    if len(word) < 4:
        return (word,)
    jieba_ready()
    import jieba

    pieces = sorted({p for p in jieba.cut_for_search(word) if 2 <= len(p) < len(word)}, key=len)
    out, i = [], 0
    while i < len(word):
        piece = next((p for p in reversed(pieces) if word.startswith(p, i)), "")
        if not piece:
            return (word,)  # the pieces do not cover it: keep the word whole
        out.append(piece)
        i += len(piece)
    return tuple(out)


# A figure with its scale and the unit after it: "220千伏", "22万伏", "1.47亿元".
_SCALED = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(万|亿|千|百)?([\u4e00-\u9fff])")


def restated(question: str, text: str) -> str:
    """The question's figures as the passages spell the same value in the same unit:
    "220千伏" -> "22万伏" when a passage says "22万伏", so the search, the quote, the model
    and the check of what the answer names all look for the documents' wording of it. Of
    several spellings, the first passage's (the best-ranked: `text` is in rank order)."""

    def key(m: re.Match[str]) -> tuple[float, str]:  # value and unit, rounded past float noise
        return round(float(m.group(1)) * SCALES.get(m.group(2) or "", 1.0), 6), m.group(3)

    said: dict[tuple[float, str], str] = {}
    for m in _SCALED.finditer(ungrouped(text)):
        said.setdefault(key(m), m.group(0))
    if not said:
        return question
    return _SCALED.sub(lambda m: said.get(key(m), m.group(0)), ungrouped(question))


def loosely_in(word: str, text: str) -> bool:
    """The word's characters in order, at most 3 apart: "营收" in "营业收入", "规上" in
    "规模以上" - abbreviations pass, another quantity ("粮食产量" for 产值) does not."""
    pattern = ".{0,3}".join(re.escape(c) for c in word)
    return re.search(pattern, text) is not None
