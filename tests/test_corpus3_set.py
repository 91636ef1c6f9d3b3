"""corpus3's evaluation set is well-formed: split by document, every evidence string in the
cleaned text of its document, the mix of question kinds the set promises.

The documents are data from outside the project, read from ../shared/corpus3/docs (CI has
../shared too); they are never copied into the repository.
"""

import csv
from collections import Counter

import pytest

from assistant.evaluation import load_questions, squash
from assistant.ingest import read_document
from conftest import ROOT

CORPUS3 = ROOT / "evals" / "corpus3"
SET = CORPUS3 / "questions.jsonl"
SHARED = ROOT.parent / "shared" / "corpus3"
DOCS = SHARED / "docs"
NEAR_MISSES = {
    "another_year",
    "another_indicator",
    "another_place",
    "target_as_achievement",
    "not_in_document",
}

pytestmark = pytest.mark.skipif(
    not DOCS.is_dir(), reason="../shared/corpus3 is not beside this checkout"
)


def _documents() -> dict[str, dict[str, str]]:
    with (CORPUS3 / "documents.tsv").open(encoding="utf-8") as f:
        return {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}


def test_every_source_document_has_exactly_one_split_stratified_by_kind():
    with (SHARED / "SOURCES.tsv").open(encoding="utf-8") as f:
        sources = {row["file"]: row["kind"] for row in csv.DictReader(f, delimiter="\t")}
    docs = _documents()
    assert set(docs) == set(sources) == {p.name for p in DOCS.iterdir()}
    assert all(d["kind"] == sources[name] for name, d in docs.items())
    splits = Counter(d["split"] for d in docs.values())
    assert set(splits) == {"train", "dev", "test"}
    assert 0.55 <= splits["train"] / len(docs) <= 0.65, splits
    for kind in set(sources.values()):  # every kind is in every split
        assert {d["split"] for d in docs.values() if d["kind"] == kind} == set(splits), kind


def test_questions_are_unique_and_each_uses_documents_of_its_own_split():
    qs = load_questions(SET)
    docs = _documents()
    assert len({q.id for q in qs}) == len(qs)
    for q in qs:
        assert q.docs and all(d in docs for d in q.docs), q.id
        assert {docs[d]["split"] for d in q.docs} == {q.split}, q.id
        if q.answerable:
            assert q.evidence and q.must_include and not q.near_miss, q.id
        else:
            assert not q.evidence and not q.must_include, q.id
            assert q.near_miss in NEAR_MISSES, q.id
        if q.type == "followup":
            assert q.history and q.history[0]["role"] == "user", q.id


def test_the_set_has_the_promised_size_and_mix():
    qs = load_questions(SET)
    n = len(qs)
    assert n >= 600
    assert len({d for q in qs for d in q.docs}) >= 50
    types = Counter(q.type for q in qs)
    share = {t: c / n for t, c in types.items()}
    assert share["unanswerable"] >= 0.20, share
    assert sum(q.lang == "en" for q in qs) / n >= 0.15
    assert share["multi"] >= 0.10 and share["list"] >= 0.10, share
    assert share["followup"] >= 0.05, share
    assert types["table"] >= 10, types  # the corpus has one real table: every row is asked
    assert {q.split for q in qs} == {"train", "dev", "test"}
    across = [q for q in qs if len(q.docs) == 2]
    assert len(across) >= 20  # comparisons across two documents
    near = Counter(q.near_miss for q in qs if not q.answerable)
    assert len(near) >= 4, near  # several kinds of near miss, not one


def test_every_evidence_string_occurs_in_its_cleaned_document():
    texts = {name: squash(read_document(DOCS / name).text) for name in _documents()}
    missing = []
    for q in load_questions(SET):
        for ev in q.evidence:
            if not any(squash(ev) in texts[d] for d in q.docs):
                missing.append((q.id, ev))
        for item in q.must_include:  # what an answer must say is what the document says
            if not any(squash(alt) in squash(ev) for alt in item for ev in q.evidence):
                missing.append((q.id, item))
    assert not missing, missing[:10]
