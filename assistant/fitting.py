"""Fitting the refusal model from evaluation rows, and the plots that show what it does.

The rows of an evaluation report carry, per question, the refusal features, the candidate
answer's correctness (before the decision) and the question's split. The model is fitted
and its threshold picked on the tune half only; the test half is only scored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.answer import refusal
from assistant.evaluation.plots import save_figure

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


def fit_rows(rows: list[dict[str, Any]], l2: float = 1.0) -> tuple[refusal.RefusalModel, dict]:
    """Fit on the tune rows, pick the threshold there, score both halves."""
    tune = [r for r in rows if r.get("split") == "tune" and usable(r)]
    if len({label(r) for r in tune}) < 2:
        raise ValueError("the tune split needs both right and wrong candidate answers to fit on")
    model = refusal.fit([r["features"] for r in tune], [label(r) for r in tune], l2=l2)
    scores = [model.probability(r["features"]) for r in tune]
    model.threshold, best = refusal.pick_threshold(
        scores, [label(r) for r in tune], [bool(r["answerable"]) for r in tune]
    )
    summary: dict[str, Any] = {"threshold": model.threshold, "tune_at_threshold": best}
    for split in ("tune", "test"):
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
    """False refusals vs invented answers as the threshold moves, tune and test halves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = [i / 50 for i in range(0, 51)]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, split in zip(axes, ("tune", "test"), strict=True):
        part = [r for r in rows if r.get("split") == split and usable(r)]
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
    axes[0].legend(fontsize=8)
    fig.suptitle(title)
    return save_figure(fig, out)
