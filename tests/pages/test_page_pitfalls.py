"""Lesson 5's five pitfalls each respond to their widget with numbers from the engine."""

from __future__ import annotations

import itertools

import pytest
from helpers.lesson_page import lesson_fixture
from streamlit.testing.v1 import AppTest

from engine.metrics.classification import always_negative_counts, outcome_at
from engine.metrics.demos import (
    CurveConfig,
    leakage_demo,
    learning_curves,
    rare_class_scores,
)
from engine.metrics.training_curves import best_epoch

at = lesson_fixture("pitfalls.py")


def metric(at: AppTest, label: str, occurrence: int = 0) -> str:
    return [m.value for m in at.metric if m.label == label][occurrence]


def test_the_paradox_slider_moves_accuracy_while_recall_stays_zero(at):
    assert at.title[0].value == "Pitfalls"
    assert metric(at, "Accuracy") == "0.980"
    assert metric(at, "Recall") == "0.000"
    at.slider(key="pit_fraud_rate").set_value(10.0).run()
    assert not at.exception
    expected = always_negative_counts(total=10_000, positive_rate=0.10)
    assert metric(at, "Accuracy") == f"{expected.accuracy:.3f}" == "0.900"
    assert metric(at, "Recall") == "0.000"


def test_the_leak_slider_inflates_only_the_leaky_test_score(at):
    at.slider(key="pit_leak").set_value(100).run()
    assert not at.exception
    full = leakage_demo(1.0)
    assert metric(at, "Accuracy on the leaky test set") == "1.000"
    assert metric(at, "Accuracy on the untouched hold-out") == f"{full.clean_holdout_accuracy:.3f}"
    at.slider(key="pit_leak").set_value(0).run()
    none = leakage_demo(0.0)
    assert metric(at, "Accuracy on the leaky test set") == f"{none.leaky_test_accuracy:.3f}"


def test_the_threshold_slider_recomputes_the_trade_off(at):
    at.slider(key="pit_threshold").set_value(0.3).run()
    assert not at.exception
    y_true, scores = rare_class_scores()
    expected = outcome_at(y_true, scores, 0.3)
    # The second "Recall" metric on the page belongs to the trade-off tab.
    assert metric(at, "Recall", 1) == f"{expected.recall:.3f}"
    assert metric(at, "Precision", 1) == f"{expected.precision:.3f}"
    sweep = [round(0.05 * i, 2) for i in range(1, 20)]
    silent = [
        t
        for t in sweep
        if outcome_at(y_true, scores, t).tp == 0 and outcome_at(y_true, scores, t).fp == 0
    ]
    assert any(f"From threshold {min(silent):.2f} up" in c.value for c in at.caption)


@pytest.mark.slow  # trains the small network again in a fresh page run
def test_showing_validation_reveals_the_best_epoch_and_the_rise(at):
    assert not at.warning
    at.checkbox(key="pit_show_val").check().run()
    assert not at.exception
    history = learning_curves(CurveConfig())
    best = best_epoch(history)
    assert f"lowest at epoch {best.epoch} ({best.val_loss:.3f})" in at.warning[0].value


def test_prose_claims_hold_training_loss_always_falls_and_accuracy_moves_least():
    # "Nothing looks wrong: it falls every epoch" is checked, and accuracy, though it moves,
    # moves far less than recall across the slider.
    history = learning_curves(CurveConfig())
    assert all(b.train_loss < a.train_loss for a, b in itertools.pairwise(history))
    y_true, scores = rare_class_scores()
    sweep = [outcome_at(y_true, scores, 0.05 * i) for i in range(1, 20)]
    spread = {
        name: max(getattr(c, name) for c in sweep) - min(getattr(c, name) for c in sweep)
        for name in ("accuracy", "recall")
    }
    assert spread["accuracy"] < spread["recall"] / 3


def test_precision_of_a_model_that_flags_nothing_reads_undefined_not_zero(at):
    # Audit 10b: 0 / 0 was shown as 0.000, as if the model had been wrong on every flag.
    precision = next(m for m in at.metric if m.label == "Precision")
    assert (precision.value, precision.delta) == ("0 / 0", "undefined")
    assert any("*undefined*" in m.value for m in at.markdown)
    at.slider(key="pit_threshold").set_value(0.95).run()
    y_true, scores = rare_class_scores()
    expected = outcome_at(y_true, scores, 0.95)
    shown = metric(at, "Precision", 1)
    if expected.tp + expected.fp == 0:
        assert shown == "0 / 0"
    else:
        assert shown == f"{expected.precision:.3f}"


def test_the_trade_off_tab_quotes_the_real_accuracy_range_instead_of_barely_changes(at):
    # Audit 10a: accuracy spans a wide range across the slider, so the page says how wide.
    y_true, scores = rare_class_scores()
    accuracies = [outcome_at(y_true, scores, round(0.05 * i, 2)).accuracy for i in range(1, 20)]
    text = f"from {min(accuracies):.3f} to {max(accuracies):.3f} across the slider"
    assert any(text in m.value for m in at.markdown)
    assert not any("barely change" in m.value for m in at.markdown)


def test_the_leak_tab_says_barely_moves_and_shows_the_gap_to_the_hold_out(at):
    # Audit 9: the hold-out does move a little, so "does not" became "barely moves" + its range.
    result = leakage_demo(0.5)
    holdouts = [leakage_demo(step / 10).clean_holdout_accuracy for step in range(11)]
    gap = result.leaky_test_accuracy - result.clean_holdout_accuracy
    leaky = next(m for m in at.metric if m.label == "Accuracy on the leaky test set")
    assert leaky.delta == f"{gap:+.3f} vs the hold-out"
    prose = next(m.value for m in at.markdown if "barely moves" in m.value)
    assert f"between {min(holdouts):.3f} and {max(holdouts):.3f}" in prose
    assert max(holdouts) > min(holdouts)  # it does move: "does not" would be false
