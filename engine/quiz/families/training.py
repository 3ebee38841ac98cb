"""Fine-tuning set-ups PyTorch counts: trainable tensors and scalars, learning-rate schedules."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from engine.lab.model import BACKBONE_BLOCKS, SmallResNet
from engine.quiz.families.core import Draft, Generator, IntRange, NumericKey, OneOf, redraw

WIDTHS = {"8/16/32/64": (8, 16, 32, 64), "16/32/64/128": (16, 32, 64, 128),
          "32/64/128/256": (32, 64, 128, 256)}  # fmt: skip
# "Train from layer3" trains layer3, layer4 and the head; everything before stays frozen.
TRAIN_FROM = ("layer2", "layer3", "layer4", "fc")


def meta_resnet(widths: str, blocks_per_stage: int, num_classes: int) -> SmallResNet:
    """The lab's architecture with shapes only (the meta device): no memory, no init cost."""
    with torch.device("meta"):
        return SmallResNet(num_classes, WIDTHS[widths], blocks_per_stage)


def freeze_from(model: SmallResNet, train_from: str) -> None:
    """requires_grad=False on every block before `train_from`, as the lab's plans do."""
    frozen = BACKBONE_BLOCKS[: BACKBONE_BLOCKS.index(train_from)] if train_from != "fc" else (
        BACKBONE_BLOCKS
    )
    for block in frozen:
        getattr(model, block).requires_grad_(False)


