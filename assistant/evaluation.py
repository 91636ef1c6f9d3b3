"""The fixed evaluation set and its metrics.

A passage is relevant to a question when it contains one of the question's evidence
strings, or shares at least 8 consecutive characters with one (evidence can straddle a
chunk boundary). Text is compared after width normalisation with all white space removed,
so PDF spacing does not decide a match.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.cleaning import normalize_width
from assistant.machine import cpu_info, describe
from assistant.schema import Passage

if TYPE_CHECKING:
    from assistant.answer import Answerer

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


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(statistics.fmean(values), 4) if values else None


def summarize(
    rows: list[dict[str, Any]], metrics: list[str], by: str | None = None
) -> dict[str, dict[str, float]]:
    """Mean of each metric over rows (counts for COUNT_METRICS), overall and per value of `by`."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups["all"].append(row)
        if by:
            groups[str(row[by])].append(row)
    out = {}
    for name, items in groups.items():
        group: dict[str, float] = {"n": len(items)}
        for m in metrics:
            values = [r[m] for r in items if r.get(m) is not None]
            if m in COUNT_METRICS:
                if values:
                    group[m] = sum(values)
            elif (v := mean(values)) is not None:
                group[m] = v
        out[name] = group
    return out


def _flat(text: str) -> str:
    """Width and spaces normalised, 1,000s commas dropped ("5, 2024" stays two figures)."""
    return re.sub(r"(?<=\d)[,，](?=\d{3}(?!\d))", "", squash(text))


def _occurs(alt: str, text: str) -> bool:
    """An alternative in the answer; a figure only as a whole number ("18" is not in
    "2018年", "6.1" not in "16.1")."""
    lead = r"(?<![\d.])" if alt[:1].isdigit() else ""
    tail = r"(?!\.?\d)" if alt[-1:].isdigit() else ""
    return re.search(lead + re.escape(alt) + tail, text) is not None


def answer_correct(q: Question, answer: str) -> bool:
    """Every must_include item present (any alternative), after normalising width, spaces
    and 1,000s commas."""
    text = _flat(answer)
    return all(any(_occurs(_flat(alt), text) for alt in item) for item in q.must_include)


RETRIEVAL_METRICS = ["hit1", "hit5", "mrr10", "evidence_recall"]
ANSWER_METRICS = [
    "accuracy",
    "citation_precision",
    "citation_recall",
    "false_refusal",
    "refusal_accuracy",
    "in_language",
]
# Counted, not averaged: how many cited passages / answers came from a document other
# than the question's own (only questions that name their document count).
COUNT_METRICS = ["wrong_doc_citations", "wrong_doc_answers"]
COST_METRICS = ["retrieval_ms", "first_token_ms", "total_ms", "prompt_tokens"]
# Metrics where a higher value is worse (the gate looks for rises, not drops).
LOWER_IS_BETTER = {"false_refusal", *COUNT_METRICS}


def in_language(answer: str) -> float:
    """1.0 when an answer to an English question is shown in English; 0.0 when any of it is
    the checked Chinese shown instead (its translation failed the check, or no model), or
    it is Chinese without that label (a rule took the labelled first sentence away)."""
    from assistant.answer.reading import CHINESE_LEAD  # the answer stage loads on demand
    from assistant.answer.text import MARKER
    from assistant.answer.verify import is_english

    labelled = any(lead in answer for lead in CHINESE_LEAD.values())
    return float(not labelled and is_english(MARKER.sub("", answer)))


ENGLISH_TARGET = 0.9  # of the answered English questions, the share answered in English


def english_shown(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """How many answered English questions got their answer shown in English (not the
    labelled Chinese quote): the count, the share and whether it meets ENGLISH_TARGET."""
    values = [r["in_language"] for r in rows if r.get("in_language") is not None]
    share = mean(values)
    return {
        "answered": len(values),
        "in_english": int(sum(values)),
        "share": share,
        "target": ENGLISH_TARGET,
        "met": share is not None and share >= ENGLISH_TARGET,
    }


def english_line(e: dict[str, Any]) -> str:
    if not e["answered"]:
        return "English answers shown in English: no English question answered."
    verdict = "met" if e["met"] else "below target"
    return (
        f"English answers shown in English: {e['in_english']} of {e['answered']} answered "
        f"English questions ({e['share']:.0%}; target ≥ {e['target']:.0%}: {verdict})."
    )


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
    if not values:
        return 0.0
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(p * (len(values) - 1))))], 1)


