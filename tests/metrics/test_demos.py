"""engine.metrics.demos runs real, deterministic experiments whose numbers the lessons quote."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import precision_score, recall_score

from engine.metrics.classification import outcome_at, regression_scores
from engine.metrics.demos import (
    CurveConfig,
    leakage_demo,
    learning_curves,
    least_squares_line,
    noisy_line_points,
    rare_class_scores,
)
from engine.metrics.training_curves import best_epoch


@pytest.fixture(scope="module")
def history():
    return learning_curves()


def test_learning_curves_overfit_training_loss_falls_while_validation_loss_turns_up(history):
    best = best_epoch(history)
    last = history[-1]
    assert 1 < best.epoch < len(history)
    assert last.train_loss < best.train_loss
    assert last.val_loss > best.val_loss
    assert last.train_accuracy > last.val_accuracy


def test_learning_curves_are_deterministic():
    assert learning_curves(CurveConfig(epochs=3)) == learning_curves(CurveConfig(epochs=3))


def test_leaking_the_whole_test_set_makes_the_tree_score_perfectly_there_only():
    clean = leakage_demo(0.0)
    leaked = leakage_demo(1.0)
    assert leaked.leaky_test_accuracy == 1.0
    assert clean.leaky_test_accuracy < 1.0
    assert leaked.clean_holdout_accuracy < 0.95
    assert leaked.leaked_rows > 0 and clean.leaked_rows == 0


def test_leakage_demo_refuses_a_fraction_outside_zero_to_one():
    with pytest.raises(ValueError, match=r"leak_fraction must lie in \[0, 1\], got -0\.1\."):
        leakage_demo(-0.1)


def test_rare_class_is_about_ten_percent_positive():
    y_true, scores = rare_class_scores()
    assert 0.08 < y_true.mean() < 0.12
    assert scores.min() >= 0.0 and scores.max() <= 1.0


@pytest.mark.parametrize("threshold", [0.1, 0.3, 0.5, 0.7])
def test_rare_class_outcomes_at_a_threshold_match_sklearn_precision_and_recall(threshold):
    y_true, scores = rare_class_scores()
    counts = outcome_at(y_true, scores, threshold)
    predicted = (scores >= threshold).astype(int)
    assert counts.precision == pytest.approx(precision_score(y_true, predicted, zero_division=0))
    assert counts.recall == pytest.approx(recall_score(y_true, predicted))
    assert counts.total == len(y_true)


def test_least_squares_line_beats_every_nearby_line_on_mse():
    x, y = noisy_line_points()
    slope, intercept = least_squares_line(x, y)
    best = regression_scores(y, slope * x + intercept).mse
    for ds, di in [(0.1, 0), (-0.1, 0), (0, 0.1), (0, -0.1)]:
        assert regression_scores(y, (slope + ds) * x + intercept + di).mse > best
    assert np.polyfit(x, y, 1) == pytest.approx([slope, intercept])
