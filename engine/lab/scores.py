"""Real scores and curves for the threshold and good-vs-bad lessons, from the shipped model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_curve

from engine.lab.data import TaskKind
from engine.lab.freeze import Preset, preset_plan
from engine.lab.model import SmallResNet
from engine.lab.results import EpochStats
from engine.lab.train import FinetuneConfig, LrSchedule, finetune

RARE_PROBE = FinetuneConfig(
    preset_plan(Preset.LINEAR_PROBE), task=TaskKind.RARE_EIGHT, train_size=200, epochs=20,
    measure_retention=False,
)  # fmt: skip
HEALTHY_RUN = FinetuneConfig(
    preset_plan(Preset.PARTIAL), train_size=200, epochs=20, measure_retention=False
)
# The same plan and data, but 40 % of the training labels are wrong and the learning rate never
# decays: the network memorises the noise, so training loss falls to ~0 while validation stalls.
OVERFITTING_RUN = FinetuneConfig(
    preset_plan(Preset.PARTIAL), train_size=200, epochs=30, measure_retention=False,
    schedule=LrSchedule.CONSTANT, label_noise=0.4,
)  # fmt: skip


@dataclass(frozen=True)
class RareScores:
    labels: np.ndarray  # 1 = the digit is an 8
    scores: np.ndarray  # the model's probability of "8"


@dataclass(frozen=True)
class ThresholdOutcome:
    threshold: float
    tn: int
    fp: int
    fn: int
    tp: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    def cost(self, cost_fp: float, cost_fn: float) -> float:
        return self.fp * cost_fp + self.fn * cost_fn


def rare_class_scores(pretrained: SmallResNet) -> RareScores:
    """A linear probe (cached features, ~1 s on CPU, deterministic) scoring the rare test split."""
    result = finetune(RARE_PROBE, pretrained)
    return RareScores(result.test_labels, result.test_probabilities[:, 1])


def outcome_at(labels: np.ndarray, scores: np.ndarray, threshold: float) -> ThresholdOutcome:
    """Predict "8" when score ≥ threshold; counts from scikit-learn's confusion matrix."""
    predicted = (scores >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(labels, predicted, labels=[0, 1]).ravel()
    return ThresholdOutcome(threshold, int(tn), int(fp), int(fn), int(tp))


def pr_curve(labels: np.ndarray, scores: np.ndarray) -> list[dict[str, float]]:
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    return [
        {"threshold": float(t), "precision": float(p), "recall": float(r)}
        for p, r, t in zip(precision[:-1], recall[:-1], thresholds, strict=True)
    ]


def cheapest_threshold(
    labels: np.ndarray, scores: np.ndarray, cost_fp: float, cost_fn: float
) -> ThresholdOutcome:
    """The threshold (among the scores themselves, plus 'never say 8') with the lowest total cost;
    on a tie the higher threshold wins, so fewer alarms are raised for the same price."""
    candidates = [*np.unique(scores).tolist(), float(np.nextafter(scores.max(), np.inf))]
    outcomes = [outcome_at(labels, scores, t) for t in candidates]
    return min(outcomes, key=lambda o: (o.cost(cost_fp, cost_fn), -o.threshold))


@dataclass(frozen=True)
class CurvePair:
    healthy: list[EpochStats]
    overfitting: list[EpochStats]
    healthy_best_epoch: int
    overfitting_best_epoch: int


def training_curves(pretrained: SmallResNet) -> CurvePair:
    """Two real runs: one that generalises and one that memorises noisy labels."""
    healthy = finetune(HEALTHY_RUN, pretrained)
    overfitting = finetune(OVERFITTING_RUN, pretrained)
    return CurvePair(
        healthy.history, overfitting.history, healthy.best_epoch, overfitting.best_epoch
    )


def acceptable_stop(history: list[EpochStats], epoch: int, tolerance: float = 0.05) -> bool:
    """An early-stopping pick is right if its validation loss is within tolerance of the best."""
    best = min(s.val_loss for s in history)
    chosen = next(s for s in history if s.epoch == epoch)
    return chosen.val_loss <= best * (1 + tolerance)


def _candidates(scores: np.ndarray, grid: float | None) -> np.ndarray:
    if grid is None:
        return np.unique(scores)
    return np.round(np.arange(0.0, 1.0 + grid / 2, grid), 6)


def _precision_recall_at(labels: np.ndarray, scores: np.ndarray, thresholds: np.ndarray):
    said_yes = scores[None, :] >= thresholds[:, None]
    tp = (said_yes & (labels[None, :] == 1)).sum(1)
    flagged = said_yes.sum(1)
    precision = np.divide(tp, flagged, out=np.zeros(len(thresholds)), where=flagged > 0)
    return precision, tp / max(int(labels.sum()), 1)


def threshold_for_precision(
    labels: np.ndarray, scores: np.ndarray, target: float, grid: float | None = None
) -> float:
    """The lowest threshold whose precision reaches ``target`` (most recall for that precision);
    candidates are the scores themselves, or multiples of ``grid`` (a slider's step)."""
    thresholds = _candidates(scores, grid)
    precision, _ = _precision_recall_at(labels, scores, thresholds)
    reaching = thresholds[precision >= target]
    return float(reaching.min()) if len(reaching) else float(thresholds.max())


def threshold_for_recall(
    labels: np.ndarray, scores: np.ndarray, target: float, grid: float | None = None
) -> float:
    """The highest threshold whose recall still reaches ``target`` (fewest false alarms)."""
    thresholds = _candidates(scores, grid)
    _, recall = _precision_recall_at(labels, scores, thresholds)
    reaching = thresholds[recall >= target]
    return float(reaching.max()) if len(reaching) else float(thresholds.min())
