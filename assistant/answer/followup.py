"""Follow-ups: when a question needs the conversation to stand alone, and how a rewrite
of it is held to the places the conversation named."""

from __future__ import annotations

import re

from assistant.answer.english import detect_lang
from assistant.answer.flags import Flag
from assistant.identity import ADMIN_SUFFIXES, place_names

FOLLOWUP = re.compile(
    r"^(?:那|那么|它|其|该|这|此|上述|他们|他|她)|呢[？?]?$|^(?:what about|and |how about)|\b(?:it|its|they|their|them|there|that one)\b",
    re.I,
)


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
