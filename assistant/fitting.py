"""Fitting the refusal model and the candidate ranker from evaluation questions.

The rows of an evaluation report carry, per question, the refusal features, the candidate
answer's correctness (before the decision) and the question's split. Both models are
fitted on the train split (corpus3's training documents) and the tune halves of the seeds
and corpus2; the refusal threshold is chosen on corpus3's dev split; test is only scored.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answer import ranker, refusal
from assistant.evaluation import Question, answer_correct
from assistant.evaluation.plots import save_figure

if TYPE_CHECKING:
    from assistant.answer import Answerer

KINDS = ("llm", "extractive")


def usable(row: dict[str, Any]) -> bool:
    """Rows a decision was made on: one part, a candidate answer that passed verification,
    read by the model (a quote given without it was decided by the extractive model)."""
    return (
        bool(row.get("features"))
        and row.get("parts", 0) <= 1
        and bool(row.get("has_candidate"))
        and "quoted" not in row.get("flags", [])
    )


def label(row: dict[str, Any]) -> int:
    """1 when giving the candidate is right: an answerable question, a correct candidate."""
    return int(bool(row.get("answerable")) and bool(row.get("candidate_correct")))


FIT_SPLITS = ("train", "tune")  # fitted on; the threshold is chosen on dev where there is one


def fit_rows(rows: list[dict[str, Any]], l2: float = 1.0) -> tuple[refusal.RefusalModel, dict]:
    """Fit on the train and tune rows; pick the threshold on the dev rows (corpus3's
    documents never fitted on), or on the fitting rows when no report has dev rows; score
    every split (test only reported)."""
    fit = [r for r in rows if r.get("split") in FIT_SPLITS and usable(r)]
    if len({label(r) for r in fit}) < 2:
        raise ValueError(
            "the train/tune rows need both right and wrong candidate answers to fit on"
        )
    model = refusal.fit([r["features"] for r in fit], [label(r) for r in fit], l2=l2)
    dev = [r for r in rows if r.get("split") == "dev" and usable(r)]
    choose = dev or fit
    model.threshold, best = refusal.pick_threshold(
        [model.probability(r["features"]) for r in choose],
        [label(r) for r in choose],
        [bool(r["answerable"]) for r in choose],
    )
    summary: dict[str, Any] = {
        "threshold": model.threshold,
        "chosen_on": "dev" if dev else "+".join(FIT_SPLITS),
        "at_threshold": best,
    }
    for split in ("train", "tune", "dev", "test"):
        part = [r for r in rows if r.get("split") == split and usable(r)]
        if not part:
            continue
        s = [model.probability(r["features"]) for r in part]
        y = [label(r) for r in part]
        summary[split] = {
            "n": len(part),
            "auc": refusal.auc(s, y),
            "at_threshold": refusal.tradeoff(
                s, y, [bool(r["answerable"]) for r in part], [model.threshold]
            )[0],
        }
    model.info = {"fitted": True, "l2": l2, **summary}
    return model, summary


def plot(rows: list[dict[str, Any]], model: refusal.RefusalModel, out: Path, title: str) -> Path:
    """False refusals vs invented answers as the threshold moves, on the fitting rows and
    on dev and test where the reports have them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = [i / 50 for i in range(0, 51)]
    groups = {"train+tune": FIT_SPLITS, "dev": ("dev",), "test": ("test",)}
    groups = {k: v for k, v in groups.items() if any(r.get("split") in v for r in rows)}
    fig, axes = plt.subplots(1, len(groups), figsize=(5 * len(groups), 4), sharey=True)
    for ax, (split, names) in zip(
        [axes] if len(groups) == 1 else axes, groups.items(), strict=True
    ):
        part = [r for r in rows if r.get("split") in names and usable(r)]
        if not part:
            ax.set_title(f"{split}: no rows")
            continue
        s = [model.probability(r["features"]) for r in part]
        y = [label(r) for r in part]
        curve = refusal.tradeoff(s, y, [bool(r["answerable"]) for r in part], grid)
        ax.plot(grid, [c["false_refusal"] for c in curve], label="false refusals (of answerable)")
        ax.plot(grid, [c["invented"] for c in curve], label="wrong answers given (of all)")
        ax.plot(grid, [c["accuracy"] for c in curve], label="accuracy", linestyle="--")
        ax.axvline(model.threshold, color="grey", linewidth=1)
        ax.set_title(f"{split} (n={len(part)}, AUC={refusal.auc(s, y)})")
        ax.set_xlabel("threshold on p(answer right)")
    (axes if len(groups) > 1 else [axes])[0].legend(fontsize=8)
    fig.suptitle(title)
    return save_figure(fig, out)


