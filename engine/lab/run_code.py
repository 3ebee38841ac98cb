"""run_code(config): the whole run as plain PyTorch a learner can copy, schedule included.

``plan_code`` shows what a plan freezes; a run is more than that: the learning rate moves at
every step (linear warm-up, then cosine decay to zero over *all planned* epochs, so changing
the epochs changes the whole path), and early stopping keeps the best epoch's weights. Leave
any of that out and the copied code does not reproduce the run. A test executes this script
and ``finetune`` on the same seed and holds their numbers together.

``learning_rates(config)`` is the schedule itself, step by step and group by group: the
page draws it, and it is the same function of the step the training loop applies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.lab.config import FinetuneConfig, Imbalance, LrSchedule
from engine.lab.data import TaskKind, class_names
from engine.lab.freeze import ALL_BLOCKS, BACKBONE_BLOCKS, HEAD, BatchNormMode
from engine.lab.model import SmallResNet
from engine.lab.plan_code import _optimizer_lines
from engine.lab.train import lr_factor, warmup_factor


def steps_per_epoch(config: FinetuneConfig) -> int:
    return math.ceil(config.train_size / config.batch_size)


def schedule_factor(step: int, config: FinetuneConfig) -> float:
    """The multiplier of every group's base rate at ``step`` (0-based), as finetune's."""
    per_epoch = steps_per_epoch(config)
    factor = 1.0
    if LrSchedule(config.schedule) is LrSchedule.COSINE:
        factor = lr_factor(step, config.epochs * per_epoch)
    return factor * warmup_factor(step, config.warmup_epochs * per_epoch)


@dataclass(frozen=True)
class ScheduledRate:
    step: int
    epoch: int
    group: str  # "head" or "backbone"
    learning_rate: float


def learning_rates(config: FinetuneConfig) -> list[ScheduledRate]:
    """The learning rate of each optimizer group at every planned step; a group exists only
    while its blocks train (LP-FT's backbone from its first thawed epoch)."""
    plan, per_epoch = config.plan, steps_per_epoch(config)
    rates = []
    for epoch in range(1, config.epochs + 1):
        trainable = plan.trainable_at(epoch)
        groups = []
        if HEAD in trainable:
            groups.append(("head", plan.head_lr))
        if trainable - {HEAD}:
            groups.append(("backbone", plan.backbone_lr))
        for b in range(per_epoch):
            step = (epoch - 1) * per_epoch + b
            factor = schedule_factor(step, config)
            rates += [ScheduledRate(step, epoch, name, lr * factor) for name, lr in groups]
    return rates


def schedule_summary(config: FinetuneConfig) -> str:
    """The schedule in one sentence, as the page says it beside the chart."""
    steps = config.epochs * steps_per_epoch(config)
    parts = [f"{steps} steps ({config.epochs} epochs × {steps_per_epoch(config)} batches)"]
    if config.warmup_epochs:
        parts.append(f"linear warm-up over the first {config.warmup_epochs} epoch(s)")
    if LrSchedule(config.schedule) is LrSchedule.COSINE:
        parts.append(
            "then cosine decay to zero at the last planned step: change the epochs and the "
            "whole path changes"
        )
    else:
        parts.append("then constant")
    if config.patience is not None:
        parts.append(
            f"early stopping (patience {config.patience}) may end the run before the rate "
            "reaches zero"
        )
    return "; ".join(parts) + "."


def run_code(config: FinetuneConfig) -> str:
    """A self-contained script that trains ``config`` as ``finetune`` does and leaves the
    scores in ``metrics``. It loads the lab's data and checkpoint through the engine (the
    only TuneLab imports); everything that trains is plain PyTorch."""
    plan = config.plan
    n_classes = len(class_names(config.task))

    def ref(block: str) -> str:
        return f"model.{SmallResNet.head_name if block == HEAD else block}"

    lines = [
        "import copy",
        "import math",
        "",
        "import torch",
        "import torch.nn.functional as F",
        "from sklearn.metrics import f1_score",
        "from torch import nn",
        "",
        "from engine.lab.checkpoint import load_pretrained",
        "from engine.lab.data import load_task",
        "",
        f"seed = {config.seed}",
        f'data = load_task("{TaskKind(config.task).value}", '
        f"train_size={config.train_size}, seed=seed)",
        "pretrained = load_pretrained().model",
        "torch.manual_seed(seed)  # the new head's first weights",
    ]
    if plan.pretrained:
        lines += [
            "model = copy.deepcopy(pretrained)",
            "# Freeze everything first, then swap in a new head for the new classes:",
            "# a freshly built layer's parameters have requires_grad=True.",
            "for p in model.parameters():",
            "    p.requires_grad = False",
            f"{ref(HEAD)} = nn.Linear({ref(HEAD)}.in_features, {n_classes})",
        ]
    else:
        lines += [
            "# Same architecture, random weights: nothing is transferred.",
            f"model = type(pretrained)({n_classes}, pretrained.widths)",
        ]
    start = plan.trainable_at(1)
    for block in [b for b in BACKBONE_BLOCKS if b in start] if plan.pretrained else []:
        lines += [f"for p in {ref(block)}.parameters():", "    p.requires_grad = True"]
    for block in [b for b in ALL_BLOCKS if b not in start]:
        if block == HEAD or not plan.pretrained:
            lines += [f"for p in {ref(block)}.parameters():", "    p.requires_grad = False"]
    lines += ["", *_optimizer_lines(plan, ref), ""]
    lines += _data_lines(config, n_classes)
    lines += _schedule_lines(config)
    lines += _loop_lines(config)
    return "\n".join(lines) + "\n"


def _data_lines(config: FinetuneConfig, n_classes: int) -> list[str]:
    lines = [
        "train_x, train_y = data.train.images, data.train.labels",
        "val_x, val_y = data.val.images, data.val.labels",
    ]
    if config.label_noise:
        lines += [
            "from engine.metrics.training_curves import with_label_noise",
            "",
            f"noisy = with_label_noise(train_y.numpy(), {config.label_noise}, {n_classes}, "
            "10_000 + seed)",
            "train_y = torch.from_numpy(noisy)",
        ]
    imbalance = Imbalance(config.imbalance)
    if imbalance is not Imbalance.NONE:
        lines += [
            "# scikit-learn's class_weight='balanced': n / (classes × count)",
            f"counts = torch.bincount(train_y, minlength={n_classes}).clamp(min=1).float()",
            f"balanced = len(train_y) / ({n_classes} * counts)",
        ]
    lines.append(
        "class_weight = balanced" if imbalance is Imbalance.CLASS_WEIGHTS else "class_weight = None"
    )
    return lines


def _schedule_lines(config: FinetuneConfig) -> list[str]:
    cosine = LrSchedule(config.schedule) is LrSchedule.COSINE
    lines = [
        "",
        f"epochs, batch_size, patience = {config.epochs}, {config.batch_size}, {config.patience}",
        "steps_per_epoch = math.ceil(len(train_y) / batch_size)",
        "total_steps = epochs * steps_per_epoch",
        f"warmup_steps = {config.warmup_epochs} * steps_per_epoch",
        "",
        "",
        "def lr_factor(step):",
        '    """Linear warm-up, then cosine decay to 0 at the last planned step."""',
        "    warm = min(1.0, (step + 1) / warmup_steps) if warmup_steps else 1.0",
    ]
    if cosine:
        lines.append("    return warm * 0.5 * (1 + math.cos(math.pi * step / max(1, total_steps)))")
    else:
        lines.append("    return warm  # constant after the warm-up")
    return [*lines, ""]


def _loop_lines(config: FinetuneConfig) -> list[str]:
    plan = config.plan
    thaw = {
        epoch: [
            b for b in ALL_BLOCKS if b in plan.trainable_at(epoch) - plan.trainable_at(epoch - 1)
        ]
        for epoch in range(2, config.epochs + 1)
    }
    thaw = {epoch: blocks for epoch, blocks in thaw.items() if blocks}
    frozen_eval = plan.frozen_bn is BatchNormMode.EVAL
    attribute = {b: SmallResNet.head_name if b == HEAD else b for b in ALL_BLOCKS}
    thawed = {epoch: [attribute[b] for b in blocks] for epoch, blocks in thaw.items()}
    frozen = [attribute[b] for b in ALL_BLOCKS if b not in plan.trainable_at(1)]
    lines = [
        "",
        "# Gradual unfreezing / LP-FT: the blocks thawed at the start of these epochs.",
        f"unfreeze_at = {thawed!r}",
        f"frozen = {frozen!r}  # blocks without gradients right now",
        "generator = torch.Generator().manual_seed(seed)  # the batch order",
        "step, best_loss, best_state, best_epoch = 0, math.inf, None, 0",
        "",
        "for epoch in range(1, epochs + 1):",
        "    for name in unfreeze_at.get(epoch, []):",
        "        block = getattr(model, name)",
        "        for p in block.parameters():",
        "            p.requires_grad = True",
        "        frozen.remove(name)",
        "        optimizer.add_param_group(",
        f'            {{"params": list(block.parameters()), "lr": {plan.backbone_lr}}}',
        "        )",
        "    model.train()",
    ]
    if frozen_eval:
        lines += [
            "    for name in frozen:  # frozen BatchNorm keeps its pretrained statistics",
            "        getattr(model, name).eval()",
        ]
    elif frozen:
        lines.append("    # Frozen blocks stay in train mode: their BatchNorm statistics drift.")
    if Imbalance(config.imbalance) is Imbalance.RESAMPLE:
        lines += [
            "    # Resampling: as many draws as examples, each class equally likely.",
            "    order = torch.multinomial(balanced[train_y], len(train_y), True, "
            "generator=generator)",
        ]
    else:
        lines.append("    order = torch.randperm(len(train_y), generator=generator)")
    lines += [
        "    epoch_x, epoch_y = train_x[order], train_y[order]",
        "    for b in range(steps_per_epoch):",
        "        for group in optimizer.param_groups:  # the schedule, at every step",
        '            group.setdefault("base_lr", group["lr"])',
        '            group["lr"] = group["base_lr"] * lr_factor(step)',
        "        rows = slice(b * batch_size, (b + 1) * batch_size)",
        "        loss = F.cross_entropy(model(epoch_x[rows]), epoch_y[rows], weight=class_weight)",
        "        optimizer.zero_grad(set_to_none=True)",
        "        loss.backward()",
        "        optimizer.step()",
        "        step += 1",
        "    model.eval()",
        "    with torch.no_grad():",
        "        val_loss = F.cross_entropy(model(val_x), val_y).item()",
    ]
    if config.patience is not None:
        lines += [
            "    # Early stopping: keep the weights (BatchNorm statistics too) of the lowest",
            "    # validation loss; stop after `patience` epochs without a new lowest.",
            "    if val_loss < best_loss:",
            "        best_loss, best_epoch = val_loss, epoch",
            "        best_state = copy.deepcopy(model.state_dict())",
            "    if epoch - best_epoch >= patience:",
            "        break",
            "",
            "model.load_state_dict(best_state)",
        ]
    lines += [
        "model.eval()",
        "with torch.no_grad():",
        "    val_predicted = model(val_x).argmax(1)",
        "    test_predicted = model(data.test.images).argmax(1)",
        "metrics = {",
        '    "val_accuracy": (val_predicted == val_y).float().mean().item(),',
        '    "val_macro_f1": f1_score(val_y, val_predicted, average="macro", zero_division=0),',
        '    "test_accuracy": (test_predicted == data.test.labels).float().mean().item(),',
        '    "epochs_trained": epoch,',
        "}",
        "print(metrics)",
    ]
    return lines
