"""Lesson 6 scores the learner's line with scikit-learn's MSE and R², negative R² included."""

from __future__ import annotations

import numpy as np
import pytest
from helpers.lesson_page import lesson_fixture
from sklearn.metrics import (
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)
from streamlit.testing.v1 import AppTest

from engine.metrics.demos import least_squares_line, noisy_line_points

at = lesson_fixture("regression.py")


def shown(at: AppTest, labels: tuple[str, ...] = ("MSE", "R²")) -> dict[str, str]:
    return {m.label: m.value for m in at.metric if m.label in labels}


def test_a_flat_line_at_zero_is_worse_than_the_mean_so_r2_is_negative(at):
    assert at.title[0].value == "Regression metrics"
    x, y = noisy_line_points()
    r2 = r2_score(y, 0.0 * x)
    assert r2 < 0
    assert shown(at) == {"MSE": f"{mean_squared_error(y, 0.0 * x):.3f}", "R²": f"{r2:.3f}"}
    assert f"R² is {r2:.3f}" in at.warning[0].value


def test_moving_the_sliders_rescores_the_line_with_sklearn(at):
    at.slider(key="reg_slope").set_value(1.5).run()
    at.slider(key="reg_intercept").set_value(2.0).run()
    assert not at.exception
    x, y = noisy_line_points()
    predicted = 1.5 * x + 2.0
    assert shown(at) == {
        "MSE": f"{mean_squared_error(y, predicted):.3f}",
        "R²": f"{r2_score(y, predicted):.3f}",
    }


def test_snapping_to_the_best_fit_clears_the_warning_and_matches_least_squares(at):
    at.button(key="reg_best").click().run()
    assert not at.exception
    x, y = noisy_line_points()
    slope, intercept = least_squares_line(x, y)
    assert at.slider(key="reg_slope").value == pytest.approx(round(slope, 1))
    assert at.slider(key="reg_intercept").value == pytest.approx(round(intercept, 1))
    assert not at.warning
    assert float(shown(at)["R²"]) > 0.8
    assert f"R² {r2_score(y, slope * x + intercept):.3f}" in at.caption[0].value


def test_the_big_miss_claim_is_qualified_by_the_same_total_size(at):
    # Audit 10c: one miss of 2 costs 4 = four misses of 1, so the claim needs the qualifier.
    assert mean_squared_error([0.0], [2.0]) > mean_squared_error([0.0, 0.0], [1.0, 1.0])
    assert mean_squared_error([0.0], [2.0]) == 4 * mean_squared_error([0.0], [1.0])
    assert "*of the same total size*" in at.markdown[0].value


def test_mae_and_rmse_of_the_learners_line_are_in_minutes_and_match_sklearn(at):
    x, y = noisy_line_points()
    yours = ("MAE of your line (minutes)", "RMSE of your line (minutes)")
    assert shown(at, yours) == {
        yours[0]: f"{mean_absolute_error(y, 0.0 * x):.2f}",
        yours[1]: f"{root_mean_squared_error(y, 0.0 * x):.2f}",
    }


def test_a_high_degree_fit_wins_on_its_own_points_and_loses_on_held_out_ones(at):
    x, y = noisy_line_points()
    x_new, y_new = noisy_line_points(100, 1)
    at.slider(key="reg_degree").set_value(9).run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "R²" in d.value.columns)
    curve = np.polynomial.Polynomial.fit(x, y, 9)
    train_r2, held_r2 = r2_score(y, curve(x)), r2_score(y_new, curve(x_new))
    assert table["R²"].tolist() == pytest.approx([train_r2, held_r2])
    assert table["MAE (minutes)"].tolist()[1] == pytest.approx(
        mean_absolute_error(y_new, curve(x_new))
    )
    assert train_r2 > held_r2 + 0.3
    assert any(f"**{held_r2:.3f}**" in m.value for m in at.markdown)
