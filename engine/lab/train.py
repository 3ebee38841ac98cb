"""finetune(config): run one FreezePlan on a target task, streaming EpochRecord as it goes."""

from __future__ import annotations

import copy
import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from engine.lab.config import FinetuneConfig, Imbalance, LrSchedule
from engine.lab.data import (
    Split,
    TaskData,
    load_task,
    source_eval_split,
)
from engine.lab.device import pick_device, torch_threads
from engine.lab.feature_probe import feature_probe_accuracy
from engine.lab.freeze import (
    WEIGHT_DECAY,
    FreezePlan,
    apply_plan,
    build_model,
    build_optimizer,
    head_and_backbone_parameters,
    set_train_mode,
)
from engine.lab.head_step import linear_head_gradients
from engine.lab.model import SmallResNet
from engine.lab.results import (
    BatchProgress,
    Retention,
    RunResult,
    accuracy,
    classification_report,
    macro_f1,
)
from engine.metrics.training_curves import EpochRecord, best_epoch, with_label_noise

EVAL_BATCH = 512
# A parameter-efficient strategy (engine/lab/peft_presets.py) picks parameters *inside* blocks
# (LoRA adapters, biases, BatchNorm's scale and shift), which a FreezePlan's block names cannot
# say: it edits the freshly built model in place, and the optimizer takes what it left trainable.
ModelAdapter = Callable[[SmallResNet], None]
# Augmentation (engine/lab/augmentation.py): applied to each training batch of images, never to
# validation or test, and never to cached features (a frozen backbone's features of augmented
# images would have to be recomputed every step, which is what caching avoids).
BatchAugment = Callable[[torch.Tensor], torch.Tensor]


