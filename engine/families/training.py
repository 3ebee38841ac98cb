"""Fine-tuning set-ups PyTorch counts: trainable tensors and scalars, learning-rate schedules."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.families.core import Draft, Generator, IntRange, OneOf, keyed_draft, redraw

WIDTHS = {"8/16/32/64": (8, 16, 32, 64), "16/32/64/128": (16, 32, 64, 128),
          "32/64/128/256": (32, 64, 128, 256)}  # fmt: skip
# "Train from layer3" trains layer3, layer4 and the head; everything before stays frozen
# (requires_grad off), as the lab's partial plans do.
TRAIN_FROM = ("layer2", "layer3", "layer4", "fc")

# torch (and torchvision, for the lab's model) are imported where a variant is drawn, not
# when a bank loads: loading and checking a bank needs neither, and `engine validate` draws
# these families in its own process while workers draw the scikit-learn ones (saving the
# seconds torchvision's import costs each process).
if TYPE_CHECKING:
    from torch import nn


@dataclass(frozen=True)
class BlockCount:
    """What one top-level block of the model holds, as PyTorch reports it."""

    name: str
    tensors: int
    scalars: int
    buffer_scalars: int  # BatchNorm running statistics: updated by forward, not by the optimizer
    layers: int  # modules holding parameters directly (a conv, a BatchNorm, a Linear)


def _count(name: str, module: nn.Module) -> BlockCount:
    params = list(module.parameters())
    return BlockCount(
        name,
        len(params),
        sum(t.numel() for t in params),
        sum(b.numel() for b in module.buffers()),
        sum(1 for m in module.modules() if next(m.parameters(recurse=False), None) is not None),
    )


@functools.lru_cache(maxsize=32)
def backbone_counts(widths: str, blocks_per_stage: int) -> tuple[BlockCount, ...]:
    """Counts per backbone block of the lab's SmallResNet, built on the meta device (shapes
    only). Cached: the backbone does not depend on the head, and building costs milliseconds."""
    import torch

    from engine.lab.model import BACKBONE_BLOCKS, SmallResNet

    with torch.device("meta"):
        model = SmallResNet(2, WIDTHS[widths], blocks_per_stage)
    return tuple(_count(block, getattr(model, block)) for block in BACKBONE_BLOCKS)


def head_count(widths: str, num_classes: int) -> BlockCount:
    from torch import nn

    return _count("fc", nn.Linear(WIDTHS[widths][-1], num_classes, device="meta"))


def trainable_blocks(
    widths: str, blocks: int, classes: int, train_from: str
) -> tuple[list[BlockCount], list[BlockCount]]:
    """(trainable, frozen) blocks when every block before `train_from` has requires_grad off."""
    from engine.lab.model import BACKBONE_BLOCKS

    backbone = list(backbone_counts(widths, blocks))
    first = len(backbone) if train_from == "fc" else BACKBONE_BLOCKS.index(train_from)
    return [*backbone[first:], head_count(widths, classes)], backbone[:first]


def _count_text(count: float) -> str:
    return f"{count:,}"  # counts are whole numbers: 12,345


def _freeze_counts(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    trained, frozen = trainable_blocks(
        p["widths"], p["blocks_per_stage"], p["num_classes"], p["train_from"]
    )
    head = trained[-1]
    tensors = sum(b.tensors for b in trained)
    scalars = sum(b.scalars for b in trained)
    all_tensors = tensors + sum(b.tensors for b in frozen)
    all_scalars = scalars + sum(b.scalars for b in frozen)
    buffers = sum(b.buffer_scalars for b in trained)
    modules = sum(b.layers for b in trained)
    if p["ask"] == "tensors":
        answer, unit = tensors, "tensors"
        mistakes = [
            (
                "forgot-the-head",
                tensors - head.tensors,
                "The new head (fc.weight, fc.bias) trains too.",
            ),
            ("counted-whole-model", all_tensors, "That counts frozen tensors as well."),
            (
                "counted-layers",
                modules,
                "That counts layers; a layer such as BatchNorm "
                "holds two tensors (weight and bias).",
            ),
        ]
    else:
        answer, unit = scalars, "scalars"
        mistakes = [
            (
                "counted-tensors-not-scalars",
                tensors,
                "That is the number of tensors; each holds many scalars (numel).",
            ),
            ("counted-whole-model", all_scalars, "That counts the frozen scalars as well."),
            (
                "counted-buffers",
                scalars + buffers,
                "BatchNorm's running mean and variance are "
                "buffers, not parameters: no optimizer updates them.",
            ),
            ("forgot-the-head", scalars - head.scalars, "The new head trains too."),
        ]
    return keyed_draft(
        values={
            "widths": p["widths"],
            "blocks_per_stage": str(p["blocks_per_stage"]),
            "num_classes": str(p["num_classes"]),
            "train_from": p["train_from"],
            "tensors": str(tensors),
            "scalars": f"{scalars:,}",
        },
        numbers={"tensors": tensors, "scalars": scalars},
        key=answer,
        feedback=f"Right: {answer:,} trainable {unit}.",
        mistakes=mistakes,
        write=_count_text,
        tolerance=0.0,
    )


FREEZE_COUNTS = Generator(
    name="freeze_counts",
    summary="A small ResNet frozen up to a block: how many trainable tensors or scalars.",
    lessons=("lab", "freezing_pitfalls"),
    params=(
        OneOf("widths", tuple(WIDTHS), "channels per stage"),
        IntRange("blocks_per_stage", (1, 2), (1, 3), "BasicBlocks per stage"),
        IntRange("num_classes", (2, 20), (2, 1000), "classes of the new head"),
        OneOf("train_from", TRAIN_FROM, "first block that trains (fc: the head only)"),
        OneOf("ask", ("tensors", "scalars"), "what to count"),
    ),
    compute=_freeze_counts,
    library="torch (SmallResNet on the meta device, numel; tests freeze a real one)",
    value_names=frozenset(
        {"blocks_per_stage", "num_classes", "scalars", "tensors", "train_from", "widths"}
    ),
    mistake_names=frozenset(
        {
            "counted-buffers",
            "counted-layers",
            "counted-tensors-not-scalars",
            "counted-whole-model",
            "forgot-the-head",
        }
    ),
)

BASE_LRS = ("0.1", "0.03", "0.01", "0.003", "0.001")


def lr_format(lr: float) -> str:
    return f"{lr:.4g}"


def scheduled_lrs(
    schedule: str, base_lr: float, epochs: int, step_size: int, gamma: float
) -> list[float]:
    """The learning rate during each epoch 0..epochs, as PyTorch's scheduler sets it."""
    import torch

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
            (
                "decayed-every-epoch",
                base * gamma**epoch,
                "StepLR multiplies by gamma only every step_size epochs.",
            ),
            (
                "one-decay-too-many",
                base * gamma ** (epoch // step_size + 1),
                "Count the completed steps: epoch // step_size.",
            ),
        ]
    elif schedule == "exponential":
        mistakes = [
            (
                "one-step-too-few",
                rates[epoch - 1],
                "After epoch e the rate has been multiplied by gamma e times.",
            ),
            (
                "multiplied-once",
                base * gamma,
                "ExponentialLR multiplies once per epoch, not once in all.",
            ),
        ]
    else:
        mistakes = [
            (
                "linear-decay",
                base * (1 - epoch / epochs),
                "Cosine annealing follows half a cosine, not a straight line.",
            ),
            (
                "one-step-too-many",
                rates[epoch + 1],
                "Count the scheduler steps taken: one per finished epoch.",
            ),
        ]
    mistakes.append(("kept-base-lr", base, "The scheduler has changed the rate by then."))
    if answer <= 0:
        raise redraw()
    return keyed_draft(
        values={
            "base_lr": p["base_lr"],
            "gamma": p["gamma"],
            "schedule": schedule,
            "epochs": str(epochs),
            "step_size": str(step_size),
            "epoch": str(epoch),
            "lr": lr_format(answer),
        },
        numbers={"lr": answer, "epoch": epoch},
        key=answer,
        feedback=f"Right: after {epoch} epochs the rate is {lr_format(answer)}.",
        mistakes=mistakes,
        write=lr_format,
        tolerance=abs(answer) * 0.005,
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
    value_names=frozenset({"base_lr", "epoch", "epochs", "gamma", "lr", "schedule", "step_size"}),
    mistake_names=frozenset(
        {
            "decayed-every-epoch",
            "kept-base-lr",
            "linear-decay",
            "multiplied-once",
            "one-decay-too-many",
            "one-step-too-few",
            "one-step-too-many",
        }
    ),
)
