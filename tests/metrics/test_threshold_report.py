"""threshold_report: a threshold frozen on validation, reported on test, beside the peeked one."""

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix

from engine.metrics.classification import cheapest_threshold, threshold_report

# Validation favours a high threshold; on test the positives score lower, so it misses them.
validation = (np.array([0, 0, 0, 1, 1]), np.array([0.1, 0.2, 0.3, 0.8, 0.9]))
test = (np.array([0, 0, 1, 1, 1]), np.array([0.1, 0.2, 0.5, 0.6, 0.9]))


def sklearn_cost(labels, scores, threshold, cost_fp, cost_fn) -> float:
    _tn, fp, fn, _tp = confusion_matrix(labels, scores >= threshold, labels=[0, 1]).ravel()
    return fp * cost_fp + fn * cost_fn


def test_the_threshold_is_chosen_on_validation_and_its_test_cost_is_reported():
    report = threshold_report(validation, test, 1.0, 10.0, {})
    chosen = cheapest_threshold(*validation, 1.0, 10.0)
    assert chosen.threshold == 0.8
    assert report.validation_cost == sklearn_cost(*validation, 0.8, 1.0, 10.0) == 0
    assert report.test_cost == sklearn_cost(*test, 0.8, 1.0, 10.0) == 20
    assert report.peeked_cost == 0  # tuned on test, 0.5 catches every positive: the leak


def test_named_thresholds_are_reported_on_both_splits_after_the_cheapest():
    report = threshold_report(validation, test, 1.0, 1.0, {"strict": 0.85})
    assert [row["threshold from validation"] for row in report.rows] == ["cheapest cost", "strict"]
    strict = report.rows[1]
    assert strict["validation recall"] == pytest.approx(0.5)
    assert strict["test recall"] == pytest.approx(1 / 3, abs=5e-4)
    assert strict["test cost"] == sklearn_cost(*test, 0.85, 1.0, 1.0)
