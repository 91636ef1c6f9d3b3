"""The fixed evaluation set is well-formed and every evidence string is in the cleaned text."""

from collections import Counter

from assistant.evaluation import load_questions, squash
from assistant.ingest import read_document
from conftest import ROOT, SEEDS

TYPES = {"fact", "number", "list", "table", "multi", "unanswerable", "followup"}


def test_questions_are_well_formed():
    qs = load_questions(ROOT / "evals" / "questions.jsonl")
    assert len(qs) >= 80
    assert len({q.id for q in qs}) == len(qs)
    assert {q.type for q in qs} <= TYPES
    counts = Counter(q.type for q in qs)
    assert counts["unanswerable"] >= 10
    assert 0.1 <= sum(q.lang == "en" for q in qs) / len(qs) <= 0.25
    for q in qs:
        if q.answerable:
            assert q.evidence and q.must_include and q.doc, q.id
        else:
            assert not q.evidence and q.doc is None, q.id
        if q.type == "followup":
            assert q.history, q.id


def test_every_evidence_string_occurs_in_the_cleaned_document():
    cleaned = {p.name: squash(read_document(p).text) for p in SEEDS.glob("*.txt")}
    for q in load_questions(ROOT / "evals" / "questions.jsonl"):
        docs = [q.doc] if isinstance(q.doc, str) else (q.doc or [])
        for ev in q.evidence:
            assert any(squash(ev) in cleaned[d] for d in docs), (q.id, ev)
