"""The evaluation sets: their question lines, their fixed splits, and the documents they ask
about (which must be in the store before a run)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Question:
    """One line of a set: the question, where its answer lies (evidence) and what it must say."""

    id: str
    question: str
    lang: str
    type: str
    doc: str | list[str] | None
    evidence: list[str]
    answer: str
    must_include: list[list[str]]
    history: list[dict[str, str]] = field(default_factory=list)
    split: str = ""
    # unanswerable only: what kind of near miss it is (another_year, another_indicator,
    # another_place, target_as_achievement, not_in_document) - for the report's breakdown
    near_miss: str = ""

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"

    @property
    def docs(self) -> list[str]:
        """The documents an answer may cite (empty when the question names none)."""
        return [self.doc] if isinstance(self.doc, str) else list(self.doc or [])


def load_questions(path: Path) -> list[Question]:
    """A set's questions; a malformed line is named (file:line), not skipped."""
    questions = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            questions.append(Question(**json.loads(line)))
        except (json.JSONDecodeError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a valid question line ({exc})") from exc
    return questions


# The seeds and corpus2 sets are split by question into two halves (tune, test); corpus3
# is split by DOCUMENT into train, dev and test (evals/README.md says what each is for).
HALVES = ("tune", "test")
SPLITS = ("train", "tune", "dev", "test")


def _id_hash(qid: str) -> str:
    return hashlib.sha256(qid.encode("utf-8")).hexdigest()


def assign_splits(questions: list[Question]) -> dict[str, str]:
    """The fixed tune/test split, stratified by (type, lang); run once, result stored in the files.

    Questions are grouped by (type, lang), groups taken in sorted order, and inside a group
    ordered by the SHA-256 of their id. A question that already has a split keeps it; each new
    one goes to the half that has fewer questions of its group; on a tie it goes to the half
    that did not get the odd one out of the previous odd-sized group (tune first), so odd
    groups do not all lean the same way.
    """
    groups: dict[tuple[str, str], list[Question]] = defaultdict(list)
    for q in questions:
        groups[(q.type, q.lang)].append(q)
    out: dict[str, str] = {}
    turn = 0
    for key in sorted(groups):
        counts = {s: 0 for s in HALVES}
        for q in groups[key]:
            if q.split:
                counts[q.split] += 1
        for q in sorted(groups[key], key=lambda q: _id_hash(q.id)):
            if q.split:
                out[q.id] = q.split
                continue
            if counts["tune"] == counts["test"]:
                split = HALVES[turn % 2]
            else:
                split = min(HALVES, key=lambda s: counts[s])
            counts[split] += 1
            out[q.id] = split
        if counts["tune"] != counts["test"]:
            turn += 1
    return out


def write_splits(path: Path) -> dict[str, str]:
    """Add a "split" to every question of a JSONL set that lacks one (other fields untouched)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    splits = assign_splits(load_questions(path))
    with path.open("w", encoding="utf-8") as f:
        for line in lines:
            if line.strip():
                item = json.loads(line)
                item["split"] = splits[item["id"]]
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
    return splits


def set_documents(set_path: Path, named: Iterable[str] | None = None) -> list[Path]:
    """Documents that live next to a set file (not in sub-folders): the set's own corpus.

    evals/corpus2/questions.jsonl sits with the documents it asks about, so evaluating it
    first brings them into the store; evals/questions.jsonl has none beside it (its
    documents are seeds/). With `named` (the file names the set's questions give as their
    `doc`), only those: a set file kept in a folder of notes does not put the notes into
    the store.
    """
    from assistant.loaders import LOADERS

    wanted = set(named) if named is not None else None
    return sorted(
        p
        for p in set_path.resolve().parent.iterdir()
        if p.is_file()
        and p.suffix.lower() in LOADERS
        and not p.name.startswith(".")
        and (wanted is None or p.name in wanted)
    )


def missing_documents(questions: list[Question], stored: Iterable[str]) -> list[str]:
    """Documents the questions are about that the store does not hold."""
    have = set(stored)
    return sorted({d for q in questions for d in q.docs} - have)
