"""The learning-rate range test (Smith, 2017): raise the rate every step, watch the loss.

About 100 steps, the rate growing geometrically from 1e-5 to 1: the loss sits still while the
rate is too small, falls where it is useful and blows up where it is too big. A common pick is
the rate of the steepest fall of the smoothed loss (a bit below the minimum's rate, which is
already near the edge). It is a heuristic read off one noisy run of a model that changes as it
goes: a place to start a validation sweep, not a replacement for one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engine.lab.data import TaskKind, load_task
from engine.lab.freeze import WEIGHT_DECAY, Preset, build_model, preset_plan, set_train_mode
from engine.lab.model import SmallResNet
from engine.lab.train import predict_logits

START_LR, END_LR, STEPS = 1e-5, 1.0, 100
BATCH_SIZE = 32
SMOOTHING = 0.9  # exponential moving average of the loss, bias-corrected (as fastai's)
DIVERGED = 4.0  # stop once the smoothed loss is this many times its minimum


@dataclass(frozen=True)
class LrRange:
    learning_rates: tuple[float, ...]
    losses: tuple[float, ...]  # the raw loss of each step's batch
    smoothed: tuple[float, ...]
    steepest_lr: float  # where the smoothed loss falls fastest against log(rate)
    minimum_lr: float  # where the smoothed loss is lowest
    diverged: bool  # stopped early: the loss blew up

    def as_records(self) -> list[dict[str, float]]:
        return [
            {"learning rate": lr, "loss": raw, "smoothed loss": smooth}
            for lr, raw, smooth in zip(self.learning_rates, self.losses, self.smoothed, strict=True)
        ]


def sweep(
    forward: Callable[[torch.Tensor], torch.Tensor],
    parameters: list[nn.Parameter],
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    steps: int = STEPS,
    start: float = START_LR,
    end: float = END_LR,
    seed: int = 0,
) -> LrRange:
    """One AdamW step per batch at rates start..end (geometric), cycling through shuffled data."""
    optimizer = torch.optim.AdamW(parameters, lr=start, weight_decay=WEIGHT_DECAY)
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(y), generator=generator)
    rates, losses, smoothed = [], [], []
    average, best = 0.0, math.inf
    diverged = False
    for step in range(steps):
        lr = start * (end / start) ** (step / (steps - 1))
        for group in optimizer.param_groups:
            group["lr"] = lr
        first = (step * BATCH_SIZE) % len(y)
        rows = order[first : first + BATCH_SIZE]
        loss = F.cross_entropy(forward(x[rows]), y[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        value = loss.item()
        average = SMOOTHING * average + (1 - SMOOTHING) * value
        smooth = average / (1 - SMOOTHING ** (step + 1))
        rates.append(lr)
        losses.append(value)
        smoothed.append(smooth)
        best = min(best, smooth)
        if not math.isfinite(smooth) or smooth > DIVERGED * best:
            diverged = True
            break
    curve = np.asarray(smoothed)
    lowest = int(np.argmin(curve))
    return LrRange(
        tuple(rates),
        tuple(losses),
        tuple(smoothed),
        steepest_lr=rates[steepest_index(curve, np.log(rates), lowest)],
        minimum_lr=rates[lowest],
        diverged=diverged,
    )


def steepest_index(curve: np.ndarray, log_rates: np.ndarray, lowest: int) -> int:
    """Where the smoothed loss falls fastest on the way down to its minimum, the first tenth
    of the steps left out (the moving average is still settling there, as fastai skips)."""
    skip = len(curve) // 10
    if lowest - skip < 2:
        return lowest
    slope = np.gradient(curve[skip : lowest + 1], log_rates[skip : lowest + 1])
    return skip + int(np.argmin(slope))


def probe_range(
    pretrained: SmallResNet, train_size: int = 200, seed: int = 0, steps: int = STEPS
) -> LrRange:
    """The test for a linear probe on cached features of the frozen backbone (well under 1 s)."""
    data = load_task(TaskKind.DIGITS, train_size, seed)
    model = build_model(preset_plan(Preset.LINEAR_PROBE), pretrained, len(data.class_names), seed)
    model.eval()
    features = predict_logits(model.features, data.train.images)
    return sweep(
        model.head,
        list(model.head.parameters()),
        features,
        data.train.labels,
        steps=steps,
        seed=seed,
    )


def partial_range(
    pretrained: SmallResNet, train_size: int = 200, seed: int = 0, steps: int = STEPS
) -> LrRange:
    """The test for the partial plan (layer4 + head): images through the network each step."""
    data = load_task(TaskKind.DIGITS, train_size, seed)
    plan = preset_plan(Preset.PARTIAL)
    model = build_model(plan, pretrained, len(data.class_names), seed)
    set_train_mode(model, plan)
    trainable = [p for p in model.parameters() if p.requires_grad]
    return sweep(model, trainable, data.train.images, data.train.labels, steps=steps, seed=seed)
