"""Macro versus micro (and weighted) averages on a three-class confusion matrix."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score

from engine.quiz.families.core import Draft, Generator, IntRange, NumericKey, OneOf, fixed

TOLERANCE = 0.0005
CLASSES = ("cat", "dog", "fox")


def labels_from_matrix(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y_true, y_pred reproducing `matrix` (rows = true class, columns = predicted)."""
    pairs = [(t, p) for t in range(3) for p in range(3) for _ in range(int(matrix[t, p]))]
    true, pred = zip(*pairs, strict=True)
    return np.array(true), np.array(pred)


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
    y_true, y_pred = labels_from_matrix(matrix)
    zero = {"zero_division": 0.0}
    score = {
        average: float(f1_score(y_true, y_pred, average=average, **zero))
        for average in ("macro", "micro", "weighted")
    }
    macro_p = float(precision_score(y_true, y_pred, average="macro", **zero))
    macro_r = float(recall_score(y_true, y_pred, average="macro", **zero))
    f1_of_means = 2 * macro_p * macro_r / (macro_p + macro_r)
    ask = p["ask"]
    other = "micro" if ask == "macro" else "macro"
    values = {f"c{t}{q}": str(matrix[t, q]) for t in range(3) for q in range(3)}
    values |= {f"class{i}": name for i, name in enumerate(CLASSES)}
    values |= {f"{a}_f1": fixed(v) for a, v in score.items()} | {"average": ask}
    mistakes = [
        (f"used-{other}", fixed(score[other]),
         "That is the micro average, which equals accuracy here and favours the big class."
         if other == "micro" else
         "That is the macro average: each class counts once, whatever its size."),
        ("weighted-by-support", fixed(score["weighted"]),
         "That is the weighted average: classes count by their number of examples."),
        ("f1-of-averages", fixed(f1_of_means),
         "That is the harmonic mean of macro precision and macro recall, not the mean of "
         "per-class F1 scores."),
    ]
    return Draft(
        values=values,
        numbers={**{k: float(v) for k, v in score.items()}, "f1_of_means": f1_of_means},
        answer=fixed(score[ask]),
        answer_feedback=f"Right: the {ask}-averaged F1 is {fixed(score[ask])}.",
        mistakes=mistakes,
        numeric=NumericKey(score[ask], TOLERANCE),
    )


MACRO_MICRO = Generator(
    name="macro_micro",
    summary="A 3-class confusion matrix with one big class: macro or micro F1.",
    lessons=("metrics_for_tasks",),
    params=(
        IntRange("majority", (60, 200), (10, 10_000), "examples of the big class"),
        IntRange("minority", (8, 30), (4, 1_000), "examples of each small class (at most)"),
        OneOf("ask", ("macro", "micro"), "which average the question asks for"),
    ),
    compute=_macro_micro,
    library="sklearn.metrics f1_score(average=...)",
)
