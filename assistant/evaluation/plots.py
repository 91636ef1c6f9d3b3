"""The plots of a report (metrics by type per split, the splits side by side, latency, the
baseline), and the one way a figure is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.evaluation.metrics import COUNT_METRICS, report_metrics, split_overall


def save_figure(fig: Any, path: Path) -> Path:
    """Lay out, write (90 dpi PNG) and free a matplotlib figure: plots are many per run."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_report(report: dict[str, Any], out: Path, baseline: dict[str, Any] | None) -> list[Path]:
    """The report's PNGs: what a glance at a run should show (by type, splits, latency, baseline)."""
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
        base_o = split_overall(baseline, split)
        now_o = split_overall(report, split)
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
