"""A run's report as files: report.json, report.md (tables, the wrong answers, the
comparison with the baseline and the gate's verdict) and its plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.evaluation.dataset import SPLITS
from assistant.evaluation.gate import changed_questions, gate
from assistant.evaluation.metrics import (
    ANSWER_METRICS,
    COUNT_METRICS,
    RETRIEVAL_METRICS,
    report_metrics,
    split_overall,
)
from assistant.evaluation.plots import plot_report
from assistant.machine import describe


def _fmt(m: str, v: float | None) -> str:
    if v is None:
        return "-"
    return str(int(v)) if m in COUNT_METRICS else f"{v:.3f}"


def _table(groups: dict[str, dict[str, float]], metrics: list[str]) -> list[str]:
    lines = ["| group | n | " + " | ".join(metrics) + " |", "|---|---|" + "---|" * len(metrics)]
    for name, vals in groups.items():
        lines.append(
            f"| {name} | {vals['n']} | " + " | ".join(_fmt(m, vals.get(m)) for m in metrics) + " |"
        )
    return lines


def _with_splits(s: dict[str, Any], key: str) -> dict[str, dict[str, float]]:
    """Rows "x", "x · tune", "x · test" for each group x of a breakdown (by_type, by_lang)."""
    rows: dict[str, dict[str, float]] = {}
    for name, vals in s[key].items():
        rows[name] = vals
        for split, part in s.get("splits", {}).items():
            if name in part[key]:
                rows[f"{name} · {split}"] = part[key][name]
    return rows


def render_markdown(report: dict[str, Any]) -> str:
    """report.md: the tables a reader compares runs by (overall, by type, by language, per split)."""
    metrics = report_metrics(report["retrieval_only"])
    s = report["summary"]
    lines = [
        f"# Evaluation {report['created']}",
        "",
        f"Set: `{report.get('set', '?')}` · LLM: `{report['llm']}` · embedding: "
        f"`{report['embedding_model']}` · k = {report['k']} · "
        f"{len(report['questions'])} questions · {report['seconds']} s",
        "",
        f"Machine: {describe(report.get('machine', {}).get('cpu') or {})}",
        "",
        "Train and tune are fitted on, dev is chosen on, test is held out and only reported "
        "(the CI gate reads it; evals/README.md). wrong_doc_* count citations / answers drawn "
        "from a document other than the question's own.",
        "",
        "## Overall",
        "",
    ]
    overall = {"all": s["overall"]} | {k: v["overall"] for k, v in s.get("splits", {}).items()}
    lines += _table(overall, metrics)
    if "english" in s:
        lines += ["", english_line(s["english"])]
    lines += ["", "## By type", ""] + _table(_with_splits(s, "by_type"), metrics)
    lines += ["", "## By language", ""] + _table(_with_splits(s, "by_lang"), metrics)
    if s["cost"]:
        lines += ["", "## Cost", "", "| metric | median | p90 |", "|---|---|---|"]
        lines += [f"| {m} | {v['median']} | {v['p90']} |" for m, v in s["cost"].items()]
    if not report["retrieval_only"]:
        wrong = [
            r for r in report["questions"] if not r.get("accuracy") or r.get("wrong_doc_citations")
        ]
        lines += [
            "",
            f"## Wrong answers or wrong-document citations ({len(wrong)})",
            "",
            "| id | split | type | lang | hit@5 | refused | wrong-doc citations | answer |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in wrong:
            answer = str(r.get("answer", "")).replace("|", "/").replace("\n", " ")[:80]
            lines.append(
                f"| {r['id']} | {r.get('split', '-')} | {r['type']} | {r['lang']} | "
                f"{r.get('hit5', '-')} | {r.get('refused')} | {r.get('wrong_doc_citations', '-')} "
                f"| {answer} |"
            )
    return "\n".join(lines) + "\n"


def write_report(
    report: dict[str, Any], out: Path, baseline: dict[str, Any] | None = None
) -> list[Path]:
    """report.json, report.md and PNG plots (by type per split, splits, latency, baseline)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.json", out / "report.md"]
    paths[0].write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    md = render_markdown(report)
    if baseline:
        md += "\n## Compared with the baseline\n\n" + compare(baseline, report) + "\n"
        failures = gate(baseline, report)
        md += "\n**Gate (" + str(baseline.get("gate_split", "test")) + " half):** "
        md += ("FAIL\n\n" + "\n".join(f"- {f}" for f in failures)) if failures else "pass"
        md += "\n"
    paths[1].write_text(md, encoding="utf-8")
    paths += plot_report(report, out, baseline)
    return paths


def compare(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Markdown: metrics of A and B (all, tune, test) with the difference, and changed questions."""
    lines = ["| metric | half | A | B | B - A |", "|---|---|---|---|---|"]
    for half in ("all", *SPLITS):
        if half != "all" and not all(half in r["summary"].get("splits", {}) for r in (a, b)):
            continue  # a report from before the split existed has only "all"
        oa = split_overall(a, None if half == "all" else half)
        ob = split_overall(b, None if half == "all" else half)
        for m in RETRIEVAL_METRICS + ANSWER_METRICS + COUNT_METRICS:
            if m in oa and m in ob:
                lines.append(
                    f"| {m} | {half} | {_fmt(m, oa[m])} | {_fmt(m, ob[m])} | {ob[m] - oa[m]:+.3f} |"
                )
    changed = changed_questions(a, b)
    if changed:
        lines += ["", "| question | metric | A | B |", "|---|---|---|---|"]
        lines += [f"| {qid} | {m} | {va} | {vb} |" for qid, m, va, vb in changed]
    return "\n".join(lines)


def english_line(e: dict[str, Any]) -> str:
    """The report's line on English answers shown in English, against the target."""
    if not e["answered"]:
        return "English answers shown in English: no English question answered."
    verdict = "met" if e["met"] else "below target"
    return (
        f"English answers shown in English: {e['in_english']} of {e['answered']} answered "
        f"English questions ({e['share']:.0%}; target ≥ {e['target']:.0%}: {verdict})."
    )
