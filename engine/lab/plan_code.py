"""plan_code(plan): the plain PyTorch that realises a FreezePlan on a variable called ``model``."""

from __future__ import annotations

from engine.lab.freeze import (
    ALL_BLOCKS,
    BACKBONE_BLOCKS,
    HEAD,
    WEIGHT_DECAY,
    BatchNormMode,
    FreezePlan,
)
from engine.lab.model import SmallResNet


def plan_code(plan: FreezePlan, num_classes: int = 10, epochs: int = 10) -> str:
    """Code that, run on the pretrained ``model``, trains the same parameters as ``finetune``
    in every epoch: it freezes, builds the optimizer, then loops over ``epochs``, thawing
    blocks (gradual unfreezing) and setting BatchNorm modes as ``set_train_mode`` does, and
    calls ``train_one_epoch(model, optimizer)``, the learner's own pass over the batches.
    A test executes it on torchvision's ``resnet18`` and checks every epoch."""

    def ref(block: str) -> str:
        return f"model.{SmallResNet.head_name if block == HEAD else block}"

    lines = ["import torch", "from torch import nn", ""]
    if not plan.pretrained:
        lines += [
            "from engine.lab.model import SmallResNet",
            "",
            "# Same architecture, random weights: nothing is transferred.",
            f"model = SmallResNet(num_classes={num_classes})",
        ]
    else:
        lines += [
            "# Freeze everything first, then swap in a new head for the new classes:",
            "# a freshly built layer's parameters have requires_grad=True.",
            "for p in model.parameters():",
            "    p.requires_grad = False",
            f"{ref(HEAD)} = nn.Linear({ref(HEAD)}.in_features, {num_classes})",
        ]
    start = plan.trainable_at(1)
    thawed = [b for b in BACKBONE_BLOCKS if b in start] if plan.pretrained else []
    if thawed:
        lines += ["", "# Unfreeze the blocks this plan trains."]
        for block in thawed:
            lines += [f"for p in {ref(block)}.parameters():", "    p.requires_grad = True"]
    frozen = [b for b in ALL_BLOCKS if b not in start]
    # Pretrained blocks are already frozen above; only a frozen *new* head needs saying so.
    if HEAD in frozen and plan.pretrained:
        lines += ["", "# This plan keeps even the new head frozen."]
        for block in [HEAD]:
            lines += [f"for p in {ref(block)}.parameters():", "    p.requires_grad = False"]
    lines += [""]
    lines += _optimizer_lines(plan, ref)
    lines += _epoch_loop_lines(plan, frozen, epochs)
    return "\n".join(lines) + "\n"


def _optimizer_lines(plan: FreezePlan, ref) -> list[str]:
    start = plan.trainable_at(1)
    if plan.head_lr == plan.backbone_lr or not (start - {HEAD}) or HEAD not in start:
        lr = plan.head_lr if HEAD in start else plan.backbone_lr
        return [
            "# Only parameters that need gradients go to the optimizer.",
            "trainable = [p for p in model.parameters() if p.requires_grad]",
            f"optimizer = torch.optim.AdamW(trainable, lr={lr}, weight_decay={WEIGHT_DECAY})",
        ]
    return [
        "# Discriminative learning rates: big steps for the new head, small for the backbone.",
        f"head = list({ref(HEAD)}.parameters())",
        "head_ids = {id(p) for p in head}",
        "backbone = [p for p in model.parameters() if p.requires_grad and id(p) not in head_ids]",
        "optimizer = torch.optim.AdamW(",
        "    [",
        f'        {{"params": head, "lr": {plan.head_lr}}},',
        f'        {{"params": backbone, "lr": {plan.backbone_lr}}},',
        "    ],",
        f"    weight_decay={WEIGHT_DECAY},",
        ")",
    ]


def _epoch_loop_lines(plan: FreezePlan, frozen: list[str], epochs: int) -> list[str]:
    schedule = {
        epoch: [
            b for b in ALL_BLOCKS if b in plan.trainable_at(epoch) - plan.trainable_at(epoch - 1)
        ]
        for epoch in range(2, epochs + 1)
    }
    schedule = {epoch: blocks for epoch, blocks in schedule.items() if blocks}
    gradual = bool(schedule)
    keep_bn = plan.frozen_bn is BatchNormMode.EVAL and bool(frozen)
    lines = [""]
    if gradual:
        how = "the whole backbone at once (LP-FT)" if plan.probe_epochs else "top down"
        lines += [
            f"# Unfreezing: at the start of these epochs thaw more blocks, {how},",
            "# and hand their parameters to the optimizer as a new group.",
            f"unfreeze_at = {schedule!r}",
        ]
    if gradual or keep_bn:
        names = [SmallResNet.head_name if b == HEAD else b for b in frozen]
        lines += ["# Blocks without gradients right now:", f"frozen = {names!r}"]
    lines += ["", f"for epoch in range(1, {epochs} + 1):"]
    if gradual:
        lines += [
            "    for name in unfreeze_at.get(epoch, []):",
            "        block = getattr(model, name)",
            "        for p in block.parameters():",
            "            p.requires_grad = True",
            "        optimizer.add_param_group(",
            f'            {{"params": list(block.parameters()), "lr": {plan.backbone_lr}}}',
            "        )",
            "        frozen.remove(name)",
        ]
    lines += ["    model.train()"]
    if keep_bn:
        lines += [
            "    # Frozen blocks' BatchNorm keeps its pretrained running statistics",
            "    # (a block thawed above trains, BatchNorm included, from now on):",
            "    for name in frozen:",
            "        getattr(model, name).eval()",
        ]
    elif frozen and plan.frozen_bn is BatchNormMode.TRAIN:
        lines += ["    # Frozen blocks stay in train mode: their BatchNorm statistics drift."]
    lines += ["    train_one_epoch(model, optimizer)  # your pass over the training batches"]
    return lines
