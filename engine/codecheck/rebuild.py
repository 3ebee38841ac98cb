"""The judge's own model: a fresh lab SmallResNet, in the judge's process, set up the way a
learner's report says their function left theirs (flags, modes, BatchNorm settings, the
optimizer's groups), so the judge can take the training step itself."""

from __future__ import annotations

import copy
import functools
import inspect
import math
import threading
from typing import Any

import torch
from torch import nn

from engine.codecheck.snapshot import ModelState, OptimizerState
from engine.lab.model import SmallResNet

NUM_CLASSES = 10
# Built-in optimizers the judge rebuilds by name (their classes, never the learner's).
OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    cls.__name__: cls
    for cls in vars(torch.optim).values()
    if isinstance(cls, type)
    and issubclass(cls, torch.optim.Optimizer)
    and cls is not torch.optim.Optimizer
    and cls.__name__ not in {"LBFGS", "SparseAdam", "Muon"}  # need closures or sparse grads
}
# Options that pick an implementation, not a hyperparameter: the judge uses torch's default.
IMPLEMENTATION_OPTIONS = frozenset({"foreach", "fused", "capturable", "differentiable"})
_lock = threading.Lock()


def _under(name: str, prefixes: list[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@functools.cache
def _template() -> SmallResNet:
    # Seeded, and the global RNG put back: the app's other users of torch see no change.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return SmallResNet(NUM_CLASSES)


def fresh_model(trainable_before: list[str] | None) -> SmallResNet:
    """The lab model a check starts from: all trainable, or only ``trainable_before``."""
    with _lock:
        model = copy.deepcopy(_template())
    if trainable_before is not None:
        for name, parameter in model.named_parameters():
            parameter.requires_grad = _under(name, trainable_before)
    return model


class CannotRebuild(ValueError):
    """The report describes a model the judge cannot set up (its layers were changed)."""


def _differences(state: ModelState, model: nn.Module) -> list[str]:
    expected = {n: list(p.shape) for n, p in model.named_parameters()}
    reported = {p.name: p.shape for p in state.parameters}
    kinds = {n: type(m).__name__ for n, m in model.named_modules()}
    reported_kinds = {m.name: m.type for m in state.modules}
    added = sorted(set(reported) - set(expected)) + sorted(set(reported_kinds) - set(kinds))
    removed = sorted(set(expected) - set(reported)) + sorted(set(kinds) - set(reported_kinds))
    reshaped = [n for n in expected if n in reported and reported[n] != expected[n]]
    retyped = [n for n in kinds if n in reported_kinds and reported_kinds[n] != kinds[n]]
    problems = []
    for what, names in (
        ("added", added),
        ("removed", removed),
        ("reshaped", reshaped),
        ("replaced with another kind of layer", retyped),
    ):
        if names:
            problems.append(f"{what}: {', '.join(names[:4])}" + (" …" if len(names) > 4 else ""))
    return problems


def apply_state(model: nn.Module, state: ModelState) -> None:
    """Set the judge's model to the reported flags and modes; CannotRebuild if the report
    describes other layers than the lab model's."""
    problems = _differences(state, model)
    if problems:
        raise CannotRebuild(
            "Your function changed the model's layers ("
            + "; ".join(problems)
            + "), so the training step cannot be checked on the lab model: change only what "
            "the question asks."
        )
    parameters = dict(model.named_parameters())
    for reported in state.parameters:
        parameters[reported.name].requires_grad_(reported.requires_grad)
    modules = dict(model.named_modules())
    for module_state in state.modules:
        module = modules[module_state.name]
        module.training = module_state.training
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            momentum = module_state.attributes.get("momentum", module.momentum)
            if momentum is None or (
                isinstance(momentum, float | int)
                and not isinstance(momentum, bool)
                and 0 <= momentum <= 1
            ):
                module.momentum = momentum
            tracking = module_state.attributes.get("track_running_stats")
            if isinstance(tracking, bool) and not tracking:
                module.track_running_stats = False


@functools.cache
def _accepted(name: str) -> frozenset[str]:
    names = frozenset(inspect.signature(OPTIMIZERS[name].__init__).parameters)
    return names - {"self", "params"} - IMPLEMENTATION_OPTIONS


def _hyperparameter(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    return value


def rebuild_optimizer(reported: OptimizerState, model: nn.Module) -> torch.optim.Optimizer | None:
    """The learner's optimizer, rebuilt from its class name and groups on the judge's model:
    None when it holds none of the model's parameters (a step would move nothing)."""
    # A class of the learner's own: take plain SGD steps with its groups.
    name = reported.type if reported.builtin and reported.type in OPTIMIZERS else "SGD"
    cls: Any = OPTIMIZERS[name]
    parameters = dict(model.named_parameters())
    accepted = _accepted(name)
    groups = []
    for group in reported.groups:
        params = [parameters[n] for n in dict.fromkeys(group.params) if n in parameters]
        if not params:
            continue
        options = {
            k: _hyperparameter(v)
            for k, v in group.hyperparameters.items()
            if k in accepted and v is not None and not (isinstance(v, float) and math.isnan(v))
        }
        if name == "SGD" and "lr" not in options:
            options["lr"] = 0.1
        groups.append({"params": params, **options})
    if not groups:
        return None
    optimizer: torch.optim.Optimizer = cls(groups)
    return optimizer
