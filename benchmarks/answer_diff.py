"""Behaviour harness for restructuring the answer stage: the same answers before and after.

Runs the extractive reader (no model) over the eval sets and writes, per question, the
answer text, the citations (document, chunk id) and whether it refused, to JSON; `--compare`
prints the questions whose answers differ between two such files. A restructuring commit
must leave this output identical (or explain each difference as a fix).

    ASSISTANT_DATA_DIR=/tmp/wt28-data/seeds python benchmarks/answer_diff.py \\
        --set evals/questions.jsonl --out /tmp/before-seeds.json
    python benchmarks/answer_diff.py --compare /tmp/before-seeds.json /tmp/after-seeds.json

The store must already hold the set's documents (`assistant ingest seeds/`, and the
corpus2 files for `evals/corpus2/questions.jsonl`): this script only reads it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run(set_path: Path, llm: str, ids: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """Every question of the set (or those of `ids`) answered by the `llm` provider, by id."""
    from assistant.answer import Answerer
    from assistant.config import load_settings
    from assistant.evaluation import load_questions
    from assistant.index import Index
    from assistant.llm import get_llm

    settings = load_settings()
    settings = settings.model_copy(
        update={"llm": settings.llm.model_copy(update={"provider": llm})}
    )
    index = Index(settings)
    answerer = Answerer(settings, index, get_llm(settings))
    out: dict[str, dict[str, Any]] = {}
    for q in load_questions(set_path):
        if ids and q.id not in ids:
            continue
        result = answerer.ask(q.question, q.history)
        out[q.id] = {
            "answer": result.answer,
            "citations": [[c.doc, c.chunk_id] for c in result.citations],
            "refused": result.refused,
        }
    return out


def compare(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> list[str]:
    """The ids whose answer, citations or refusal differ (or that only one file has)."""
    return sorted(i for i in a.keys() | b.keys() if a.get(i) != b.get(i))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", type=Path, default=ROOT / "evals" / "questions.jsonl")
    ap.add_argument("--llm", default="extractive", help="provider (default: extractive)")
    ap.add_argument("--out", type=Path, help="write the answers here (JSON)")
    ap.add_argument("--ids", help="only these questions (comma-separated ids)")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = ap.parse_args()
    if args.compare:
        before, after = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        differing = compare(before, after)
        for qid in differing:
            print(f"{qid}\n  before: {before.get(qid)}\n  after:  {after.get(qid)}")
        print(f"{len(differing)} of {len(before.keys() | after.keys())} questions differ")
        return 1 if differing else 0
    t0 = time.perf_counter()
    ids = set(args.ids.split(",")) if args.ids else None
    answers = run(args.set, args.llm, ids)
    text = json.dumps(answers, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    print(
        f"{len(answers)} questions, {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
