"""ROC/PR summaries, the rarer-positives subset and the three averages agree with scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    auc,
    average_precision_score,
    precision_recall_fscore_support,
    roc_auc_score,
)

from engine.metrics.averaging import Averaging, averaged, per_class_scores
from engine.metrics.roc_pr import keep_fraction_of_positives, pr_points, roc_points, summarise


def rare_task(seed: int = 0, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.1).astype(int)
    scores = np.clip(0.3 * labels + rng.normal(0.3, 0.15, n), 0, 1)
    return labels, scores


def test_the_summary_is_scikit_learns_roc_auc_and_average_precision():
    labels, scores = rare_task()
    summary = summarise(labels, scores)
    assert summary.roc_auc == roc_auc_score(labels, scores)
    assert summary.average_precision == average_precision_score(labels, scores)
    assert summary.prevalence == pytest.approx(labels.mean())


def test_the_roc_points_enclose_the_roc_auc():
    labels, scores = rare_task(1)
    points = roc_points(labels, scores)
    x = [p["false positive rate"] for p in points]
    y = [p["true positive rate (recall)"] for p in points]
    assert auc(x, y) == pytest.approx(roc_auc_score(labels, scores))
    assert (x[0], y[0], x[-1], y[-1]) == (0.0, 0.0, 1.0, 1.0)


def test_the_pr_steps_sum_to_average_precision():
    labels, scores = rare_task(2)
    points = pr_points(labels, scores)
    recall = np.array([p["recall"] for p in points])
    precision = np.array([p["precision"] for p in points])
    steps = -np.sum(np.diff(recall) * precision[:-1])
    assert steps == pytest.approx(average_precision_score(labels, scores))


def test_dropping_positives_keeps_every_negative_and_the_scores_unchanged():
    labels, scores = rare_task(3)
    kept_labels, kept_scores = keep_fraction_of_positives(labels, scores, 0.25)
    assert np.sum(kept_labels == 0) == np.sum(labels == 0)
    assert np.sum(kept_labels == 1) == round(0.25 * labels.sum())
    assert set(kept_scores.tolist()) <= set(scores.tolist())


def test_a_rarer_positive_class_lowers_average_precision_far_more_than_roc_auc():
    labels, scores = rare_task(4, n=4000)
    full = summarise(labels, scores)
    rare = summarise(*keep_fraction_of_positives(labels, scores, 0.1))
    assert abs(rare.roc_auc - full.roc_auc) < 0.03
    assert full.average_precision - rare.average_precision > 0.1


def test_a_fraction_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match=r"fraction must lie in \(0, 1\], got 0"):
        keep_fraction_of_positives(*rare_task(), 0)


def ten_class_predictions(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, 397)
    wrong = rng.random(397) < 0.15
    predicted = np.where(wrong, rng.integers(0, 10, 397), labels)
    return labels, predicted


@pytest.mark.parametrize("how", list(Averaging))
@pytest.mark.parametrize("seed", [0, 1])
def test_each_average_matches_scikit_learns(how, seed):
    labels, predicted = ten_class_predictions(seed)
    ours = averaged(labels, predicted, 10, how)
    p, r, f, _ = precision_recall_fscore_support(
        labels, predicted, average=how.value, zero_division=0
    )
    assert (ours.precision, ours.recall, ours.f1) == pytest.approx((p, r, f), abs=1e-12)


def test_per_class_scores_match_scikit_learn_including_a_class_never_predicted():
    labels = np.array([0, 0, 1, 1, 2, 2])
    predicted = np.array([0, 0, 0, 1, 1, 1])  # class 2 is never predicted: precision 0/0
    scores, support = per_class_scores(labels, predicted, 3)
    p, r, f, s = precision_recall_fscore_support(labels, predicted, zero_division=0)
    assert [x.precision for x in scores] == pytest.approx(p)
    assert [x.recall for x in scores] == pytest.approx(r)
    assert [x.f1 for x in scores] == pytest.approx(f)
    assert support.tolist() == s.tolist()


def test_micro_f1_equals_accuracy_for_single_label_predictions():
    labels, predicted = ten_class_predictions(2)
    micro = averaged(labels, predicted, 10, Averaging.MICRO)
    assert micro.precision == micro.recall == pytest.approx(accuracy_score(labels, predicted))
    assert micro.f1 == pytest.approx(accuracy_score(labels, predicted))
