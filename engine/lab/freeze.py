"""FreezePlan: which blocks train, BatchNorm mode of frozen blocks, learning rates, presets."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from enum import StrEnum

import torch
from torch import nn

from engine.lab.model import BACKBONE_BLOCKS, SmallResNet

HEAD = "head"  # stands for the model's head, whatever the variant calls it (fc / classifier)
ALL_BLOCKS: tuple[str, ...] = (*BACKBONE_BLOCKS, HEAD)
# Gradual unfreezing thaws from the top down: the stem's conv1 and bn1 go together last.
GRADUAL_ORDER: tuple[tuple[str, ...], ...] = (
    ("layer4",),
    ("layer3",),
    ("layer2",),
    ("layer1",),
    ("conv1", "bn1"),
)
WEIGHT_DECAY = 1e-4


class Preset(StrEnum):
    LINEAR_PROBE = "linear_probe"
    PARTIAL = "partial"
    FULL = "full"
    DISCRIMINATIVE = "discriminative"
    GRADUAL = "gradual"
    LP_FT = "lp_ft"
    SCRATCH = "scratch"
    CUSTOM = "custom"


class BatchNormMode(StrEnum):
    """What BatchNorm inside *frozen* blocks does while the model trains."""

    EVAL = "eval"  # uses and keeps the pretrained running statistics
    TRAIN = "train"  # normalises with batch statistics and overwrites the running ones


PRESET_LABELS: dict[Preset, str] = {
    Preset.LINEAR_PROBE: "Linear probe (new head only)",
    Preset.PARTIAL: "Partial (layer4 + head)",
    Preset.FULL: "Full fine-tuning",
    Preset.DISCRIMINATIVE: "Discriminative learning rates",
    Preset.GRADUAL: "Gradual unfreezing",
    Preset.LP_FT: "Linear probe, then fine-tune (LP-FT)",
    Preset.SCRATCH: "From scratch (random init)",
    Preset.CUSTOM: "Custom (toggle blocks)",
}


@dataclass(frozen=True)
class FreezePlan:
    """A fine-tuning strategy. ``trainable`` names blocks from ALL_BLOCKS that get gradients
    (for gradual unfreezing: the blocks trainable once everything has thawed)."""

    preset: Preset
    trainable: frozenset[str]
    head_lr: float
    backbone_lr: float
    frozen_bn: BatchNormMode = BatchNormMode.EVAL
    pretrained: bool = True
    unfreeze_every: int = 0  # gradual only: epochs between thawing one more block
    # LP-FT: train only the head for this many epochs, then every block in ``trainable``.
    # A trained head first means the backbone's first fine-tuning steps follow useful
    # gradients instead of a random head's, which distorts pretrained features less.
    probe_epochs: int = 0

    def __post_init__(self) -> None:
        unknown = sorted(set(self.trainable) - set(ALL_BLOCKS))
        if unknown:
            raise ValueError(f"unknown block(s) {unknown}; allowed: {', '.join(ALL_BLOCKS)}")
        for name, lr in (("head_lr", self.head_lr), ("backbone_lr", self.backbone_lr)):
            if not 0 < lr <= 1:
                raise ValueError(f"{name} must be in (0, 1]; got {lr!r}")

    def trainable_at(self, epoch: int) -> frozenset[str]:
        """Blocks with gradients during ``epoch`` (1-based)."""
        if epoch <= self.probe_epochs:
            return frozenset({HEAD} & self.trainable)
        if not self.unfreeze_every:
            return self.trainable
        thawed = (epoch - 1) // self.unfreeze_every
        blocks = {HEAD} | {b for group in GRADUAL_ORDER[:thawed] for b in group}
        return frozenset(blocks & self.trainable)

    @property
    def backbone_frozen(self) -> bool:
        """True when no backbone block ever trains (the cached-features case, if BN is eval)."""
        return self.pretrained and not (self.trainable - {HEAD})


def preset_plan(preset: Preset | str, **overrides: object) -> FreezePlan:
    """The plan for a preset, with any field overridden (e.g. ``head_lr=0.03``)."""
    preset = Preset(preset)
    backbone = frozenset(BACKBONE_BLOCKS)
    plans = {
        Preset.LINEAR_PROBE: FreezePlan(preset, frozenset({HEAD}), 0.01, 0.01),
        Preset.PARTIAL: FreezePlan(preset, frozenset({"layer4", HEAD}), 0.003, 0.003),
        Preset.FULL: FreezePlan(preset, backbone | {HEAD}, 0.001, 0.001),
        # The head starts from random weights and needs big steps; the backbone already
        # knows useful features, so smaller steps keep more of them.
        Preset.DISCRIMINATIVE: FreezePlan(preset, backbone | {HEAD}, 0.01, 0.001),
        Preset.GRADUAL: FreezePlan(preset, backbone | {HEAD}, 0.003, 0.001, unfreeze_every=2),
        Preset.LP_FT: FreezePlan(preset, backbone | {HEAD}, 0.01, 0.001, probe_epochs=3),
        Preset.SCRATCH: FreezePlan(preset, backbone | {HEAD}, 0.003, 0.003, pretrained=False),
        Preset.CUSTOM: FreezePlan(preset, frozenset({"layer3", "layer4", HEAD}), 0.003, 0.001),
    }
    # dataclasses.replace checks field names at run time (an unknown override raises
    # TypeError); mypy cannot match **overrides: object against FreezePlan's fields.
    return replace(plans[preset], **overrides)  # type: ignore[arg-type]


def block_module(model: SmallResNet, block: str) -> nn.Module:
    return model.head if block == HEAD else getattr(model, block)


def apply_plan(model: SmallResNet, plan: FreezePlan, epoch: int = 1) -> SmallResNet:
    """Set ``requires_grad`` block by block as the plan says for ``epoch``; returns the model."""
    trainable = plan.trainable_at(epoch)
    for block in ALL_BLOCKS:
        for parameter in block_module(model, block).parameters():
            parameter.requires_grad = block in trainable
    return model


def set_train_mode(model: SmallResNet, plan: FreezePlan, epoch: int = 1) -> None:
    """``model.train()``, then frozen blocks back to eval if the plan keeps their BatchNorm fixed.

    ``requires_grad=False`` does not stop BatchNorm from updating its running statistics in
    train mode: those are buffers, changed by the forward pass, not by the optimizer.
    """
    model.train()
    if plan.frozen_bn is BatchNormMode.EVAL:
        for block in set(ALL_BLOCKS) - plan.trainable_at(epoch):
            block_module(model, block).eval()


def build_model(
    plan: FreezePlan, pretrained: SmallResNet, num_classes: int, seed: int = 0
) -> SmallResNet:
    """A fresh copy for one run: pretrained weights (or random for scratch) and a new head."""
    torch.manual_seed(seed)
    if plan.pretrained:
        model = copy.deepcopy(pretrained)
        model.fc = nn.Linear(model.feature_dim, num_classes)
    else:
        model = type(pretrained)(num_classes, pretrained.widths)
    return apply_plan(model, plan)


def head_and_backbone_parameters(
    model: SmallResNet, blocks: frozenset[str]
) -> tuple[list[nn.Parameter], list[nn.Parameter]]:
    head = list(model.head.parameters()) if HEAD in blocks else []
    backbone = [p for b in BACKBONE_BLOCKS if b in blocks for p in getattr(model, b).parameters()]
    return head, backbone


def build_optimizer(model: SmallResNet, plan: FreezePlan, epoch: int = 1) -> torch.optim.AdamW:
    """AdamW over the parameters trainable at ``epoch`` only, one group per learning rate.

    With nothing trainable PyTorch itself raises "optimizer got an empty parameter list".
    """
    head, backbone = head_and_backbone_parameters(model, plan.trainable_at(epoch))
    parts = [("head", head, plan.head_lr), ("backbone", backbone, plan.backbone_lr)]
    groups = [{"params": params, "lr": lr, "name": name} for name, params, lr in parts if params]
    # The fused kernel does a whole step in one call: on the cached-feature probe, where a step
    # is a 128×10 matrix, Python overhead dominates and fusing roughly halves the epoch.
    fused = all(p.device.type in ("cpu", "cuda") for _, params, _ in parts for p in params)
    return torch.optim.AdamW(groups, weight_decay=WEIGHT_DECAY, fused=fused or None)
