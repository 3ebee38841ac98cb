"""Lesson 4 in AppTest: real curves, the overfitting diagnosis and the early-stopping check."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.lab.lesson_runs import STOP_PATIENCE
from engine.metrics.training_curves import patience_stop

PAGE = str(Path(__file__).resolve().parents[2] / "lessons" / "good_vs_bad.py")


@pytest.fixture(scope="module")
def page_runs():
    # Train the two runs once for this module; AppTest reruns then reuse them.
    from engine.lab.checkpoint import load_pretrained
    from engine.lab.lesson_runs import training_curves

    return training_curves(load_pretrained().model)


def open_page(monkeypatch, runs) -> AppTest:
    import engine.lab.lesson_runs as scores

    monkeypatch.setattr(scores, "training_curves", lambda _model: runs)
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    return at


@pytest.mark.slow
def test_the_overfitting_run_really_overfits(page_runs):
    healthy, overfit = page_runs.healthy, page_runs.overfitting
    gap = lambda s: s.val_loss - s.train_loss  # noqa: E731
    assert gap(overfit[-1]) > 0.5 > gap(healthy[-1])
    assert overfit[-1].train_loss < 0.05
    assert healthy[-1].val_accuracy > overfit[-1].val_accuracy + 0.1


@pytest.mark.slow
def test_run_b_validation_loss_falls_then_climbs_unmistakably(page_runs):
    losses = [s.val_loss for s in page_runs.overfitting]
    low = losses.index(min(losses))
    assert 2 <= low < len(losses) // 3  # a real fall first, then most of the run climbing
    assert losses[-1] > min(losses) * 1.3 and losses[-1] > losses[0] * 0.95
    # The climb is a trend, not noise: every later third is worse on average than the one before.
    later = losses[low:]
    chunk = len(later) // 3
    means = [sum(later[i * chunk : (i + 1) * chunk]) / chunk for i in range(3)]
    assert means[0] < means[1] < means[2]


@pytest.mark.slow
def test_spotting_run_b_and_stopping_where_patience_keeps_the_weights_is_praised(
    monkeypatch, page_runs
):
    at = open_page(monkeypatch, page_runs)
    assert at.title[0].value == "Good vs bad runs"
    rule = patience_stop(page_runs.overfitting, STOP_PATIENCE)
    at.radio(key="gvb_which").set_value("Run B")
    at.slider(key="gvb_epoch").set_value(rule.kept.epoch)
    at.button(key="gvb_check").click().run()
    assert not at.exception
    assert [s.value.startswith("Right: Run B overfits") for s in at.success] == [True, False]
    assert at.success[1].value.startswith(f"Epoch {rule.kept.epoch}: right.")
    assert f"stops after epoch {rule.stopped_at} and keeps epoch **{rule.kept.epoch}**" in (
        at.success[1].value
    )


@pytest.mark.slow
def test_the_default_slider_position_no_early_stopping_is_never_accepted(monkeypatch, page_runs):
    at = open_page(monkeypatch, page_runs)
    at.radio(key="gvb_which").set_value("Run B")
    assert at.slider(key="gvb_epoch").value == len(page_runs.overfitting)
    at.button(key="gvb_check").click().run()
    assert len(at.success) == 1  # the diagnosis only
    assert at.warning[0].value.startswith(f"Epoch {len(page_runs.overfitting)} is the end")


@pytest.mark.slow
def test_a_wrong_diagnosis_is_corrected_with_the_runs_own_numbers(monkeypatch, page_runs):
    at = open_page(monkeypatch, page_runs)
    at.radio(key="gvb_which").set_value("Run A")
    worst = max(page_runs.overfitting, key=lambda s: s.val_loss).epoch
    at.slider(key="gvb_epoch").set_value(worst)
    at.button(key="gvb_check").click().run()
    assert at.error[0].value.startswith("Not quite")
    assert f"{page_runs.overfitting[-1].val_loss:.3f}" in at.error[0].value
    assert at.warning[0].value.startswith(f"Epoch {worst}")
    assert "Epoch" in at.warning[0].value and "right" not in at.warning[0].value