def _freeze_counts(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    model = meta_resnet(p["widths"], p["blocks_per_stage"], p["num_classes"])
    freeze_from(model, p["train_from"])
    trainable = [t for t in model.parameters() if t.requires_grad]
    tensors, scalars = len(trainable), sum(t.numel() for t in trainable)
    head = list(model.fc.parameters())
    all_tensors = list(model.parameters())
    trained_blocks = [model.fc] + [
        getattr(model, b) for b in BACKBONE_BLOCKS if any(
            t.requires_grad for t in getattr(model, b).parameters())
    ]
    buffers = sum(b.numel() for block in trained_blocks for b in block.buffers())
    modules = sum(
        1 for m in model.modules()
        if any(t.requires_grad for t in m.parameters(recurse=False))
    )
    if p["ask"] == "tensors":
        answer, unit = tensors, "tensors"
        mistakes = [
            ("forgot-the-head", tensors - len(head), "The new head (fc.weight, fc.bias) "
             "trains too."),
            ("counted-whole-model", len(all_tensors), "That counts frozen tensors as well."),
            ("counted-modules", modules, "That counts layers; a layer such as a convolution "
             "with a bias holds two tensors."),
        ]
    else:
        answer, unit = scalars, "scalars"
        mistakes = [
            ("counted-tensors-not-scalars", tensors, "That is the number of tensors; each "
             "holds many scalars (numel)."),
            ("counted-whole-model", sum(t.numel() for t in all_tensors),
             "That counts the frozen scalars as well."),
            ("counted-buffers", scalars + buffers, "BatchNorm's running mean and variance are "
             "buffers, not parameters: no optimizer updates them."),
        ]
    return Draft(
        values={"widths": p["widths"], "blocks_per_stage": str(p["blocks_per_stage"]),
                "num_classes": str(p["num_classes"]), "train_from": p["train_from"],
                "tensors": str(tensors), "scalars": f"{scalars:,}"},
        numbers={"tensors": tensors, "scalars": scalars},
        answer=f"{answer:,}",
        answer_feedback=f"Right: {answer:,} trainable {unit}.",
        mistakes=[(name, f"{value:,}", text) for name, value, text in mistakes],
        numeric=NumericKey(float(answer), 0.0),
    )


FREEZE_COUNTS = Generator(
    name="freeze_counts",
    summary="A small ResNet frozen up to a block: how many trainable tensors or scalars.",
    lessons=("lab",),
    params=(
        OneOf("widths", tuple(WIDTHS), "channels per stage"),
        IntRange("blocks_per_stage", (1, 2), (1, 3), "BasicBlocks per stage"),
        IntRange("num_classes", (2, 20), (2, 1000), "classes of the new head"),
        OneOf("train_from", TRAIN_FROM, "first block that trains (fc: the head only)"),
        OneOf("ask", ("tensors", "scalars"), "what to count"),
    ),
    compute=_freeze_counts,
    library="torch (SmallResNet on the meta device, requires_grad, numel)",
)

BASE_LRS = ("0.1", "0.03", "0.01", "0.003", "0.001")


def lr_format(lr: float) -> str:
    return f"{lr:.4g}"


def scheduled_lrs(schedule: str, base_lr: float, epochs: int, step_size: int, gamma: float
                  ) -> list[float]:
    """The learning rate during each epoch 0..epochs, as PyTorch's scheduler sets it."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    scheduler: torch.optim.lr_scheduler.LRScheduler
    if schedule == "step":
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma)
    elif schedule == "exponential":
        scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma)
    else:
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    rates = [optimizer.param_groups[0]["lr"]]
    for _ in range(epochs):
        optimizer.step()
        scheduler.step()
        rates.append(optimizer.param_groups[0]["lr"])
    return rates


def _lr_schedule(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    base, gamma, schedule = float(p["base_lr"]), float(p["gamma"]), p["schedule"]
    epochs, step_size = p["epochs"], p["step_size"]
    epoch = int(rng.integers(2, epochs))  # 2..epochs-1: both neighbours exist
    rates = scheduled_lrs(schedule, base, epochs, step_size, gamma)
    answer = rates[epoch]
    if schedule == "step":
        mistakes = [
            ("decayed-every-epoch", base * gamma**epoch, "StepLR multiplies by gamma only "
             "every step_size epochs."),
            ("one-decay-too-many", base * gamma ** (epoch // step_size + 1), "Count the "
             "completed steps: epoch // step_size."),
        ]
    elif schedule == "exponential":
        mistakes = [
            ("one-step-too-few", rates[epoch - 1], "After epoch e the rate has been "
             "multiplied by gamma e times."),
            ("multiplied-once", base * gamma, "ExponentialLR multiplies once per epoch, "
             "not once in all."),
        ]
    else:
        mistakes = [
            ("linear-decay", base * (1 - epoch / epochs), "Cosine annealing follows half a "
             "cosine, not a straight line."),
            ("one-step-too-many", rates[epoch + 1], "Count the scheduler steps taken: one "
             "per finished epoch."),
        ]
    mistakes.append(("kept-base-lr", base, "The scheduler has changed the rate by then."))
    if answer <= 0:
        raise redraw()
    return Draft(
        values={"base_lr": p["base_lr"], "gamma": p["gamma"], "schedule": schedule,
                "epochs": str(epochs), "step_size": str(step_size), "epoch": str(epoch),
                "lr": lr_format(answer)},
        numbers={"lr": answer, "epoch": epoch},
        answer=lr_format(answer),
        answer_feedback=f"Right: after {epoch} epochs the rate is {lr_format(answer)}.",
        mistakes=[(name, lr_format(value), text) for name, value, text in mistakes],
        numeric=NumericKey(answer, abs(answer) * 0.005),
    )


LR_SCHEDULE = Generator(
    name="lr_schedule",
    summary="StepLR, ExponentialLR or CosineAnnealingLR: the learning rate after some epochs.",
    lessons=("lab",),
    params=(
        OneOf("base_lr", BASE_LRS, "the optimizer's starting learning rate"),
        OneOf("gamma", ("0.1", "0.5", "0.9"), "the decay factor (step, exponential)"),
        OneOf("schedule", ("step", "exponential", "cosine"), "the scheduler"),
        IntRange("epochs", (10, 30), (4, 200), "epochs of the run (cosine's T_max)"),
        IntRange("step_size", (3, 8), (1, 50), "StepLR's step_size"),
    ),
    compute=_lr_schedule,
    library="torch.optim.lr_scheduler StepLR, ExponentialLR, CosineAnnealingLR",
)
