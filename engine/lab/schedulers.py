"""PyTorch's common learning-rate schedulers, stepped once per epoch, for the lab to draw.

``StepLR`` multiplies the rate by ``gamma`` every ``step_size`` epochs; ``ExponentialLR``
multiplies it by ``gamma`` every epoch; ``CosineAnnealingLR`` follows half a cosine from the
base rate to ``eta_min`` (0 here) over ``T_max`` epochs. The values come from the schedulers
themselves, stepped on a throwaway optimizer, so the chart is what PyTorch does.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

Scheduler = torch.optim.lr_scheduler.LRScheduler


def _rates(
    make: Callable[[torch.optim.Optimizer], Scheduler], base_lr: float, epochs: int
) -> list[float]:
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base_lr)
    scheduler = make(optimizer)
    rates = []
    for _ in range(epochs):
        rates.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
    return rates


def scheduler_curves(
    base_lr: float = 0.01,
    epochs: int = 30,
    step_size: int = 10,
    step_gamma: float = 0.1,
    exponential_gamma: float = 0.9,
) -> dict[str, list[float]]:
    """The rate at the start of each epoch (0-based) under each scheduler."""
    lr = torch.optim.lr_scheduler
    return {
        f"StepLR(step_size={step_size}, gamma={step_gamma:g})": _rates(
            lambda o: lr.StepLR(o, step_size=step_size, gamma=step_gamma), base_lr, epochs
        ),
        f"ExponentialLR(gamma={exponential_gamma:g})": _rates(
            lambda o: lr.ExponentialLR(o, gamma=exponential_gamma), base_lr, epochs
        ),
        f"CosineAnnealingLR(T_max={epochs})": _rates(
            lambda o: lr.CosineAnnealingLR(o, T_max=epochs), base_lr, epochs
        ),
    }
