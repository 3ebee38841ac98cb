"""MAE, RMSE and R² come from scikit-learn; a bendier fit wins on its own points, not new ones."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from engine.metrics.demos import noisy_line_points
from engine.metrics.regression import MAX_DEGREE, error_sizes, fit_polynomial

TRAIN, HELD_OUT = noisy_line_points(), noisy_line_points(100, 1)


def test_error_sizes_are_scikit_learns_and_rmse_is_the_root_of_mse():
    y_true, y_pred = np.array([3.0, 5.0, 2.0, 8.0]), np.array([2.5, 5.0, 4.0, 7.0])
    sizes = error_sizes(y_true, y_pred)
    assert sizes.mae == mean_absolute_error(y_true, y_pred)
    assert sizes.rmse == pytest.approx(np.sqrt(mean_squared_error(y_true, y_pred)))
    assert sizes.r2 == r2_score(y_true, y_pred)
    assert sizes.rmse >= sizes.mae


@pytest.mark.parametrize("degree", [1, 3, 8])
def test_the_polynomial_fit_predicts_like_scikit_learns_polynomial_regression(degree):
    oracle = make_pipeline(StandardScaler(), PolynomialFeatures(degree), LinearRegression()).fit(
        TRAIN[0].reshape(-1, 1), TRAIN[1]
    )
    fitted = fit_polynomial(degree, TRAIN, HELD_OUT)
    expected = oracle.predict(HELD_OUT[0].reshape(-1, 1))
    assert fitted.model(HELD_OUT[0]) == pytest.approx(expected, rel=1e-6, abs=1e-6)
    assert fitted.held_out.r2 == pytest.approx(r2_score(HELD_OUT[1], expected), abs=1e-9)


def test_more_degrees_never_hurt_on_the_fitted_points_but_do_on_held_out_ones():
    fits = [fit_polynomial(d, TRAIN, HELD_OUT) for d in range(1, MAX_DEGREE + 1)]
    train_r2 = [f.train.r2 for f in fits]
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(train_r2))
    held_out_r2 = [f.held_out.r2 for f in fits]
    assert max(held_out_r2) == held_out_r2[0]  # the straight line generalises best
    assert fits[-1].train.r2 > fits[-1].held_out.r2 + 0.3


def test_a_degree_out_of_range_is_refused_naming_the_range():
    with pytest.raises(ValueError, match=f"between 1 and {MAX_DEGREE}, got 0"):
        fit_polynomial(0, TRAIN, HELD_OUT)
