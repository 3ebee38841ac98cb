"""Families on a handful of scores: ROC-AUC, average precision, the cheapest threshold."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import (
    auc,
    precision_recall_curve,
    roc_curve,
)

from engine.families.core import (
    Chart,
    Draft,
    FloatRange,
    Generator,
    IntRange,
    fixed,
    keyed_draft,
    redraw,
)

THRESHOLDS = tuple(round(0.1 * k, 1) for k in range(1, 10))


def _scores(p: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Distinct two-decimal scores; positives centred higher by `separation`."""
    n_pos, n_neg = p["positives"], p["negatives"]
    centre = 0.5 + p["separation"] / 2, 0.5 - p["separation"] / 2
    pos = np.clip(rng.normal(centre[0], 0.18, n_pos), 0.01, 0.99)
    neg = np.clip(rng.normal(centre[1], 0.18, n_neg), 0.01, 0.99)
    scores = _untied(np.round(np.r_[pos, neg] * 100).astype(int)) / 100
    return np.r_[np.ones(n_pos, dtype=int), np.zeros(n_neg, dtype=int)], scores


def _untied(cents: np.ndarray) -> np.ndarray:
    """Scores in hundredths made distinct by nudging repeats up (down at the top): ties
    would make the pair-counting explanation murky."""
    taken: set[int] = set()
    out = cents.copy()
    for i, value in enumerate(cents.tolist()):
        step = 1 if value < 50 else -1
        while value in taken:
            value += step
        taken.add(value)
        out[i] = value
    return out


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


def pairs_ranked_right(y: np.ndarray, scores: np.ndarray) -> float:
    """Share of (positive, negative) pairs with the positive scored higher (no ties drawn)."""
    return float(np.mean(scores[y == 1][:, None] > scores[y == 0][None, :]))


