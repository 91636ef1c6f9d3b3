"""Question preparation: language, follow-up rewrite, Chinese search terms, key terms,
sub-questions. The rewrite/translation calls take an LLM callable; the rest is pure."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from assistant.answer.flags import Flag
from assistant.answer.tables import row_label
from assistant.answer.text import MARKER, NUMBER, SCALES, jieba_ready, ungrouped
from assistant.identity import ADMIN_SUFFIXES, place_names
from assistant.index.tokenize import MENTION_VERBS

FOLLOWUP = re.compile(
    r"^(?:那|那么|它|其|该|这|此|上述|他们|他|她)|呢[？?]?$|^(?:what about|and |how about)|\b(?:it|its|they|their|them|there|that one)\b",
    re.I,
)
# Part-of-speech classes that shape a question without naming what it asks about:
# pronouns, adverbs, conjunctions, prepositions, particles, modals, interjections.
_FUNCTION_POS = ("r", "d", "c", "p", "u", "y", "e", "o", "x", "w", "q", "f", "z", "t")
# Interrogatives and asking verbs are a closed class of the language, not of any question set.
_INTERROGATIVE = re.compile(r"多少|什么|哪|几|怎|吗|呢|是否|有没有|如何|为何|请问")
_NAME_POS = ("ns", "nr", "nt", "nz", "nrt", "nrfg", "eng")
_SEVERAL = re.compile(
    r"分别|各自|各是|各有|各为|各[^\s]{0,4}多少|哪个更|哪一个更|谁更|相比|对比|比较|两篇|两份|两个文件|说法|一样吗|不同|both|each|respectively|compare",
    re.I,
)
_PER_DOCUMENT = re.compile(r"两篇|两份|两个文件|各篇|说法|一样吗|不一样|分别怎么说|各怎么")
_COORD = "和|与|及|、|跟|同|以及"


def detect_lang(text: str) -> str:
    """ "en" when Latin letters clearly outweigh Chinese characters, else "zh"."""
    cjk = len(re.findall(r"[\u3400-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "en" if latin > cjk * 2 else "zh"


def needs_rewrite(question: str, history: list[dict[str, str]] | None) -> bool:
    """A follow-up ("那鹤淇呢？", "后来扩区以后总面积是多少？") needs the conversation to
    stand alone: it refers back, is very short, or (in Chinese, where places can be told)
    names no place of its own."""
    users = [t["content"] for t in (history or []) if t.get("role") == "user"]
    unplaced = detect_lang(question) == "zh" and not place_names(question)
    return bool(users) and (refers_back(question) or unplaced)


def refers_back(question: str) -> bool:
    """ "那今年的目标呢？", "它…", a very short question: plainly about the last turn's subject."""
    q = question.strip()
    return bool(FOLLOWUP.search(q)) or len(q) <= 8


def drop_new_years(rewrite: str, question: str) -> str:
    """A model's translation or rewrite without the years the question never named
    ("2019年1月至10月" for "January to October"): an invented year binds the reading
    to the wrong period."""
    said = set(re.findall(r"(?:19|20)\d{2}", question))
    return re.sub(
        r"(?<!\d)((?:19|20)\d{2})\s*年(?:度)?",
        lambda m: m.group(0) if m.group(1) in said else "",
        rewrite,
    )


_OWN_TIME = re.compile(r"今年|明年|去年|本年|当年|上年|(?:19|20)\d{2}\s*年")


def carried_turn(previous: str, question: str) -> str:
    """The last question as a follow-up carries it: without its years when the follow-up
    names a time of its own ("2023年引进了多少个项目？" + "那今年的目标呢？")."""
    return drop_new_years(previous, "") if _OWN_TIME.search(question) else previous


