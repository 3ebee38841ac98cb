"""The ROC/PR lesson's summaries are scikit-learn's on the real rare-8 scores."""

from __future__ import annotations

import pytest
from helpers.lesson_page import lesson_fixture, shown_metrics
from sklearn.metrics import average_precision_score, roc_auc_score

from engine.lab.checkpoint import load_pretrained
from engine.lab.data import TaskKind
from engine.lab.shipped_runs import ProbePredictions, probe_predictions
from engine.metrics.roc_pr import keep_fraction_of_positives

at = lesson_fixture("roc_pr.py", timeout=120)


@pytest.fixture(scope="module")
def probe() -> ProbePredictions:
    return probe_predictions(load_pretrained().model, TaskKind.RARE_EIGHT)


@pytest.mark.parametrize("kept_percent", [100, 10])
def test_roc_auc_and_average_precision_are_scikit_learns(at, probe, kept_percent):
    at.slider(key="roc_keep").set_value(kept_percent).run()
    assert not at.exception
    labels, scores = keep_fraction_of_positives(
        probe.labels, probe.probabilities[:, 1], kept_percent / 100
    )
    assert shown_metrics(at) == {
        "ROC-AUC": f"{roc_auc_score(labels, scores):.3f}",
        "Average precision": f"{average_precision_score(labels, scores):.3f}",
        "AP of guessing (= share of 8s)": f"{labels.mean():.3f}",
    }


def test_making_eights_rarer_hurts_average_precision_much_more_than_roc_auc(at, probe):
    full = probe.labels, probe.probabilities[:, 1]
    rare = keep_fraction_of_positives(*full, 0.1)
    roc_drop = roc_auc_score(*full) - roc_auc_score(*rare)
    ap_drop = average_precision_score(*full) - average_precision_score(*rare)
    assert abs(roc_drop) < 0.02 and ap_drop > 0.1  # the lesson's claim, on the real scores
    at.slider(key="roc_keep").set_value(10).run()
    prose = at.markdown[-1].value
    assert f"({-ap_drop:+.3f})" in prose and f"change of {-roc_drop:+.3f}" in prose
