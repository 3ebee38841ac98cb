"""MSE, RMSE, MAE and R² on a few (target, prediction) pairs; scikit-learn computes them."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import (
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)

from engine.families.core import Draft, Generator, IntRange, OneOf, fixed, keyed_draft, redraw

DIGITS = 2  # answers read to two decimals...
TOLERANCE = 0.005  # ...so a typed answer may miss the key by half the last digit
# The metrics a bank may ask for, as a learner reads their names.
NAMES = {"mse": "MSE", "rmse": "RMSE", "mae": "MAE", "r2": "R²"}


LIBRARY = {
    "mse": mean_squared_error,
    "rmse": root_mean_squared_error,
    "mae": mean_absolute_error,
    "r2": r2_score,
}


def scores_by_hand(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """The four scores by their formulas; for distractors (tests hold them to scikit-learn)."""
    errors = y_pred - y_true
    mse = float(np.mean(errors**2))
    total = float(np.sum((y_true - y_true.mean()) ** 2))
    return {
        "mse": mse,
        "rmse": mse**0.5,
        "mae": float(np.mean(np.abs(errors))),
        "r2": 1 - float(np.sum(errors**2)) / total,
    }


def _regression_error(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    n = p["pairs"]
    y_true = rng.integers(p["low"], p["high"], n, endpoint=True).astype(float)
    y_pred = y_true + rng.integers(-p["max_error"], p["max_error"], n, endpoint=True)
    if np.ptp(y_true) == 0 or np.all(y_true == y_pred):
        raise redraw()  # R² is undefined for a constant target; a perfect fit asks nothing
    errors = y_pred - y_true
    ask = p["ask"]
    key = float(LIBRARY[ask](y_true, y_pred))
    score = scores_by_hand(y_true, y_pred)
    sum_squares = float(np.sum(errors**2))
    correlation = float(np.corrcoef(y_true, y_pred)[0, 1])
    catalogue = {
        "used-mae": (score["mae"], "That is MAE: the mean of the absolute errors."),
        "used-mse": (score["mse"], "That is MSE: the root is still missing."),
        "used-rmse": (score["rmse"], "That is RMSE: the root of MSE."),
        "summed-not-averaged": (sum_squares, "That is the sum of squared errors; divide by n."),
        "median-not-mean": (
            float(np.median(np.abs(errors))),
            "That is the median absolute error, not the mean.",
        ),
        "signed-errors": (
            float(np.mean(errors)),
            "Signed errors cancel out: take the absolute value first.",
        ),
        "used-correlation": (
            correlation,
            "That is the correlation r; R² compares the errors with the spread of the targets.",
        ),
        "forgot-one-minus": (1 - score["r2"], "That is SS_res / SS_tot; R² is 1 minus it."),
    }
    names = {
        "mse": ("used-mae", "used-rmse", "summed-not-averaged"),
        "rmse": ("used-mse", "used-mae", "median-not-mean"),
        "mae": ("used-mse", "signed-errors", "used-rmse"),
        "r2": ("used-correlation", "forgot-one-minus", "used-mse"),
    }[p["ask"]]
    return keyed_draft(
        values={
            "targets": ", ".join(f"{v:g}" for v in y_true),
            "predictions": ", ".join(f"{v:g}" for v in y_pred),
            "errors": ", ".join(f"{v:g}" for v in errors),
            "metric": NAMES[p["ask"]],
            **{k: fixed(v, DIGITS) for k, v in score.items()},
        },
        numbers={**score, "n": n, "key": key},
        key=key,
        feedback=f"Right: {NAMES[p['ask']]} = {fixed(key, DIGITS)}.",
        mistakes=[(m, *catalogue[m]) for m in names],
        write=lambda value: fixed(value, DIGITS),
        tolerance=TOLERANCE,
    )


REGRESSION_ERROR = Generator(
    name="regression_error",
    summary="A few targets and predictions: MSE, RMSE, MAE or R².",
    lessons=("regression",),
    params=(
        IntRange("pairs", (4, 6), (3, 12), "number of (target, prediction) pairs"),
        IntRange("low", (0, 5), (-1000, 1000), "smallest target"),
        IntRange("high", (10, 20), (-1000, 1000), "largest target"),
        IntRange("max_error", (1, 4), (1, 100), "largest prediction error"),
        OneOf("ask", tuple(NAMES), "the metric"),
    ),
    compute=_regression_error,
    library="sklearn.metrics mean_squared_error, root_mean_squared_error, mean_absolute_error, "
    "r2_score",
    value_names=frozenset(
        {"errors", "mae", "metric", "mse", "predictions", "r2", "rmse", "targets"}
    ),
    mistake_names=frozenset(
        {
            "forgot-one-minus",
            "median-not-mean",
            "signed-errors",
            "summed-not-averaged",
            "used-correlation",
            "used-mae",
            "used-mse",
            "used-rmse",
        }
    ),
)
