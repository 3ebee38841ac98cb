"""Scores for the threshold lesson and curves for good-vs-bad runs, checked against sklearn."""

import numpy as np
import pytest
from sklearn.metrics import precision_score, recall_score

from engine.lab.checkpoint import load_pretrained
from engine.lab.results import EpochStats
from engine.lab.scores import (
    acceptable_stop,
    cheapest_threshold,
    outcome_at,
    pr_curve,
    rare_class_scores,
    threshold_for_precision,
    threshold_for_recall,
)

y_true = np.array([0, 0, 0, 0, 1, 1, 0, 1, 0, 0])
y_score = np.array([0.1, 0.2, 0.35, 0.4, 0.45, 0.6, 0.65, 0.9, 0.05, 0.5])


@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.7, 1.0])
def test_outcome_at_a_threshold_agrees_with_scikit_learn(threshold):
    outcome = outcome_at(y_true, y_score, threshold)
    predicted = y_score >= threshold
    assert outcome.precision == pytest.approx(precision_score(y_true, predicted, zero_division=0))
    assert outcome.recall == pytest.approx(recall_score(y_true, predicted, zero_division=0))
    assert outcome.tn + outcome.fp + outcome.fn + outcome.tp == len(y_true)


def test_cheapest_threshold_beats_every_other_threshold():
    for cost_fp, cost_fn in ((1, 1), (1, 10), (10, 1)):
        best = cheapest_threshold(y_true, y_score, cost_fp, cost_fn)
        for t in np.linspace(0, 1, 101):
            assert best.cost(cost_fp, cost_fn) <= outcome_at(y_true, y_score, t).cost(
                cost_fp, cost_fn
            )


def test_expensive_misses_lower_the_threshold_and_expensive_alarms_raise_it():
    assert (
        cheapest_threshold(y_true, y_score, 1, 10).threshold
        < cheapest_threshold(y_true, y_score, 10, 1).threshold
    )


def test_precision_recall_curve_points_match_their_thresholds():
    for point in pr_curve(y_true, y_score):
        outcome = outcome_at(y_true, y_score, point["threshold"])
        assert outcome.precision == pytest.approx(point["precision"])
        assert outcome.recall == pytest.approx(point["recall"])


def test_rare_scores_come_from_the_shipped_model_on_the_rare_test_split():
    scores = rare_class_scores(load_pretrained().model)
    assert scores.labels.shape == scores.scores.shape == (397,)
    assert scores.labels.sum() == 39
    assert ((scores.scores >= 0) & (scores.scores <= 1)).all()
    # Ranking eights above the rest is what makes the threshold lesson meaningful.
    assert scores.scores[scores.labels == 1].mean() > scores.scores[scores.labels == 0].mean() + 0.3


def _stats(epoch: int, val_loss: float) -> EpochStats:
    return EpochStats(epoch, 1.0, val_loss, 0.5, 0.5, float(epoch), 0.1, 10)


def test_an_early_stopping_pick_is_right_within_five_percent_of_the_best_loss():
    history = [_stats(1, 1.0), _stats(2, 0.50), _stats(3, 0.52), _stats(4, 0.8)]
    assert acceptable_stop(history, 2) and acceptable_stop(history, 3)
    assert not acceptable_stop(history, 1) and not acceptable_stop(history, 4)


def test_precision_and_recall_targets_pick_the_extreme_thresholds_that_reach_them():
    t_precise = threshold_for_precision(y_true, y_score, 1.0)
    assert outcome_at(y_true, y_score, t_precise).precision == 1.0
    assert all(outcome_at(y_true, y_score, t).precision < 1.0 for t in y_score if t < t_precise)
    on_grid = threshold_for_precision(y_true, y_score, 1.0, grid=0.01)
    assert outcome_at(y_true, y_score, on_grid).precision == 1.0
    assert outcome_at(y_true, y_score, on_grid - 0.01).precision < 1.0
    t_sensitive = threshold_for_recall(y_true, y_score, 1.0)
    assert outcome_at(y_true, y_score, t_sensitive).recall == 1.0
    assert all(outcome_at(y_true, y_score, t).recall < 1.0 for t in y_score if t > t_sensitive)