def carried_places(question: str, history: list[dict[str, str]] | None) -> list[str]:
    """The places a follow-up leaves implicit: the latest user turn's that names any,
    when the question names none of its own."""
    if place_names(question):
        return []
    for turn in reversed(history or []):
        if turn.get("role") == "user" and (names := place_names(turn["content"])):
            return names
    return []


def _surface(name: str, text: str) -> str:
    """The name as the text writes it, with its administrative suffix ("鹿鸣" -> "鹿鸣县")."""
    suffixes = "|".join(re.escape(s) for s in ADMIN_SUFFIXES)
    m = re.search(rf"{re.escape(name)}(?:{suffixes})?", text)
    return m.group(0) if m else name


def swap_place(previous: str, question: str) -> str:
    """ "那柘城县产业集聚区呢？" after a question about 鹤淇: the last question with its place
    swapped for the new one, or "" when either names none. Of several places the one of the
    same kind goes ("钟楼街道呢？" replaces 汝南街道, not 汝州)."""
    new, old = place_names(question), [p for p in place_names(previous) if p in previous]
    if not new or not old:
        return ""
    kind = _surface(new[0], question)[len(new[0]) :]
    same = [p for p in old if kind and _surface(p, previous).endswith(kind)]
    return previous.replace((same or old)[0], new[0], 1)


def bind_rewrite(
    rewrite: str, question: str, history: list[dict[str, str]] | None
) -> tuple[str, list[str]]:
    """A model's standalone rewrite held to the conversation's places: a place nobody
    named ("清水县" for 渑水县) is replaced by the carried one (or the rewrite rejected:
    ""), and, for a question that plainly refers back, a carried place the rewrite dropped
    is put back in front (a question that merely names no place is left as the model
    read it: it may be about everything)."""
    said = question + "".join(t["content"] for t in history or [])
    rewrite = drop_new_years(rewrite, said)
    carried = carried_places(question, history)
    flags: list[str] = []
    invented = [p for p in place_names(rewrite) if p not in said]
    if invented:
        if len(carried) != 1:
            return "", [Flag.REWRITE_REJECTED]
        for p in invented:
            rewrite = rewrite.replace(_surface(p, rewrite), _surface(carried[0], said))
        flags.append(Flag.REWRITE_PLACE_REPAIRED)
    # a place of the question's own ("那鹤淇呢？": jieba alone does not see 鹤淇 in it) that
    # the rewrite spells out replaces the last turn's, it is not added to it
    own = [p for p in place_names(rewrite) if p in question]
    missing = [p for p in carried if p not in rewrite]
    if missing and not own and refers_back(question):
        rewrite = "".join(_surface(p, said) for p in missing) + rewrite
        flags.append(Flag.PLACE_CARRIED)
    return rewrite, flags


