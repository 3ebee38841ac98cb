"""Real test-set predictions for the evaluation lessons: linear probes on the shipped model.

A linear probe trains only the head on cached backbone features, so one run takes about a
second on a CPU and is deterministic: pages can afford to run it and tests can re-run it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from engine.lab.config import FinetuneConfig
from engine.lab.data import TaskKind
from engine.lab.freeze import Preset, preset_plan
from engine.lab.model import SmallResNet
from engine.lab.train import finetune

PROBE_EPOCHS = 20


@dataclass(frozen=True)
class ProbePredictions:
    """One run's answers on the fixed test split."""

    labels: NDArray[np.int_]
    probabilities: NDArray[np.float64]  # (n_test, n_classes)
    class_names: tuple[str, ...]

    @property
    def predicted(self) -> NDArray[np.int_]:
        return self.probabilities.argmax(axis=1)

    @property
    def correct(self) -> NDArray[np.bool_]:
        return self.predicted == self.labels

    @property
    def accuracy(self) -> float:
        return float(self.correct.mean())


def probe_predictions(
    pretrained: SmallResNet | None,
    task: TaskKind = TaskKind.DIGITS,
    train_size: int = 200,
    seed: int = 0,
) -> ProbePredictions:
    """A linear probe trained on ``train_size`` images, scored on the test digits."""
    config = FinetuneConfig(
        preset_plan(Preset.LINEAR_PROBE),
        task=task,
        train_size=train_size,
        epochs=PROBE_EPOCHS,
        seed=seed,
        measure_retention=False,
    )
    result = finetune(config, pretrained)
    return ProbePredictions(
        np.asarray(result.test_labels), np.asarray(result.test_probabilities), result.class_names
    )
