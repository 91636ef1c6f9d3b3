"""The CI gate: retrieval and extractive-answer metrics may not drop below evals/baseline.json.

Raising the baseline is a deliberate commit:
    assistant eval --llm extractive --write-baseline evals/baseline.json
"""

import json

from assistant.answer import Answerer
from assistant.evaluation import changed_questions, gate, load_questions, run_eval, write_report
from conftest import ROOT


def test_metrics_do_not_drop_below_the_baseline(seeded, tmp_path):
    baseline = json.loads((ROOT / "evals" / "baseline.json").read_text(encoding="utf-8"))
    questions = load_questions(ROOT / "evals" / "questions.jsonl")
    answerer = Answerer(seeded.settings, seeded, None)
    report = run_eval(questions, answerer, k=baseline["k"])
    paths = write_report(report, tmp_path / "report", baseline)
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    failures = gate(baseline, report)
    changed = changed_questions(baseline, report)
    if changed:
        print("questions whose outcome changed against the baseline:")
        for qid, metric, was, now in changed:
            print(f"  {qid} {metric}: {was} -> {now}")
    assert not failures, (
        f"metrics dropped below evals/baseline.json: {failures}; changed: {changed}"
    )


def test_gate_catches_a_drop():
    base = {
        "tolerance": 0.02,
        "summary": {"overall": {"n": 10, "hit5": 0.9, "false_refusal": 0.1}},
        "questions": [],
    }
    worse = {"summary": {"overall": {"n": 10, "hit5": 0.85, "false_refusal": 0.2}}, "questions": []}
    assert len(gate(base, worse)) == 2
    same = {"summary": {"overall": {"n": 10, "hit5": 0.89, "false_refusal": 0.11}}, "questions": []}
    assert gate(base, same) == []
