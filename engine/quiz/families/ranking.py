"""Families on a handful of scores: ROC-AUC, average precision, the cheapest threshold."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    auc,
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

from engine.quiz.families.core import (
    Chart,
    Draft,
    FloatRange,
    Generator,
    IntRange,
    NumericKey,
    fixed,
    redraw,
)

TOLERANCE = 0.0005
THRESHOLDS = tuple(round(0.1 * k, 1) for k in range(1, 10))


def _scores(p: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Distinct two-decimal scores; positives centred higher by `separation`."""
    n_pos, n_neg = p["positives"], p["negatives"]
    centre = 0.5 + p["separation"] / 2, 0.5 - p["separation"] / 2
    pos = np.clip(rng.normal(centre[0], 0.18, n_pos), 0.01, 0.99)
    neg = np.clip(rng.normal(centre[1], 0.18, n_neg), 0.01, 0.99)
    scores = np.round(np.r_[pos, neg], 2)
    if len(set(scores.tolist())) < len(scores):
        raise redraw()  # ties make the pair-counting explanation murky
    return np.r_[np.ones(n_pos, dtype=int), np.zeros(n_neg, dtype=int)], scores


def _listed(scores: np.ndarray) -> str:
    return ", ".join(f"{s:.2f}" for s in sorted(scores.tolist(), reverse=True))


def _score_values(y: np.ndarray, scores: np.ndarray) -> dict[str, str]:
    return {
        "positive_scores": _listed(scores[y == 1]),
        "negative_scores": _listed(scores[y == 0]),
        "positives": str(int(y.sum())),
        "negatives": str(int((1 - y).sum())),
    }


SCORE_PARAMS = (
    IntRange("positives", (3, 6), (2, 12), "number of positive examples"),
    IntRange("negatives", (3, 6), (2, 12), "number of negative examples"),
    FloatRange("separation", (0.2, 0.5), (0.0, 0.8), "how far apart the classes' scores sit"),
)


