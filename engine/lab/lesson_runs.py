"""Real scores and curves for the threshold and good-vs-bad lessons, from the shipped model.

The maths that reads them (thresholds, costs, best epochs) lives in
engine.metrics.classification and
engine.metrics.training_curves: it does not care which model made the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.lab.config import FinetuneConfig, LrSchedule
from engine.lab.data import TaskKind
from engine.lab.freeze import Preset, preset_plan
from engine.lab.model import SmallResNet
from engine.lab.train import finetune
from engine.metrics.training_curves import EpochRecord

RARE_PROBE = FinetuneConfig(
    preset_plan(Preset.LINEAR_PROBE), task=TaskKind.RARE_EIGHT, train_size=200, epochs=20,
    measure_retention=False,
)  # fmt: skip
HEALTHY_RUN = FinetuneConfig(
    preset_plan(Preset.PARTIAL), train_size=200, epochs=20, measure_retention=False
)
# The same plan on a quarter of the data, 40 % of it mislabelled, and a learning rate that never
# decays: validation loss falls for a few epochs, then climbs steadily while the network
# memorises the wrong labels (training loss reaches ~0). 200 images dilute the noise too much:
# validation loss then only wobbles, with no clear turn to read.
OVERFITTING_RUN = FinetuneConfig(
    preset_plan(Preset.PARTIAL), train_size=50, epochs=30, measure_retention=False,
    schedule=LrSchedule.CONSTANT, label_noise=0.4,
)  # fmt: skip
STOP_PATIENCE = 3  # the early-stopping rule the good-vs-bad lesson judges a stop by


@dataclass(frozen=True)
class RareScores:
    """The probe's probability of "8" on both held-out splits: thresholds are chosen on the
    validation digits and reported on the test digits, never chosen on test."""

    labels: np.ndarray  # test split; 1 = the digit is an 8
    scores: np.ndarray  # test split: the model's probability of "8"
    val_labels: np.ndarray
    val_scores: np.ndarray


def rare_class_scores(pretrained: SmallResNet) -> RareScores:
    """A linear probe (cached features, ~1 s on CPU, deterministic) scoring the rare splits."""
    result = finetune(RARE_PROBE, pretrained)
    return RareScores(
        result.test_labels,
        result.test_probabilities[:, 1],
        result.val_labels,
        result.val_probabilities[:, 1],
    )


@dataclass(frozen=True)
class CurvePair:
    healthy: list[EpochRecord]
    overfitting: list[EpochRecord]
    healthy_best_epoch: int
    overfitting_best_epoch: int


def training_curves(pretrained: SmallResNet) -> CurvePair:
    """Two real runs: one that generalises and one that memorises noisy labels."""
    healthy = finetune(HEALTHY_RUN, pretrained)
    overfitting = finetune(OVERFITTING_RUN, pretrained)
    return CurvePair(
        healthy.history, overfitting.history, healthy.best_epoch, overfitting.best_epoch
    )
