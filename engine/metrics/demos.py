"""Small, fast, deterministic scikit-learn experiments that the metric lessons run live."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.datasets import load_digits
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier

from engine.metrics.training_curves import EpochRecord, with_label_noise

DIGIT_CLASSES = np.arange(10)


def _digits() -> tuple[NDArray[np.float64], NDArray[np.int_]]:
    images, labels = load_digits(return_X_y=True)
    return images / 16.0, labels  # pixel values 0-16 → 0-1 keeps the MLP's steps sane


@dataclass(frozen=True)
class CurveConfig:
    """The overfitting run the lessons show (the lessons quote these numbers)."""

    epochs: int = 80
    train_size: int = 200  # few examples: easy to memorise
    val_size: int = 400
    label_noise: float = 0.2  # share of training labels replaced by a wrong digit
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
    y_train = with_label_noise(y_train, config.label_noise, len(DIGIT_CLASSES), seed)
    model = MLPClassifier(
        hidden_layer_sizes=(128,),
        alpha=0.0,
        learning_rate_init=0.005,
        batch_size=32,
        random_state=seed,
    )
    history = []
    started = time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        epoch_start = time.perf_counter()
        model.partial_fit(x_train, y_train, classes=DIGIT_CLASSES)
        epoch_s = time.perf_counter() - epoch_start
        # One forward pass per split serves both the loss and the accuracy.
        train_proba, val_proba = model.predict_proba(x_train), model.predict_proba(x_val)
        val_predicted = val_proba.argmax(axis=1)
        history.append(
            EpochRecord(
                epoch=epoch,
                train_loss=float(log_loss(y_train, train_proba, labels=DIGIT_CLASSES)),
                val_loss=float(log_loss(y_val, val_proba, labels=DIGIT_CLASSES)),
                val_accuracy=float(accuracy_score(y_val, val_predicted)),
                val_macro_f1=float(f1_score(y_val, val_predicted, average="macro")),
                elapsed_s=time.perf_counter() - started,
                epoch_s=epoch_s,
                trainable_scalars=sum(w.size for w in [*model.coefs_, *model.intercepts_]),
                train_accuracy=float(accuracy_score(y_train, train_proba.argmax(axis=1))),
            )
        )
    return history


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
