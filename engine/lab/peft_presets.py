"""Parameter-efficient fine-tuning on the lab's ResNet: LoRA (through ``peft``), BitFit, BN-only.

Whole-block freezing decides *which blocks* learn. These strategies keep every pretrained
weight and learn a few numbers inside every block instead:

- **LoRA** adds a low-rank update ``B @ A`` (rank r, scaled by alpha / r) beside each 3×3
  convolution; the convolution's own weight stays frozen, and after training the update can be
  merged into it, so the deployed network is exactly as large and fast as before.
- **BitFit** trains only the biases. This ResNet's convolutions have none (BatchNorm follows
  each one), so its biases are BatchNorm's shifts: half of what BN-only trains.
- **BatchNorm-affine only** trains each BatchNorm's scale and shift.

In all three the new head for the new classes trains in full: it is new, there is nothing
pretrained in it to keep. They run through the lab's own ``finetune`` loop (same split,
optimizer, schedule, evaluation and retention), with ``adapt`` editing the freshly built model.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import torch
from torch import nn

from engine.lab.config import FinetuneConfig
from engine.lab.data import TaskKind
from engine.lab.freeze import WEIGHT_DECAY, BatchNormMode, Preset, preset_plan
from engine.lab.model import SmallResNet
from engine.lab.results import RunResult
from engine.lab.train import finetune

if TYPE_CHECKING:
    from peft import LoraConfig

# peft matches target names by suffix: these are the two 3×3 convolutions of every BasicBlock
# and the stem's, i.e. every 3×3 convolution (the 1×1 shortcut convolutions keep their weights).
LORA_TARGETS: tuple[str, ...] = ("conv1", "conv2")
LORA_RANKS: tuple[int, ...] = (1, 2, 4, 8, 16)
DEFAULT_EPOCHS = 8  # a LoRA run backpropagates through the whole network: ~1 s an epoch


class Strategy(StrEnum):
    LORA = "lora"
    BITFIT = "bitfit"
    BN_AFFINE = "bn_affine"


STRATEGY_LABELS: dict[Strategy, str] = {
    Strategy.LORA: "LoRA on the 3×3 convolutions (peft)",
    Strategy.BITFIT: "BitFit (biases only)",
    Strategy.BN_AFFINE: "BatchNorm affine only",
}


@dataclass(frozen=True)
class EfficientPlan:
    """One parameter-efficient strategy with its rates; ``rank``/``alpha`` are LoRA's only."""

    strategy: Strategy
    rank: int = 4
    alpha: int = 8
    head_lr: float = 0.01
    backbone_lr: float = 0.01

    def __post_init__(self) -> None:
        if self.rank not in LORA_RANKS:
            allowed = ", ".join(map(str, LORA_RANKS))
            raise ValueError(f"rank must be one of {allowed}; got {self.rank!r}")
        if not 1 <= self.alpha <= 64:
            raise ValueError(f"alpha must be between 1 and 64; got {self.alpha!r}")
        for name, lr in (("head_lr", self.head_lr), ("backbone_lr", self.backbone_lr)):
            if not 0 < lr <= 1:
                raise ValueError(f"{name} must be in (0, 1]; got {lr!r}")

    @property
    def label(self) -> str:
        if self.strategy is Strategy.LORA:
            return f"LoRA r={self.rank}, alpha={self.alpha}"
        return STRATEGY_LABELS[self.strategy]


def lora_config(rank: int, alpha: int) -> LoraConfig:
    """peft's LoraConfig for the lab's ResNet (peft is imported here: it takes seconds)."""
    from peft import LoraConfig

    return LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=0.0, target_modules=list(LORA_TARGETS))


def add_lora(model: SmallResNet, rank: int, alpha: int) -> SmallResNet:
    """LoRA layers injected into ``model`` in place by ``get_peft_model``; only they and the
    head keep ``requires_grad``. Returns the same SmallResNet (attributes as before)."""
    from peft import get_peft_model

    peft_model = get_peft_model(model, lora_config(rank, alpha))  # freezes all but adapters
    inner = peft_model.base_model.model
    assert inner is model
    for parameter in model.head.parameters():
        parameter.requires_grad = True
    return model


def adapt(model: SmallResNet, plan: EfficientPlan) -> None:
    """Leave trainable what ``plan`` trains (plus the head); freeze everything else."""
    if plan.strategy is Strategy.LORA:
        add_lora(model, plan.rank, plan.alpha)
        return
    for module in model.modules():
        for name, parameter in module.named_parameters(recurse=False):
            if plan.strategy is Strategy.BITFIT:
                parameter.requires_grad = name == "bias"
            else:
                parameter.requires_grad = isinstance(module, nn.modules.batchnorm._BatchNorm)
    for parameter in model.head.parameters():
        parameter.requires_grad = True


@dataclass(frozen=True)
class TrainableShare:
    """What peft's ``print_trainable_parameters`` prints: adapters count in the total."""

    trainable: int
    total: int

    @property
    def fraction(self) -> float:
        return self.trainable / self.total


def trainable_share(model: nn.Module) -> TrainableShare:
    params = list(model.parameters())
    return TrainableShare(
        sum(p.numel() for p in params if p.requires_grad), sum(p.numel() for p in params)
    )


