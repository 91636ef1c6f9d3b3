"""The extractive reader: no model, the sentences (or table rows) that answer best.

Every sentence of the bound passages is judged by the candidate ranker
(`ranker.py`: term coverage, the bound place's name, the asked kind of answer and unit,
the named table row, ...); the best one or two (three for "分别/各") are quoted with their
markers. A question for the rows holding a figure, or for a column's extreme, is answered
by rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from assistant.answer.budget import Budget
from assistant.answer.evidence import Evidence
from assistant.answer.kinds import (
    asked_of,
    figure_in,
    type_match,
    unit_match,
)
from assistant.answer.query import coverage
from assistant.answer.ranker import Ranker, bound_names, candidates, default_ranker
from assistant.answer.ranker import load as load_ranker
from assistant.answer.reading import CHINESE_LEAD, Reading
from assistant.answer.records import Asked
from assistant.answer.tables import asked_columns, caption, extreme_row
from assistant.answer.text import NUMBER, finished, squash
from assistant.answer.verify import difference
from assistant.config import Settings


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


def extreme_reading(asked: Asked, evidence: list[Evidence]) -> Reading | None:
    """ "哪个乡镇的省外资金目标最大": the rows at that end of the named column, over every
    row the passages hold (`tables.extreme_row`), scored by how well the column is named."""
    if not asked.extreme:
        return None  # every reading passes here: no sentence splitting for nothing
    rows = [(e, s.strip()) for e in evidence for s in e.pieces() if "｜" in s]
    found = extreme_row(asked.text, [s for _, s in rows])
    if not found:
        return None
    ends, share = found
    parts = []
    for row in ends[:10]:
        e = next(e for e, s in rows if s == row)
        said = f"{caption(e.heading)}：{row}" if e.heading and not parts else row
        parts.append(f"{said.rstrip('。')}。[{e.n}]")
    return Reading("".join(parts), score=share)


# Below this score the best candidate covers too little of the question to be quoted (on
# the prior's scale: a tenth of the question's term weight).
FLOOR = 0.1


class ExtractiveReader:
    """No model: the sentences (or self-described table rows) that cover the question best."""

    name = provider = kind = "extractive"
    translates = False
    quote_first = False  # its reading is the quote

    def __init__(self, settings: Settings, ranker: Ranker | None = None) -> None:
        self.settings = settings
        path = settings.answer.ranker_model
        self.ranker = ranker or (load_ranker(Path(path)) if path else default_ranker())

    def force(
        self,
        question: str,
        lang: str,
        evidence: Evidence,
        terms: dict[str, float],
        budget: Budget | None = None,
    ) -> str:
        """Nothing to add: the quote already is the best sentence of every passage."""
        return ""

    def write(
        self,
        text: str,
        max_tokens: int,
        emit: Callable[[str], None] | None = None,
        budget: Budget | None = None,
    ) -> str:
        """No model, no rewrite: a follow-up is completed and a question searched without."""
        return ""

    def rank(
        self, asked: Asked, evidence: list[Evidence], terms: dict[str, float]
    ) -> list[tuple[float, int, str]]:
        """(score, passage number, sentence), best first, by the fitted ranker."""
        found = candidates(asked.text, evidence, terms, asked)
        return [(p, c.n, c.sentence) for p, c in self.ranker.rank(found)]

    def read(
        self,
        question: str,
        lang: str,
        evidence: list[Evidence],
        terms: dict[str, float],
        emit: Callable[[str], None] | None = None,
        quote: Reading | None = None,
        asked: Asked | None = None,
        budget: Budget | None = None,
    ) -> Reading:
        if quote is not None:
            return quote  # already read: the decision needs the quote whichever reader reads
        asked = asked or asked_of(question)
        listed = rows_with_figure(question, evidence)
        if listed:
            text = "".join(f"{sent}[{n}]" for n, sent in listed)
            return Reading(text, score=1.0)
        if end := extreme_reading(asked, evidence):
            if emit:
                emit(end.text)
            return end
        found = self.ranker.rank(candidates(question, evidence, terms, asked))
        ranked = scored = [(p, c.n, c.sentence) for p, c in found]
        # a sentence without the asked date or figure answers nothing; when none states
        # it, the best one stands alone (and the decision will judge it)
        fitting = True
        if asked.kinds:
            stating = [c for c in scored if type_match(asked, c[2]) > 0]
            fitting = bool(stating)
            scored = stating or scored
            # "栽了多少棵树": of the sentences with a figure, those giving it in 棵
            in_unit = [c for c in scored if unit_match(asked, c[2]) == 1.0]
            scored = in_unit or scored
            # "生产总值是多少，增长多少": the sentence giving the amount and the rate
            families = asked.unit_families
            if len(families) > 1:
                whole = [c for c in scored if all(figure_in(f).search(c[2]) for f in families)]
                scored = whole or scored
        if not scored or scored[0][0] < FLOOR:
            return Reading("", refused=True, score=scored[0][0] if scored else 0.0)
        several = asked.several
        by_n = {e.n: e for e in evidence}
        best = [scored[0]]
        for cand in scored[1:8]:
            enough = cand[0] >= (0.6 if several else 0.85) * best[0][0]
            fresh = all(cand[1] != b[1] and squash(cand[2]) != squash(b[2]) for b in best)
            # an added sentence must state the kind of answer asked, in the asked unit: a
            # "多少钱" question gains nothing from a photo caption naming the same place
            fits = fitting and unit_match(asked, cand[2]) > 0
            if enough and fresh and fits and len(best) < (3 if several else 2):
                best.append(cand)
        # "文号和印发日期": a sentence of a chosen passage that states what the chosen ones
        # leave out (a quarter of the question's weight) completes the answer, whatever
        # kind of answer it gives (a 文号 is no date)
        named = bound_names(asked.subjects, by_n[best[0][1]])  # said (`_credit`)
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
            sent = asked_columns(sent.rstrip("。；;"), question)
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
        top = next(c for _, c in found if (c.n, c.sentence) == scored[0][1:])
        return Reading(text, score=self.ranker.score({**top.features, "credit": 0.0}))
