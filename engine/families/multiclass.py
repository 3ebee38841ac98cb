"""Macro versus micro (and weighted) averages on a three-class confusion matrix."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from engine.families.core import (
    HAND_ROUNDING_GAP,
    Draft,
    Generator,
    IntRange,
    OneOf,
    fixed,
    keyed_draft,
)

# A typed macro-F1 summed from per-class F1s rounded to three decimals can be off by ~0.001.
TYPED_TOLERANCE = 0.0015

CLASSES = ("cat", "dog", "fox")


def labels_from_matrix(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y_true, y_pred reproducing `matrix` (rows = true class, columns = predicted)."""
    pairs = [(t, p) for t in range(3) for p in range(3) for _ in range(int(matrix[t, p]))]
    true, pred = zip(*pairs, strict=True)
    return np.array(true), np.array(pred)


def averages_by_hand(matrix: np.ndarray) -> dict[str, float]:
    """Macro, micro and weighted F1 from the matrix; for distractors (tests hold them to
    scikit-learn)."""
    right = np.diag(matrix).astype(float)
    predicted, actual = matrix.sum(axis=0), matrix.sum(axis=1)
    precision = np.divide(right, predicted, out=np.zeros(3), where=predicted > 0)
    recall = np.divide(right, actual, out=np.zeros(3), where=actual > 0)
    f1 = np.divide(2 * right, predicted + actual, out=np.zeros(3), where=predicted + actual > 0)
    macro_p, macro_r = precision.mean(), recall.mean()
    return {
        "macro": float(f1.mean()),
        "micro": float(right.sum() / matrix.sum()),  # one label per example: = accuracy
        "weighted": float((f1 * actual).sum() / actual.sum()),
        "f1_of_means": float(2 * macro_p * macro_r / (macro_p + macro_r)),
    }


def _macro_micro(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    # The first class is the big one so that macro and micro visibly part ways.
    sizes = np.array([p["majority"], p["minority"], p["minority"]])
    sizes[2] = max(1, int(rng.integers(p["minority"] // 2 + 1, p["minority"] + 1)))
    matrix = np.zeros((3, 3), dtype=int)
    for row, size in enumerate(sizes):
        right_share = rng.uniform(0.35, 0.95)
        matrix[row, row] = max(1, round(size * right_share))
        wrong = size - matrix[row, row]
        first = int(rng.integers(0, wrong + 1)) if wrong > 0 else 0
        others = [c for c in range(3) if c != row]
        matrix[row, others[0]], matrix[row, others[1]] = first, wrong - first
    ask = p["ask"]
    y_true, y_pred = labels_from_matrix(matrix)
    key = float(f1_score(y_true, y_pred, average=ask, zero_division=0.0))
    score = averages_by_hand(matrix)
    f1_of_means = score["f1_of_means"]
    other = "micro" if ask == "macro" else "macro"
    values = {f"c{t}{q}": str(matrix[t, q]) for t in range(3) for q in range(3)}
    values |= {f"class{i}": name for i, name in enumerate(CLASSES)}
    values |= {f"{a}_f1": fixed(score[a]) for a in ("macro", "micro", "weighted")}
    values |= {"average": ask}
    mistakes = [
        (
            f"used-{other}",
            score[other],
            "That is the micro average, which equals accuracy here and favours the big class."
            if other == "micro"
            else "That is the macro average: each class counts once, whatever its size.",
        ),
        (
            "weighted-by-support",
            score["weighted"],
            "That is the weighted average: classes count by their number of examples.",
        ),
        (
            "f1-of-averages",
            f1_of_means,
            "That is the harmonic mean of macro precision and macro recall: a definition some "
            "papers use (Opitz and Burst, 2019), but not scikit-learn's average='macro', "
            "which the question asks for: the mean of the per-class F1 scores.",
        ),
    ]
    return keyed_draft(
        values=values,
        numbers={**score, "key": key},
        key=key,
        feedback=f"Right: the {ask}-averaged F1 is {fixed(key)}.",
        mistakes=mistakes,
        tolerance=TYPED_TOLERANCE,
        min_gap=HAND_ROUNDING_GAP,
    )


MACRO_MICRO = Generator(
    name="macro_micro",
    summary="A 3-class confusion matrix with one big class: macro or micro F1.",
    lessons=("averaging", "metrics_for_tasks"),
    params=(
        IntRange("majority", (60, 200), (10, 10_000), "examples of the big class"),
        IntRange("minority", (8, 30), (4, 1_000), "examples of each small class (at most)"),
        OneOf("ask", ("macro", "micro"), "which average the question asks for"),
    ),
    compute=_macro_micro,
    library="sklearn.metrics f1_score(average=...)",
    value_names=frozenset(
        {
            "average",
            "c00",
            "c01",
            "c02",
            "c10",
            "c11",
            "c12",
            "c20",
            "c21",
            "c22",
            "class0",
            "class1",
            "class2",
            "macro_f1",
            "micro_f1",
            "weighted_f1",
        }
    ),
    mistake_names=frozenset({"f1-of-averages", "used-macro", "used-micro", "weighted-by-support"}),
)
