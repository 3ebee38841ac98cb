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


@dataclass(frozen=True)
class PatienceStop:
    """Where early stopping with a patience rule ends a run, and the weights it keeps."""

    kept: EpochRecord  # the lowest validation loss seen before the run stopped
    stopped_at: int  # the last epoch trained: ``patience`` epochs after ``kept`` at most


def patience_stop(history: Sequence[EpochRecord], patience: int) -> PatienceStop:
    """Replay early stopping over ``history``: stop once ``patience`` epochs in a row bring no
    new lowest validation loss, and keep the weights of that lowest epoch (the rule finetune
    applies while training)."""
    if patience < 1:
        raise ValueError(f"patience must be 1 or more, got {patience}.")
    if not history:
        raise ValueError("No epoch ran, so there is nowhere to stop.")
    kept = history[0]
    for record in history:
        if record.val_loss < kept.val_loss:
            kept = record
        if record.epoch - kept.epoch >= patience:
            return PatienceStop(kept, record.epoch)
    return PatienceStop(kept, history[-1].epoch)


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
