"""Regression errors in the target's units, and R² on data the fit never saw."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.polynomial import Polynomial
from numpy.typing import ArrayLike, NDArray
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error

MAX_DEGREE = 12


@dataclass(frozen=True)
class ErrorSizes:
    """MAE and RMSE are in the target's own unit; R² has none."""

    mae: float
    rmse: float
    r2: float


def error_sizes(y_true: ArrayLike, y_pred: ArrayLike) -> ErrorSizes:
    return ErrorSizes(
        mae=float(mean_absolute_error(y_true, y_pred)),
        rmse=float(root_mean_squared_error(y_true, y_pred)),
        r2=float(r2_score(y_true, y_pred)),
    )


@dataclass(frozen=True)
class PolynomialFit:
    degree: int
    model: Polynomial
    train: ErrorSizes
    held_out: ErrorSizes


def fit_polynomial(
    degree: int,
    train: tuple[NDArray[np.float64], NDArray[np.float64]],
    held_out: tuple[NDArray[np.float64], NDArray[np.float64]],
) -> PolynomialFit:
    """Least-squares polynomial of ``degree`` on ``train``, scored on both sets."""
    if not 1 <= degree <= MAX_DEGREE:
        raise ValueError(f"degree must be between 1 and {MAX_DEGREE}, got {degree}")
    (x, y), (x_new, y_new) = train, held_out
    model = Polynomial.fit(x, y, degree)
    return PolynomialFit(degree, model, error_sizes(y, model(x)), error_sizes(y_new, model(x_new)))
