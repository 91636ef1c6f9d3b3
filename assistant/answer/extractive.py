"""The extractive reader: no model, the sentences (or table rows) that answer best.

Every sentence of the bound passages is scored by how much of the question's term weight
it covers, with credit for the bound place's name, for stating the asked kind of answer
(a date, a name, a figure), for defining what is asked, for the table row the question
names; then the best one or two (three for "分别/各") are quoted with their markers. A
question for the rows holding a figure, or for a column's extreme, is answered by rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.answer.evidence import Evidence
from assistant.answer.kinds import (
    asked_of,
    figure_in,
    type_match,
    unit_match,
)
from assistant.answer.query import coverage
from assistant.answer.reading import CHINESE_LEAD, Reading
from assistant.answer.records import Asked
from assistant.answer.split import asks_several
from assistant.answer.tables import (
    ASKS_TOTAL,
    TOTAL_ROWS,
    asks_extreme,
    caption,
    extreme_row,
    label_named,
    row_label,
)
from assistant.answer.text import NUMBER, OFFICIAL_LABEL, bigrams, finished, squash
from assistant.answer.verify import difference
from assistant.config import Settings

# A question asking what something is or which ones there are, and a sentence that says
# it: "主导产业为…", "确定了…四大主导产业", "…和新能源等产业集聚区主导产业".
_ASKS_WHAT = re.compile(r"是什么|是哪些|有哪些|哪几|指什么|包括什么|包括哪")


def _defines(terms: list[str], sentence: str) -> bool:
    """The sentence says what one of the terms is ("X为…", "X：…") or counts and lists them
    ("四大X", "…等X"), rather than only using the word ("X集中区")."""
    for t in terms:
        said = re.escape(t)
        if re.search(rf"{said}(?:为|是|有|包括|主要有|：|:)", sentence):
            return True
        if re.search(
            rf"(?:[一二三四五六七八九十两\d]+(?:大|个|类|项)|等)[\u4e00-\u9fff]{{0,8}}{said}",
            sentence,
        ):
            return True
    return False


def _bound_names(subjects: dict[str, str], e: Evidence) -> str:
    """The full names of the asked places the passage is bound to: it has said them."""
    return "".join(full for place, full in subjects.items() if place in e.places)


def _credit(terms: dict[str, float], subjects: dict[str, str], e: Evidence, sent: str) -> float:
    """A passage bound to the asked place speaks for its name: the sentence that repeats
    "安阳高新技术产业集聚区" says no more about "标准化厂房投资" than the one that does not."""
    named = _bound_names(subjects, e)
    if not named:
        return 0.0
    return coverage(terms, named + sent) - coverage(terms, sent)


def rows_with_figure(question: str, evidence: list[Evidence]) -> list[tuple[int, str]]:
    """ "哪些乡镇的目标是107000万元": every table row of the top passage with that figure."""
    if not re.search(r"哪些|哪几|哪个|which", question, re.I):
        return []
    figures = [f for f in NUMBER.findall(question) if not re.fullmatch(r"(?:19|20)\d{2}", f)]
    if not figures:
        return []
    for e in evidence:
        rows = [
            (e.n, s.strip() if re.search(r"[。！？；]$", s.strip()) else s.strip() + "。")
            for s in e.pieces()
            if "｜" in s
            and any(re.search(rf"(?<![\d.]){re.escape(f)}(?![\d.])", s) for f in figures)
        ]
        if rows:
            return rows[:10]
    return []


def extreme_reading(question: str, evidence: list[Evidence]) -> Reading | None:
    """ "哪个乡镇的省外资金目标最大": the rows at that end of the named column, over every
    row the passages hold (`tables.extreme_row`), scored by how well the column is named."""
    if not asks_extreme(question):
        return None  # every reading passes here: no sentence splitting for nothing
    rows = [(e, s.strip()) for e in evidence for s in e.pieces() if "｜" in s]
    found = extreme_row(question, [s for _, s in rows])
    if not found:
        return None
    ends, share = found
    parts = []
    for row in ends[:10]:
        e = next(e for e, s in rows if s == row)
        said = f"{caption(e.heading)}：{row}" if e.heading and not parts else row
        parts.append(f"{said.rstrip('。')}。[{e.n}]")
    return Reading("".join(parts), score=share)


def rank(
    question: str, evidence: list[Evidence], terms: dict[str, float], asked: Asked | None = None
) -> list[tuple[float, int, str]]:
    """(score, passage number, sentence), best first; `asked`: what `question` asks."""
    asked = asked or asked_of(question)
    kinds, literals, subjects = asked.kinds, asked.literals, asked.subjects
    total = bool(ASKS_TOTAL.search(question))
    # what is asked to be named: the question's rarer nouns ("产业" is in every report)
    what = _ASKS_WHAT.search(question)
    nouns = [t for t, kind in asked.words if kind == "noun"]
    defined = [t for t in nouns if terms.get(t, 0.0) >= 1.0] if what else []
    scored: list[tuple[float, int, str]] = []
    for rank, e in enumerate(evidence):
        for sent in e.pieces():  # chosen among as the lines stand, quoted whole (`read`)
            sent = sent.strip()
            if not sent or squash(sent) in squash(e.heading) or len(squash(sent)) < 6:
                continue  # a caption or table title repeated in the heading answers nothing
            score = (
                coverage(terms, sent)
                + _credit(terms, subjects, e, sent)
                + 0.15 * coverage(terms, e.heading)
                - 0.03 * rank
            )
            if defined and _defines(defined, sent):
                score += 0.3  # says what the asked thing is, or lists them
            if kinds:  # states the kind of answer asked for: a date, a name, a figure
                score += 0.1 * type_match(question, sent)
            if (label := OFFICIAL_LABEL.match(sent)) and not (
                "date" in kinds or any(t in label.group(1) for t in terms)
            ):
                score -= 0.3  # a 文号/落款/出版日期 answers only what asks for it
            score -= 0.4 * (1.0 - e.bound)  # about another place than the one asked
            low = sent.lower()
            if literals and all(t in low for t in literals):
                score += 0.2  # states the quoted wording itself
                if any(re.match(rf"{re.escape(t)}(?:[：:]|是指|即)", low) for t in literals):
                    score += 1.0  # "一带：白沙河景观绿化带" defines it: nothing says more
            if name := row_label(sent):  # a described table row: the row the question names
                if total and name in TOTAL_ROWS:
                    score += 0.5  # "加起来/一共/in total" is the table's own sum
                elif bigrams(name):
                    named = label_named(name, question)
                    # a row the question does not name answers about another item
                    score += 0.5 * named if named >= 0.5 else 0.5 * named - 0.2
            elif not re.search(r"[。！？；;!?]$", sent) and len(sent) < 60:
                score -= 0.25  # a title or caption states nothing
            if re.search(r"[：:]$", sent):
                score -= 0.25  # "按下表给予奖励：" introduces what follows, says nothing
            scored.append((score, e.n, sent))
    scored.sort(key=lambda s: -s[0])
    return scored


class ExtractiveReader:
    """No model: the sentences (or self-described table rows) that cover the question best."""

    name = provider = kind = "extractive"
    translates = False
    quote_first = False  # its reading is the quote

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def force(self, question: str, lang: str, evidence: Evidence, terms: dict[str, float]) -> str:
        """Nothing to add: the quote already is the best sentence of every passage."""
        return ""

    def write(self, text: str, max_tokens: int, emit: Callable[[str], None] | None = None) -> str:
        """No model, no rewrite: a follow-up is completed and a question searched without."""
        return ""

    def rank(
        self,
        question: str,
        evidence: list[Evidence],
        terms: dict[str, float],
        asked: Asked | None = None,
    ) -> list[tuple[float, int, str]]:
        """(score, passage number, sentence), best first (`extractive.rank`)."""
        return rank(question, evidence, terms, asked)

    def read(
        self,
        question: str,
        lang: str,
        evidence: list[Evidence],
        terms: dict[str, float],
        emit: Callable[[str], None] | None = None,
        quote: Reading | None = None,
        asked: Asked | None = None,
    ) -> Reading:
        if quote is not None:
            return quote  # already read: the decision needs the quote whichever reader reads
        asked = asked or asked_of(question)
        listed = rows_with_figure(question, evidence)
        if listed:
            text = "".join(f"{sent}[{n}]" for n, sent in listed)
            return Reading(text, score=1.0)
        if end := extreme_reading(question, evidence):
            if emit:
                emit(end.text)
            return end
        ranked = scored = rank(question, evidence, terms, asked)
        # a sentence without the asked date or figure answers nothing; when none states
        # it, the best one stands alone (and the decision will judge it)
        fitting = True
        if asked.kinds:
            stating = [c for c in scored if type_match(question, c[2]) > 0]
            fitting = bool(stating)
            scored = stating or scored
            # "栽了多少棵树": of the sentences with a figure, those giving it in 棵
            in_unit = [c for c in scored if unit_match(question, c[2]) == 1.0]
            scored = in_unit or scored
            # "生产总值是多少，增长多少": the sentence giving the amount and the rate
            families = asked.unit_families
            if len(families) > 1:
                whole = [c for c in scored if all(figure_in(f).search(c[2]) for f in families)]
                scored = whole or scored
        if not scored or scored[0][0] < 0.1:
            return Reading("", refused=True, score=scored[0][0] if scored else 0.0)
        several = asks_several(question)
        by_n = {e.n: e for e in evidence}
        best = [scored[0]]
        for cand in scored[1:8]:
            enough = cand[0] >= (0.6 if several else 0.85) * best[0][0]
            fresh = all(cand[1] != b[1] and squash(cand[2]) != squash(b[2]) for b in best)
            # an added sentence must state the kind of answer asked, in the asked unit: a
            # "多少钱" question gains nothing from a photo caption naming the same place
            fits = fitting and unit_match(question, cand[2]) > 0
            if enough and fresh and fits and len(best) < (3 if several else 2):
                best.append(cand)
        # "文号和印发日期": a sentence of a chosen passage that states what the chosen ones
        # leave out (a quarter of the question's weight) completes the answer, whatever
        # kind of answer it gives (a 文号 is no date)
        named = _bound_names(asked.subjects, by_n[best[0][1]])  # said (`_credit`)
        for cand in ranked[:12]:
            if len(best) >= 3:
                break
            quoted = "".join(b[2] for b in best) + named
            if (
                any(cand[1] == b[1] for b in best)
                and cand[0] >= 0.5 * best[0][0]
                and squash(cand[2]) not in squash(quoted)
                and coverage(terms, quoted + cand[2]) - coverage(terms, quoted) >= 0.25
            ):
                best.append(cand)
        lead = CHINESE_LEAD.get(lang, "")
        parts = []
        said: list[str] = []
        for _, n, sent in best:
            sent = finished(by_n[n].whole(sent), by_n[n].reading)
            if any(squash(sent) in s for s in said):
                continue  # the rest of a sentence already quoted whole
            said.append(squash(sent))
            sent = sent.rstrip("。；;")
            if gap := difference(question, sent):  # "低多少个百分点": the two figures' gap
                sent += f"，相差{gap}"
            if "｜" in sent and by_n[n].heading:  # a table row: say which table
                sent = f"{caption(by_n[n].heading)}：{sent}"
            if not re.search(r"[。！？!?]$", sent):
                sent += "。"
            parts.append(f"{sent}[{n}]")
        text = lead + "".join(parts)
        if emit:
            emit(text)
        # judged as the sentence's own words: the bound place's credit orders sentences of
        # bound passages, it does not make an unanswerable question look answered
        top = scored[0]
        credit = _credit(terms, asked.subjects, by_n[top[1]], top[2])
        return Reading(text, score=top[0] - credit)
