"""Lesson 3 in AppTest: the threshold slider, the presets and cost-based choice use real scores."""

from pathlib import Path

import pytest
from sklearn.metrics import precision_score, recall_score
from streamlit.testing.v1 import AppTest

from engine.lab.checkpoint import load_pretrained
from engine.lab.scores import rare_class_scores
from engine.metrics import cheapest_threshold

PAGE = str(Path(__file__).resolve().parents[1] / "lessons" / "threshold.py")


@pytest.fixture(scope="module")
def real_scores():
    return rare_class_scores(load_pretrained().model)


def metric(at: AppTest, label: str) -> float:
    return float(next(m.value for m in at.metric if m.label == label))


def open_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    return at


def test_moving_the_threshold_recomputes_precision_and_recall_like_scikit_learn(real_scores):
    at = open_page()
    assert at.title[0].value == "Precision vs recall"
    for threshold in (0.2, 0.5, 0.8):
        at.slider(key="thr_threshold").set_value(threshold).run()
        predicted = real_scores.scores >= threshold
        expected_p = precision_score(real_scores.labels, predicted, zero_division=0)
        assert metric(at, "Precision") == pytest.approx(expected_p, abs=5e-4)
        assert metric(at, "Recall") == pytest.approx(
            recall_score(real_scores.labels, predicted), abs=5e-4
        )


def test_spam_preset_reaches_the_precision_target_and_medical_the_recall_target():
    at = open_page()
    at.button(key="thr_spam").click().run()
    assert metric(at, "Precision") >= 0.95
    spam_threshold = at.slider(key="thr_threshold").value
    at.button(key="thr_medical").click().run()
    assert metric(at, "Recall") >= 0.95
    assert at.slider(key="thr_threshold").value < spam_threshold


def test_costs_choose_the_cheapest_threshold(real_scores):
    at = open_page()
    at.number_input(key="thr_cost_fp").set_value(1.0)
    at.number_input(key="thr_cost_fn").set_value(20.0).run()
    best = cheapest_threshold(real_scores.labels, real_scores.scores, 1.0, 20.0)
    assert any(f"Cheapest threshold: **{best.threshold:.3f}**" in m.value for m in at.markdown)
    at.button(key="thr_use_cheapest").click().run()
    assert not at.exception
    assert at.slider(key="thr_threshold").value <= best.threshold
