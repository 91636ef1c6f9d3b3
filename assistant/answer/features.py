"""The signals the refusal model decides on, measured for one checked draft.

Each feature is described in `refusal.FEATURES`; they are language independent where they
can be (an English answer is matched to its Chinese passage sentence by its figures).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer import refusal
from assistant.answer.bind import identity
from assistant.answer.evidence import Checked, Evidence
from assistant.answer.kinds import type_match, unit_match
from assistant.answer.query import coverage, loosely_in
from assistant.answer.reading import Reading
from assistant.answer.records import Asked
from assistant.answer.text import MARKER, numbers
from assistant.identity import among
from assistant.schema import Passage


@dataclass(frozen=True, kw_only=True)
class Case:
    """One (sub-)question against its bound evidence: what every draft of it is judged on."""

    question: str  # the Chinese form
    asked: Asked  # what it asks
    terms: dict[str, float]
    retrieved: list[Passage]  # as ranked by retrieval
    kept: list[Passage]  # the bound ones, numbered as `evidence`
    evidence: list[Evidence]
    places: Sequence[str]  # the asked places


def features(
    case: Case, checked: Checked, reading: Reading, quote: Reading, forced: bool
) -> dict[str, float]:
    """The refusal model's inputs for `checked` (the verified `reading`); `quote` is the
    extractive reading of the same evidence."""
    question, terms, evidence, kept = case.question, case.terms, case.evidence, case.kept
    cited = checked.cited()
    answer = checked.text()
    f: dict[str, float] = dict.fromkeys(refusal.FEATURES, 0.0)
    f["coverage_best"] = max(
        (coverage(terms, f"{e.heading}\n{e.lines or e.reading}") for e in evidence), default=0.0
    )
    f["extractive_score"] = quote.score
    f["llm_refused"] = float(reading.refused and reading.by_model)
    f["forced"] = float(forced)
    total = len(checked.sentences) + len(checked.dropped)
    f["dropped"] = len(checked.dropped) / total if total else 1.0
    if not cited:
        return f
    first = min(cited)
    p = kept[first - 1]
    ids = [r.chunk_id for r in case.retrieved]
    f["cited_rank"] = 1.0 / (ids.index(p.chunk_id) + 1) if p.chunk_id in ids else 0.0
    f["dense_rank"] = 1.0 / p.ranks["dense"] if p.ranks.get("dense") else 0.0
    f["keyword_rank"] = 1.0 / p.ranks["keyword"] if p.ranks.get("keyword") else 0.0
    # the passage sentences verification found each answer sentence resting on: language
    # independent (an English answer is matched to its Chinese sentence by its figures)
    f["coverage_cited"] = max(
        (coverage(terms, f"{evidence[n - 1].heading}\n{s}") for n, s in checked.grounds),
        default=0.0,
    )
    if terms:
        rarest = max(terms, key=lambda t: terms[t])
        near = "".join(
            f"{identity(kept[n - 1]).text()}{evidence[n - 1].heading}{s}"
            for n, s in checked.grounds
        ).lower()
        f["rarest_cited"] = float(rarest in near)
    f["binding"] = min(evidence[n - 1].bound for n in cited)
    f["names_missing"] = _names_missing(case, cited)
    ext_n = {int(x) for m in MARKER.findall(quote.text) for x in re.split(r"[,，、\s]+", m) if x}
    if not reading.by_model:  # the extractive reader agrees with itself
        f["agreement"] = 1.0
    elif ext_n & set(cited):
        ext_figs = set(numbers(quote.text))
        ans_figs = set(numbers(answer))
        f["agreement"] = 1.0 if (ext_figs & ans_figs or not ans_figs) else 0.5
    q_figs = set(numbers(question))
    f["figure_match"] = float(case.asked.asks_figure and bool(set(numbers(answer)) - q_figs))
    f["unit_match"] = unit_match(case.asked, answer)
    f["type_match"] = type_match(case.asked, "\n".join(s for _, s in checked.grounds))
    return {k: round(v, 4) for k, v in f.items()}


def _names_missing(case: Case, cited: dict[int, list[str]]) -> float:
    """Share of the question's names and years that no cited passage names."""
    question, kept, evidence = case.question, case.kept, case.evidence
    names = [t for t, kind in case.asked.words if kind == "name"]
    # a per-document part answers for its own place: the other document's is not missing
    others = [p for p in case.asked.places if not among(p, list(case.places))]
    names = [t for t in names if not among(t, others)]
    names += [n for n in re.findall(r"(?:19|20)\d{2}", question) if n not in names]
    if not names:
        return 0.0
    # a place the passage is bound to is named by it, if only by its part's home
    text = "".join(
        f"{identity(kept[n - 1]).text()}{kept[n - 1].heading}{kept[n - 1].text}"
        + "".join(evidence[n - 1].places)
        for n in cited
    ).lower()
    # an abbreviation ("沁阳集聚区" for 沁阳市产业集聚区) names the same thing
    return sum(
        1 for t in names if t not in text and not (len(t) >= 4 and loosely_in(t, text))
    ) / len(names)
