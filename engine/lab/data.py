"""Target tasks: scikit-learn's digits as 32×32 RGB with fixed splits; the rare 'is it an 8?'."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from engine.lab.source import SOURCE_TEST_SEED, make_source_dataset

# Fixed split of the 1 797 digits: 397 test, 200 validation, a pool of 1 200 to train from.
TEST_SIZE, VAL_SIZE, TRAIN_POOL_SIZE = 397, 200, 1200
TRAIN_SIZES: tuple[int, ...] = (50, 200, 500, TRAIN_POOL_SIZE)
SPLIT_SEED = 0
RARE_POSITIVE_DIGIT = 8
SOURCE_EVAL_IMAGES = 1000
# Both tasks are normalised with the same fixed constants the source task was trained with.
PIXEL_MEAN, PIXEL_STD = 0.5, 0.25


class TaskKind(StrEnum):
    DIGITS = "digits"
    RARE_EIGHT = "rare_eight"


@dataclass(frozen=True)
class Split:
    """Normalised images (n, 3, 32, 32) and integer labels (n,)."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class TaskData:
    train: Split
    val: Split
    test: Split
    class_names: tuple[str, ...]


def normalize(images: torch.Tensor) -> torch.Tensor:
    return (images - PIXEL_MEAN) / PIXEL_STD


@functools.lru_cache(maxsize=1)
def _digit_pool() -> tuple[torch.Tensor, torch.Tensor, dict[str, np.ndarray]]:
    digits = load_digits()
    pixels = torch.from_numpy(digits.images.astype(np.float32) / 16.0).unsqueeze(1)
    # 8×8 → 32×32 so the digits match the input size the backbone was pretrained on.
    pixels = F.interpolate(pixels, size=32, mode="bilinear", align_corners=False).clamp(0, 1)
    images = normalize(pixels.repeat(1, 3, 1, 1).contiguous())
    labels = torch.from_numpy(digits.target.astype(np.int64))
    everything = np.arange(len(labels))
    pool, test = train_test_split(
        everything, test_size=TEST_SIZE, stratify=digits.target, random_state=SPLIT_SEED
    )
    train, val = train_test_split(
        pool, test_size=VAL_SIZE, stratify=digits.target[pool], random_state=SPLIT_SEED
    )
    return images, labels, {"train": train, "val": val, "test": test}


def stratified_subset(labels: torch.Tensor, n: int, seed: int) -> np.ndarray:
    """Sorted indices of ``n`` items with every class as equally represented as possible."""
    if n >= len(labels):
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    y = labels.numpy()
    classes = np.unique(y)
    chosen = [rng.choice(np.flatnonzero(y == c), n // len(classes), replace=False) for c in classes]
    picked = np.concatenate(chosen)
    rest = np.setdiff1d(np.arange(len(y)), picked)
    picked = np.concatenate([picked, rng.choice(rest, n - len(picked), replace=False)])
    return np.sort(picked)


def class_names(task: TaskKind) -> tuple[str, ...]:
    """The task's classes in label order: ten digits, or 'not 8' (0) and '8' (1)."""
    if TaskKind(task) is TaskKind.RARE_EIGHT:
        return ("not 8", str(RARE_POSITIVE_DIGIT))
    return tuple(str(d) for d in range(10))


def check_train_size(train_size: int) -> None:
    if train_size not in TRAIN_SIZES:
        allowed = ", ".join(str(s) for s in TRAIN_SIZES)
        raise ValueError(
            f"train_size must be one of {allowed} ({TRAIN_POOL_SIZE} = all); got {train_size!r}"
        )


def split_indices(train_size: int, seed: int) -> dict[str, np.ndarray]:
    """Indices into scikit-learn's ``load_digits()`` of the training subset ``load_task``
    draws for this size and seed, and of the fixed validation and test items: what lets a
    baseline fit on exactly the same digits as a run."""
    check_train_size(train_size)
    _images, labels, index = _digit_pool()
    train = index["train"][stratified_subset(labels[index["train"]], train_size, seed)]
    return {"train": train, "val": index["val"], "test": index["test"]}


def load_task(task: TaskKind, train_size: int = 200, seed: int = 0) -> TaskData:
    """The digits task (10 classes) or 'is it an 8?' (2 classes, ~10 % positives).

    The training subset is stratified on the ten digits in both cases, so the rare task keeps
    its natural ~10 % of eights however small the subset is.
    """
    check_train_size(train_size)
    images, labels, index = _digit_pool()
    train_idx = index["train"][stratified_subset(labels[index["train"]], train_size, seed)]
    is_rare = TaskKind(task) is TaskKind.RARE_EIGHT
    targets = (labels == RARE_POSITIVE_DIGIT).long() if is_rare else labels

    def split(idx: np.ndarray) -> Split:
        t = torch.from_numpy(np.asarray(idx))
        return Split(images[t], targets[t])

    return TaskData(split(train_idx), split(index["val"]), split(index["test"]), class_names(task))


@functools.lru_cache(maxsize=1)
def source_eval_split() -> Split:
    """The fixed source-task test set that measures what the pretrained model still knows."""
    images, labels = make_source_dataset(SOURCE_EVAL_IMAGES, SOURCE_TEST_SEED)
    return Split(normalize(images), labels)
