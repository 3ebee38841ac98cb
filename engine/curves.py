"""Training curves, whoever draws them: one record per epoch, the best epoch, noisy labels.

The metric lessons train a small scikit-learn network and the lab fine-tunes a ResNet; both
report the same record, so a page, a chart or an early-stopping rule reads either run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class EpochRecord:
    """One epoch of a real training run, measured on the validation split after the epoch."""

    epoch: int
    train_loss: float  # cross-entropy, averaged over the epoch's training steps
    val_loss: float
    val_accuracy: float
    val_macro_f1: float
    # Timings measure the machine, not the run: two runs with the same numbers are equal.
    elapsed_s: float = field(compare=False)  # since the run started, setup included
    epoch_s: float = field(compare=False)  # this epoch's training steps alone
    trainable_scalars: int
    # Another pass over the training set: the small demos afford it, the lab does not.
    train_accuracy: float | None = None


def best_epoch(history: Sequence[EpochRecord]) -> EpochRecord:
    """The epoch with the lowest validation loss (the earliest on a tie): where early stopping
    would keep the weights."""
    if not history:
        raise ValueError("No epoch ran, so there is no best epoch.")
    return min(history, key=lambda record: (record.val_loss, record.epoch))


def acceptable_stop(history: Sequence[EpochRecord], epoch: int, tolerance: float = 0.05) -> bool:
    """An early-stopping pick is right if its validation loss is within tolerance of the best."""
    best = best_epoch(history)
    chosen = next(record for record in history if record.epoch == epoch)
    return chosen.val_loss <= best.val_loss * (1 + tolerance)


def with_label_noise(
    labels: NDArray[np.int_], share: float, n_classes: int, seed: int
) -> NDArray[np.int_]:
    """A copy of ``labels`` with ``round(share * n)`` of them moved to a different class.

    Memorising wrong labels is the textbook way to overfit: training loss keeps falling while
    validation loss does not. The same seed picks the same labels and the same wrong classes.
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must lie in [0, 1], got {share}.")
    # torch's generator, imported only here: these are the draws the lab's shipped curves (and
    # the numbers its lessons were checked against) were made with, and the metric lessons
    # that never train a network do not pay for importing torch.
    import torch

    generator = torch.Generator().manual_seed(seed)
    flipped = torch.randperm(len(labels), generator=generator)[: round(share * len(labels))]
    # A shift of 1 to n_classes - 1 never lands on the true class.
    shift = torch.randint(1, n_classes, (len(flipped),), generator=generator)
    rows = flipped.numpy()
    noisy = labels.copy()
    noisy[rows] = (labels[rows] + shift.numpy()) % n_classes
    return noisy
