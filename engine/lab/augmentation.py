"""Augmentation with torchvision.transforms.v2, on training batches only.

Small rotations and shifts make new training digits from old ones. They go to the training
batches and nowhere else: validation and test must be the images as they are, or the scores
stop measuring the model on real data. The classic leak runs the other way: augmented copies
of a test image in the training set let the model see the test digit, slightly moved.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from engine.lab.config import FinetuneConfig
from engine.lab.data import PIXEL_MEAN, PIXEL_STD
from engine.lab.freeze import Preset
from engine.lab.model import SmallResNet
from engine.lab.train import BatchAugment, finetune
from engine.lab.tuning import tuned_plan

BACKGROUND = -PIXEL_MEAN / PIXEL_STD  # a black pixel after the lab's normalisation
DEGREES, SHIFT = 10.0, 0.1  # ±10°, up to a tenth of the image each way
AUGMENT_EPOCHS = 8


def random_affine(degrees: float = DEGREES, shift: float = SHIFT) -> BatchAugment:
    """Each image of a batch rotated and shifted by its own random amount (v2.RandomAffine
    draws one setting per call, so it is called once per image); the corners it uncovers
    are filled with the background."""
    from torchvision.transforms import v2

    transform = v2.RandomAffine(degrees=degrees, translate=(shift, shift), fill=BACKGROUND)

    def augment(batch: torch.Tensor) -> torch.Tensor:
        return torch.stack([transform(image) for image in batch])

    return augment


@dataclass(frozen=True)
class AugmentRun:
    train_size: int
    seed: int
    augmented: bool
    val_accuracy: float
    seconds: float


def augment_run(
    pretrained: SmallResNet,
    *,
    train_size: int,
    seed: int,
    augmented: bool,
    preset: Preset = Preset.PARTIAL,
    epochs: int = AUGMENT_EPOCHS,
) -> AugmentRun:
    """One run of ``preset`` at its tuned rates, with or without augmentation."""
    started = time.perf_counter()
    config = FinetuneConfig(
        tuned_plan(preset),
        train_size=train_size,
        epochs=epochs,
        seed=seed,
        measure_retention=False,
    )
    result = finetune(config, pretrained, augment=random_affine() if augmented else None)
    return AugmentRun(
        train_size, seed, augmented, result.val_accuracy, time.perf_counter() - started
    )
