"""The CI gate: the slim baseline a run is compared with, and which metrics lost more than
the tolerance on the gate split, question by question."""

from __future__ import annotations

from typing import Any

from assistant.evaluation.metrics import (
    ANSWER_METRICS,
    COUNT_METRICS,
    LOWER_IS_BETTER,
    RETRIEVAL_METRICS,
)


def changed_questions(
    a: dict[str, Any], b: dict[str, Any], split: str | None = None
) -> list[tuple[str, str, Any, Any]]:
    """(id, metric, A, B) for questions whose hit@5, accuracy or wrong-doc answer differ."""
    rows_a = {r["id"]: r for r in a["questions"]}
    out = []
    for rb in b["questions"]:
        ra = rows_a.get(rb["id"])
        if ra is None or (split and rb.get("split") != split):
            continue
        for m in ("hit5", "accuracy", "wrong_doc_answers"):
            if m in ra and m in rb and ra[m] != rb[m]:
                out.append((rb["id"], m, ra[m], rb[m]))
    return out


# Per-question values the baseline keeps, so the gate can pair each question with itself.
BASELINE_FIELDS = (
    "id",
    "split",
    "type",
    "lang",
    *RETRIEVAL_METRICS,
    *ANSWER_METRICS,
    *COUNT_METRICS,
    "refused",
)


def make_baseline(
    report: dict[str, Any], tolerance_questions: float = 2, split: str = "test"
) -> dict[str, Any]:
    """The slim record the CI gate compares against: summaries and each question's outcome."""
    return {
        **{k: report.get(k) for k in ("created", "set", "llm", "embedding_model", "k")},
        "retrieval_only": report["retrieval_only"],
        "gate_split": split,
        "tolerance_questions": tolerance_questions,
        "summary": {
            k: report["summary"][k] for k in ("overall", "splits") if k in report["summary"]
        },
        "questions": [{f: r[f] for f in BASELINE_FIELDS if f in r} for r in report["questions"]],
    }


def gate(baseline: dict[str, Any], report: dict[str, Any]) -> list[str]:
    """Metrics that got worse by more than `tolerance_questions` questions' worth on the gate split.

    Each question is paired with its own baseline outcome: the net loss of a metric is the
    sum over the split's questions of (baseline - now) (reversed for metrics where lower is
    better), in units of one question. One borderline question flipping costs at most 1 and
    passes with the default tolerance of 2; a drop of three or more questions fails. Each
    failure names the questions that got worse.
    """
    split = baseline.get("gate_split", "test")
    tolerance = float(baseline.get("tolerance_questions", 2))
    now_rows = {r["id"]: r for r in report["questions"]}
    base_rows = [r for r in baseline["questions"] if not split or r.get("split") == split]
    if not base_rows:
        return [f"the baseline has no {split}-half questions (written before splits existed?)"]
    failures = []
    missing = [r["id"] for r in base_rows if r["id"] not in now_rows]
    if missing:
        failures.append(
            f"{len(missing)} baseline questions of the {split} half are not in this run: "
            f"{', '.join(missing[:10])} (rewrite the baseline after changing the set)"
        )
    metrics = [
        m
        for m in RETRIEVAL_METRICS + ANSWER_METRICS + COUNT_METRICS
        if any(m in r for r in base_rows)
    ]
    for m in metrics:
        loss, worse = 0.0, []
        for rb in base_rows:
            rn = now_rows.get(rb["id"])
            if rn is None or rb.get(m) is None or rn.get(m) is None:
                continue
            delta = float(rb[m]) - float(rn[m])
            if m in LOWER_IS_BETTER:
                delta = -delta
            loss += delta
            if delta > 0:
                worse.append(f"{rb['id']} {rb[m]}->{rn[m]}")
        if loss > tolerance + 1e-9:
            failures.append(
                f"{m}: {split} half lost {loss:.2f} questions' worth (tolerance {tolerance:g}); "
                f"worse: {', '.join(worse)}"
            )
    return failures
