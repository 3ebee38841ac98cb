"""What a lab run is: its strategy, data, budget, schedule and seed, checked when it is made.

A leaf of the lab: training (train.py), the executors, the run store's keys and the wire
format all read a FinetuneConfig, and none of them is needed to make or check one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum

from engine.lab.data import TaskKind, check_train_size
from engine.lab.device import DEFAULT_TRAIN_THREADS, DEVICES
from engine.lab.freeze import BatchNormMode, FreezePlan

MAX_EPOCHS = 60
BATCH_SIZES: tuple[int, ...] = (16, 32, 64, 128)


class Imbalance(StrEnum):
    """How training treats a rare class (the "is it an 8?" task has one 8 in ten)."""

    NONE = "none"
    CLASS_WEIGHTS = "class_weights"  # each class's loss weighted by n / (classes × its count)
    RESAMPLE = "resample"  # draw each epoch's examples with replacement, classes equally likely


class LrSchedule(StrEnum):
    COSINE = "cosine"  # decays to zero by the last step: calmer end, hides overfitting somewhat
    CONSTANT = "constant"


@dataclass(frozen=True)
class FinetuneConfig:
    plan: FreezePlan
    task: TaskKind = TaskKind.DIGITS
    train_size: int = 200  # one of TRAIN_SIZES
    epochs: int = 10
    batch_size: int = 32
    seed: int = 0
    device: str = "auto"
    measure_retention: bool = True
    # A frozen backbone in eval mode computes the same features every epoch: compute them once.
    cache_features: bool = True
    schedule: LrSchedule = LrSchedule.COSINE
    # Fraction of training labels replaced by a wrong class (seeded): memorising them is the
    # textbook way to overfit, and the validation loss shows it.
    label_noise: float = 0.0
    threads: int = DEFAULT_TRAIN_THREADS  # torch intra-op threads while this run trains
    # Early stopping: stop after this many epochs without a new lowest validation loss, and
    # restore the weights of the best epoch. None trains every epoch and keeps the last weights.
    patience: int | None = None
    # Linear warm-up: the learning rate climbs from 1/steps to the schedule's over these epochs,
    # so a randomly initialised head does not push large, noisy gradients into the backbone.
    warmup_epochs: int = 0
    imbalance: Imbalance = Imbalance.NONE

    def __post_init__(self) -> None:
        check_train_size(self.train_size)
        if not 1 <= self.epochs <= MAX_EPOCHS:
            raise ValueError(f"epochs must be between 1 and {MAX_EPOCHS}; got {self.epochs!r}")
        if self.batch_size not in BATCH_SIZES:
            allowed = ", ".join(map(str, BATCH_SIZES))
            raise ValueError(f"batch_size must be one of {allowed}; got {self.batch_size!r}")
        if self.device not in DEVICES:
            raise ValueError(f"device must be one of {', '.join(DEVICES)}; got {self.device!r}")
        if not 1 <= self.threads <= (os.cpu_count() or 1):
            raise ValueError(
                f"threads must be between 1 and {os.cpu_count()}; got {self.threads!r}"
            )
        if self.patience is not None and not 1 <= self.patience <= MAX_EPOCHS:
            raise ValueError(
                f"patience must be between 1 and {MAX_EPOCHS} epochs; got {self.patience!r}"
            )
        if not 0 <= self.warmup_epochs < self.epochs:
            raise ValueError(
                f"warmup_epochs must be between 0 and epochs - 1 ({self.epochs - 1}); "
                f"got {self.warmup_epochs!r}"
            )
        if not 0 <= self.label_noise <= 0.5:
            raise ValueError(f"label_noise must be between 0 and 0.5; got {self.label_noise!r}")

    @property
    def uses_cached_features(self) -> bool:
        return (
            self.cache_features
            and self.plan.backbone_frozen
            and self.plan.frozen_bn is BatchNormMode.EVAL
        )
