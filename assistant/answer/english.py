"""An English question: its language, the glossary's Chinese terms, places and names it
spells in pinyin (matched against the indexed documents' own words)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from assistant.answer.text import NUMBER
from assistant.identity import ADMIN_SUFFIXES


def detect_lang(text: str) -> str:
    """ "en" when Latin letters clearly outweigh Chinese characters, else "zh" (markup such
    as "<img src=x>" in a pasted question is no English)."""
    text = re.sub(r"<[^<>]*>", " ", text)
    cjk = len(re.findall(r"[\u3400-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "en" if latin > cjk * 2 else "zh"


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
