"""What a run measures: whether a passage is relevant, per-question retrieval and answer
metrics, and their means.

A passage is relevant to a question when it contains one of the question's evidence
strings, or shares at least 8 consecutive characters with one (evidence can straddle a
chunk boundary). Text is compared after width normalisation with all white space removed,
so PDF spacing does not decide a match.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from assistant.cleaning import normalize_width
from assistant.evaluation.dataset import Question
from assistant.schema import Passage

OVERLAP_CHARS = 8


def squash(text: str) -> str:
    """Width-normalised, lower-cased, white space removed: how texts are compared."""
    return re.sub(r"\s+", "", normalize_width(text)).lower()


def supports(passage_text: str, evidence: str) -> bool:
    """Whether a passage contains the evidence, or 8+ consecutive characters of it."""
    text, ev = squash(passage_text), squash(evidence)
    if ev in text:
        return True
    if len(ev) <= OVERLAP_CHARS:
        return False
    return any(ev[i : i + OVERLAP_CHARS] in text for i in range(len(ev) - OVERLAP_CHARS + 1))


def relevant(passage: Passage, q: Question) -> bool:
    """Whether a passage holds any of the question's evidence: what hit@k and MRR count."""
    return any(supports(passage.text, ev) for ev in q.evidence)


@dataclass
class RetrievalScore:
    """One question's retrieval metrics."""

    hit1: float
    hit5: float
    mrr10: float
    evidence_recall: float


def score_retrieval(q: Question, passages: list[Passage], k: int = 5) -> RetrievalScore:
    """Per-question retrieval metrics; the first relevant rank drives hit@n and MRR."""
    first = next((i for i, p in enumerate(passages[:10], 1) if relevant(p, q)), None)
    top = passages[:k]
    covered = sum(1 for ev in q.evidence if any(supports(p.text, ev) for p in top))
    return RetrievalScore(
        hit1=float(first == 1),
        hit5=float(first is not None and first <= 5),
        mrr10=1.0 / first if first else 0.0,
        evidence_recall=covered / len(q.evidence) if q.evidence else 0.0,
    )


def mean(values: Iterable[float]) -> float | None:
    """The rounded mean, or None when no question had the metric (it is left out, not 0)."""
    values = list(values)
    return round(statistics.fmean(values), 4) if values else None


def summarize(
    rows: list[dict[str, Any]], metrics: list[str], by: str | None = None
) -> dict[str, dict[str, float]]:
    """Mean of each metric over rows (counts for COUNT_METRICS), overall and per value of `by`."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups["all"].append(row)
        if by:
            groups[str(row[by])].append(row)
    out = {}
    for name, items in groups.items():
        group: dict[str, float] = {"n": len(items)}
        for m in metrics:
            values = [r[m] for r in items if r.get(m) is not None]
            if m in COUNT_METRICS:
                if values:
                    group[m] = sum(values)
            elif (v := mean(values)) is not None:
                group[m] = v
        out[name] = group
    return out


def _flat(text: str) -> str:
    """Width and spaces normalised, 1,000s commas dropped ("5, 2024" stays two figures)."""
    return re.sub(r"(?<=\d)[,，](?=\d{3}(?!\d))", "", squash(text))


def _occurs(alt: str, text: str) -> bool:
    """An alternative in the answer; a figure only as a whole number ("18" is not in
    "2018年", "6.1" not in "16.1")."""
    lead = r"(?<![\d.])" if alt[:1].isdigit() else ""
    tail = r"(?!\.?\d)" if alt[-1:].isdigit() else ""
    return re.search(lead + re.escape(alt) + tail, text) is not None


def answer_correct(q: Question, answer: str) -> bool:
    """Every must_include item present (any alternative), after normalising width, spaces
    and 1,000s commas."""
    text = _flat(answer)
    return all(any(_occurs(_flat(alt), text) for alt in item) for item in q.must_include)


RETRIEVAL_METRICS = ["hit1", "hit5", "mrr10", "evidence_recall"]
ANSWER_METRICS = [
    "accuracy",
    "citation_precision",
    "citation_recall",
    "false_refusal",
    "refusal_accuracy",
    "in_language",
]
# Counted, not averaged: how many cited passages / answers came from a document other
# than the question's own (only questions that name their document count).
COUNT_METRICS = ["wrong_doc_citations", "wrong_doc_answers"]
COST_METRICS = ["retrieval_ms", "first_token_ms", "total_ms", "prompt_tokens"]
# Metrics where a higher value is worse (the gate looks for rises, not drops).
LOWER_IS_BETTER = {"false_refusal", *COUNT_METRICS}


def in_language(answer: str) -> float:
    """1.0 when an answer to an English question is shown in English; 0.0 when any of it is
    the checked Chinese shown instead (its translation failed the check, or no model), or
    it is Chinese without that label (a rule took the labelled first sentence away)."""
    from assistant.answer.reading import CHINESE_LEAD  # the answer stage loads on demand
    from assistant.answer.text import MARKER
    from assistant.answer.verify import is_english

    labelled = any(lead in answer for lead in CHINESE_LEAD.values())
    return float(not labelled and is_english(MARKER.sub("", answer)))


ENGLISH_TARGET = 0.9  # of the answered English questions, the share answered in English


def english_shown(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """How many answered English questions got their answer shown in English (not the
    labelled Chinese quote): the count, the share and whether it meets ENGLISH_TARGET."""
    values = [r["in_language"] for r in rows if r.get("in_language") is not None]
    share = mean(values)
    return {
        "answered": len(values),
        "in_english": int(sum(values)),
        "share": share,
        "target": ENGLISH_TARGET,
        "met": share is not None and share >= ENGLISH_TARGET,
    }


def report_metrics(retrieval_only: bool) -> list[str]:
    """The metrics a report shows: retrieval only, or answers too."""
    return RETRIEVAL_METRICS + ([] if retrieval_only else ANSWER_METRICS + COUNT_METRICS)


def split_overall(report: dict[str, Any], split: str | None) -> dict[str, Any]:
    """A report's overall metrics on one split (the whole set when it has no such split)."""
    s = report["summary"]
    if split and split in s.get("splits", {}):
        return s["splits"][split]["overall"]
    return s["overall"]