@lru_cache(maxsize=4)
def _glossary(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            en, zh = line.split("\t", 1)
            pairs.append((en.strip().lower(), zh.strip()))
    return sorted(pairs, key=lambda p: -len(p[0]))


def glossary_pairs(glossary: Path, question: str) -> list[tuple[str, str]]:
    """(English, Chinese) glossary entries whose English words the question uses, longest
    first, each word used once."""
    text = question.lower()
    found: list[tuple[str, str]] = []
    for en, zh in _glossary(glossary):
        if re.search(rf"\b{re.escape(en)}s?\b", text):
            found.append((en, zh))
            text = re.sub(rf"\b{re.escape(en)}s?\b", " ", text)
    return found


def glossed(glossary: Path, translation: str, question: str = "") -> str:
    """A translation with the English terms it kept put in the documents' words: "渑水县的
    GDP是多少" searches and reads as "渑水县的地区生产总值是多少" (a sub-question is searched
    on its own words, which no Chinese passage shares with "GDP"). A term of the English
    `question` (of two words or more) the translation lost is put back: "income of urban
    residents" is 城镇居民's income, not the 居民 figure "人均可支配收入" would read."""
    if re.search(r"[A-Za-z]{2}", translation):
        for en, zh in _glossary(glossary):
            pattern = rf"(?<![A-Za-z]){re.escape(en)}s?(?![A-Za-z])"
            translation = re.sub(pattern, zh.split()[0], translation, flags=re.I)
    if not translation:
        return translation
    pairs = glossary_pairs(glossary, question)
    for en in lost_terms(glossary, translation, question):
        term = dict(pairs)[en].split()[0]
        # "X of Y" is "YX": put Y's term before X's, where the translation has X's
        of = re.search(rf"([a-z ]+?) of (?:the )?{re.escape(en)}", question.lower())
        head = next((z.split()[0] for e, z in pairs if of and of.group(1).endswith(e)), "")
        if head and head in translation:
            translation = translation.replace(head, term + head, 1)
        else:
            translation = re.sub(r"([？?。]?)$", rf"（{term}）\1", translation, count=1)
    return translation


def lost_terms(glossary: Path, rewrite: str, question: str) -> list[str]:
    """The English question's multi-word terms that a rewrite or translation of it says in
    neither language: "And the auto equipment manufacturing park — how big is it?"
    rewritten about the last turn's park has lost its own subject. One English word
    ("park", "province") names nothing in particular and is never lost."""
    low = rewrite.lower()
    return [
        en
        for en, zh in glossary_pairs(glossary, question)
        if " " in en and en not in low and not any(word in rewrite for word in zh.split())
    ]


def glossary_terms(glossary: Path, question: str) -> str:
    """Chinese search terms for the English words of a question (the no-LLM path)."""
    found = [zh for _, zh in glossary_pairs(glossary, question)]
    return " ".join(found + NUMBER.findall(question))


@lru_cache(maxsize=65_536)
def _pinyin(word: str) -> str:
    """Cached: every English question compares its words with every known place's pinyin."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(word)).lower()


def english_places(question: str, known: list[str]) -> list[str]:
    """Known Chinese place names an English question spells in pinyin ("Mianshui" -> 渑水).

    English questions name Chinese places by their pinyin; the places of the indexed
    documents' titles, file names and headings are the candidates.
    """
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", question)]
    spelled = set(words) | {a + b for a, b in zip(words, words[1:], strict=False)}
    spelled |= {a + b + c for a, b, c in zip(words, words[1:], words[2:], strict=False)}

    def spellings(place: str) -> set[str]:  # "Anyang" spells 安阳市 too
        bare = next((place[: -len(x)] for x in ADMIN_SUFFIXES if place.endswith(x)), place)
        return {_pinyin(place), _pinyin(bare)} if len(bare) >= 2 else {_pinyin(place)}

    return [p for p in known if spellings(p) & spelled]


def spellings(vocabulary: list[tuple[str, int]]) -> dict[str, str]:
    """pinyin -> the documents' word spelled so (the commonest of homophones), for words
    and for the first 2-3 characters of longer ones ("汝绣园" is also "ruxiu" -> 汝绣)."""
    best: dict[str, tuple[int, str]] = {}
    for term, df in vocabulary:
        for word in {term, *(term[:n] for n in (2, 3) if len(term) > n)}:
            key = _pinyin(word)
            if df > best.get(key, (0, ""))[0]:
                best[key] = (df, word)
    return {key: word for key, (_, word) in best.items()}


def english_names(question: str, spelled: dict[str, str]) -> list[tuple[str, str]]:
    """(English spelling, Chinese word) for the capitalised words of an English question
    that spell one of the documents' words in pinyin: "Ruxiu" -> 汝绣, "Jian Long" -> 剑龙.
    A name the small model would otherwise guess ("瑞秀") is given to it as the documents
    write it."""
    found: dict[str, str] = {}
    runs = re.findall(r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*", question)
    for run in runs:
        words = run.split()
        for size in (3, 2, 1):
            for i in range(len(words) - size + 1):
                english = " ".join(words[i : i + size])
                word = spelled.get(english.replace(" ", "").lower())
                if word and not any(word in w or w in word for w in found.values()):
                    found[english] = word
    return list(found.items())


def spelled_as(place: str) -> str:
    """How an English question spells a Chinese place: its pinyin, capitalised."""
    return _pinyin(place).capitalize()


# A term the user quotes ("“一带”指什么", "两个“3000亩”") is the exact wording to find.
_QUOTED = re.compile(r"“([^”]{1,20})”|「([^」]{1,20})」|\"([^\"]{1,20})\"|‘([^’]{1,20})’")


def quoted_terms(question: str) -> list[str]:
    """The literal terms a question puts in quotation marks, lower-cased."""
    return [next(g for g in m.groups() if g).strip().lower() for m in _QUOTED.finditer(question)]


def content_words(question: str) -> list[tuple[str, bool]]:
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
        if flag.startswith(_FUNCTION_POS) or _INTERROGATIVE.search(w) or w in MENTION_VERBS:
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
                if len(sub) >= 2 and sub != w and not _INTERROGATIVE.search(sub):
                    out.setdefault(sub, kind)
    return list(out.items())


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


def asks_several(question: str) -> bool:
    return bool(_SEVERAL.search(question))


def per_document(question: str) -> bool:
    """ "两篇报道分别怎么说": the parts are documents, not named places."""
    return bool(_PER_DOCUMENT.search(question))


_DOC_REFERENCE = re.compile(
    r"(?:这|那)?[两各][篇份个](?:[\u4e00-\u9fff]{0,6}?)(?:报道|文件|报告|材料|文章|方案)(?:里|中|上)?"
    r"|(?:分别|各)?怎么说的?|说法(?:一样|相同|一致)?吗?|一样吗|有什么不同|不一样"
)


# A clause that only says which documents to read: "早先的报道和2023年招商方案各怎么定".
_DOC_CLAUSE = re.compile(
    r"[^，,。？?；;]*(?:报道|报告|方案|文件|材料|文章|公报|通知)[^，,。？?；;]*?"
    r"(?:分别|各自?)(?:是)?(?:怎么|如何|怎样)[^，,。？?；;多少几]{0,3}[，,。？?；;]?"
)
# How a comparison across documents is framed: "前后有什么变化", "有何不同".
_FRAMING = re.compile(r"(?:前后|先后)?有(?:什么|哪些|何)(?:变化|不同|区别|差别)")


_DOC_KINDS = re.compile(r"报道|报告|方案|文件|材料|文章|公报|通知")


def named_kinds(question: str) -> list[str]:
    """The kinds of document a per-document clause names, in order: "早先的报道和2023年招商
    方案各怎么定" -> [报道, 方案]; "两篇报道分别怎么说" -> [报道]."""
    clause = _DOC_CLAUSE.search(question)
    kinds = _DOC_KINDS.findall(clause.group(0)) if clause else []
    return list(dict.fromkeys(kinds))


def asked_of_each(question: str) -> str:
    """What a per-document question asks each document: "X是多少？两篇报道说法一样吗？" ->
    "X是多少？", "汝州的主导产业前后有什么变化？早先的报道和2023年方案各怎么定？" ->
    "汝州的主导产业是什么？" - the words about the documents would only dilute each reading."""
    rest = _FRAMING.sub("", _DOC_CLAUSE.sub("", question))
    if len(re.findall(r"[\u4e00-\u9fff]", rest)) >= 4:
        question = rest
    stripped = _DOC_REFERENCE.sub("", question)
    # "两份报告都提到了X" without its documents only mentions X
    stripped = re.sub(rf"^(?:都|均|也)?(?:{'|'.join(MENTION_VERBS)})了?", "", stripped)
    stripped = re.sub(r"[，,、]+(?=[？?。]|$)", "", stripped)
    stripped = re.sub(r"([？?。])[？?。]+", r"\1", stripped).strip("，,、 ")
    if len(re.findall(r"[\u4e00-\u9fff]", stripped)) < 4:
        return question
    if not _INTERROGATIVE.search(stripped):  # "各怎么定" of a bare "汝州的主导产业" asks what it is
        stripped = stripped.rstrip("？?。") + "是什么？"
    return stripped


def _neutral(part: str) -> str:
    """A sub-question without the words that addressed several things at once."""
    part = re.sub(  # a comparison asked in a clause of its own goes ("？哪个县更大？")
        r"(?<=[？?])\s*(?:哪|谁)[^？?，,]{0,6}?(?:更|最)[大多高快少低长小慢][^？?]*[？?]?$",
        "",
        part,
    )
    part = re.sub(
        r"(?:哪(?:个|一个|一)?|谁)([^\s，,。？?]{0,4}?)(?:更|最)[大多高快少低长小慢]",
        r"\1是多少",
        part,
    )
    part = re.sub(r"分别|各自|各(?![种类级项个地部乡镇县区市单位自])", "", part)
    part = re.sub(r"相比|对比|比较", "", part)
    return part.strip()


def split_question(question: str) -> list[str]:
    """Sub-questions of a multi-part or comparison question, or [question].

    - Two questions in one: each part when each names its own place ("汝州的报道说…？
      柘城的文件说…？"), or when each later part names a quantity of its own (then asked
      about the first part's place and year). "…是多少？比上年增长多少？" stays whole.
    - Two named places joined by 和/与/、 ("汝州和沁阳产业集聚区各融了多少钱？"): one
      sub-question per place, the shared suffix ("产业集聚区") given to both.
    """
    q = question.strip()
    parts = [p.strip() for p in re.split(r"(?<=[？?])", q) if len(p.strip()) >= 4]
    named = [place_names(p) for p in parts]
    if len(parts) >= 2 and all(named) and len({n[0] for n in named}) == len(parts):
        return parts  # "汝州的报道说…？柘城的文件说…？": each part names its own place
    if len(parts) >= 2 and all(asked_quantities(p) for p in parts[1:]):
        # "澄源县2023年接待游客多少人次？旅游综合收入多少？": a later part that names a
        # quantity of its own is its own question, about the first part's place and year;
        # "…是多少？比上年增长多少？" names none and is read with the first
        subject = _subject(parts[0])
        return [parts[0], *(p if place_names(p) or not subject else subject + p for p in parts[1:])]
    places = place_names(q)
    if len(places) >= 2:
        for a in places:
            for b in places:
                if a == b:
                    continue
                m = re.search(
                    rf"{re.escape(a)}([^\s，,。？?]{{0,10}}?)(?:{_COORD}){re.escape(b)}", q
                )
                if not m:
                    continue
                tail = q[m.end() :]
                chain = _suffix_chain(tail)  # b's own suffixes: "县产业集聚区"
                pre = q[: m.start()]
                if m.group(1):  # "鹤淇产业集聚区和柘城县产业集聚区": a keeps its own
                    first = f"{pre}{a}{m.group(1)}{tail[len(chain) :]}"
                else:  # "汝州和沁阳产业集聚区": a shares b's
                    first = f"{pre}{a}{tail}"
                second = f"{pre}{b}{tail}"
                return [_neutral(first), _neutral(second)]
    if asks_several(q):
        return _split_nouns(q)
    return [q]


def _suffix_chain(text: str) -> str:
    """The administrative suffixes a text opens with, run together ("县产业集聚区")."""
    end = 0
    while suffix := next((x for x in ADMIN_SUFFIXES if text.startswith(x, end)), ""):
        end += len(suffix)
    return text[:end]


_SUBJECT = re.compile(
    rf"^[^，,。？?]{{0,16}}?(?:{'|'.join(ADMIN_SUFFIXES)})(?:(?:19|20)\d{{2}}\s*年)?|^(?:19|20)\d{{2}}\s*年"
)


def _subject(question: str) -> str:
    """The place (and year) a question opens with: "澄源县2023年" of "澄源县2023年接待游客
    多少人次？", "鹤淇产业集聚区" of "鹤淇产业集聚区累计投资多少？"; "" without one."""
    m = _SUBJECT.match(question)
    return m.group(0) if m and (place_names(m.group(0)) or m.group(0)[:2].isdigit()) else ""


def _split_nouns(q: str) -> list[str]:
    """ "城镇和农村居民人均可支配收入各增长多少" -> one sub-question per coordinated noun."""
    jieba_ready()
    import jieba.posseg

    words = [(w.word, w.flag) for w in jieba.posseg.cut(q)]
    for i in range(1, len(words) - 1):
        if not re.fullmatch(_COORD, words[i][0]):
            continue
        (a, fa), (b, fb) = words[i - 1], words[i + 1]
        if len(a) >= 2 and len(b) >= 2 and fa.startswith("n") and fb.startswith("n"):
            if len(b) > len(a) and len(a) == 2 and fa != "n":
                # "城镇/ns 和 农村居民": a modifier shares the head "居民"; a noun of its
                # own ("企业/n 和 就业人口") does not become "企业人口"
                a = a + b[2:]
            pre = "".join(w for w, _ in words[: i - 1])
            post = "".join(w for w, _ in words[i + 2 :])
            return [_neutral(f"{pre}{a}{post}"), _neutral(f"{pre}{b}{post}")]
    # "顶层设计和空间发展规划分别是谁做的": two noun phrases, the distributive right after
    for i in range(1, len(words) - 1):
        if not re.fullmatch(_COORD, words[i][0]):
            continue
        start = i
        while start > 0 and _nominal(words[start - 1][1]):
            start -= 1
        end = i + 1
        while end < len(words) and _nominal(words[end][1]):
            end += 1
        if start < i and end > i + 1 and end < len(words) and _DISTRIBUTIVE.match(words[end][0]):
            pre = "".join(w for w, _ in words[:start])
            post = "".join(w for w, _ in words[end:])
            left = "".join(w for w, _ in words[start:i])
            right = "".join(w for w, _ in words[i + 1 : end])
            return [_neutral(f"{pre}{left}{post}"), _neutral(f"{pre}{right}{post}")]
    return [q]


_DISTRIBUTIVE = re.compile(r"^(?:分别|各自|各)$")


def _nominal(flag: str) -> bool:
    """A word of a noun phrase ("顶层/n 设计/vn"), not a place (named places split above)."""
    return flag in ("n", "vn", "nz", "j", "ng", "l")  # l: set phrases, "固定资产"


_COMPARE = re.compile(r"(?:哪个|哪一个|哪一|谁)[^\s，,。？?]{0,4}?(?:更|最)([大多高快少低长小慢])")


def comparison(question: str) -> str:
    """The comparative a question asks for ("快" in "哪个增长更快"), or ""."""
    m = _COMPARE.search(question)
    return m.group(1) if m else ""


# ---- what kind of answer a question asks for

# "哪几个/哪几项" asks which ones (a list), not how many
_ASKS_NUMBER = re.compile(
    r"多少|(?<!哪)几|多[大高长宽远深重久]|比例|面积|金额|规模|增长|排第"
    r"|how (?:many|much|large|big|long|far|high)|what (?:percentage|share|area|amount)",
    re.I,
)
_ASKS_DATE = re.compile(
    r"什么时候|何时|哪天|哪一天|哪年|哪一年|哪个月|几月|几号|日期|落款|\bwhen\b|what (?:date|year|month|day)",
    re.I,
)
_DATE = re.compile(
    r"(?:19|20)\d{2}\s*年|(?<![\d.])\d{1,2}\s*月|[〇零一二三四五六七八九]{4}\s*年|[一二三四五六七八九十]{1,2}月"
    r"|(?:19|20)\d{2}[-/.]\d{1,2}|[上中下]旬|年初|年底|年末"
)
# Which place, organisation or person: answered by a name, not by a figure.
ASKS_NAME = re.compile(
    r"哪(?:个|一个|家|位|座|些)?(?:区|县|市|省|城市|镇|乡|街道|单位|公司|机构|部门|企业|人|委员|交易所|银行)|在哪|哪里|谁|"
    r"\b(?:which|who|where)\b",
    re.I,
)
_NAME = re.compile(
    r"[\u4e00-\u9fff]{2,}(?:公司|集团|大学|学院|研究院|设计院|研究所|交易所|所|银行|委员会|政府|局|厅|办公室|办|中心|协会|街道|镇|乡|县|区|市|省)"
    r"|[“《「][^”》」]{2,30}[”》」]"
)
# Which enterprise or body: answered by an organisation's name, not a place's. "哪些医药
# 企业" is not answered by "柘城县…主导产业为医药制品加工业", which names only a county.
_ASKS_ORG = re.compile(
    r"哪(?:个|一个|家|些|几家|几个)?[\u4e00-\u9fff]{0,6}?(?:企业|公司|单位|机构|银行|工厂|厂家|院校|学校|医院)"
    r"|\bwhich (?:\w+ )?(?:compan(?:y|ies)|enterprises?|firms?|institutions?)\b",
    re.I,
)
_ORG = re.compile(
    r"[\u4e00-\u9fff]{2,}(?:公司|集团|股份|实业|工厂|厂(?![房区])|大学|学院|研究院|设计院|研究所|医院|银行|合作社|协会)"
)
_UNIT_FAMILIES = [
    ("元", "万元", "亿元", "千元"),
    ("人", "万人", "名"),
    ("%", "个百分点", "成"),
    ("亩", "万亩", "平方公里", "平方千米", "公顷", "平方米", "万平方米", "平米", "万平米"),
    ("公里", "千米", "米"),
    ("家", "户"),
    ("个", "项", "条", "所", "座", "批"),
    ("吨", "万吨", "千瓦", "万千瓦"),
]
# Every unit above, longest first so that "平方公里" is not read as "公里".
UNITS = sorted({u for f in _UNIT_FAMILIES for u in f} - {"成"}, key=len, reverse=True)
_ASKED_UNIT = re.compile(
    rf"(?:多少|(?<!哪)几)({'|'.join(map(re.escape, UNITS))}|倍|钱"
    r"|[棵株台套辆艘架部件只头张间栋幢处次场届份本册])"  # any other measure word is its own unit
)
# between a figure and its unit: "160余家", "6.5万余棵", "1300多条", "约5万元"
_QUALIFIER = r"(?:\s*(?:余|多|万|亿|千|百|来))*"


def asks_number(question: str) -> bool:
    return bool(_ASKS_NUMBER.search(question))


def asked_types(question: str) -> set[str]:
    """The kinds of answer a question asks for: "date", "name" (a place or a body),
    "organisation" (an enterprise or body only), "number" (any of them)."""
    out = set()
    if _ASKS_DATE.search(question):
        out.add("date")
    if _ASKS_ORG.search(question):
        out.add("organisation")
    elif ASKS_NAME.search(question):
        out.add("name")
    if asks_number(question) and "date" not in out:
        out.add("number")
    return out


# a figure written in words: "居全市第二位", "五个部室", "两家企业"
_WORD_FIGURE = re.compile(
    r"第[一二三四五六七八九十百]+|[一二三四五六七八九十两百千]+(?:个|家|项|位|名|条|座|所|批|倍|成|大)"
)


def _figures_beyond(question: str, text: str) -> bool:
    """The text states a figure that is not the question's own nor a bare year."""
    asked = set(NUMBER.findall(question)) | set(_WORD_FIGURE.findall(question))
    found = NUMBER.findall(text) + _WORD_FIGURE.findall(text)
    return any(n not in asked and not re.fullmatch(r"(?:19|20)\d{2}", n) for n in found)


def type_match(question: str, text: str) -> float:
    """Share of the answer kinds the question asks for (a date, a name, a figure) that the
    text states; 0.5 when it asks for none of them. Classic answer-type checking: a
    sentence without any date answers no "什么时候", whatever words it shares."""
    asked = asked_types(question)
    if not asked:
        return 0.5
    found = 0
    if "date" in asked and _DATE.search(text):
        found += 1
    named = bool(row_label(text))  # a table row's label names its item ("汝南街道｜…")
    if "name" in asked and (_NAME.search(text) or named):
        found += 1
    if "organisation" in asked and (_ORG.search(text) or named):
        found += 1
    if "number" in asked and _figures_beyond(question, text):
        found += 1
    return found / len(asked)


def unit_family(unit: str) -> tuple[str, ...]:
    """The units that measure the same thing as `unit` ("万元" -> 元, 万元, 亿元, 千元)."""
    return next((f for f in _UNIT_FAMILIES if unit in f), (unit,))


# A rate asked for: "增长多少", "占比多少", "哪个增长更快".
_ASKS_RATE = re.compile(r"增长|增速|下降|比重|占比")


def _named_unit(question: str) -> tuple[str, ...]:
    """The family of the unit the question names ("多少亿元"), or ()."""
    if m := _ASKED_UNIT.search(question):
        return unit_family(m.group(1).replace("钱", "元"))  # "多少钱" asks an amount in 元
    return ()


def asked_units(question: str) -> tuple[str, ...]:
    """The unit family a question asks its figure in ("多少亿元" -> 元, 万元, …; "增长多少"
    and "哪个增长更快" -> %; "收入是多少" -> 元, by what is measured), or ()."""
    if named := _named_unit(question):
        return named
    if _ASKS_RATE.search(question):
        return unit_family("%")
    heads = [q[-1] for q in asked_quantities(question)]
    if heads and all(_IN_YUAN.search(h) for h in heads):
        return unit_family("元")  # "人均可支配收入是多少" asks an amount, not its growth
    if heads and all(re.search(r"(?:人口|人数|就业)$", h) for h in heads):
        return unit_family("人")  # "常住人口多少" is not "按常住人口计算的人均生产总值"
    return ()


def asked_unit_families(question: str) -> list[tuple[str, ...]]:
    """Every unit family a question asks a figure in, one per thing asked: "生产总值是多少，
    增长多少" asks an amount (元) and a rate (%); a sentence giving both answers it whole."""
    families: list[tuple[str, ...]] = []
    if named := _named_unit(question):
        families.append(named)
    if _ASKS_RATE.search(question):
        families.append(unit_family("%"))
    if any(_IN_YUAN.search(q[-1]) for q in asked_quantities(question)):
        families.append(unit_family("元"))
    return list(dict.fromkeys(families))


# Quantities counted in money whatever the question's wording.
_IN_YUAN = re.compile(
    r"(?:收入|产值|总值|投资|资金|金额|总额|余额|税收|利税|支出|存款|贷款|营收|利润)$"
)


def figure_in(units: tuple[str, ...]) -> re.Pattern[str]:
    """A figure stated in one of these units (qualifiers like 余/多/万 in between)."""
    pattern = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    return re.compile(rf"(-?\d+(?:\.\d+)?){_QUALIFIER}\s*({pattern})")


def unit_match(question: str, answer: str) -> float:
    """1 when the answer states a figure in the unit family the question asks for, 0 when
    it asks one and the answer has none ("多少元" answered with a growth rate), else 0.5."""
    units = asked_units(question)
    if not units:
        return 0.5
    return 1.0 if figure_in(units).search(MARKER.sub("", answer)) else 0.0
