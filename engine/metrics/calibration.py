"""Calibration: reliability bins, expected calibration error, temperature scaling.

A model is calibrated when, of the answers it gives with 80 % confidence, 80 % are right.
Thresholds and cost-based decisions read the probabilities as such, so an over-confident
model makes them wrong even when its accuracy is fine. Temperature scaling divides the logits
by one number T fitted on validation (Guo et al., 2017): it changes how sure the model is,
never which class it picks, so accuracy is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize_scalar

DEFAULT_BINS = 10
TEMPERATURE_RANGE = (0.05, 20.0)


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    confidence: float  # mean top-class probability in the bin (nan when empty)
    accuracy: float  # share of the bin's top-class answers that are right (nan when empty)


@dataclass(frozen=True)
class Reliability:
    bins: tuple[ReliabilityBin, ...]
    ece: float  # sum over bins of (count / n) × |accuracy − confidence|
    accuracy: float
    mean_confidence: float

    def as_records(self) -> list[dict[str, object]]:
        return [
            {
                "bin": f"{b.low:.1f}–{b.high:.1f}",
                "count": b.count,
                "confidence": b.confidence,
                "accuracy": b.accuracy,
            }
            for b in self.bins
            if b.count
        ]


def _as_arrays(
    probabilities: ArrayLike, labels: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.int_]]:
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(labels).astype(int)
    if p.ndim != 2 or len(p) != len(y) or len(y) == 0:
        raise ValueError(
            f"need probabilities of shape (n, classes) and n labels; got {p.shape} and {y.shape}"
        )
    return p, y


def reliability(
    probabilities: ArrayLike, labels: ArrayLike, n_bins: int = DEFAULT_BINS
) -> Reliability:
    """Top-label reliability over ``n_bins`` equal-width confidence bins, binned exactly as
    scikit-learn's ``calibration_curve(strategy="uniform")`` bins (a test holds them equal)."""
    p, y = _as_arrays(probabilities, labels)
    confidence = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], confidence)
    bins = []
    ece = 0.0
    for i in range(n_bins):
        inside = ids == i
        count = int(inside.sum())
        conf = float(confidence[inside].mean()) if count else float("nan")
        acc = float(correct[inside].mean()) if count else float("nan")
        if count:
            ece += count / len(y) * abs(acc - conf)
        bins.append(ReliabilityBin(float(edges[i]), float(edges[i + 1]), count, conf, acc))
    return Reliability(tuple(bins), ece, float(correct.mean()), float(confidence.mean()))


def with_temperature(probabilities: ArrayLike, temperature: float) -> NDArray[np.float64]:
    """softmax(log p / T): the same as dividing the logits by T, since log-softmax differs
    from the logits by one constant per row."""
    if temperature <= 0:
        raise ValueError(f"temperature must be positive; got {temperature!r}")
    logits = np.log(np.clip(np.asarray(probabilities, dtype=np.float64), 1e-12, 1.0))
    scaled = logits / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


def negative_log_likelihood(probabilities: ArrayLike, labels: ArrayLike) -> float:
    p, y = _as_arrays(probabilities, labels)
    return float(-np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1.0)).mean())


def fit_temperature(probabilities: ArrayLike, labels: ArrayLike) -> float:
    """The T that minimises the negative log-likelihood of ``labels`` (fit it on validation,
    judge it on test: fitted and judged on one set, it flatters itself)."""
    p, y = _as_arrays(probabilities, labels)
    low, high = np.log(TEMPERATURE_RANGE[0]), np.log(TEMPERATURE_RANGE[1])
    found = minimize_scalar(
        lambda log_t: negative_log_likelihood(with_temperature(p, float(np.exp(log_t))), y),
        bounds=(low, high),
        method="bounded",
        options={"xatol": 1e-4},
    )
    return float(np.exp(found.x))


@dataclass(frozen=True)
class CalibrationReport:
    """Before and after temperature scaling, on validation (where T is fitted) and test."""

    temperature: float
    val_before: Reliability
    val_after: Reliability
    test_before: Reliability
    test_after: Reliability
    test_nll_before: float
    test_nll_after: float


def calibration_report(
    val_probabilities: ArrayLike,
    val_labels: ArrayLike,
    test_probabilities: ArrayLike,
    test_labels: ArrayLike,
    n_bins: int = DEFAULT_BINS,
) -> CalibrationReport:
    temperature = fit_temperature(val_probabilities, val_labels)
    val_scaled = with_temperature(val_probabilities, temperature)
    test_scaled = with_temperature(test_probabilities, temperature)
    return CalibrationReport(
        temperature,
        reliability(val_probabilities, val_labels, n_bins),
        reliability(val_scaled, val_labels, n_bins),
        reliability(test_probabilities, test_labels, n_bins),
        reliability(test_scaled, test_labels, n_bins),
        negative_log_likelihood(test_probabilities, test_labels),
        negative_log_likelihood(test_scaled, test_labels),
    )
