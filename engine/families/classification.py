"""Families on binary and multi-class counts; scikit-learn computes every key."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, fbeta_score, precision_recall_fscore_support

from engine.families.core import (
    HAND_ROUNDING_GAP,
    Draft,
    Generator,
    IntRange,
    OneOf,
    fixed,
    keyed_draft,
    redraw,
)
from engine.metrics.classification import confusion_counts, labels_from_counts

_ZERO = {"zero_division": 0.0}
# What each confusion count may reach and means, in every family that draws counts.
COUNT_LIMITS = {"tp": 10_000, "fp": 10_000, "tn": 100_000, "fn": 10_000}
COUNT_MEANINGS = {"tp": "true positives", "fp": "false positives", "tn": "true negatives",
                  "fn": "false negatives"}  # fmt: skip


def count_params(**defaults: tuple[int, int]) -> tuple[IntRange, ...]:
    """The confusion counts a family draws, each with its default range (tp=(20, 90))."""
    return tuple(
        IntRange(name, default, (1, COUNT_LIMITS[name]), COUNT_MEANINGS[name])
        for name, default in defaults.items()
    )


def by_hand(tp: int, fp: int, tn: int, fn: int) -> dict[str, float]:
    """The textbook formulas; for distractors only (tests hold them to scikit-learn)."""

    def ratio(a: float, b: float) -> float:
        return a / b if b else 0.0

    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return {
        "precision": precision,
        "recall": recall,
        "f1": ratio(2 * tp, 2 * tp + fp + fn),
        "accuracy": ratio(tp + tn, tp + fp + tn + fn),
        "specificity": ratio(tn, tn + fp),
    }


def library_metric(tp: int, fp: int, tn: int, fn: int, metric: str) -> float:
    """One confusion-matrix metric, computed by scikit-learn on the expanded labels."""
    y_true, y_pred = labels_from_counts(confusion_counts(tp=tp, fp=fp, tn=tn, fn=fn))
    if metric == "accuracy":
        return float(accuracy_score(y_true, y_pred))
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=[0, 1], zero_division=0.0
    )
    # Per-class results for labels [0, 1]; specificity is the recall of the negative class.
    return float({"precision": precision[1], "recall": recall[1], "f1": f1[1],
                  "specificity": recall[0]}[metric])  # fmt: skip


def _counts_values(tp: int, fp: int, tn: int, fn: int) -> dict[str, str]:
    return {"tp": str(tp), "fp": str(fp), "tn": str(tn), "fn": str(fn),
            "total": str(tp + fp + tn + fn)}  # fmt: skip


# Named mistakes per metric, most telling first; the keys are the metrics a bank may ask for.
MISTAKES_FOR = {
    "precision": ("swapped-fp-fn", "used-accuracy", "used-recall", "used-f1"),
    "recall": ("swapped-fp-fn", "used-accuracy", "used-precision", "used-f1"),
    "f1": ("arithmetic-mean", "used-accuracy", "used-precision", "used-recall"),
    "accuracy": ("ignored-tn", "used-recall", "used-precision", "used-f1"),
    "specificity": ("used-npv", "used-recall", "used-accuracy", "used-precision"),
}


def _confusion_metric(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    tp, fp, tn, fn, ask = p["tp"], p["fp"], p["tn"], p["fn"], p["ask"]
    key = library_metric(tp, fp, tn, fn, ask)
    hand = by_hand(tp, fp, tn, fn)
    swapped = by_hand(tp, fn, tn, fp)  # the same question with FP and FN exchanged
    catalogue = {
        "used-accuracy": (hand["accuracy"], "That is accuracy: (TP + TN) / total."),
        "used-recall": (hand["recall"], "That is recall: TP / (TP + FN)."),
        "used-precision": (hand["precision"], "That is precision: TP / (TP + FP)."),
        "used-f1": (hand["f1"], "That is F1, the harmonic mean of precision and recall."),
        "swapped-fp-fn": (swapped[ask], "FP and FN are swapped in this formula."),
        "arithmetic-mean": (
            (hand["precision"] + hand["recall"]) / 2,
            "F1 is the harmonic mean of P and R, not (P + R) / 2.",
        ),
        "ignored-tn": (tp / (tp + fp + fn), "Accuracy counts the true negatives as right too."),
        "used-npv": (tn / (tn + fn), "TN / (TN + FN) is the negative predictive value."),
    }
    formula = {
        "precision": f"TP / (TP + FP) = {tp} / {tp + fp}",
        "recall": f"TP / (TP + FN) = {tp} / {tp + fn}",
        "f1": f"2TP / (2TP + FP + FN) = {2 * tp} / {2 * tp + fp + fn}",
        "accuracy": f"(TP + TN) / total = {tp + tn} / {tp + fp + tn + fn}",
        "specificity": f"TN / (TN + FP) = {tn} / {tn + fp}",
    }[ask]
    return keyed_draft(
        values={
            **_counts_values(tp, fp, tn, fn),
            "metric": ask,
            "formula": formula,
            **{name: fixed(v) for name, v in hand.items()},
        },
        numbers={"tp": tp, "fp": fp, "tn": tn, "fn": fn, "key": key},
        key=key,
        feedback=f"Right: {ask} = {formula} = {fixed(key)}.",
        mistakes=[(n, *catalogue[n]) for n in MISTAKES_FOR[ask]],
    )


CONFUSION_METRIC = Generator(
    name="confusion_metric",
    summary="Counts TP, FP, TN, FN; ask precision, recall, F1, accuracy or specificity.",
    lessons=("confusion_matrix",),
    params=(
        *count_params(tp=(20, 90), fp=(3, 40), tn=(50, 200), fn=(3, 40)),
        OneOf("ask", tuple(MISTAKES_FOR), "the metric"),
    ),
    compute=_confusion_metric,
    library="sklearn.metrics precision/recall/f1/accuracy_score",
    value_names=frozenset(
        {
            "accuracy",
            "f1",
            "fn",
            "formula",
            "fp",
            "metric",
            "precision",
            "recall",
            "specificity",
            "tn",
            "total",
            "tp",
        }
    ),
    mistake_names=frozenset(
        {
            "arithmetic-mean",
            "ignored-tn",
            "swapped-fp-fn",
            "used-accuracy",
            "used-f1",
            "used-npv",
            "used-precision",
            "used-recall",
        }
    ),
)


def _imbalance_baseline(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    total, positives = p["total"], round(p["total"] * p["positive_percent"] / 100)
    if not 0 < positives < total:
        raise redraw()
    y_true = np.r_[np.ones(positives, dtype=int), np.zeros(total - positives, dtype=int)]
    accuracy = float(accuracy_score(y_true, np.zeros(total, dtype=int)))
    recall = 0.0  # it never predicts the positive class, so it finds none
    share = positives / total
    return keyed_draft(
        values={
            "total": f"{total:,}",
            "positives": f"{positives:,}",
            "negatives": f"{total - positives:,}",
            "accuracy": fixed(accuracy),
            "recall": fixed(recall),
        },
        numbers={"total": total, "positives": positives, "accuracy": accuracy, "recall": recall},
        key=accuracy,
        feedback=(
            f"Right: predicting negative for all {total:,} is right on the "
            f"{total - positives:,} negatives, yet its recall is {fixed(recall)}."
        ),
        mistakes=[
            (
                "gave-positive-share",
                share,
                "That is the share of positives, which the model gets wrong every time.",
            ),
            (
                "assumed-balance",
                0.5,
                "Guessing one class is right half the time only when the classes are balanced.",
            ),
            (
                "gave-recall",
                recall,
                "That is its recall: it finds no positives, but the question asks for accuracy.",
            ),
        ],
    )


IMBALANCE_BASELINE = Generator(
    name="imbalance_baseline",
    summary="A rare positive class: the accuracy of always predicting negative.",
    lessons=("metrics_for_tasks", "pitfalls", "self_check"),
    params=(
        IntRange("total", (500, 20_000), (20, 10_000_000), "number of examples"),
        IntRange("positive_percent", (1, 15), (1, 49), "share of positives, in percent"),
    ),
    compute=_imbalance_baseline,
    library="sklearn.metrics accuracy_score, recall_score",
    value_names=frozenset({"accuracy", "negatives", "positives", "recall", "total"}),
    mistake_names=frozenset({"assumed-balance", "gave-positive-share", "gave-recall"}),
)


def _fbeta(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    tp, fp, fn, beta = p["tp"], p["fp"], p["fn"], float(p["beta"])
    y_true, y_pred = labels_from_counts(confusion_counts(tp=tp, fp=fp, tn=0, fn=fn))
    score = float(fbeta_score(y_true, y_pred, beta=beta, **_ZERO))
    hand = by_hand(tp, fp, 0, fn)
    precision, recall, f1 = hand["precision"], hand["recall"], hand["f1"]
    inverse = fbeta_by_hand(precision, recall, 1 / beta)
    favours = "recall" if beta > 1 else "precision"
    return keyed_draft(
        values={
            "tp": str(tp),
            "fp": str(fp),
            "fn": str(fn),
            "beta": p["beta"],
            # Four decimals: F-beta worked from three-decimal P and R misses the key's third
            # decimal in about a fifth of the variants.
            "precision": fixed(precision, 4),
            "recall": fixed(recall, 4),
            "favours": favours,
        },
        numbers={"tp": tp, "fp": fp, "fn": fn, "beta": beta, "fbeta": score},
        key=score,
        feedback=f"Right: with beta = {p['beta']} the score leans towards {favours}.",
        mistakes=[
            ("used-f1", f1, "That is F1 (beta = 1), which weighs both equally."),
            ("inverted-beta", inverse, f"That uses beta = 1/{p['beta']}: it leans the other way."),
            (
                f"used-{favours}",
                recall if beta > 1 else precision,
                f"That is {favours} alone; F-beta still counts the other metric.",
            ),
            (
                "arithmetic-mean",
                (precision + recall) / 2,
                "F-beta is a weighted harmonic mean, not the plain average.",
            ),
        ],
        min_gap=HAND_ROUNDING_GAP,
    )


def fbeta_by_hand(precision: float, recall: float, beta: float) -> float:
    b2 = beta * beta
    return (1 + b2) * precision * recall / (b2 * precision + recall)


FBETA = Generator(
    name="fbeta",
    summary="F-beta from TP, FP, FN, with beta 0.5 (precision first) or 2 (recall first).",
    lessons=("metrics_for_tasks",),
    params=(
        *count_params(tp=(20, 90), fp=(5, 40), fn=(5, 40)),
        OneOf("beta", ("0.5", "2"), "the beta of F-beta"),
    ),
    compute=_fbeta,
    library="sklearn.metrics fbeta_score",
    value_names=frozenset({"beta", "favours", "fn", "fp", "precision", "recall", "tp"}),
    mistake_names=frozenset(
        {"arithmetic-mean", "inverted-beta", "used-f1", "used-precision", "used-recall"}
    ),
)
