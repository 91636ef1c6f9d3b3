"""Off-target rules: a supported sentence that still does not answer the question.

Verification (`verify.check`) keeps a sentence only when a bound passage holds its facts;
these rules then remove a kept sentence that answers something else: another year, another
quantity, another park, level or table row, or a masked name. Each is a small named object
with a one-line docstring, applied in the order of `RULES`; the first that applies names
the flag recorded for the removed sentence. A rule is switched off by its name
(`[answer] rules_off`), so each can be measured by leaving it out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from assistant.answer.evidence import Evidence
from assistant.answer.flags import Flag
from assistant.answer.kinds import ASKS_NAME, asks_number, figure_in, unit_family
from assistant.answer.query import asked_entities, asked_quantities, loosely_in, word_parts
from assistant.answer.tables import ASKS_TOTAL, TOTAL_ROWS, label_named, row_label
from assistant.answer.text import CONTINUES, bigrams

# Published documents mask names ("隶属于安阳市*区", "******市"): a masked name is no
# answer to a question that asks which place or who.
_REDACTED = re.compile(r"[*＊]+|[×Ｘ]{2,}")
ASKED_YEAR = re.compile(r"(?<![\d.])(?:19|20)\d{2}(?![\d.])")
STATED_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?=\s*年)")

# A quantity its unit names whatever the noun: "规划面积" is stated as "规划占地1万亩".
_MEASURED_IN = {"面积": unit_family("亩"), "人口": ("人", "万人")}


def _states(word: str, text: str) -> bool:
    """The word, loosely, or each word it is made of ("粮食产量": 粮食…总产量)."""
    if loosely_in(word, text) or all(loosely_in(p, text) for p in word_parts(word)):
        return True
    return len(word) >= 3 and word[0] == "总" and loosely_in(word[1:], text)  # 总产量: 产量


def _measures(quantity: tuple[str, ...], text: str) -> bool:
    """The text states the asked quantity: each of its words, in any order ("投资30亿元的
    …项目" states 项目投资) and loosely ("规上" for 规模以上), or, for an area or a
    population, its modifier and a figure in its unit ("规划占地1万亩" is 规划面积)."""
    if all(_states(w, text) for w in quantity):
        return True
    *modifier, head = [part for w in quantity for part in word_parts(w)]  # 常住 + 人口
    if not all(_states(w, text) for w in modifier):
        return False
    units = next((u for word, u in _MEASURED_IN.items() if head.endswith(word)), ())
    return bool(units) and figure_in(units).search(text) is not None


def _other_entity(question: str, heading: str, ground: str) -> bool:
    """The question asks about one park (company, base) and the sentence sits under a
    heading about another of that kind: "智能终端产业园…多少产值" is not answered by
    "实现年产值80亿元" under "汽车装备制造产业园". Another is one whose name shares no
    two characters in a row with the asked one."""
    for name, kind in asked_entities(question):
        if loosely_in(name, f"{heading}\n{ground}"):
            continue
        others = [heading[max(0, m.start() - 4) : m.start()] for m in re.finditer(kind, heading)]
        if any(len(o) >= 2 and not bigrams(o) & bigrams(name) for o in others):
            return True
    return False


# The level a title, an award or a body is granted at: a 省级 factory is no 国家级 one
# ("市级以上" spans levels: it names none; "国家政策/发展/战略/标准" is policy, not a level).
_LEVEL = re.compile(
    r"(国家|省|市|县|区)级(?!及?以上)|(国家)(?![级\u4e00-\u9fff]{0,1}(?:政策|发展|战略|标准))"
)


def _levels(text: str) -> set[str]:
    return {m.group(1) or m.group(2) for m in _LEVEL.finditer(text)}


def _other_level(question: str, ground: str) -> bool:
    """The question asks about one level (国家级, 省级, …) and the sentence names only
    others: "国家绿色工厂奖励多少" is not answered by "对列入省级智能制造示范工厂的企业，一次性
    奖励100万元"."""
    asked = _levels(question)
    stated = _levels(ground)
    return len(asked) == 1 and bool(stated) and not asked & stated


# Questions that range over a table's rows: which row, the most, each one.
_ACROSS_ROWS = re.compile(
    r"哪|谁|最|各|分别|排名|排第|\b(?:which|most|highest|largest|each)\b", re.I
)


def _other_row(question: str, ground: str) -> bool:
    """The figure is a table row's and the question, which asks one item's figure, names
    hardly any of that row's label: "国家绿色工厂奖励多少" is not answered by the
    "高新技术企业（首次认定）｜奖励金额：15万元" row."""
    name = row_label(ground)
    if not name or name in TOTAL_ROWS or not asks_number(question):
        return False
    if _ACROSS_ROWS.search(question) or ASKS_TOTAL.search(question):
        return False
    return label_named(name, question) < 1 / 3


def _covered_years(title: str) -> set[str]:
    """The years a document's "全年" can mean, from its title: a 2023 bulletin's 2023; a
    2024 work report's 2024 and the 2023 it reviews. Empty (anything goes) without one, and
    for a compilation titled by its first part ("第一篇：…2025年发展报告"): that year is
    only the first part's."""
    if re.match(r"第[一二三四五六七八九十\d]+[篇章部]", title.strip()):
        return set()
    years = set(ASKED_YEAR.findall(title))
    if re.search(r"报告|汇报|总结", title):
        years |= {str(int(y) - 1) for y in years}
    return years


def _lead_clauses(clause: str, text: str) -> str:
    """The clauses of the sentence before `clause` when it continues their topic
    (`CONTINUES`), else ""."""
    at = text.find(clause)
    if at <= 0 or not CONTINUES.match(clause):
        return ""
    before = re.split(r"[。！？!?\n]", text[:at])[-1]
    return before if re.search(r"[；;]\s*$", before) else ""


@dataclass(frozen=True, kw_only=True)
class Target:
    """A supported answer sentence and what it rests on, as the rules see it."""

    sentence: str  # the answer sentence
    ground: str  # the passage sentence it rests on
    evidence: Evidence  # that passage
    question: str  # the question in the user's words (its years, its figures asked)
    named: str  # the Chinese question whose parks and companies must be the ones spoken of


class Rule(Protocol):
    name: str  # how it is switched off, and the flag recorded when it applies

    def applies(self, t: Target) -> bool: ...


class Redacted:
    """A masked name ("安阳市*区") is no answer to which place or who."""

    name = Flag.REMOVED_REDACTED

    def applies(self, t: Target) -> bool:
        masked = _REDACTED.search(t.sentence) and not _REDACTED.search(t.question)
        return bool(masked and ASKS_NAME.search(t.question))


class OtherQuantity:
    """Asked how much of something (生产总值), the sentence's topic never names it."""

    name = Flag.REMOVED_OTHER_QUANTITY

    def applies(self, t: Target) -> bool:
        heads = asked_quantities(t.question)
        e = t.evidence
        topic = f"{e.heading}\n{_lead_clauses(t.ground, e.reading)}{t.ground}"
        return bool(heads) and not any(_measures(h, topic) for h in heads)


class OtherEntity:
    """Asked about one park (company, base), the sentence sits under another's heading."""

    name = Flag.REMOVED_OTHER_ENTITY

    def applies(self, t: Target) -> bool:
        return _other_entity(t.named, t.evidence.heading, t.ground)


class OtherLevel:
    """Asked about one level (国家级, 省级…), the sentence names only others."""

    name = Flag.REMOVED_OTHER_LEVEL

    def applies(self, t: Target) -> bool:
        return _other_level(t.named, t.ground)


class OtherRow:
    """The figure is a table row's whose label the question hardly names."""

    name = Flag.REMOVED_OTHER_ROW

    def applies(self, t: Target) -> bool:
        return _other_row(t.named, t.ground)


class OtherYear:
    """Asked about a year, the sentence (or its section, or its document) speaks of others.

    The sentence's own years decide, unless its heading or title names the asked one; a
    sentence without a year speaks for its section's ("二、2024年主要目标" in a 2024 report
    that also reviews 2023), and without that for its document title's (`_covered_years`:
    "全年…" in the 2023 bulletin is no answer about 2022).
    """

    name = Flag.REMOVED_OTHER_YEAR

    def applies(self, t: Target) -> bool:
        asked = set(ASKED_YEAR.findall(t.question))
        if not asked:
            return False
        e = t.evidence
        stated = set(STATED_YEAR.findall(t.ground))
        section = set(STATED_YEAR.findall(e.heading))
        if not stated and section:
            return not asked & section  # the section's year decides, not the report's title
        covered = _covered_years(e.title)
        if not stated and covered:
            return not asked & covered
        if stated and not asked & stated:
            return not asked & set(STATED_YEAR.findall(f"{e.title}\n{e.heading}"))
        return False


RULES: tuple[Rule, ...] = (
    Redacted(),
    OtherQuantity(),
    OtherEntity(),
    OtherLevel(),
    OtherRow(),
    OtherYear(),
)


def active(off: Iterable[str] = ()) -> tuple[Rule, ...]:
    """The rules in order, without those switched off by name (an unknown name is an error)."""
    off = set(off)
    unknown = off - {r.name for r in RULES}
    if unknown:
        names = ", ".join(r.name for r in RULES)
        raise ValueError(f"Unknown off-target rule(s) {sorted(unknown)}: the rules are {names}.")
    return tuple(r for r in RULES if r.name not in off)


def off_target(t: Target, rules: Iterable[Rule] = RULES) -> str:
    """The name (flag) of the first rule that removes the sentence, or ""."""
    return next((r.name for r in rules if r.applies(t)), "")
