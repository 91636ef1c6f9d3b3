"""The candidate ranker: which sentence (or described table row) of the bound passages
answers the question, by weights a fit on questions can move rather than by hand alone.

A candidate's features are the signals the extractive reader always looked at (how much of
the question's term weight it covers, the bound place's name, the heading, whether it
states the asked kind of answer in the asked unit, defines the asked thing, names the asked
table row, looks like a caption or a label). Its score is a weighted sum of them. The
weights start from `PRIOR` (the hand-set weights the reader used before fitting) and are
moved by a logistic fit on evaluation questions whose answer sentence is known, as far as
the data carries them (`fitting.fit_ranker`, `assistant eval --fit-ranker`): a signal the
questions rarely show (a quoted term's definition) keeps its prior, one they contradict
moves. The score stays on the prior's scale, so the reader's gates (refuse below 0.1, add a
second sentence close to the first) mean what they meant. The fitted model is a versioned
file beside this module with its feature list and the hash of the questions it was fitted
on. A fit is shipped only when it wins end to end on dev (its `info` says which).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from assistant.answer.evidence import Evidence
from assistant.answer.kinds import type_match, unit_match
from assistant.answer.query import coverage
from assistant.answer.records import Asked
from assistant.answer.tables import ASKS_TOTAL, TOTAL_ROWS, label_named, row_label
from assistant.answer.text import OFFICIAL_LABEL, bigrams, squash

MODEL_PATH = Path(__file__).with_name("ranker_model.json")
VERSION = 1

# A question asking what something is or which ones there are, and a sentence that says
# it: "主导产业为…", "确定了…四大主导产业", "…和新能源等产业集聚区主导产业".
_ASKS_WHAT = re.compile(r"是什么|是哪些|有哪些|哪几|指什么|包括什么|包括哪")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_NUMBER = re.compile(r"\d")

FEATURES: dict[str, str] = {
    "coverage": "share of the question's term weight the sentence covers",
    "credit": "term weight the bound place's full name adds (a bound passage speaks for it)",
    "heading": "share of the term weight the passage's heading path covers",
    "rank": "the passage's place among the bound passages (0 = first)",
    "defines": "says what the asked thing is, or counts and lists them (是什么/有哪些 asked)",
    "type": "states the kind of answer asked: a date, a name, a figure (0.5: none asked)",
    "unit": "gives a figure in the asked unit family (0.5: no unit asked)",
    "label_off": "a 文号/落款/date label line when no date or its label is asked",
    "unbound": "how loosely the passage is bound to the asked place (1 - binding)",
    "literal": "states the question's quoted wording",
    "literal_def": "defines the quoted wording (“一带：…”)",
    "total_row": "a table's total row, for a question asking the total",
    "row_named": "how well a table row's label is named by the question",
    "row_unnamed": "a table row the question does not name",
    "caption": "a short line without a sentence end: a title or caption",
    "colon_end": "ends in a colon: introduces what follows",
    "year": "names a year the question names (in the sentence or its heading)",
    "figure": "states a figure at all",
    "length": "log of the sentence's length in characters",
}


# The hand-set weights (before fitting): the prior the fit starts from and is pulled to.
PRIOR: dict[str, float] = {
    "coverage": 1.0,
    "credit": 1.0,
    "heading": 0.15,
    "rank": -0.03,
    "defines": 0.3,
    "type": 0.1,
    "label_off": -0.3,
    "unbound": -0.4,
    "literal": 0.2,
    "literal_def": 1.0,
    "total_row": 0.5,
    "row_named": 0.5,
    "row_unnamed": -0.2,
    "caption": -0.25,
    "colon_end": -0.25,
}


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """One sentence of one bound passage, with what the ranker judges it on."""

    n: int  # the passage's number
    sentence: str
    features: dict[str, float]


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


def bound_names(subjects: dict[str, str], e: Evidence) -> str:
    """The full names of the asked places the passage is bound to: it has said them."""
    return "".join(full for place, full in subjects.items() if place in e.places)


def credit(terms: dict[str, float], subjects: dict[str, str], e: Evidence, sent: str) -> float:
    """A passage bound to the asked place speaks for its name: the sentence that repeats
    "安阳高新技术产业集聚区" says no more about "标准化厂房投资" than the one that does not."""
    named = bound_names(subjects, e)
    if not named:
        return 0.0
    return coverage(terms, named + sent) - coverage(terms, sent)


def candidates(
    question: str, evidence: list[Evidence], terms: dict[str, float], asked: Asked
) -> list[Candidate]:
    """Every sentence of the bound passages worth judging, with its features."""
    kinds, literals, subjects = asked.kinds, asked.literals, asked.subjects
    total = bool(ASKS_TOTAL.search(question))
    # what is asked to be named: the question's rarer nouns ("产业" is in every report)
    nouns = [t for t, kind in asked.words if kind == "noun"]
    defined = [t for t in nouns if terms.get(t, 0.0) >= 1.0] if _ASKS_WHAT.search(question) else []
    years = set(_YEAR.findall(question))
    out: list[Candidate] = []
    for rank, e in enumerate(evidence):
        heading_cover = coverage(terms, e.heading)
        for sent in e.pieces():  # chosen among as the lines stand, quoted whole (`read`)
            sent = sent.strip()
            if not sent or squash(sent) in squash(e.heading) or len(squash(sent)) < 6:
                continue  # a caption or table title repeated in the heading answers nothing
            f = dict.fromkeys(FEATURES, 0.0)
            f["coverage"] = coverage(terms, sent)
            f["credit"] = credit(terms, subjects, e, sent)
            f["heading"] = heading_cover
            f["rank"] = float(rank)
            f["defines"] = float(bool(defined) and _defines(defined, sent))
            f["type"] = type_match(asked, sent) if kinds else 0.0
            f["unit"] = unit_match(asked, sent)
            label = OFFICIAL_LABEL.match(sent)
            f["label_off"] = float(
                bool(label) and not ("date" in kinds or any(t in label.group(1) for t in terms))
            )
            f["unbound"] = 1.0 - e.bound
            low = sent.lower()
            if literals and all(t in low for t in literals):
                f["literal"] = 1.0
                f["literal_def"] = float(
                    any(re.match(rf"{re.escape(t)}(?:[：:]|是指|即)", low) for t in literals)
                )
            if name := row_label(sent):
                if total and name in TOTAL_ROWS:
                    f["total_row"] = 1.0
                elif bigrams(name):
                    named = label_named(name, question)
                    f["row_named"] = named
                    f["row_unnamed"] = float(named < 0.5)
            elif not re.search(r"[。！？；;!?]$", sent) and len(sent) < 60:
                f["caption"] = 1.0
            f["colon_end"] = float(bool(re.search(r"[：:]$", sent)))
            f["year"] = float(bool(years) and any(y in f"{e.heading}{sent}" for y in years))
            f["figure"] = float(bool(_NUMBER.search(sent)))
            f["length"] = math.log(1 + len(sent))
            out.append(Candidate(n=e.n, sentence=sent, features=f))
    return out


@dataclass
class Ranker:
    """Weights over `FEATURES`: a candidate's score is their weighted sum."""

    weights: dict[str, float]
    info: dict[str, Any] = field(default_factory=dict)

    def score(self, features: dict[str, float]) -> float:
        return sum(w * features.get(k, 0.0) for k, w in self.weights.items())

    def rank(self, found: list[Candidate]) -> list[tuple[float, Candidate]]:
        """Best first; ties keep the passages' order."""
        return sorted(((self.score(c.features), c) for c in found), key=lambda s: -s[0])

    def save(self, path: Path = MODEL_PATH) -> None:
        data = {"version": VERSION, "features": list(self.weights), "weights": self.weights}
        data["info"] = self.info
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load(path: Path = MODEL_PATH) -> Ranker:
    """The fitted ranker; a file for other features (an older version) is an error that
    says to refit, not a silent mismatch."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("version") != VERSION or set(data["features"]) - set(FEATURES):
        raise ValueError(f"{path}: ranker for other features; refit: assistant eval --fit-ranker")
    return Ranker(weights=data["weights"], info=data.get("info", {}))


@cache
def default_ranker() -> Ranker:
    """The ranker shipped with the package, read once."""
    return load(MODEL_PATH)
