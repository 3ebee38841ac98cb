"""Lesson 4 in AppTest: real curves, the overfitting diagnosis and the early-stopping check."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[1] / "lessons" / "good_vs_bad.py")


@pytest.fixture(scope="module")
def page_runs():
    # Train the two runs once for this module; AppTest reruns then reuse them.
    from engine.lab.checkpoint import load_pretrained
    from engine.lab.scores import training_curves

    return training_curves(load_pretrained().model)


def open_page(monkeypatch, runs) -> AppTest:
    import engine.lab.scores as scores

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
def test_spotting_run_b_and_stopping_at_its_best_epoch_is_praised(monkeypatch, page_runs):
    at = open_page(monkeypatch, page_runs)
    assert at.title[0].value == "Good vs bad runs"
    at.radio(key="gvb_which").set_value("Run B")
    at.slider(key="gvb_epoch").set_value(page_runs.overfitting_best_epoch)
    at.button(key="gvb_check").click().run()
    assert not at.exception
    assert [s.value.startswith("Right: Run B overfits") for s in at.success] == [True, False]
    assert f"at epoch {page_runs.overfitting_best_epoch}" in at.success[1].value


@pytest.mark.slow
def test_a_wrong_diagnosis_is_corrected_with_the_runs_own_numbers(monkeypatch, page_runs):
    at = open_page(monkeypatch, page_runs)
    at.radio(key="gvb_which").set_value("Run A")
    worst = max(page_runs.overfitting, key=lambda s: s.val_loss).epoch
    at.slider(key="gvb_epoch").set_value(worst)
    at.button(key="gvb_check").click().run()
    assert at.error[0].value.startswith("Not quite")
    assert f"{page_runs.overfitting[-1].val_loss:.3f}" in at.error[0].value
    assert at.warning[0].value.startswith(f"Epoch {worst} has validation loss")
