"""Lesson 1 explains metric choice per task and stops a real run where the learner says."""

from __future__ import annotations

import pytest
from helpers.lesson_page import lesson_fixture

from engine.metrics.demos import CurveConfig, learning_curves
from engine.metrics.training_curves import best_epoch

at = lesson_fixture("metrics_for_tasks.py")


@pytest.fixture(scope="module")
def history():
    return learning_curves(CurveConfig())


def test_page_answers_the_scenario_and_quotes_the_best_epoch_of_the_real_run(at, history):
    assert at.title[0].value == "Which metrics, and why"
    assert any("**Lead with:** Precision (then F1)" in m.value for m in at.markdown)
    assert any(f"epoch **{best_epoch(history).epoch}**" in m.value for m in at.markdown)
    at.radio(key="mft_scenario").set_value("House price prediction").run()
    assert not at.exception
    assert any("**Task type:** regression" in m.value and "R²" in m.value for m in at.markdown)


def test_stopping_late_shows_the_overfitting_gap_from_the_run(at, history):
    last = history[-1]
    assert at.slider(key="mft_stop_epoch").value == len(history)
    assert at.metric[1].value == f"{last.val_accuracy:.3f}"
    assert f"Training accuracy here is {last.train_accuracy:.3f}" in at.warning[0].value


def test_the_slider_moves_the_stop_to_the_best_epoch_and_to_the_start(at, history):
    best = best_epoch(history)
    at.slider(key="mft_stop_epoch").set_value(best.epoch).run()
    assert not at.exception
    assert at.metric[0].value == f"{best.val_loss:.3f}"
    assert "lowest validation loss" in at.success[0].value
    at.slider(key="mft_stop_epoch").set_value(1).run()
    assert "still falling" in at.info[0].value


def test_stopping_early_talks_about_loss_not_accuracy_left_on_the_table(at, history):
    # Audit 8: some earlier epochs beat the best-loss epoch on accuracy, so "accuracy on the
    # table" was false; the message is about the loss that early stopping minimises.
    best = best_epoch(history)
    assert any(r.val_accuracy > best.val_accuracy for r in history if r.epoch < best.epoch)
    at.slider(key="mft_stop_epoch").set_value(1).run()
    message = at.info[0].value
    assert "gives up loss" in message
    assert "accuracy on the table" not in message


def test_the_introduction_separates_validation_choices_from_the_test_report(at):
    # Audit 14: validation was conflated with test, and training numbers were dismissed.
    intro = at.markdown[0].value
    assert "**validation data**" in intro and "**test set**" in intro
    assert "underfits" in intro
    assert "only tell you how well it memorised" not in intro
