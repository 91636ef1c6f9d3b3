"""The fixed evaluation set and its metrics.

A passage is relevant to a question when it contains one of the question's evidence
strings, or shares at least 8 consecutive characters with one (evidence can straddle a
chunk boundary). Text is compared after width normalisation with all white space removed,
so PDF spacing does not decide a match.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.cleaning import normalize_width
from assistant.schema import Passage

OVERLAP_CHARS = 8


@dataclass
class Question:
    id: str
    question: str
    lang: str
    type: str
    doc: str | list[str] | None
    evidence: list[str]
    answer: str
    must_include: list[list[str]]
    history: list[dict[str, str]] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


def load_questions(path: Path) -> list[Question]:
    questions = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            questions.append(Question(**json.loads(line)))
        except (json.JSONDecodeError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a valid question line ({exc})") from exc
    return questions


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
    return any(supports(passage.text, ev) for ev in q.evidence)


@dataclass
class RetrievalScore:
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


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return round(statistics.fmean(values), 4) if values else 0.0


def summarize(rows: list[dict[str, Any]], metrics: list[str], by: str | None = None) -> dict[str, dict[str, float]]:
    """Mean of each metric over rows, overall and per value of `by` (type, lang)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups["all"].append(row)
        if by:
            groups[str(row[by])].append(row)
    return {
        name: {"n": len(items), **{m: mean(r[m] for r in items if r.get(m) is not None) for m in metrics}}
        for name, items in groups.items()
    }


def retrieval_query(q: Question) -> str:
    """Without an LLM to rewrite follow-ups, the last user turn gives them their subject."""
    previous = [t["content"] for t in q.history if t.get("role") == "user"]
    return f"{previous[-1]} {q.question}" if previous else q.question


def evaluate_retrieval(
    questions: list[Question], search: Callable[[str], list[Passage]], k: int = 5
) -> list[dict[str, Any]]:
    """Run retrieval for each answerable question; one row of metrics per question."""
    rows = []
    for q in questions:
        if not q.answerable:
            continue
        passages = search(retrieval_query(q))
        s = score_retrieval(q, passages, k)
        rows.append({
            "id": q.id, "type": q.type, "lang": q.lang,
            "retrieved": [p.chunk_id for p in passages],
            "hit1": s.hit1, "hit5": s.hit5, "mrr10": s.mrr10, "evidence_recall": s.evidence_recall,
        })
    return rows