def at_half(y: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """Accuracy, recall and precision at the 0.5 threshold, by hand (for distractors)."""
    flagged = scores >= 0.5
    tp = int(np.sum(flagged & (y == 1)))
    return {
        "accuracy": float(np.mean(flagged == (y == 1))),
        "recall": tp / int(y.sum()),
        "precision": tp / int(flagged.sum()) if flagged.any() else 0.0,
    }


def precision_at_each_positive(y: np.ndarray, scores: np.ndarray) -> float:
    """Mean precision at each positive's rank (AP without ties), by hand for distractors."""
    ranked = y[np.argsort(-scores)]
    hits = np.cumsum(ranked)
    return float(np.mean((hits / np.arange(1, len(y) + 1))[ranked == 1]))


def _roc_auc(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    y, scores = _scores(p, rng)
    # roc_auc_score on two classes is auc(roc_curve(...)): one pass gives key and chart.
    fpr, tpr, _ = roc_curve(y, scores)
    area = float(auc(fpr, tpr))
    half = at_half(y, scores)
    pairs = int(y.sum() * (1 - y).sum())
    return keyed_draft(
        values={
            **_score_values(y, scores),
            "auc": fixed(area),
            "pairs": str(pairs),
            "ordered_pairs": str(round(area * pairs)),
        },
        numbers={"auc": area},
        key=area,
        feedback=(
            f"Right: {round(area * pairs)} of the {pairs} positive-negative pairs rank the "
            "positive higher."
        ),
        mistakes=[
            (
                "accuracy-at-half",
                half["accuracy"],
                "That is accuracy at the 0.5 threshold; AUC looks at every threshold at once.",
            ),
            (
                "recall-at-half",
                half["recall"],
                "That is recall at 0.5; AUC is the share of pairs ranked the right way.",
            ),
            ("reversed-ranking", 1 - area, "That counts the pairs ranked the wrong way: 1 - AUC."),
            (
                "used-average-precision",
                precision_at_each_positive(y, scores),
                "That is average precision, which asks how clean the top of the ranking is.",
            ),
            (
                "precision-at-half",
                half["precision"],
                "That is precision at 0.5; AUC is the share of pairs ranked the right way.",
            ),
        ],
        chart=Chart(
            "ROC curve",
            "false positive rate",
            "true positive rate",
            tuple(fpr.tolist()),
            {"ROC": tuple(tpr.tolist())},
        ),
    )


ROC_AUC = Generator(
    name="roc_auc",
    summary="ROC-AUC of a handful of scores (the share of correctly ranked pairs).",
    lessons=("roc_pr", "threshold"),
    params=SCORE_PARAMS,
    compute=_roc_auc,
    library="sklearn.metrics roc_auc_score, roc_curve",
    value_names=frozenset(
        {
            "auc",
            "negative_scores",
            "negatives",
            "ordered_pairs",
            "pairs",
            "positive_scores",
            "positives",
        }
    ),
    mistake_names=frozenset(
        {
            "accuracy-at-half",
            "precision-at-half",
            "recall-at-half",
            "reversed-ranking",
            "used-average-precision",
        }
    ),
)


def step_area(precision: np.ndarray, recall: np.ndarray) -> float:
    """Sum over the curve of (change in recall) x precision, as scikit-learn defines AP."""
    return float(-np.sum(np.diff(recall) * precision[:-1]))


def _direction(estimate: float, truth: float) -> str:
    """Which way `estimate` misses `truth`, said per variant: the trapezoid is below AP in
    most draws but not all, so no fixed word is true of every one."""
    if estimate < truth:
        return "understates"
    return "overstates" if estimate > truth else "happens to equal"


def _average_precision(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    y, scores = _scores(p, rng)
    # One curve gives key and chart: this is average_precision_score's own step sum
    # (tests hold the two equal over many seeds).
    precision, recall, _ = precision_recall_curve(y, scores)
    ap = step_area(precision, recall)
    order = np.argsort(recall)
    trapezoid = float(np.trapezoid(precision[order], recall[order]))
    return keyed_draft(
        values={**_score_values(y, scores), "ap": fixed(ap)},
        numbers={"ap": ap},
        key=ap,
        feedback="Right: the mean of the precisions at each positive, ranked by score.",
        mistakes=[
            (
                "used-roc-auc",
                pairs_ranked_right(y, scores),
                "That is ROC-AUC, which ranks positives against negatives; AP asks how clean "
                "the top of the ranking is.",
            ),
            (
                "precision-at-half",
                at_half(y, scores)["precision"],
                "That is precision at one threshold (0.5), not averaged over the positives.",
            ),
            (
                "trapezoid-pr-area",
                trapezoid,
                f"That interpolates the PR curve with trapezoids, which "
                f"{_direction(trapezoid, ap)} it here; AP uses steps.",
            ),
            (
                "recall-at-half",
                at_half(y, scores)["recall"],
                "That is recall at 0.5; AP averages the precision reached at each positive.",
            ),
            (
                "accuracy-at-half",
                at_half(y, scores)["accuracy"],
                "That is accuracy at 0.5; AP looks only at how the positives are ranked.",
            ),
        ],
        chart=Chart(
            "Precision-recall curve",
            "recall",
            "precision",
            tuple(recall[order].tolist()),
            {"PR": tuple(precision[order].tolist())},
        ),
    )


AVERAGE_PRECISION = Generator(
    name="average_precision",
    summary="Average precision of a handful of scores, against ROC-AUC and the PR trapezoid.",
    lessons=("roc_pr", "threshold"),
    params=SCORE_PARAMS,
    compute=_average_precision,
    library="sklearn.metrics precision_recall_curve (= average_precision_score)",
    value_names=frozenset({"ap", "negative_scores", "negatives", "positive_scores", "positives"}),
    mistake_names=frozenset(
        {
            "accuracy-at-half",
            "precision-at-half",
            "recall-at-half",
            "trapezoid-pr-area",
            "used-roc-auc",
        }
    ),
)


def costs_by_threshold(
    y: np.ndarray, scores: np.ndarray, cost_fp: float, cost_fn: float
) -> list[float]:
    """Total cost at each of THRESHOLDS (positive when score >= threshold); tests hold the
    counts to scikit-learn's confusion_matrix."""
    grid = np.array(THRESHOLDS)[:, None]
    flagged = scores[None, :] >= grid
    fp = np.sum(flagged & (y == 0), axis=1)
    fn = np.sum(~flagged & (y == 1), axis=1)
    return [float(v) for v in fp * cost_fp + fn * cost_fn]


def _threshold_text(threshold: float) -> str:
    return f"{threshold:.1f}"


def _unique_best(totals: list[float]) -> float:
    best = min(totals)
    if totals.count(best) > 1:
        raise redraw()  # two cheapest thresholds: no single right answer
    return THRESHOLDS[totals.index(best)]


def _cheapest_threshold(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    y, scores = _scores(p, rng)
    cost_fp, cost_fn = p["cost_fp"], p["cost_fn"]
    totals = costs_by_threshold(y, scores, cost_fp, cost_fn)
    best = _unique_best(totals)
    swapped = THRESHOLDS[int(np.argmin(costs_by_threshold(y, scores, cost_fn, cost_fp)))]
    errors = costs_by_threshold(y, scores, 1, 1)
    most_accurate = THRESHOLDS[int(np.argmin(errors))]
    catches_all = max([THRESHOLDS[0], *(t for t in THRESHOLDS if np.all(scores[y == 1] >= t))])
    return keyed_draft(
        values={
            **_score_values(y, scores),
            "cost_fp": str(cost_fp),
            "cost_fn": str(cost_fn),
            "threshold": _threshold_text(best),
            "cost": f"{min(totals):g}",
        },
        numbers={"threshold": best, "cost": min(totals)},
        key=best,
        feedback=f"Right: at {best:.1f} the errors cost {min(totals):g}, the least.",
        mistakes=[
            (
                "kept-default",
                0.5,
                "0.5 is only the default; with unequal costs the cheapest threshold moves.",
            ),
            (
                "swapped-costs",
                swapped,
                "That threshold is cheapest with the two costs "
                "exchanged: check which error a false negative is.",
            ),
            (
                "maximised-accuracy",
                most_accurate,
                "That threshold makes the fewest errors, but ignores what each error costs.",
            ),
            (
                "counted-only-false-negatives",
                THRESHOLDS[0],
                "Only false negatives were counted; false positives cost something too.",
            ),
            (
                "counted-only-false-positives",
                THRESHOLDS[-1],
                "Only false positives were counted; missed positives cost more here.",
            ),
            (
                "caught-every-positive",
                catches_all,
                "Missing no positive at all pays for many false positives; weigh both costs.",
            ),
        ],
        write=_threshold_text,
        tolerance=0.01,
        chart=Chart(
            "Total cost per threshold", "threshold", "cost", THRESHOLDS, {"cost": tuple(totals)}
        ),
    )


# The key is an argmin over the cost of each threshold: numpy counts, checked against
# scikit-learn's confusion_matrix in the tests (nine calls per variant would cost 9x).
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
    library="numpy counts, held to sklearn.metrics confusion_matrix by the tests",
    value_names=frozenset(
        {
            "cost",
            "cost_fn",
            "cost_fp",
            "negative_scores",
            "negatives",
            "positive_scores",
            "positives",
            "threshold",
        }
    ),
    mistake_names=frozenset(
        {
            "caught-every-positive",
            "counted-only-false-negatives",
            "counted-only-false-positives",
            "kept-default",
            "maximised-accuracy",
            "swapped-costs",
        }
    ),
)