@torch.no_grad()
def predict_logits(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    return torch.cat([fn(x[i : i + EVAL_BATCH]) for i in range(0, len(x), EVAL_BATCH)])


def source_accuracy(model: SmallResNet, source: Split, device: torch.device) -> float:
    """Accuracy on the source task through whatever head ``model`` carries (eval mode)."""
    was_training = model.training
    model.eval()
    logits = predict_logits(model, source.images.to(device))
    model.train(was_training)
    return accuracy(source.labels.to(device), logits)


def warmup_factor(step: int, warmup_steps: int) -> float:
    """Linear warm-up's multiplier at ``step``: (step + 1) / warmup_steps, then 1."""
    return min(1.0, (step + 1) / warmup_steps) if warmup_steps else 1.0


def balanced_class_weights(labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """n / (classes × count): scikit-learn's ``class_weight="balanced"``."""
    counts = torch.bincount(labels, minlength=n_classes).clamp(min=1).float()
    return len(labels) / (n_classes * counts)


def lr_factor(step: int, total: int) -> float:
    """The cosine schedule's multiplier of the base learning rate at ``step`` of ``total``:
    1 at the start, 0 after the last step (nanoGPT's ``get_lr``, without the warm-up)."""
    return 0.5 * (1 + math.cos(math.pi * step / max(1, total)))


@dataclass
class _Stepper:
    """AdamW steps on the schedule's learning rate, which also covers groups added later."""

    optimizer: torch.optim.Optimizer
    total_steps: int
    schedule: LrSchedule
    warmup_steps: int = 0
    done: int = field(default=0)

    def step(self, loss: torch.Tensor | None) -> None:
        """Backpropagate ``loss`` and update; None means the gradients are already set."""
        factor = 1.0
        if self.schedule is LrSchedule.COSINE:
            factor = lr_factor(self.done, self.total_steps)
        factor *= warmup_factor(self.done, self.warmup_steps)
        for group in self.optimizer.param_groups:
            group.setdefault("base_lr", group["lr"])
            group["lr"] = group["base_lr"] * factor
        if loss is not None:
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
        self.optimizer.step()
        self.done += 1


@dataclass
class _Run:
    """Everything one run trains and evaluates with, set up once before the first epoch."""

    config: FinetuneConfig
    pretrained: SmallResNet
    model: SmallResNet
    # The model, or only its head when the frozen backbone's features are cached.
    forward: Callable[[torch.Tensor], torch.Tensor]
    data: TaskData
    device: torch.device
    cached: bool
    train_x: torch.Tensor  # images, or cached features
    train_y: torch.Tensor  # with label noise when the config asks for it
    val_x: torch.Tensor
    val_y: torch.Tensor
    test_x: torch.Tensor
    started: float  # perf_counter() when the run began, setup included
    class_weight: torch.Tensor | None = None  # for the loss, with Imbalance.CLASS_WEIGHTS
    draw_weight: torch.Tensor | None = None  # per example, with Imbalance.RESAMPLE
    augment: BatchAugment | None = None  # training batches only


def finetune(
    config: FinetuneConfig,
    pretrained: SmallResNet | None = None,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    on_batch: Callable[[BatchProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    adapt: ModelAdapter | None = None,
    augment: BatchAugment | None = None,
) -> RunResult:
    """Fine-tune a copy of ``pretrained`` (the shipped checkpoint if None) as ``config`` says;
    ``adapt``, if given, edits the built model before training (see ModelAdapter), and
    ``augment`` transforms each training batch (see BatchAugment)."""
    with torch_threads(config.threads):
        run = _prepare(config, pretrained, adapt, augment)
        optimizer = (
            build_optimizer(run.model, config.plan)
            if adapt is None
            else _adapted_optimizer(run.model, config.plan)
        )
        batches = math.ceil(len(run.train_y) / config.batch_size)
        stepper = _Stepper(
            optimizer,
            config.epochs * batches,
            LrSchedule(config.schedule),
            warmup_steps=config.warmup_epochs * batches,
        )
        generator = torch.Generator().manual_seed(config.seed)
        history: list[EpochRecord] = []
        keeper = _BestWeights()
        for epoch in range(1, config.epochs + 1):
            _thaw(run.model, config.plan, epoch, optimizer)
            epoch_start = time.perf_counter()
            train_loss = _epoch(run, epoch, stepper, generator, on_batch, should_stop)
            if train_loss is None:  # stopped: the unfinished epoch is not reported
                return _result(run, history, cancelled=True)
            history.append(_evaluate(run, epoch, train_loss, time.perf_counter() - epoch_start))
            if on_epoch is not None:
                on_epoch(history[-1])
            if config.patience is not None:
                keeper.offer(run.model, history[-1])
                if epoch - keeper.epoch >= config.patience:
                    break
        if config.patience is not None and keeper.state is not None:
            run.model.load_state_dict(keeper.state)
        return _result(run, history, cancelled=False, weights_epoch=keeper.epoch or None)


@dataclass
class _BestWeights:
    """The lowest validation loss so far and a copy of the weights (BatchNorm statistics
    included) that reached it: what early stopping restores."""

    epoch: int = 0
    val_loss: float = math.inf
    state: dict[str, torch.Tensor] | None = None

    def offer(self, model: SmallResNet, record: EpochRecord) -> None:
        if record.val_loss < self.val_loss:  # strictly lower: the earliest epoch wins a tie
            self.epoch, self.val_loss = record.epoch, record.val_loss
            self.state = copy.deepcopy(model.state_dict())


def _adapted_optimizer(model: SmallResNet, plan: FreezePlan) -> torch.optim.AdamW:
    """AdamW over every parameter with requires_grad: the head's at ``head_lr``, the rest
    (adapters, biases, BatchNorm affine) at ``backbone_lr``."""
    head_ids = {id(p) for p in model.head.parameters()}
    trainable = [p for p in model.parameters() if p.requires_grad]
    head = [p for p in trainable if id(p) in head_ids]
    rest = [p for p in trainable if id(p) not in head_ids]
    parts = [("head", head, plan.head_lr), ("backbone", rest, plan.backbone_lr)]
    groups = [{"params": params, "lr": lr, "name": name} for name, params, lr in parts if params]
    return torch.optim.AdamW(groups, weight_decay=WEIGHT_DECAY)


def _prepare(
    config: FinetuneConfig,
    pretrained: SmallResNet | None,
    adapt: ModelAdapter | None = None,
    augment: BatchAugment | None = None,
) -> _Run:
    started = time.perf_counter()
    if pretrained is None:
        from engine.lab.checkpoint import load_pretrained

        pretrained = load_pretrained().model
    device = pick_device(config.device)
    data = load_task(config.task, config.train_size, config.seed)
    n_classes = len(data.class_names)
    model = build_model(config.plan, pretrained, n_classes, config.seed)
    if adapt is not None:
        adapt(model)
    model = model.to(device)
    if device.type == "cpu":
        model = model.to(memory_format=torch.channels_last)  # 10-20 % faster convolutions on CPU
    train_x = data.train.images.to(device)
    train_y = _noisy(data.train.labels, config, n_classes).to(device)
    val_x, val_y = data.val.images.to(device), data.val.labels.to(device)
    test_x = data.test.images.to(device)
    cached = config.uses_cached_features and adapt is None and augment is None
    forward: Callable[[torch.Tensor], torch.Tensor] = model
    if cached:
        model.eval()
        train_x, val_x, test_x = (
            predict_logits(model.features, x) for x in (train_x, val_x, test_x)
        )
        head = model.head
        # The functional form of the Linear head: same weights, same autograd graph, minus
        # nn.Module's call machinery, which is a visible share of a 0.25 ms step.
        forward = lambda x: F.linear(x, head.weight, head.bias)  # noqa: E731
    balanced = balanced_class_weights(train_y.cpu(), n_classes)
    imbalance = Imbalance(config.imbalance)
    return _Run(
        config, pretrained, model, forward, data, device, cached,
        train_x, train_y, val_x, val_y, test_x, started,
        class_weight=balanced.to(device) if imbalance is Imbalance.CLASS_WEIGHTS else None,
        draw_weight=balanced[train_y.cpu()] if imbalance is Imbalance.RESAMPLE else None,
        augment=augment,
    )  # fmt: skip


def _epoch(
    run: _Run,
    epoch: int,
    stepper: _Stepper,
    generator: torch.Generator,
    on_batch: Callable[[BatchProgress], None] | None,
    should_stop: Callable[[], bool] | None,
) -> float | None:
    """One pass over the shuffled training set; its mean loss, or None if asked to stop."""
    config = run.config
    if run.cached:
        run.model.head.train()
    else:
        set_train_mode(run.model, config.plan, epoch)
    n = len(run.train_y)
    batches = math.ceil(n / config.batch_size)
    if run.draw_weight is None:
        order = torch.randperm(n, generator=generator).to(run.device)
    else:  # as many draws as examples, each class equally likely in expectation
        order = torch.multinomial(run.draw_weight, n, True, generator=generator).to(run.device)
    # Shuffle once per epoch and take contiguous slices (views), and keep the running
    # loss on the device: per-step overhead is most of a cached-feature epoch.
    epoch_x, epoch_y = run.train_x[order], run.train_y[order]
    loss_sum = torch.zeros((), device=run.device)
    for b in range(batches):
        if should_stop is not None and should_stop():
            return None
        rows = slice(b * config.batch_size, (b + 1) * config.batch_size)
        batch_y = epoch_y[rows]
        if run.cached and run.class_weight is None:  # closed-form head gradients: no autograd
            head = run.model.head
            loss = linear_head_gradients(epoch_x[rows], batch_y, head.weight, head.bias)
            stepper.step(None)
        else:
            batch_x = epoch_x[rows] if run.augment is None else run.augment(epoch_x[rows])
            logits = run.forward(batch_x)
            loss = F.cross_entropy(logits, batch_y, weight=run.class_weight)
            stepper.step(loss)
        loss_sum += loss.detach() * len(batch_y)
        if on_batch is not None:
            on_batch(BatchProgress(epoch, b + 1, batches, config.epochs))
    return loss_sum.item() / n


def _evaluate(run: _Run, epoch: int, train_loss: float, epoch_s: float) -> EpochRecord:
    """The epoch's record: validation loss, accuracy and macro-F1 in eval mode."""
    run.model.eval()
    val_logits = predict_logits(run.forward, run.val_x)
    return EpochRecord(
        epoch=epoch,
        train_loss=train_loss,
        val_loss=float(F.cross_entropy(val_logits, run.val_y)),
        val_accuracy=accuracy(run.val_y, val_logits),
        val_macro_f1=macro_f1(run.val_y, val_logits),
        elapsed_s=time.perf_counter() - run.started,
        epoch_s=epoch_s,
        trainable_scalars=sum(p.numel() for p in run.model.parameters() if p.requires_grad),
    )


def _noisy(labels: torch.Tensor, config: FinetuneConfig, n_classes: int) -> torch.Tensor:
    """``label_noise`` of the labels moved to a wrong class; its own seed, so the noise does
    not change with the shuffling or the initialisation."""
    if not config.label_noise:
        return labels
    noisy = with_label_noise(labels.numpy(), config.label_noise, n_classes, 10_000 + config.seed)
    return torch.from_numpy(noisy)


def _thaw(
    model: SmallResNet, plan: FreezePlan, epoch: int, optimizer: torch.optim.Optimizer
) -> None:
    """Gradual unfreezing and LP-FT: give newly thawed blocks gradients and an optimizer group."""
    if epoch == 1 or plan.trainable_at(epoch) == plan.trainable_at(epoch - 1):
        return
    apply_plan(model, plan, epoch)
    new = plan.trainable_at(epoch) - plan.trainable_at(epoch - 1)
    _, backbone = head_and_backbone_parameters(model, new)
    if backbone:
        optimizer.add_param_group({"params": backbone, "lr": plan.backbone_lr, "name": "backbone"})


def _result(
    run: _Run, history: list[EpochRecord], cancelled: bool, weights_epoch: int | None = None
) -> RunResult:
    """Scores of the weights the model holds now: the best epoch's when early stopping
    restored them (``weights_epoch``), otherwise the last finished epoch's."""
    config, model, device = run.config, run.model, run.device
    model.eval()
    val_logits = predict_logits(run.forward, run.val_x)
    test_logits = predict_logits(run.forward, run.test_x)
    test_y = run.data.test.labels.numpy()
    predicted = test_logits.argmax(1).cpu().numpy()
    per_class, matrix, (macro_p, macro_r, macro_f) = classification_report(
        test_y, predicted, run.data.class_names
    )
    retention = None
    if config.measure_retention and config.plan.pretrained:
        source = source_eval_split()
        with_source_head = copy.deepcopy(model)
        with_source_head.fc = copy.deepcopy(run.pretrained.head).to(device)
        before, probe_before = _retention_before(run.pretrained, source, device)
        retention = Retention(
            before=before,
            after=source_accuracy(with_source_head, source, device),
            probe_before=probe_before,
            probe_after=feature_probe_accuracy(model, source, device),
        )
    epoch_times = [s.epoch_s for s in history]
    return RunResult(
        history=history,
        best_epoch=best_epoch(history).epoch if history else 0,
        weights_epoch=weights_epoch or (history[-1].epoch if history else 0),
        restored_best=weights_epoch is not None,
        stopped_early=weights_epoch is not None and len(history) < config.epochs,
        val_accuracy=accuracy(run.data.val.labels.to(device), val_logits),
        val_macro_f1=macro_f1(run.data.val.labels, val_logits),
        test_accuracy=float((predicted == test_y).mean()),
        test_macro_precision=macro_p,
        test_macro_recall=macro_r,
        test_macro_f1=macro_f,
        per_class=per_class,
        confusion=matrix,
        class_names=run.data.class_names,
        retention=retention,
        device=str(device),
        used_cached_features=run.cached,
        cancelled=cancelled,
        seconds_per_epoch=float(np.median(epoch_times)) if epoch_times else 0.0,
        total_s=time.perf_counter() - run.started,
        test_probabilities=torch.softmax(test_logits, 1).cpu().numpy(),
        test_labels=test_y,
        val_probabilities=torch.softmax(val_logits, 1).cpu().numpy(),
        val_labels=run.data.val.labels.numpy(),
        model=model,
    )


__all__ = [
    "BatchAugment",
    "ModelAdapter",
    "balanced_class_weights",
    "finetune",
    "lr_factor",
    "warmup_factor",
]


# "Before" is a constant of the checkpoint: measured once per process, checkpoint and device.
_BEFORE: dict[tuple[str, str], tuple[float, float]] = {}


def _retention_before(
    pretrained: SmallResNet, source: Split, device: torch.device
) -> tuple[float, float]:
    """Source accuracy and feature-probe accuracy of the checkpoint itself."""
    key = (_weights_digest(pretrained), device.type)
    if key not in _BEFORE:
        # A copy: the pretrained model may be shared read-only by every session.
        original = copy.deepcopy(pretrained).to(device)
        _BEFORE[key] = (
            source_accuracy(original, source, device),
            feature_probe_accuracy(original, source, device),
        )
    return _BEFORE[key]


def _weights_digest(model: SmallResNet) -> str:
    digest = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()
