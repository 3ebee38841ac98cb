"""The lab's "write this plan yourself": a code exercise whose checks are what the widgets'
FreezePlan says (which blocks train, their learning rates, frozen BatchNorm), so the
learner's own PyTorch is judged against the plan the lab would run."""

from __future__ import annotations

from typing import Any

from engine.codecheck.spec import CodeExercise
from engine.lab.freeze import ALL_BLOCKS, HEAD, BatchNormMode, FreezePlan
from engine.lab.model import SmallResNet

FUNCTION = "prepare"


def _prefix(block: str) -> str:
    return SmallResNet.head_name if block == HEAD else block


def plan_exercise(plan: FreezePlan) -> CodeExercise | None:
    """Checks for ``prepare(model)`` realising ``plan`` at its first epoch; None for a plan
    that starts from random weights (nothing to freeze, nothing to check against)."""
    if not plan.pretrained:
        return None
    trainable = plan.trainable_at(1)
    prefixes = [_prefix(b) for b in ALL_BLOCKS if b in trainable]
    rates = {
        _prefix(b): plan.head_lr if b == HEAD else plan.backbone_lr
        for b in ALL_BLOCKS
        if b in trainable
    }
    # The same data an instructor writes in a bank's `checks:`.
    checks: list[dict[str, Any]] = [
        {
            "check": "trainable_exactly",
            "name": f"Exactly the plan's blocks are trainable ({', '.join(prefixes) or 'none'})",
            "prefixes": prefixes,
        },
        {
            "check": "optimizer_holds_trainable",
            "name": "The optimizer holds the trainable parameters at the plan's learning rates",
            "learning_rates": rates,
        },
    ]
    if set(ALL_BLOCKS) - trainable:
        keep_stats = plan.frozen_bn is BatchNormMode.EVAL
        checks.append(
            {
                "check": "frozen_unchanged_after_step",
                "name": "Frozen blocks stay put during a training step"
                + (" (BatchNorm statistics too)" if keep_stats else ""),
                "batchnorm_statistics": keep_stats,
            }
        )
    return CodeExercise.model_validate(
        {"id": f"lab-plan-{plan.preset.value}", "function": FUNCTION, "checks": checks}
    )


STARTER_CODE = f"""import torch
from torch import nn


def {FUNCTION}(model):
    # `model` is the pretrained network with its new head (model.fc) already in place.
    # 1. Freeze what the plan freezes, train what it trains (requires_grad).
    # 2. model.train(); then treat frozen BatchNorm layers as the plan says.
    # 3. Return a torch.optim optimizer over the trainable parameters, with the
    #    plan's learning rates (parameter groups if the head and backbone differ).
    ...
"""
