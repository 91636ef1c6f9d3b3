"""Whether to give the checked answer or refuse: a logistic regression, fitted, not a rule.

Neither the model's "not found" nor a phrase list separates answerable from unanswerable
questions (MODELS.md). The signals that do - retrieval ranks, how much of the question the
cited sentence covers, whether the asked place is bound to the cited document, whether the
model and the extractive reader agree - are combined by a small model fitted on the tuning
split (`assistant eval --fit-refusal`). Its coefficients, feature names and threshold live
in refusal_model.json next to this file, one model per reader kind (llm, extractive).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

MODEL_PATH = Path(__file__).with_name("refusal_model.json")

# The direction each signal can only push (+1: more of it, more likely right; 0: free).
# With a few dozen tuning questions correlated signals trade weight freely; a sign that
# contradicts its meaning is noise, so that feature is left out of the fit.
DIRECTION = {
    "names_missing": -1,
    "llm_refused": -1,
    "dropped": -1,
    "forced": 0,
}

FEATURES = [
    "cited_rank",  # 1 / rank of the first cited passage among those retrieved
    "dense_rank",  # 1 / dense-retriever rank of that passage (0: not found by it)
    "keyword_rank",  # 1 / keyword-retriever rank (0: not found by it)
    "coverage_cited",  # key-term weight covered by the best cited sentence (+ its heading)
    "coverage_best",  # key-term weight covered by the best passage
    "binding",  # how firmly the cited passages are bound to the asked place (1/0.5/0)
    "names_missing",  # share of the question's names/figures absent from the cited passages
    "llm_refused",  # the model's first reply was "not found"
    "forced",  # the answer came from the forced re-ask on one passage
    "agreement",  # the answer and the extractive reader cite the same sentence's figures
    "dropped",  # share of the draft's sentences verification removed
    "figure_match",  # the question asks for a number and the answer gives one
    "extractive_score",  # the extractive reader's best sentence score
    "unit_match",  # the answer's figure carries the unit asked for (1), not (0), none asked (0.5)
    "rarest_cited",  # the question's rarest term is in a cited sentence (or its heading/document)
    "type_match",  # share of the asked answer kinds (date, name, figure) the cited sentences state
]


@dataclass
class RefusalModel:
    """p(answer is right) = sigmoid(coef . standardised features + intercept)."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    threshold: float
    info: dict[str, Any] = field(default_factory=dict)

    def probability(self, x: dict[str, float]) -> float:
        z = self.intercept
        for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True):
            z += c * ((x.get(name, 0.0) - m) / s)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def answer(self, x: dict[str, float]) -> tuple[bool, float]:
        p = self.probability(x)
        return p >= self.threshold, p

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": self.features,
            "mean": self.mean,
            "scale": self.scale,
            "coef": self.coef,
            "intercept": self.intercept,
            "threshold": self.threshold,
            "info": self.info,
        }


def load(kind: str, path: Path = MODEL_PATH) -> RefusalModel:
    """The fitted model for a reader kind ("llm" or "extractive")."""
    data = json.loads(path.read_text(encoding="utf-8"))
    d = data.get(kind) or data["llm"]
    return RefusalModel(
        d["features"],
        d["mean"],
        d["scale"],
        d["coef"],
        d["intercept"],
        d["threshold"],
        d.get("info", {}),
    )


def save(models: dict[str, RefusalModel], path: Path = MODEL_PATH) -> None:
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    data.update({k: m.to_dict() for k, m in models.items()})
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- fitting


def fit(
    rows: list[dict[str, float]], labels: list[int], l2: float = 1.0, iters: int = 50
) -> RefusalModel:
    """L2-regularised logistic regression by Newton's method (numpy only), refitted
    without any feature whose weight takes the sign its meaning rules out."""
    X = np.array([[r.get(f, 0.0) for f in FEATURES] for r in rows], dtype=float)
    y = np.array(labels, dtype=float)
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-6] = 1.0
    Z = np.hstack([(X - mean) / scale, np.ones((len(X), 1))])
    active = [j for j in range(len(FEATURES)) if X[:, j].std() > 1e-6]
    w = np.zeros(Z.shape[1])
    for _ in range(len(FEATURES)):
        cols = [*active, Z.shape[1] - 1]
        w = np.zeros(Z.shape[1])
        w[cols] = _newton(Z[:, cols], y, l2, iters)
        wrong = [j for j in active if w[j] * DIRECTION.get(FEATURES[j], 1) < 0]
        if not wrong:
            break
        active = [j for j in active if j not in wrong]
    return RefusalModel(
        list(FEATURES),
        [round(float(v), 6) for v in mean],
        [round(float(v), 6) for v in scale],
        [round(float(v), 6) for v in w[:-1]],
        round(float(w[-1]), 6),
        0.5,
    )


def _newton(Z: np.ndarray, y: np.ndarray, l2: float, iters: int) -> np.ndarray:
    w = np.zeros(Z.shape[1])
    reg = np.full(Z.shape[1], l2)
    reg[-1] = 0.0  # the intercept is not shrunk
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(Z @ w, -30, 30)))
        grad = Z.T @ (p - y) + reg * w
        hess = (Z * (p * (1 - p))[:, None]).T @ Z + np.diag(reg)
        step = np.linalg.solve(hess + 1e-9 * np.eye(len(w)), grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def auc(scores: list[float], labels: list[int]) -> float | None:
    """Area under the ROC curve (the chance a right answer outscores a wrong one)."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return round(wins / (len(pos) * len(neg)), 4)


def tradeoff(
    scores: list[float], correct: list[int], answerable: list[bool], thresholds: list[float]
) -> list[dict[str, float]]:
    """Per threshold: false refusals (answerable questions refused), invented answers
    (answers given that are wrong, incl. to unanswerable questions), accuracy."""
    out = []
    n = len(scores)
    n_ans = max(1, sum(answerable))
    for t in thresholds:
        answered = [s >= t for s in scores]
        false_ref = sum(1 for a, ok in zip(answered, answerable, strict=True) if ok and not a)
        invented = sum(
            1 for a, c in zip(answered, correct, strict=True) if a and not c
        )  # an answer given that is not right
        right = sum(
            1
            for a, c, ok in zip(answered, correct, answerable, strict=True)
            if (a and c) or (not a and not ok)
        )
        out.append(
            {
                "threshold": round(t, 3),
                "false_refusal": round(false_ref / n_ans, 4),
                "invented": round(invented / max(1, n), 4),
                "accuracy": round(right / max(1, n), 4),
            }
        )
    return out


def pick_threshold(
    scores: list[float], correct: list[int], answerable: list[bool]
) -> tuple[float, dict[str, float]]:
    """The threshold with the best accuracy on these (tuning) rows; ties: fewer invented answers."""
    grid = [i / 100 for i in range(5, 96)]
    curve = tradeoff(scores, correct, answerable, grid)
    best = max(curve, key=lambda c: (c["accuracy"], -c["invented"], -c["threshold"]))
    return best["threshold"], best
