"""Augmentation reaches training batches only, and moves each image by its own amount."""

from __future__ import annotations

import torch

from engine.lab.augmentation import BACKGROUND, random_affine
from engine.lab.config import FinetuneConfig
from engine.lab.freeze import preset_plan
from engine.lab.model import SmallResNet
from engine.lab.train import finetune


def test_each_image_gets_its_own_rotation_and_uncovered_corners_are_background():
    torch.manual_seed(0)
    image = torch.full((3, 32, 32), 1.0)
    batch = torch.stack([image] * 4)
    out = random_affine(degrees=30, shift=0.0)(batch)
    assert out.shape == batch.shape
    assert not torch.equal(out[0], out[1])
    assert torch.isclose(out, torch.tensor(BACKGROUND)).any()  # uncovered corners


def test_only_training_batches_pass_through_the_augmentation():
    seen: list[int] = []

    def recording(batch: torch.Tensor) -> torch.Tensor:
        seen.append(len(batch))
        return batch

    torch.manual_seed(0)
    config = FinetuneConfig(
        preset_plan("linear_probe"), train_size=50, epochs=2, measure_retention=False
    )
    result = finetune(config, SmallResNet(8).eval(), augment=recording)
    assert sum(seen) == 2 * 50  # every training image each epoch, no validation or test image
    assert max(seen) <= config.batch_size
    assert not result.used_cached_features  # augmented images need the backbone every step
