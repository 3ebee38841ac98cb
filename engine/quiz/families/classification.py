"""Families on binary and multi-class counts; scikit-learn computes every key."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    fbeta_score,
    precision_score,
    recall_score,
)

from engine.metrics import confusion_counts, labels_from_counts
from engine.quiz.families.core import Draft, Generator, IntRange, NumericKey, OneOf, fixed, redraw

TOLERANCE = 0.0005  # answers read to three decimals
_ZERO = {"zero_division": 0.0}


def _binary(tp: int, fp: int, tn: int, fn: int) -> dict[str, float]:
    """The five confusion-matrix metrics, each from scikit-learn on expanded labels."""
    y_true, y_pred = labels_from_counts(confusion_counts(tp=tp, fp=fp, tn=tn, fn=fn))
    return {
        "precision": float(precision_score(y_true, y_pred, **_ZERO)),
        "recall": float(recall_score(y_true, y_pred, **_ZERO)),
        "f1": float(f1_score(y_true, y_pred, **_ZERO)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        # Specificity is the recall of the negative class.
        "specificity": float(recall_score(y_true, y_pred, pos_label=0, **_ZERO)),
    }


def _counts_values(tp: int, fp: int, tn: int, fn: int) -> dict[str, str]:
    return {"tp": str(tp), "fp": str(fp), "tn": str(tn), "fn": str(fn), "total": str(tp + fp + tn + fn)}


def _confusion_metric(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    tp, fp, tn, fn, ask = p["tp"], p["fp"], p["tn"], p["fn"], p["ask"]
    right = _binary(tp, fp, tn, fn)
    swapped = _binary(tp, fn, tn, fp)  # the same question with FP and FN exchanged
    arithmetic = (right["precision"] + right["recall"]) / 2
    catalogue = {
        "used-accuracy": (right["accuracy"], "That is accuracy: (TP + TN) / total."),
        "swapped-fp-fn": (swapped[ask], "FP and FN are swapped in this formula."),
        "used-recall": (right["recall"], "That is recall: TP / (TP + FN)."),
        "used-precision": (right["precision"], "That is precision: TP / (TP + FP)."),
        "arithmetic-mean": (arithmetic, "F1 is the harmonic mean of P and R, not (P + R) / 2."),
        "ignored-tn": (tp / (tp + fp + fn), "Accuracy counts the true negatives as right too."),
        "used-npv": (tn / (tn + fn), "TN / (TN + FN) is the negative predictive value."),
    }
    names = {
        "precision": ("swapped-fp-fn", "used-accuracy", "used-recall"),
        "recall": ("swapped-fp-fn", "used-accuracy", "used-precision"),
        "f1": ("arithmetic-mean", "used-accuracy", "used-precision"),
        "accuracy": ("ignored-tn", "used-recall", "used-precision"),
        "specificity": ("used-npv", "used-recall", "used-accuracy"),
    }[ask]
    formula = {
        "precision": f"TP / (TP + FP) = {tp} / {tp + fp}",
        "recall": f"TP / (TP + FN) = {tp} / {tp + fn}",
        "f1": f"2TP / (2TP + FP + FN) = {2 * tp} / {2 * tp + fp + fn}",
        "accuracy": f"(TP + TN) / total = {tp + tn} / {tp + fp + tn + fn}",
        "specificity": f"TN / (TN + FP) = {tn} / {tn + fp}",
    }[ask]
    return Draft(
        values={**_counts_values(tp, fp, tn, fn), "metric": ask, "formula": formula,
                **{name: fixed(v) for name, v in right.items()}},
        numbers={"tp": tp, "fp": fp, "tn": tn, "fn": fn, **right},
        answer=fixed(right[ask]),
        answer_feedback=f"Right: {ask} = {formula} = {fixed(right[ask])}.",
        mistakes=[(n, fixed(catalogue[n][0]), catalogue[n][1]) for n in names],
        numeric=NumericKey(right[ask], TOLERANCE),
    )


CONFUSION_METRIC = Generator(
    name="confusion_metric",
    summary="Counts TP, FP, TN, FN; ask precision, recall, F1, accuracy or specificity.",
    lessons=("confusion_matrix",),
    params=(
        IntRange("tp", (20, 90), (1, 10_000), "true positives"),
        IntRange("fp", (3, 40), (1, 10_000), "false positives"),
        IntRange("tn", (50, 200), (1, 100_000), "true negatives"),
        IntRange("fn", (3, 40), (1, 10_000), "false negatives"),
        OneOf("ask", ("precision", "recall", "f1", "accuracy", "specificity"), "the metric"),
    ),
    compute=_confusion_metric,
    library="sklearn.metrics precision/recall/f1/accuracy_score",
)


def _imbalance_baseline(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    total, positives = p["total"], round(p["total"] * p["positive_percent"] / 100)
    if not 0 < positives < total:
        raise redraw()
    y_true = np.r_[np.ones(positives, dtype=int), np.zeros(total - positives, dtype=int)]
    never = np.zeros(total, dtype=int)
    accuracy = float(accuracy_score(y_true, never))
    recall = float(recall_score(y_true, never, **_ZERO))
    share = positives / total
    return Draft(
        values={"total": f"{total:,}", "positives": f"{positives:,}",
                "negatives": f"{total - positives:,}", "accuracy": fixed(accuracy),
                "recall": fixed(recall)},
        numbers={"total": total, "positives": positives, "accuracy": accuracy, "recall": recall},
        answer=fixed(accuracy),
        answer_feedback=(
            f"Right: predicting negative for all {total:,} is right on the "
            f"{total - positives:,} negatives, yet its recall is {fixed(recall)}."
        ),
        mistakes=[
            ("gave-positive-share", fixed(share), "That is the share of positives, which the "
             "model gets wrong every time."),
            ("assumed-balance", fixed(0.5), "Guessing one class is right half the time only "
             "when the classes are balanced."),
            ("gave-recall", fixed(recall), "That is its recall: it finds no positives, but "
             "the question asks for accuracy."),
        ],
        numeric=NumericKey(accuracy, TOLERANCE),
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
)


def _fbeta(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    tp, fp, fn, beta = p["tp"], p["fp"], p["fn"], float(p["beta"])
    y_true, y_pred = labels_from_counts(confusion_counts(tp=tp, fp=fp, tn=0, fn=fn))
    score = float(fbeta_score(y_true, y_pred, beta=beta, **_ZERO))
    inverse = float(fbeta_score(y_true, y_pred, beta=1 / beta, **_ZERO))
    f1 = float(f1_score(y_true, y_pred, **_ZERO))
    precision = float(precision_score(y_true, y_pred, **_ZERO))
    recall = float(recall_score(y_true, y_pred, **_ZERO))
    favours = "recall" if beta > 1 else "precision"
    return Draft(
        values={"tp": str(tp), "fp": str(fp), "fn": str(fn), "beta": p["beta"],
                "precision": fixed(precision), "recall": fixed(recall), "favours": favours},
        numbers={"tp": tp, "fp": fp, "fn": fn, "beta": beta, "fbeta": score},
        answer=fixed(score),
        answer_feedback=f"Right: with beta = {p['beta']} the score leans towards {favours}.",
        mistakes=[
            ("used-f1", fixed(f1), "That is F1 (beta = 1), which weighs both equally."),
            ("inverted-beta", fixed(inverse), f"That uses beta = 1/{p['beta']}: it leans "
             "the other way."),
            (f"used-{favours}", fixed(recall if beta > 1 else precision),
             f"That is {favours} alone; F-beta still counts the other metric."),
        ],
        numeric=NumericKey(score, TOLERANCE),
    )


FBETA = Generator(
    name="fbeta",
    summary="F-beta from TP, FP, FN, with beta 0.5 (precision first) or 2 (recall first).",
    lessons=("metrics_for_tasks",),
    params=(
        IntRange("tp", (20, 90), (1, 10_000), "true positives"),
        IntRange("fp", (5, 40), (1, 10_000), "false positives"),
        IntRange("fn", (5, 40), (1, 10_000), "false negatives"),
        OneOf("beta", ("0.5", "2"), "the beta of F-beta"),
    ),
    compute=_fbeta,
    library="sklearn.metrics fbeta_score",
)
