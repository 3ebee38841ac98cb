"""Small, fast, deterministic scikit-learn experiments that the metric lessons run live."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.datasets import load_digits
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier

from engine.metrics import BinaryCounts

DIGIT_CLASSES = np.arange(10)


def _digits() -> tuple[NDArray[np.float64], NDArray[np.int_]]:
    images, labels = load_digits(return_X_y=True)
    return images / 16.0, labels  # pixel values 0-16 → 0-1 keeps the MLP's steps sane


@dataclass(frozen=True)
class EpochRecord:
    """One epoch of a real training run: loss (cross-entropy) and accuracy on both splits."""

    epoch: int
    train_loss: float
    val_loss: float
    train_accuracy: float
    val_accuracy: float


@dataclass(frozen=True)
class CurveConfig:
    """The overfitting run the lessons show (the lessons quote these numbers)."""

    epochs: int = 80
    train_size: int = 200  # few examples: easy to memorise
    val_size: int = 400
    label_noise: float = 0.2  # share of training labels replaced by a random digit
    seed: int = 0

    @property
    def relabelled(self) -> int:
        return round(self.label_noise * self.train_size)


def learning_curves(config: CurveConfig = CurveConfig()) -> list[EpochRecord]:
    """Train a small MLP on few, partly mislabelled digits and record every epoch.

    Few examples plus noisy labels give the network something to memorise, so training
    loss keeps falling while validation loss turns upward: overfitting you can watch.
    """
    seed = config.seed
    images, labels = _digits()
    x_train, x_val, y_train, y_val = train_test_split(
        images,
        labels,
        train_size=config.train_size,
        test_size=config.val_size,
        random_state=seed,
        stratify=labels,
    )
    rng = np.random.default_rng(seed)
    y_train = y_train.copy()
    flipped = rng.choice(len(y_train), config.relabelled, replace=False)
    y_train[flipped] = rng.integers(0, 10, len(flipped))
    model = MLPClassifier(
        hidden_layer_sizes=(128,),
        alpha=0.0,
        learning_rate_init=0.005,
        batch_size=32,
        random_state=seed,
    )
    history = []
    for epoch in range(1, config.epochs + 1):
        model.partial_fit(x_train, y_train, classes=DIGIT_CLASSES)
        # One forward pass per split serves both the loss and the accuracy.
        train_proba, val_proba = model.predict_proba(x_train), model.predict_proba(x_val)
        history.append(
            EpochRecord(
                epoch=epoch,
                train_loss=float(log_loss(y_train, train_proba, labels=DIGIT_CLASSES)),
                val_loss=float(log_loss(y_val, val_proba, labels=DIGIT_CLASSES)),
                train_accuracy=float(accuracy_score(y_train, train_proba.argmax(axis=1))),
                val_accuracy=float(accuracy_score(y_val, val_proba.argmax(axis=1))),
            )
        )
    return history


def best_epoch(history: list[EpochRecord]) -> EpochRecord:
    """The epoch with the lowest validation loss (where early stopping would keep weights)."""
    return min(history, key=lambda record: record.val_loss)


@dataclass(frozen=True)
class LeakageResult:
    """Accuracy on a test set that partly leaked into training vs on truly unseen data."""

    leak_fraction: float
    leaked_rows: int
    leaky_test_accuracy: float
    clean_holdout_accuracy: float


def leakage_demo(leak_fraction: float, seed: int = 0) -> LeakageResult:
    """Fit a decision tree on digits after copying part of the test set into training.

    A fully grown tree memorises what it saw, so every leaked test row is scored right:
    the test score climbs with the leak while a separate, untouched hold-out stays put.
    """
    if not 0.0 <= leak_fraction <= 1.0:
        raise ValueError(f"leak_fraction must lie in [0, 1], got {leak_fraction}.")
    images, labels = _digits()
    x_train, x_rest, y_train, y_rest = train_test_split(
        images, labels, train_size=0.5, random_state=seed, stratify=labels
    )
    x_test, x_clean, y_test, y_clean = train_test_split(
        x_rest, y_rest, train_size=0.5, random_state=seed, stratify=y_rest
    )
    leaked = round(leak_fraction * len(y_test))
    model = DecisionTreeClassifier(random_state=seed).fit(
        np.vstack([x_train, x_test[:leaked]]), np.concatenate([y_train, y_test[:leaked]])
    )
    return LeakageResult(
        leak_fraction=leak_fraction,
        leaked_rows=leaked,
        leaky_test_accuracy=float(accuracy_score(y_test, model.predict(x_test))),
        clean_holdout_accuracy=float(accuracy_score(y_clean, model.predict(x_clean))),
    )


def rare_class_scores(seed: int = 0) -> tuple[NDArray[np.int_], NDArray[np.float64]]:
    """Held-out labels and predicted probabilities for "is this digit an 8?" (~10 % positive)."""
    images, labels = _digits()
    is_eight = (labels == 8).astype(int)
    # A small training set keeps the scores imperfect, so thresholds visibly trade off.
    x_train, x_test, y_train, y_test = train_test_split(
        images, is_eight, train_size=150, random_state=seed, stratify=is_eight
    )
    model = LogisticRegression(max_iter=1000).fit(x_train, y_train)
    return y_test, model.predict_proba(x_test)[:, 1]


def counts_at_threshold(
    y_true: NDArray[np.int_], scores: NDArray[np.float64], threshold: float
) -> BinaryCounts:
    """Counts when every score at or above the threshold is called positive."""
    predicted = (scores >= threshold).astype(int)
    (tn, fp), (fn, tp) = confusion_matrix(y_true, predicted, labels=[0, 1])
    return BinaryCounts(tp=int(tp), fp=int(fp), tn=int(tn), fn=int(fn))


def noisy_line_points(
    n: int = 20, seed: int = 0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Fixed points scattered around y = 2x + 1 on x in [0, 5]."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 5.0, n))
    return x, 2.0 * x + 1.0 + rng.normal(0.0, 1.5, n)


def least_squares_line(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[float, float]:
    """(slope, intercept) that minimise MSE, from scikit-learn's LinearRegression."""
    model = LinearRegression().fit(x.reshape(-1, 1), y)
    return float(model.coef_[0]), float(model.intercept_)