def report_metrics(retrieval_only: bool) -> list[str]:
    return RETRIEVAL_METRICS + ([] if retrieval_only else ANSWER_METRICS + COUNT_METRICS)


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


# --------------------------------------------------------------------------- reports


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


def save_figure(fig: Any, path: Path) -> Path:
    """Lay out, write (90 dpi PNG) and free a matplotlib figure: plots are many per run."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


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


def plot_report(report: dict[str, Any], out: Path, baseline: dict[str, Any] | None) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    metrics = ["hit5", "mrr10"] + (
        [] if report["retrieval_only"] else ["accuracy", "citation_precision"]
    )
    summary = report["summary"]
    halves = {"all": summary} | summary.get("splits", {})
    fig, axes = plt.subplots(1, len(halves), figsize=(6 * len(halves), 4), squeeze=False)
    for ax, (half, part) in zip(axes[0], halves.items(), strict=True):
        by_type = part["by_type"]
        width = 0.8 / len(metrics)
        for i, m in enumerate(metrics):
            ax.bar(
                [x + i * width for x in range(len(by_type))],
                [v.get(m) or 0 for v in by_type.values()],
                width,
                label=m,
            )
        ax.set_xticks(
            [x + 0.4 - width / 2 for x in range(len(by_type))],
            [f"{t}\n({v['n']})" for t, v in by_type.items()],
            rotation=20,
            fontsize=8,
        )
        ax.set_ylim(0, 1.05)
        ax.set_title(f"{half} ({part['overall']['n']} questions)")
    axes[0][0].legend(fontsize=8)
    fig.suptitle(f"Metrics by question type ({report['llm']})")
    paths.append(save_figure(fig, out / "by_type.png"))

    names = [m for m in report_metrics(report["retrieval_only"]) if m not in COUNT_METRICS]
    fig, ax = plt.subplots(figsize=(9, 3.8))
    width = 0.8 / len(halves)
    for i, (half, part) in enumerate(halves.items()):
        ax.bar(
            [x + i * width for x in range(len(names))],
            [part["overall"].get(m) or 0 for m in names],
            width,
            label=f"{half} (n={part['overall']['n']})",
        )
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(names))], names, rotation=20)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    title = "Overall, tune and test halves"
    if not report["retrieval_only"]:
        title += " · wrong-doc answers " + ", ".join(
            f"{h} {int(p['overall'].get('wrong_doc_answers', 0))}" for h, p in halves.items()
        )
    ax.set_title(title, fontsize=10)
    paths.append(save_figure(fig, out / "splits.png"))

    fig, ax = plt.subplots(figsize=(7, 3.5))
    for m in ("retrieval_ms", "total_ms"):
        values = [r[m] for r in report["questions"] if r.get(m) is not None]
        if values:
            ax.hist(values, bins=20, alpha=0.6, label=m)
    ax.set_xlabel("milliseconds")
    ax.set_title("Latency distribution")
    ax.legend()
    paths.append(save_figure(fig, out / "latency.png"))

    if baseline:
        split = baseline.get("gate_split", "test")
        base_o = _split_overall(baseline, split)
        now_o = _split_overall(report, split)
        names = [m for m in names if m in base_o and m in now_o]
        fig, ax = plt.subplots(figsize=(8, 3.5))
        ax.bar(
            [x - 0.2 for x in range(len(names))], [base_o[m] for m in names], 0.4, label="baseline"
        )
        ax.bar(
            [x + 0.2 for x in range(len(names))], [now_o[m] for m in names], 0.4, label="this run"
        )
        ax.set_xticks(range(len(names)), names, rotation=20)
        ax.set_ylim(0, 1.05)
        ax.legend()
        ax.set_title(f"Against the baseline ({split} half)")
        paths.append(save_figure(fig, out / "compare.png"))
    return paths


def _split_overall(report: dict[str, Any], split: str | None) -> dict[str, Any]:
    s = report["summary"]
    if split and split in s.get("splits", {}):
        return s["splits"][split]["overall"]
    return s["overall"]


def compare(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Markdown: metrics of A and B (all, tune, test) with the difference, and changed questions."""
    lines = ["| metric | half | A | B | B - A |", "|---|---|---|---|---|"]
    for half in ("all", *SPLITS):
        if half != "all" and not all(half in r["summary"].get("splits", {}) for r in (a, b)):
            continue  # a report from before the split existed has only "all"
        oa = _split_overall(a, None if half == "all" else half)
        ob = _split_overall(b, None if half == "all" else half)
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
