"""What a run reports (per-epoch records, scikit-learn metrics, confusion matrix, retention)
and how the lab lays several runs side by side."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    recall_score,
)

from engine.lab.config import FinetuneConfig
from engine.metrics.training_curves import EpochRecord


@dataclass(frozen=True)
class BatchProgress:
    epoch: int
    batch: int
    batches_per_epoch: int
    epochs: int

    @property
    def fraction(self) -> float:
        done = (self.epoch - 1) * self.batches_per_epoch + self.batch
        return done / (self.epochs * self.batches_per_epoch)


@dataclass(frozen=True)
class ClassMetrics:
    name: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Retention:
    """Source-task accuracy before and after fine-tuning, read two ways: through the original
    head (``before``/``after``) and by a probe re-fitted on the features (``probe_*``)."""

    before: float
    after: float
    probe_before: float | None = None
    probe_after: float | None = None

    @property
    def kept(self) -> float:
        return self.after / self.before if self.before else 0.0


@dataclass
class RunResult:
    history: list[EpochRecord]
    best_epoch: int  # lowest validation loss; 0 when the run stopped before one epoch
    # The epoch whose weights every figure below was measured with (test scores, retention):
    # the best epoch when early stopping restored it, otherwise the last epoch trained.
    weights_epoch: int
    restored_best: bool  # early stopping was on and put the best epoch's weights back
    stopped_early: bool  # patience ran out before the last planned epoch
    val_accuracy: float
    val_macro_f1: float
    test_accuracy: float
    test_macro_precision: float
    test_macro_recall: float
    test_macro_f1: float
    per_class: list[ClassMetrics]
    confusion: list[list[int]]  # rows = true class, columns = predicted (scikit-learn)
    class_names: tuple[str, ...]
    retention: Retention | None
    device: str
    used_cached_features: bool
    cancelled: bool
    seconds_per_epoch: float  # median of the epochs' training time
    total_s: float
    test_probabilities: np.ndarray = field(repr=False)  # (n_test, n_classes) softmax
    test_labels: np.ndarray = field(repr=False)
    # The same for the validation split: what a threshold (or any other choice) is tuned on.
    val_probabilities: np.ndarray = field(default_factory=lambda: np.empty((0, 0)), repr=False)
    val_labels: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int), repr=False)
    model: Any = field(default=None, repr=False)  # the fine-tuned SmallResNet (learner's own)


def classification_report(
    labels: np.ndarray, predicted: np.ndarray, class_names: tuple[str, ...]
) -> tuple[list[ClassMetrics], list[list[int]], tuple[float, float, float]]:
    """Per-class metrics, confusion matrix and macro (precision, recall, F1), all scikit-learn."""
    ids = list(range(len(class_names)))
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=ids, zero_division=0
    )
    per_class = [
        ClassMetrics(name, float(p), float(r), float(f), int(s))
        for name, p, r, f, s in zip(class_names, precision, recall, f1, support, strict=True)
    ]
    matrix = confusion_matrix(labels, predicted, labels=ids).tolist()
    macro = (float(np.mean(precision)), float(np.mean(recall)), float(np.mean(f1)))
    return per_class, matrix, macro


def macro_f1(labels: torch.Tensor, logits: torch.Tensor) -> float:
    return float(
        f1_score(
            labels.cpu().numpy(), logits.argmax(1).cpu().numpy(), average="macro", zero_division=0
        )
    )


def accuracy(labels: torch.Tensor, logits: torch.Tensor) -> float:
    return float((logits.argmax(1) == labels).float().mean())


@dataclass(frozen=True)
class LabRun:
    """One finished run as a lab session keeps it: its label, what was asked, what came back.

    The result should carry no model: a fine-tuned copy is ~2.5 MB, and a classroom of
    sessions keeping every run's copy would grow without bound.
    """

    label: str  # e.g. "#3 Partial (layer4 + head)"; the number is never reused in a session
    config: FinetuneConfig
    result: RunResult


@dataclass(frozen=True)
class RareClassScores:
    """How a two-class run finds the rare class on validation: recall at the default
    threshold (argmax), and average precision over every threshold (scikit-learn)."""

    recall: float
    average_precision: float


def rare_class_validation(result: RunResult) -> RareClassScores | None:
    """The rare class's validation scores, or None when the task is not two-class."""
    if result.val_probabilities.shape[1:] != (2,):
        return None
    scores = result.val_probabilities[:, 1]
    return RareClassScores(
        recall=float(recall_score(result.val_labels, result.val_probabilities.argmax(1))),
        average_precision=float(average_precision_score(result.val_labels, scores)),
    )


def weights_label(result: RunResult) -> str:
    """Which weights a run's figures were measured with, in words."""
    if result.restored_best:
        return f"epoch {result.weights_epoch} (best, restored)"
    return f"epoch {result.weights_epoch} (last)"


def runs_table(
    runs: Sequence[LabRun], revealed: Collection[str] = ()
) -> list[dict[str, str | int | float | None]]:
    """One row per run, in the order given, compared on validation. A run's test accuracy
    appears only once its label is in ``revealed``: choosing among runs by test score would
    make that score a tuned number, not an estimate."""
    return [
        {
            "run": run.label,
            "task": run.config.task.value,
            "train images": run.config.train_size,
            "epochs": len(run.result.history),
            "weights from": weights_label(run.result),
            "trainable": run.result.history[-1].trainable_scalars if run.result.history else 0,
            "validation accuracy": round(run.result.val_accuracy, 3),
            "validation macro-F1": round(run.result.val_macro_f1, 3),
            "validation recall (rare)": _rounded(rare.recall if rare else None),
            "validation AP (rare)": _rounded(rare.average_precision if rare else None),
            "glyphs (original head)": _rounded(retention.after if retention else None),
            "glyphs (re-fitted probe)": _rounded(retention.probe_after if retention else None),
            "s/epoch": round(run.result.seconds_per_epoch, 3),
            "test accuracy": (
                round(run.result.test_accuracy, 3) if run.label in revealed else None
            ),
        }
        for run in runs
        for retention in [run.result.retention]
        for rare in [rare_class_validation(run.result)]
    ]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def validation_losses(runs: Sequence[LabRun]) -> list[dict[str, str | int | float]]:
    """Every run's validation loss per epoch, long format (run, epoch, validation loss)."""
    return [
        {"run": run.label, "epoch": record.epoch, "validation loss": record.val_loss}
        for run in runs
        for record in run.result.history
    ]
