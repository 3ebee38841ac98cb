"""Three freezing mistakes, run for real so the lesson shows what PyTorch actually does."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from engine.lab.data import Split, TaskKind, load_task, source_eval_split
from engine.lab.device import DEFAULT_TRAIN_THREADS, torch_threads
from engine.lab.freeze import BatchNormMode, build_model, preset_plan, set_train_mode
from engine.lab.model import SmallResNet
from engine.lab.train import source_accuracy


@dataclass(frozen=True)
class NothingTrainable:
    backward_error: str  # what loss.backward() raises when no parameter requires grad
    optimizer_error: str  # what the optimizer raises when given the (empty) trainable list


@dataclass(frozen=True)
class StaleOptimizer:
    losses_stale: list[float]  # optimizer built before model.fc was replaced
    losses_fixed: list[float]  # optimizer built after the replacement
    new_head_in_stale_optimizer: bool


@dataclass(frozen=True)
class FrozenBatchNormDrift:
    source_accuracy_before: float
    source_accuracy_bn_eval: float  # frozen BN kept in eval mode
    source_accuracy_bn_train: float  # frozen BN left in train mode
    running_mean_change_bn_eval: float  # mean |Δ running_mean| over frozen BN layers
    running_mean_change_bn_train: float
    # The other side of the trade-off: accuracy on the digits' validation split (eval mode).
    target_accuracy_bn_eval: float
    target_accuracy_bn_train: float


def nothing_trainable(pretrained: SmallResNet) -> NothingTrainable:
    """Freeze every parameter (and forget to add a new head), then try to train."""
    model = copy.deepcopy(pretrained)
    for p in model.parameters():
        p.requires_grad = False
    images = torch.zeros(2, 3, 32, 32)
    loss = F.cross_entropy(model(images), torch.tensor([0, 1]))
    try:
        loss.backward()
    except RuntimeError as err:
        backward_error = str(err)
    else:  # pragma: no cover - PyTorch has always raised here
        backward_error = ""
    try:
        torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=0.01)
    except ValueError as err:
        optimizer_error = str(err)
    else:  # pragma: no cover
        optimizer_error = ""
    return NothingTrainable(backward_error, optimizer_error)


def _head_only_losses(
    model: SmallResNet, optimizer: torch.optim.Optimizer, batch: Split, steps: int
):
    model.eval()  # frozen backbone, BatchNorm kept fixed: only the optimizer can change the loss
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(batch.images), batch.labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@torch_threads(DEFAULT_TRAIN_THREADS)
def stale_optimizer(
    pretrained: SmallResNet, steps: int = 8, train_size: int = 50
) -> StaleOptimizer:
    """Build the optimizer, *then* replace ``fc``: the new head's weights were never handed to
    it, so nothing that can learn is ever stepped and the loss does not move."""
    batch = load_task(TaskKind.DIGITS, train_size).train

    def frozen_copy() -> SmallResNet:
        torch.manual_seed(0)
        model = copy.deepcopy(pretrained)
        for p in model.parameters():
            p.requires_grad = False
        return model

    stale = frozen_copy()
    optimizer = torch.optim.AdamW(stale.parameters(), lr=0.01)  # holds the *old* fc's tensors
    stale.fc = nn.Linear(stale.fc.in_features, 10)
    in_optimizer = {id(p) for group in optimizer.param_groups for p in group["params"]}
    head_included = any(id(p) in in_optimizer for p in stale.fc.parameters())
    losses_stale = _head_only_losses(stale, optimizer, batch, steps)

    fixed = frozen_copy()
    fixed.fc = nn.Linear(fixed.fc.in_features, 10)
    optimizer = torch.optim.AdamW([p for p in fixed.parameters() if p.requires_grad], lr=0.01)
    losses_fixed = _head_only_losses(fixed, optimizer, batch, steps)
    return StaleOptimizer(losses_stale, losses_fixed, head_included)


@torch_threads(DEFAULT_TRAIN_THREADS)
def frozen_batchnorm_drift(
    pretrained: SmallResNet, epochs: int = 2, train_size: int = 200
) -> FrozenBatchNormDrift:
    """Linear probe twice: frozen BatchNorm in eval mode, then left in train mode. Only the head
    has gradients both times, yet train mode rewrites the running statistics with digit
    statistics, and the source task (through the original head) suffers, while the digits
    (the target task) may gain from statistics that now match them: a trade-off."""
    data = load_task(TaskKind.DIGITS, train_size)
    source = source_eval_split()
    outcome: dict[BatchNormMode, tuple[float, float, float]] = {}
    for mode in BatchNormMode:
        plan = preset_plan("linear_probe", frozen_bn=mode)
        model = build_model(plan, pretrained, 10, seed=0)
        before = {k: v.clone() for k, v in model.state_dict().items() if "running_mean" in k}
        optimizer = torch.optim.AdamW(model.fc.parameters(), lr=plan.head_lr)
        generator = torch.Generator().manual_seed(0)
        for _ in range(epochs):
            set_train_mode(model, plan)
            order = torch.randperm(len(data.train), generator=generator)
            for i in range(0, len(order), 32):
                idx = order[i : i + 32]
                loss = F.cross_entropy(model(data.train.images[idx]), data.train.labels[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        after = model.state_dict()
        change = torch.stack([(after[k] - v).abs().mean() for k, v in before.items()]).mean()
        target = source_accuracy(model, data.val, torch.device("cpu"))  # the new digit head
        model.fc = copy.deepcopy(pretrained.fc)
        outcome[mode] = (
            source_accuracy(model, source, torch.device("cpu")),
            float(change),
            target,
        )
    return FrozenBatchNormDrift(
        source_accuracy_before=source_accuracy(pretrained, source, torch.device("cpu")),
        source_accuracy_bn_eval=outcome[BatchNormMode.EVAL][0],
        source_accuracy_bn_train=outcome[BatchNormMode.TRAIN][0],
        running_mean_change_bn_eval=outcome[BatchNormMode.EVAL][1],
        running_mean_change_bn_train=outcome[BatchNormMode.TRAIN][1],
        target_accuracy_bn_eval=outcome[BatchNormMode.EVAL][2],
        target_accuracy_bn_train=outcome[BatchNormMode.TRAIN][2],
    )
