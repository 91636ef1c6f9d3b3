"""The fixed evaluation sets and what a run of one measures, in five parts: `dataset` (the
question lines and their splits), `metrics` (relevance, retrieval and answer metrics),
`runner` (a run: a row per question and its summaries), `report` and `plots` (the files a
run writes) and `gate` (the CI baseline and what counts as a loss). The names the CLI,
tests and benchmarks use are re-exported here.
"""

from __future__ import annotations

from assistant.evaluation.dataset import (
    HALVES,
    SPLITS,
    Question,
    assign_splits,
    load_questions,
    missing_documents,
    set_documents,
    write_splits,
)
from assistant.evaluation.gate import BASELINE_FIELDS, changed_questions, gate, make_baseline
from assistant.evaluation.metrics import (
    ANSWER_METRICS,
    COST_METRICS,
    COUNT_METRICS,
    ENGLISH_TARGET,
    LOWER_IS_BETTER,
    OVERLAP_CHARS,
    RETRIEVAL_METRICS,
    RetrievalScore,
    answer_correct,
    english_shown,
    in_language,
    mean,
    relevant,
    report_metrics,
    score_retrieval,
    split_overall,
    squash,
    summarize,
    supports,
)
from assistant.evaluation.plots import plot_report, save_figure
from assistant.evaluation.report import compare, english_line, render_markdown, write_report
from assistant.evaluation.runner import evaluate_question, percentile, run_eval, summarize_report

__all__ = [
    "ANSWER_METRICS",
    "ENGLISH_TARGET",
    "BASELINE_FIELDS",
    "COST_METRICS",
    "COUNT_METRICS",
    "HALVES",
    "LOWER_IS_BETTER",
    "OVERLAP_CHARS",
    "RETRIEVAL_METRICS",
    "SPLITS",
    "Question",
    "RetrievalScore",
    "answer_correct",
    "english_line",
    "english_shown",
    "assign_splits",
    "changed_questions",
    "compare",
    "evaluate_question",
    "gate",
    "in_language",
    "load_questions",
    "make_baseline",
    "mean",
    "missing_documents",
    "percentile",
    "plot_report",
    "relevant",
    "render_markdown",
    "report_metrics",
    "run_eval",
    "save_figure",
    "score_retrieval",
    "set_documents",
    "split_overall",
    "squash",
    "summarize",
    "summarize_report",
    "supports",
    "write_report",
    "write_splits",
]
