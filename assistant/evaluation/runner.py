"""Running a set: each question through retrieval and the answerer, its row of metrics, and
the report (rows, summaries, and what produced them)."""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assistant.evaluation.dataset import SPLITS, Question
from assistant.evaluation.metrics import (
    COST_METRICS,
    answer_correct,
    english_shown,
    in_language,
    report_metrics,
    score_retrieval,
    summarize,
    supports,
)
from assistant.machine import cpu_info

if TYPE_CHECKING:
    from assistant.answer import Answerer


def evaluate_question(
    q: Question, answerer: Answerer, k: int, retrieval_only: bool
) -> dict[str, Any]:
    """One question through retrieval (top 10 for the metrics) and, unless retrieval-only, answering."""
    found = answerer.retrieve(q.question, q.history, k=max(10, k))
    row: dict[str, Any] = {
        "id": q.id,
        "split": q.split or "none",
        "type": q.type,
        "lang": q.lang,
        "answerable": q.answerable,
        "near_miss": q.near_miss,
        "docs": q.docs,
        "question": q.question,
        "search_query": found.dense_query,
        "retrieved": [p.chunk_id for p in found.passages],
        "retrieved_docs": [p.doc_id for p in found.passages],
        "retrieval_ms": round(found.ms, 1),
    }
    if q.answerable:
        r = score_retrieval(q, found.passages, k)
        row.update(hit1=r.hit1, hit5=r.hit5, mrr10=r.mrr10, evidence_recall=r.evidence_recall)
    if retrieval_only:
        return row
    result = answerer.ask(q.question, q.history, k=k)
    cited = [c for c in result.citations]
    good = [c for c in cited if any(supports(c.text, ev) for ev in q.evidence)]
    row.update(
        answer=result.answer,
        refused=result.refused,
        flags=result.flags,
        support=result.support,
        citations=[
            {"n": c.n, "doc": c.doc, "chunk_id": c.chunk_id, "supported": c.supported}
            for c in cited
        ],
        first_token_ms=result.timings["first_token_ms"],
        total_ms=result.timings["total_ms"],
        prompt_tokens=result.prompt_tokens,
        stages=getattr(result, "stages", {}),
        # what the refusal model saw and what it would have given: it is fitted on these
        features=getattr(result, "features", {}),
        p_answer=getattr(result, "p_answer", None),
        parts=len(getattr(result, "parts", []) or []),
        has_candidate=bool(getattr(result, "candidate", "")),
        candidate=getattr(result, "candidate", ""),
        candidate_correct=bool(
            q.answerable and answer_correct(q, getattr(result, "candidate", "") or "")
        ),
    )
    if q.docs:
        wrong = sum(1 for c in cited if c.doc not in q.docs)
        row["wrong_doc_citations"] = wrong
        row["wrong_doc_answers"] = int(wrong > 0 and not result.refused)
    if q.lang != "zh" and not result.refused:
        row["in_language"] = in_language(result.answer)
    if q.answerable:
        row["accuracy"] = float(answer_correct(q, result.answer) and not result.refused)
        row["false_refusal"] = float(result.refused)
        row["citation_precision"] = len(good) / len(cited) if cited else None
        covered = sum(1 for ev in q.evidence if any(supports(c.text, ev) for c in cited))
        row["citation_recall"] = covered / len(q.evidence) if q.evidence else None
    else:
        row["refusal_accuracy"] = float(result.refused)
        row["accuracy"] = float(result.refused)
    return row


def percentile(values: list[float], p: float) -> float:
    """The p-quantile (nearest rank) of a cost metric, for the report's p90."""
    if not values:
        return 0.0
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(p * (len(values) - 1))))], 1)


def _breakdown(rows: list[dict[str, Any]], metrics: list[str]) -> dict[str, Any]:
    return {
        "overall": summarize(rows, metrics)["all"],
        "by_type": {k: v for k, v in summarize(rows, metrics, by="type").items() if k != "all"},
        "by_lang": {k: v for k, v in summarize(rows, metrics, by="lang").items() if k != "all"},
    }


def summarize_report(rows: list[dict[str, Any]], retrieval_only: bool) -> dict[str, Any]:
    """Overall, by type and by language, for the whole set and for each split half."""
    metrics = report_metrics(retrieval_only)
    summary: dict[str, Any] = _breakdown(rows, metrics)
    summary["splits"] = {
        split: _breakdown(part, metrics)
        for split in SPLITS
        if (part := [r for r in rows if r.get("split") == split])
    }
    cost = {}
    for m in COST_METRICS:
        values = [float(r[m]) for r in rows if r.get(m) is not None]
        if values:
            cost[m] = {
                "median": round(statistics.median(values), 1),
                "p90": percentile(values, 0.9),
            }
    summary["cost"] = cost
    if not retrieval_only:
        summary["english"] = english_shown(rows)
    return summary


def run_eval(
    questions: list[Question],
    answerer: Answerer,
    k: int,
    retrieval_only: bool = False,
    on_question: Callable[[dict[str, Any]], None] | None = None,
    set_name: str = "",
) -> dict[str, Any]:
    """The whole set: per-question rows, summaries, and what produced them."""
    started = time.time()
    rows = []
    for q in questions:
        row = evaluate_question(q, answerer, k, retrieval_only)
        rows.append(row)
        if on_question:
            on_question(row)
    settings = answerer.settings
    return {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "set": set_name,
        "seconds": round(time.time() - started, 1),
        "retrieval_only": retrieval_only,
        "k": k,
        "llm": "none" if retrieval_only else (answerer.llm.name if answerer.llm else "extractive"),
        "embedding_model": answerer.index.embedder.name,
        "machine": {"python": platform.python_version(), "cpu": cpu_info()},
        "config": json.loads(settings.model_dump_json()),
        "summary": summarize_report(rows, retrieval_only),
        "questions": rows,
    }