# ---- the candidate ranker

RANKER_FIT_SPLITS = ("train", "tune")  # fitted on these; dev reports, test is never read


def ranker_rows(answerer: Answerer, questions: list[Question]) -> list[dict[str, Any]]:
    """Per answerable one-part question of the train, tune and dev splits: its candidates'
    features and labels (1: the sentence holds every must_include item). A question none
    of whose candidates holds the answer teaches the ranker nothing and is left out."""
    rows = []
    for q in questions:
        if not q.answerable or q.split not in (*RANKER_FIT_SPLITS, "dev"):
            continue
        parts = answerer.candidates(q.question, q.history)
        if len(parts) != 1 or not parts[0]:
            continue
        labels = [int(answer_correct(q, c.sentence)) for c in parts[0]]
        if any(labels):
            feats = [c.features for c in parts[0]]
            rows.append({"id": q.id, "split": q.split, "labels": labels, "features": feats})
    return rows


def top1(model: ranker.Ranker, rows: list[dict[str, Any]]) -> float:
    """Share of questions whose best-ranked candidate holds the answer."""
    if not rows:
        return 0.0
    hits = 0
    for r in rows:
        scores = [model.score(f) for f in r["features"]]
        hits += r["labels"][max(range(len(scores)), key=scores.__getitem__)]
    return round(hits / len(rows), 4)


PRIOR_STRENGTHS = (1.0, 10.0, 30.0, 100.0, 300.0, 1000.0)


def fit_ranker(rows: list[dict[str, Any]], strength: float | None = None) -> ranker.Ranker:
    """The ranker's weights from the train/tune rows: a logistic fit of p(label) =
    sigmoid(a * (w . features) + b) with w pulled towards `ranker.PRIOR` by
    strength * |w - PRIOR|^2 (scipy's L-BFGS). The pull's strength is the one with the
    best top-1 on dev (ties: the stronger pull, the smaller change); 100 without dev rows."""
    import numpy as np
    from scipy.optimize import minimize

    fit = [r for r in rows if r["split"] in RANKER_FIT_SPLITS]
    if not fit:
        raise ValueError("no train or tune questions with a candidate that holds the answer")
    names = list(ranker.FEATURES)
    x = np.array([[f[k] for k in names] for r in fit for f in r["features"]])
    y = np.array([label for r in fit for label in r["labels"]])
    w0 = np.array([ranker.PRIOR.get(k, 0.0) for k in names])

    def loss(t: np.ndarray, lam: float) -> tuple[float, np.ndarray]:
        w, a, b = t[:-2], t[-2], t[-1]
        s = x @ w
        p = 1.0 / (1.0 + np.exp(-np.clip(a * s + b, -30, 30)))
        d = w - w0
        nll = -(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)).sum()
        r = p - y
        grad = np.concatenate([a * (x.T @ r) + 2 * lam * d, [(r * s).sum(), r.sum()]])
        return float(nll + lam * (d @ d)), grad

    def fitted(lam: float) -> ranker.Ranker:
        start = np.concatenate([w0, [5.0, -3.0]])
        t = minimize(loss, start, args=(lam,), jac=True, method="L-BFGS-B").x
        weights = {k: round(float(v), 5) for k, v in zip(names, t[:-2], strict=True)}
        return ranker.Ranker(
            weights=weights, info={"a": round(float(t[-2]), 4), "b": round(float(t[-1]), 4)}
        )

    dev = [r for r in rows if r["split"] == "dev"]
    if strength is None and dev:
        tried = {lam: fitted(lam) for lam in PRIOR_STRENGTHS}
        strength = max(tried, key=lambda lam: (top1(tried[lam], dev), lam))
        model = tried[strength]
    else:
        strength = strength or 100.0
        model = fitted(strength)
    ids = sorted(r["id"] for r in fit)
    model.info |= {
        "strength": strength,
        "questions": len(fit),
        "candidates": int(len(y)),
        "data_sha256": hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16],
        "top1": {
            s: top1(model, [r for r in rows if r["split"] == s])
            for s in (*RANKER_FIT_SPLITS, "dev")
        },
        "top1_prior": {
            s: top1(ranker.Ranker(weights=dict(ranker.PRIOR)), [r for r in rows if r["split"] == s])
            for s in (*RANKER_FIT_SPLITS, "dev")
        },
    }
    return model