def merged(model: SmallResNet) -> SmallResNet:
    """A copy with every LoRA update merged into its convolution and the LoRA layers gone:
    what ``PeftModel.merge_and_unload`` does, on the plain model the lab trains."""
    from peft.tuners.tuners_utils import BaseTunerLayer

    out = copy.deepcopy(model)
    for name, module in list(out.named_modules()):
        if isinstance(module, BaseTunerLayer):
            module.merge()
            parent_name, _, child = name.rpartition(".")
            parent = out.get_submodule(parent_name) if parent_name else out
            setattr(parent, child, module.get_base_layer())
    return out


@dataclass(frozen=True)
class MergeCheck:
    adapted_parameters: int
    merged_parameters: int
    largest_difference: float  # max |adapted(x) - merged(x)| over a fixed batch of inputs


def merge_check(model: SmallResNet, batch: int = 16) -> MergeCheck:
    """Merge a trained LoRA model and compare the two on the same seeded inputs (eval mode)."""
    folded = merged(model).eval()
    was_training = model.training
    model.eval()
    images = torch.randn(batch, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        gap = float((model(images) - folded(images)).abs().max())
    model.train(was_training)
    return MergeCheck(
        sum(p.numel() for p in model.parameters()),
        sum(p.numel() for p in folded.parameters()),
        gap,
    )


def finetune_config(
    plan: EfficientPlan,
    *,
    task: TaskKind = TaskKind.DIGITS,
    train_size: int = 200,
    epochs: int = DEFAULT_EPOCHS,
    seed: int = 0,
    measure_retention: bool = True,
) -> FinetuneConfig:
    """The lab config these strategies train with: the head-only plan (``adapt`` adds the
    rest), BatchNorm statistics kept from pretraining, features never cached."""
    base = preset_plan(
        Preset.LINEAR_PROBE,
        head_lr=plan.head_lr,
        backbone_lr=plan.backbone_lr,
        frozen_bn=BatchNormMode.EVAL,
    )
    return FinetuneConfig(
        base,
        task=task,
        train_size=train_size,
        epochs=epochs,
        seed=seed,
        cache_features=False,
        measure_retention=measure_retention,
    )


@dataclass(frozen=True)
class EfficientRun:
    plan: EfficientPlan
    share: TrainableShare
    result: RunResult
    seconds: float


def train_efficient(
    plan: EfficientPlan, pretrained: SmallResNet | None = None, **config: object
) -> EfficientRun:
    """Train ``plan`` through the lab's ``finetune``; ``config`` goes to ``finetune_config``."""
    started = time.perf_counter()
    result = finetune(
        finetune_config(plan, **config),  # type: ignore[arg-type]
        pretrained,
        adapt=lambda model: adapt(model, plan),
    )
    assert result.model is not None
    return EfficientRun(plan, trainable_share(result.model), result, time.perf_counter() - started)


def efficient_code(plan: EfficientPlan, num_classes: int = 10) -> str:
    """Plain PyTorch (and peft, for LoRA) that leaves the same parameters trainable on the
    pretrained ``model`` as ``adapt``; a test runs it and compares the counts."""
    lines = [
        "import torch",
        "from torch import nn",
    ]
    if plan.strategy is Strategy.LORA:
        lines += ["from peft import LoraConfig, get_peft_model"]
    lines += [
        "",
        "# A new head for the new classes: it trains in full.",
        f"model.fc = nn.Linear(model.fc.in_features, {num_classes})",
    ]
    if plan.strategy is Strategy.LORA:
        lines += [
            "# A rank-r update beside every 3×3 convolution (names match by suffix);",
            "# get_peft_model freezes everything else, the new head included.",
            "config = LoraConfig(",
            f"    r={plan.rank}, lora_alpha={plan.alpha}, lora_dropout=0.0,",
            f"    target_modules={list(LORA_TARGETS)!r},",
            ")",
            "model = get_peft_model(model, config)",
            "for p in model.base_model.model.fc.parameters():",
            "    p.requires_grad = True",
            "model.print_trainable_parameters()",
        ]
    elif plan.strategy is Strategy.BITFIT:
        lines += [
            "# Biases only (here: BatchNorm's shifts, the convolutions have no bias).",
            "for name, p in model.named_parameters():",
            '    p.requires_grad = name.endswith("bias")',
        ]
    else:
        lines += [
            "# Only BatchNorm's scale (weight) and shift (bias).",
            "for module in model.modules():",
            "    is_bn = isinstance(module, nn.BatchNorm2d)",
            "    for p in module.parameters(recurse=False):",
            "        p.requires_grad = is_bn",
        ]
    if plan.strategy is not Strategy.LORA:
        lines += ["for p in model.fc.parameters():", "    p.requires_grad = True"]
    lines += [
        "",
        "head = model.base_model.model.fc" if plan.strategy is Strategy.LORA else "head = model.fc",
        "head_ids = {id(p) for p in head.parameters()}",
        "rest = [p for p in model.parameters() if p.requires_grad and id(p) not in head_ids]",
        "optimizer = torch.optim.AdamW(",
        f'    [{{"params": list(head.parameters()), "lr": {plan.head_lr}}},',
        f'     {{"params": rest, "lr": {plan.backbone_lr}}}],',
        f"    weight_decay={WEIGHT_DECAY},",
        ")",
    ]
    if plan.strategy is Strategy.LORA:
        lines += [
            "# ... train ..., then fold the updates into the convolutions for deployment:",
            "# merged = model.merge_and_unload()",
        ]
    return "\n".join(lines) + "\n"
