"""The uncertainty lesson's intervals and McNemar test are checked against scipy."""

from __future__ import annotations

import numpy as np
import pytest
from helpers.lesson_page import lesson_fixture, shown_metrics
from scipy.stats import binomtest, bootstrap
from sklearn.metrics import accuracy_score

from engine.lab.checkpoint import load_pretrained
from engine.lab.shipped_runs import ProbePredictions, probe_predictions

at = lesson_fixture("uncertainty.py", timeout=120)


@pytest.fixture(scope="module")
def runs() -> dict[int, ProbePredictions]:
    model = load_pretrained().model
    return {n: probe_predictions(model, train_size=n) for n in (50, 200, 500)}


def test_each_run_shows_sklearns_accuracy_with_a_scipy_sized_bootstrap_interval(at, runs):
    assert at.title[0].value == "Uncertainty"
    captions = [c.value for c in at.caption if c.value.startswith("95% bootstrap interval")]
    for name, size, caption in zip(("A", "B"), (200, 500), captions, strict=True):
        run = runs[size]
        accuracy = accuracy_score(run.labels, run.predicted)
        assert shown_metrics(at)[f"Run {name} test accuracy"] == f"{accuracy:.3f}"
        ci = bootstrap(
            (run.correct.astype(float),), np.mean, n_resamples=8000, method="percentile", rng=0
        ).confidence_interval
        low, high = (float(v) for v in caption.split(": ")[1].split(" to "))
        # Two independent Monte Carlo bootstraps agree to within a test digit or two.
        assert low == pytest.approx(ci.low, abs=2 / 397)
        assert high == pytest.approx(ci.high, abs=2 / 397)


def test_mcnemar_p_value_is_scipys_binomial_test_on_the_disagreements(at, runs):
    a, b = runs[200].correct, runs[500].correct
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    expected = binomtest(only_a, only_a + only_b, 0.5).pvalue
    assert shown_metrics(at)["McNemar exact p-value"] == f"{expected:.4f}"
    assert expected > 0.05 and "cannot tell them apart" in at.warning[0].value


def test_a_clearly_weaker_run_is_told_apart(at, runs):
    at.selectbox(key="unc_a").set_value(50).run()
    assert not at.exception
    a, b = runs[50].correct, runs[500].correct
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    expected = binomtest(only_a, only_a + only_b, 0.5).pvalue
    assert shown_metrics(at)["McNemar exact p-value"] == f"{expected:.4f}"
    assert expected < 0.05 and "the difference is real" in at.success[0].value
    difference = b.mean() - a.mean()
    assert shown_metrics(at)["B − A accuracy"] == f"{difference:+.3f}"
