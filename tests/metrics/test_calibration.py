"""Reliability bins and ECE against direct numpy and scikit-learn; temperature scaling."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import log_loss

from engine.metrics.calibration import (
    calibration_report,
    fit_temperature,
    negative_log_likelihood,
    reliability,
    with_temperature,
)


def overconfident(n: int, seed: int, sharpen: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities whose labels are drawn from softmax(z), reported as softmax(sharpen × z)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 1.5, size=(n, 10))
    true = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    labels = np.array([rng.choice(10, p=row) for row in true])
    shown = np.exp(sharpen * z) / np.exp(sharpen * z).sum(1, keepdims=True)
    return shown, labels


def ece_by_hand(p: np.ndarray, y: np.ndarray, n_bins: int) -> float:
    confidence, correct = p.max(1), p.argmax(1) == y
    total = 0.0
    for i in range(n_bins):
        low, high = i / n_bins, (i + 1) / n_bins
        # (low, high], the first bin closed at 0: calibration_curve's uniform bins
        inside = (confidence > low) & (confidence <= high) if i else confidence <= high
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return total


@pytest.mark.parametrize("n_bins", [5, 10, 15])
def test_ece_equals_a_direct_numpy_computation(n_bins):
    p, y = overconfident(600, seed=n_bins)
    assert reliability(p, y, n_bins).ece == pytest.approx(ece_by_hand(p, y, n_bins), abs=1e-12)


def test_reliability_bins_agree_with_scikit_learn_calibration_curve():
    p, y = overconfident(800, seed=3)
    correct = (p.argmax(1) == y).astype(int)
    prob_true, prob_pred = calibration_curve(correct, p.max(1), n_bins=10, strategy="uniform")
    bins = [b for b in reliability(p, y, 10).bins if b.count]
    np.testing.assert_allclose([b.accuracy for b in bins], prob_true)
    np.testing.assert_allclose([b.confidence for b in bins], prob_pred)


def test_temperature_scaling_never_changes_a_prediction_or_the_accuracy():
    p, y = overconfident(500, seed=1)
    for temperature in (0.3, 1.0, 2.5, fit_temperature(p, y)):
        scaled = with_temperature(p, temperature)
        assert (scaled.argmax(1) == p.argmax(1)).all()
        assert reliability(scaled, y).accuracy == reliability(p, y).accuracy


def test_an_overconfident_model_gets_a_temperature_above_one_and_a_lower_ece_on_test():
    val_p, val_y = overconfident(1500, seed=10)
    test_p, test_y = overconfident(1500, seed=11)
    report = calibration_report(val_p, val_y, test_p, test_y)
    assert report.temperature == pytest.approx(3.0, rel=0.2)  # the sharpening it undoes
    assert report.test_after.ece < report.test_before.ece / 2
    assert report.test_nll_after < report.test_nll_before
    assert report.test_after.accuracy == report.test_before.accuracy


def test_fitted_temperature_minimises_scikit_learn_log_loss():
    p, y = overconfident(400, seed=5)
    best = fit_temperature(p, y)
    labels = list(range(10))
    at_best = log_loss(y, with_temperature(p, best), labels=labels)
    assert negative_log_likelihood(with_temperature(p, best), y) == pytest.approx(at_best)
    for other in (best * 0.8, best * 1.25):
        assert at_best < log_loss(y, with_temperature(p, other), labels=labels)


def test_reliability_rejects_mismatched_shapes_and_says_which():
    with pytest.raises(ValueError, match=r"got \(3, 2\) and \(2,\)"):
        reliability(np.full((3, 2), 0.5), np.array([0, 1]))
