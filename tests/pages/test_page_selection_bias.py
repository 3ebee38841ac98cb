"""The selection-bias lesson keeps the best of N equally good runs and shows its optimism."""

from __future__ import annotations

import numpy as np
import pytest
from helpers.lesson_page import lesson_fixture, shown_metrics
from scipy.stats import binom

from engine.lab.checkpoint import load_pretrained
from engine.lab.data import TEST_SIZE
from engine.lab.shipped_runs import probe_predictions
from engine.metrics.uncertainty import draw_runs

at = lesson_fixture("selection_bias.py", timeout=120)


@pytest.fixture(scope="module")
def true_accuracy() -> float:
    return probe_predictions(load_pretrained().model).accuracy


def exact_best_of_n(n_runs: int, p: float) -> float:
    k = np.arange(TEST_SIZE)
    return float(np.sum(1 - binom.cdf(k, TEST_SIZE, p) ** n_runs)) / TEST_SIZE


def test_the_page_names_the_three_roles_and_scores_the_kept_run_on_fresh_data(at, true_accuracy):
    assert at.title[0].value == "Train, validation, test"
    draw = draw_runs(20, true_accuracy, TEST_SIZE, seed=0)
    assert shown_metrics(at) == {
        "Best test score of N": f"{draw.test_scores.max():.3f}",
        "That run on fresh data": f"{draw.fresh_scores[draw.chosen]:.3f}",
        "Optimism (test − fresh)": f"{draw.optimism:+.3f}",
    }
    assert any(f"probability {true_accuracy:.3f}" in m.value for m in at.markdown)


def test_the_averaged_optimism_matches_the_exact_expected_maximum_for_each_n(at, true_accuracy):
    for n_runs in (1, 20, 50):
        at.slider(key="sel_runs").set_value(n_runs).run()
        assert not at.exception
        prose = next(m.value for m in at.markdown if "repeated 2,000 times" in m.value)
        quoted = float(prose.split("averages **")[1].split("**")[0])
        assert quoted == pytest.approx(exact_best_of_n(n_runs, true_accuracy), abs=0.0015)
    assert quoted - true_accuracy > 0.015  # best of 50 is clearly optimistic


def test_running_again_draws_new_luck(at, true_accuracy):
    at.button(key="sel_again").click().run()
    draw = draw_runs(20, true_accuracy, TEST_SIZE, seed=1)
    assert shown_metrics(at)["Best test score of N"] == f"{draw.test_scores.max():.3f}"