def _roc_auc(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    y, scores = _scores(p, rng)
    area = float(roc_auc_score(y, scores))
    at_half = (scores >= 0.5).astype(int)
    fpr, tpr, _ = roc_curve(y, scores)
    pairs = int(y.sum() * (1 - y).sum())
    return Draft(
        values={**_score_values(y, scores), "auc": fixed(area), "pairs": str(pairs),
                "ordered_pairs": str(round(area * pairs))},
        numbers={"auc": area},
        answer=fixed(area),
        answer_feedback=(
            f"Right: {round(area * pairs)} of the {pairs} positive-negative pairs rank the "
            "positive higher."
        ),
        mistakes=[
            ("accuracy-at-half", fixed(float(accuracy_score(y, at_half))),
             "That is accuracy at the 0.5 threshold; AUC looks at every threshold at once."),
            ("recall-at-half", fixed(float(recall_score(y, at_half, zero_division=0.0))),
             "That is recall at 0.5; AUC is the share of pairs ranked the right way."),
            ("reversed-ranking", fixed(1 - area),
             "That counts the pairs ranked the wrong way: 1 - AUC."),
        ],
        numeric=NumericKey(area, TOLERANCE),
        chart=Chart("ROC curve", "false positive rate", "true positive rate",
                    tuple(fpr.tolist()), {"ROC": tuple(tpr.tolist())}),
    )


ROC_AUC = Generator(
    name="roc_auc",
    summary="ROC-AUC of a handful of scores (the share of correctly ranked pairs).",
    lessons=("threshold",),
    params=SCORE_PARAMS,
    compute=_roc_auc,
    library="sklearn.metrics roc_auc_score, roc_curve",
)


def _average_precision(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    y, scores = _scores(p, rng)
    ap = float(average_precision_score(y, scores))
    precision, recall, _ = precision_recall_curve(y, scores)
    order = np.argsort(recall)
    return Draft(
        values={**_score_values(y, scores), "ap": fixed(ap)},
        numbers={"ap": ap},
        answer=fixed(ap),
        answer_feedback="Right: the mean of the precisions at each positive, ranked by score.",
        mistakes=[
            ("used-roc-auc", fixed(float(roc_auc_score(y, scores))),
             "That is ROC-AUC, which ranks positives against negatives; AP asks how clean "
             "the top of the ranking is."),
            ("precision-at-half", fixed(float(precision_score(
                y, (scores >= 0.5).astype(int), zero_division=0.0))),
             "That is precision at one threshold (0.5), not averaged over the positives."),
            ("trapezoid-pr-area", fixed(float(auc(recall[order], precision[order]))),
             "That interpolates the PR curve with trapezoids, which overstates it; AP uses "
             "steps."),
        ],
        numeric=NumericKey(ap, TOLERANCE),
        chart=Chart("Precision-recall curve", "recall", "precision",
                    tuple(recall[order].tolist()), {"PR": tuple(precision[order].tolist())}),
    )


AVERAGE_PRECISION = Generator(
    name="average_precision",
    summary="Average precision of a handful of scores, against ROC-AUC and the PR trapezoid.",
    lessons=("threshold",),
    params=SCORE_PARAMS,
    compute=_average_precision,
    library="sklearn.metrics average_precision_score, precision_recall_curve",
)


def _costs(y: np.ndarray, scores: np.ndarray, cost_fp: float, cost_fn: float) -> list[float]:
    totals = []
    for threshold in THRESHOLDS:
        tn, fp, fn, tp = confusion_matrix(y, scores >= threshold, labels=[0, 1]).ravel()
        totals.append(float(fp * cost_fp + fn * cost_fn))
    return totals


def _unique_best(totals: list[float]) -> float:
    best = min(totals)
    if totals.count(best) > 1:
        raise redraw()  # two cheapest thresholds: no single right answer
    return THRESHOLDS[totals.index(best)]


def _cheapest_threshold(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    y, scores = _scores(p, rng)
    cost_fp, cost_fn = p["cost_fp"], p["cost_fn"]
    totals = _costs(y, scores, cost_fp, cost_fn)
    best = _unique_best(totals)
    swapped = THRESHOLDS[int(np.argmin(_costs(y, scores, cost_fn, cost_fp)))]
    accuracies = [float(accuracy_score(y, scores >= t)) for t in THRESHOLDS]
    most_accurate = THRESHOLDS[int(np.argmax(accuracies))]
    return Draft(
        values={**_score_values(y, scores), "cost_fp": str(cost_fp), "cost_fn": str(cost_fn),
                "threshold": f"{best:.1f}", "cost": f"{min(totals):g}"},
        numbers={"threshold": best, "cost": min(totals)},
        answer=f"{best:.1f}",
        answer_feedback=f"Right: at {best:.1f} the errors cost {min(totals):g}, the least.",
        mistakes=[
            ("kept-default", "0.5", "0.5 is only the default; with unequal costs the cheapest "
             "threshold moves."),
            ("swapped-costs", f"{swapped:.1f}", "That threshold is cheapest with the two costs "
             "exchanged: check which error a false negative is."),
            ("maximised-accuracy", f"{most_accurate:.1f}", "That threshold makes the fewest "
             "errors, but ignores what each error costs."),
        ],
        numeric=NumericKey(best, 0.01),
        chart=Chart("Total cost per threshold", "threshold", "cost", THRESHOLDS,
                    {"cost": tuple(totals)}),
    )


CHEAPEST_THRESHOLD = Generator(
    name="cheapest_threshold",
    summary="Scores plus a cost per false positive and per false negative: cheapest threshold.",
    lessons=("threshold",),
    params=(
        IntRange("positives", (5, 8), (3, 15), "number of positive examples"),
        IntRange("negatives", (5, 8), (3, 15), "number of negative examples"),
        FloatRange("separation", (0.2, 0.4), (0.0, 0.8), "how far apart the scores sit"),
        IntRange("cost_fp", (1, 3), (1, 1000), "cost of one false positive"),
        IntRange("cost_fn", (4, 12), (1, 1000), "cost of one false negative"),
    ),
    compute=_cheapest_threshold,
    library="sklearn.metrics confusion_matrix",
)
