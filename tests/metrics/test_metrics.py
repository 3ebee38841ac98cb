"""engine.metrics.classification agrees with scikit-learn, and its filled-in formulas print
true numbers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
)

from engine.metrics.classification import (
    ZERO_DIVISION,
    BinaryCounts,
    Metric,
    always_negative_counts,
    binary_metrics_from_counts,
    cheapest_threshold,
    confusion_counts,
    counts_for_accuracy_and_recall,
    formula_text,
    labels_from_counts,
    outcome_at,
    pr_curve,
    regression_scores,
    sklearn_confusion_matrix,
    threshold_for_precision,
    threshold_for_recall,
)

SEED = confusion_counts(tp=85, fp=15, tn=90, fn=10)
cell = st.integers(min_value=0, max_value=300)


def test_seed_example_gives_precision_085_recall_08947_and_f1_0872():
    assert SEED.precision == pytest.approx(0.85)
    assert round(SEED.recall, 4) == 0.8947
    # The seed writes "≈ 0.871"; 170 / 195 = 0.87179…, which rounds to 0.872.
    assert round(SEED.f1, 3) == 0.872
    assert SEED.total == 200


def test_seed_formulas_are_filled_in_with_the_learners_numbers():
    texts = formula_text(SEED)
    assert texts[Metric.PRECISION] == "Precision = TP / (TP + FP) = 85 / (85 + 15) = 0.850"
    assert texts[Metric.RECALL] == "Recall = TP / (TP + FN) = 85 / (85 + 10) = 0.895"
    assert texts[Metric.F1] == "F1 = 2·TP / (2·TP + FP + FN) = 2·85 / (2·85 + 15 + 10) = 0.872"
    assert texts[Metric.ACCURACY].endswith("(85 + 90) / (85 + 15 + 90 + 10) = 0.875")


@settings(max_examples=200, deadline=None)
@given(tp=cell, fp=cell, tn=cell, fn=cell)
def test_properties_match_sklearn_on_random_counts(tp, fp, tn, fn):
    counts = confusion_counts(tp, fp, tn, fn)
    if counts.total == 0:
        return
    y_true, y_pred = labels_from_counts(counts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's zero_division="warn" default, on purpose
        oracle = {
            Metric.ACCURACY: accuracy_score(y_true, y_pred),
            Metric.PRECISION: precision_score(y_true, y_pred, labels=[0, 1]),
            Metric.RECALL: recall_score(y_true, y_pred, labels=[0, 1]),
            Metric.F1: f1_score(y_true, y_pred, labels=[0, 1]),
        }
    for metric, expected in oracle.items():
        assert counts.value(metric) == pytest.approx(expected, abs=1e-12), metric
    assert binary_metrics_from_counts(counts) == pytest.approx(oracle, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(tp=cell, fp=cell, tn=cell, fn=cell)
def test_formula_text_ends_with_the_value_rounded_to_three_digits(tp, fp, tn, fn):
    counts = confusion_counts(tp, fp, tn, fn)
    for metric, text in formula_text(counts).items():
        if metric in counts.undefined():
            assert text.endswith(f"undefined (0 / 0), reported as {ZERO_DIVISION:.3f}")
        else:
            assert text.endswith(f"= {counts.value(metric):.3f}")


@settings(max_examples=100, deadline=None)
@given(tp=cell, fp=cell, tn=cell, fn=cell)
def test_sklearn_confusion_matrix_puts_true_class_in_rows_negative_first(tp, fp, tn, fn):
    counts = confusion_counts(tp, fp, tn, fn)
    assert sklearn_confusion_matrix(counts).tolist() == [[tn, fp], [fn, tp]]


def test_zero_division_is_reported_as_zero_without_a_warning():
    counts = confusion_counts(tp=0, fp=0, tn=5, fn=3)
    assert counts.undefined() == [Metric.PRECISION]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics = binary_metrics_from_counts(counts)
    assert metrics[Metric.PRECISION] == 0.0
    assert metrics[Metric.F1] == 0.0


def test_all_zero_counts_are_refused_by_the_sklearn_path():
    with pytest.raises(
        ValueError, match=r"Enter at least one prediction: TP \+ FP \+ TN \+ FN is 0\."
    ):
        binary_metrics_from_counts(confusion_counts(0, 0, 0, 0))


def test_negative_counts_are_refused_with_the_cell_named():
    with pytest.raises(ValueError, match=r"^FN must be 0 or more, got -1\.$"):
        confusion_counts(tp=1, fp=1, tn=1, fn=-1)


def test_fractional_counts_are_refused():
    with pytest.raises(TypeError, match=r"^TP must be a whole number, got 2\.5\.$"):
        BinaryCounts(tp=2.5, fp=0, tn=0, fn=0)  # type: ignore[arg-type]


def test_regression_scores_match_sklearn_and_r2_goes_negative_below_the_mean():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    bad = np.array([4.0, 3.0, 2.0, 1.0])
    scores = regression_scores(y, bad)
    assert scores.mse == pytest.approx(mean_squared_error(y, bad))
    assert scores.r2 == pytest.approx(r2_score(y, bad))
    assert scores.r2 < 0
    assert regression_scores(y, np.full(4, y.mean())).r2 == pytest.approx(0.0)


def test_always_negative_classifier_scores_the_negative_rate_with_zero_recall():
    counts = always_negative_counts(total=1000, positive_rate=0.05)
    assert counts == BinaryCounts(tp=0, fp=0, tn=950, fn=50)
    assert counts.accuracy == pytest.approx(0.95)
    assert (counts.precision, counts.recall, counts.f1) == (0.0, 0.0, 0.0)


def test_always_negative_refuses_a_rate_outside_zero_to_one():
    with pytest.raises(ValueError, match=r"positive_rate must lie in \[0, 1\], got 1\.5\."):
        always_negative_counts(total=10, positive_rate=1.5)


def test_worked_fraud_example_has_98_percent_accuracy_and_12_percent_recall():
    counts = counts_for_accuracy_and_recall(total=10_000, positives=200, accuracy=0.98, recall=0.12)
    y_true, y_pred = labels_from_counts(counts)
    assert accuracy_score(y_true, y_pred) == pytest.approx(0.98)
    assert recall_score(y_true, y_pred) == pytest.approx(0.12)
    assert confusion_matrix(y_true, y_pred).sum() == 10_000


def test_worked_example_refuses_impossible_targets():
    with pytest.raises(
        ValueError, match=r"No counts fit: 1000 positives with recall 0\.12 miss 880"
    ):
        counts_for_accuracy_and_recall(total=10_000, positives=1000, accuracy=0.98, recall=0.12)


# Ten scored cases, three of them positive: small enough to check every threshold by hand.
scored_true = np.array([0, 0, 0, 0, 1, 1, 0, 1, 0, 0])
scored = np.array([0.1, 0.2, 0.35, 0.4, 0.45, 0.6, 0.65, 0.9, 0.05, 0.5])


@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.7, 1.0])
def test_outcome_at_a_threshold_agrees_with_scikit_learn(threshold):
    outcome = outcome_at(scored_true, scored, threshold)
    predicted = scored >= threshold
    expected_precision = precision_score(scored_true, predicted, zero_division=0)
    assert outcome.precision == pytest.approx(expected_precision)
    assert outcome.recall == pytest.approx(recall_score(scored_true, predicted, zero_division=0))
    assert outcome.tn + outcome.fp + outcome.fn + outcome.tp == len(scored_true)


def test_cheapest_threshold_beats_every_other_threshold():
    for cost_fp, cost_fn in ((1, 1), (1, 10), (10, 1)):
        best = cheapest_threshold(scored_true, scored, cost_fp, cost_fn)
        for t in np.linspace(0, 1, 101):
            assert best.cost(cost_fp, cost_fn) <= outcome_at(scored_true, scored, t).cost(
                cost_fp, cost_fn
            )


def test_expensive_misses_lower_the_threshold_and_expensive_alarms_raise_it():
    assert (
        cheapest_threshold(scored_true, scored, 1, 10).threshold
        < cheapest_threshold(scored_true, scored, 10, 1).threshold
    )


def test_precision_recall_curve_points_match_their_thresholds():
    for point in pr_curve(scored_true, scored):
        outcome = outcome_at(scored_true, scored, point["threshold"])
        assert outcome.precision == pytest.approx(point["precision"])
        assert outcome.recall == pytest.approx(point["recall"])


def test_precision_and_recall_targets_pick_the_extreme_thresholds_that_reach_them():
    t_precise = threshold_for_precision(scored_true, scored, 1.0)
    assert outcome_at(scored_true, scored, t_precise).precision == 1.0
    assert all(outcome_at(scored_true, scored, t).precision < 1.0 for t in scored if t < t_precise)
    on_grid = threshold_for_precision(scored_true, scored, 1.0, grid=0.01)
    assert outcome_at(scored_true, scored, on_grid).precision == 1.0
    assert outcome_at(scored_true, scored, on_grid - 0.01).precision < 1.0
    t_sensitive = threshold_for_recall(scored_true, scored, 1.0)
    assert outcome_at(scored_true, scored, t_sensitive).recall == 1.0
    assert all(outcome_at(scored_true, scored, t).recall < 1.0 for t in scored if t > t_sensitive)


@pytest.mark.parametrize("threshold", [0.0, 0.45, 1.0])
def test_a_threshold_outcome_reports_f1_and_accuracy_as_scikit_learn_does(threshold):
    outcome = outcome_at(scored_true, scored, threshold)
    predicted = scored >= threshold
    assert outcome.f1 == pytest.approx(f1_score(scored_true, predicted, zero_division=0))
    assert outcome.accuracy == pytest.approx(accuracy_score(scored_true, predicted))
