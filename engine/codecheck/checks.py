"""Each named check, run inside the sandbox against the lab's SmallResNet: (passed, what the
learner reads). Messages say what was expected and what the code did."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from engine.codecheck.spec import (
    FrozenUnchangedAfterStep,
    OptimizerHoldsTrainable,
    Raises,
    Returns,
    TrainableExactly,
)

Verdict = tuple[bool, str]
LearnerCall = Callable[[nn.Module], Any]  # calls the learner's function on a model
SHOWN = 4  # names listed in a message before "and N more"


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    return shown + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


def _under(name: str, prefixes: list[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _trainable(model: nn.Module) -> list[str]:
    return [n for n, p in model.named_parameters() if p.requires_grad]


def trainable_exactly(check: TrainableExactly, model: nn.Module, call: LearnerCall) -> Verdict:
    call(model)
    names = [n for n, _ in model.named_parameters()]
    trainable = set(_trainable(model))
    wanted = {n for n in names if _under(n, check.prefixes)}
    frozen_wrongly = [n for n in names if n in wanted and n not in trainable]
    trainable_wrongly = [n for n in names if n in trainable and n not in wanted]
    if not frozen_wrongly and not trainable_wrongly:
        return True, f"Exactly the parameters of {_names(check.prefixes)} are trainable."
    problems = []
    if trainable_wrongly:
        problems.append(f"still trainable but should be frozen: {_names(trainable_wrongly)}")
    if frozen_wrongly:
        problems.append(f"frozen but should be trainable: {_names(frozen_wrongly)}")
    return False, (
        f"Expected only {_names(check.prefixes)} to be trainable "
        f"(requires_grad=True); {'; '.join(problems)}."
    )


def optimizer_holds_trainable(
    check: OptimizerHoldsTrainable, model: nn.Module, call: LearnerCall
) -> Verdict:
    optimizer = call(model)
    if not isinstance(optimizer, torch.optim.Optimizer):
        return False, (
            f"Expected a torch.optim optimizer to be returned; got {type(optimizer).__name__}."
        )
    by_id = {id(p): n for n, p in model.named_parameters()}
    held: dict[str, float] = {}
    foreign = 0
    for group in optimizer.param_groups:
        for p in group["params"]:
            if id(p) in by_id:
                held[by_id[id(p)]] = float(group["lr"])
            else:
                foreign += 1
    trainable = _trainable(model)
    missing = [n for n in trainable if n not in held]
    frozen_held = [n for n in held if n not in trainable]
    if foreign:
        return False, f"The optimizer holds {foreign} tensors that are not this model's parameters."
    if missing:
        return False, f"Trainable parameters the optimizer never updates: {_names(missing)}."
    if frozen_held:
        return False, (
            f"The optimizer also holds frozen parameters: {_names(frozen_held)}. Pass only "
            "parameters with requires_grad=True (filter model.parameters())."
        )
    wrong_lr = [
        f"{n} has lr {held[n]:g}, expected {lr:g} for {prefix}"
        for prefix, lr in check.learning_rates.items()
        for n in held
        if _under(n, [prefix]) and not math.isclose(held[n], lr, rel_tol=1e-9)
    ]
    if wrong_lr:
        return False, "Wrong learning rate: " + "; ".join(wrong_lr[:SHOWN]) + "."
    rates = ", ".join(f"{p}: {lr:g}" for p, lr in check.learning_rates.items())
    return True, "The optimizer holds exactly the trainable parameters" + (
        f" with learning rates {rates}." if rates else "."
    )


def _frozen_batchnorms(model: nn.Module) -> list[str]:
    return [
        name
        for name, m in model.named_modules()
        if isinstance(m, nn.modules.batchnorm._BatchNorm)
        and all(not p.requires_grad for p in m.parameters(recurse=False))
    ]


def frozen_unchanged_after_step(
    check: FrozenUnchangedAfterStep, model: nn.Module, call: LearnerCall
) -> Verdict:
    returned = call(model)
    frozen = [n for n, p in model.named_parameters() if not p.requires_grad]
    if not frozen:
        return False, "No parameter is frozen (requires_grad=False), so nothing stayed fixed."
    watched = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    bn_layers = _frozen_batchnorms(model) if check.batchnorm_statistics else []
    buffers = dict(model.named_buffers())
    for layer in bn_layers:
        for stat in ("running_mean", "running_var"):
            watched[f"{layer}.{stat}"] = buffers[f"{layer}.{stat}"].detach().clone()
    if isinstance(returned, torch.optim.Optimizer):
        optimizer = returned
    else:
        trainable = [p for p in model.parameters() if p.requires_grad]
        if not trainable:
            return False, "No parameter is trainable, so there is no training step to take."
        optimizer = torch.optim.SGD(trainable, lr=0.1, momentum=0.9)
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(8, 3, 32, 32, generator=generator)
    labels = torch.randint(0, 10, (8,), generator=generator)
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(images), labels).backward()
    optimizer.step()
    now = dict(model.named_parameters()) | dict(model.named_buffers())
    changed = [n for n, before in watched.items() if not torch.equal(before, now[n].detach())]
    changed_stats = [n for n in changed if n.endswith(("running_mean", "running_var"))]
    changed_weights = [n for n in changed if n not in changed_stats]
    if changed_weights:
        return False, (
            f"Frozen weights changed after one training step: {_names(changed_weights)}. "
            "A frozen parameter must not be updated (requires_grad=False, not in the optimizer)."
        )
    if changed_stats:
        return False, (
            f"Running statistics of frozen BatchNorm layers changed after one training step: "
            f"{_names(changed_stats)}. A BatchNorm layer in train mode keeps updating them even "
            "when its weights are frozen: call .eval() on frozen BatchNorm layers after "
            "model.train()."
        )
    what = f"{len(frozen)} frozen weights"
    if bn_layers:
        what += f" and the statistics of {len(bn_layers)} frozen BatchNorm layers"
    return True, f"After one training step the {what} are unchanged."


def _expected_value(check: Returns, model: nn.Module) -> Any:
    if check.expected_from == "trainable_scalars":
        return sum(p.numel() for p in model.parameters() if p.requires_grad)
    if check.expected_from == "all_scalars":
        return sum(p.numel() for p in model.parameters())
    return check.expected


def returns(check: Returns, model: nn.Module, call: LearnerCall) -> Verdict:
    expected = _expected_value(check, model)  # before the learner's code can touch the model
    got = call(model)
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    same = (
        isinstance(got, int | float)
        and not isinstance(got, bool)
        and isinstance(expected, int | float)
        and math.isclose(got, expected, rel_tol=0, abs_tol=check.tolerance)
    ) or (type(got) is type(expected) and got == expected)
    if same:
        return True, f"Returned {expected!r}, as expected."
    shown = repr(got)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return False, f"Expected {expected!r}; your function returned {shown}."


def raises(check: Raises, model: nn.Module, call: LearnerCall) -> Verdict:
    expectation = f"Expected the call to raise {check.error}" + (
        f" {check.when}" if check.when else ""
    )
    try:
        got = call(model)
    except Exception as error:
        bases = [cls.__name__ for cls in type(error).__mro__]
        if check.error not in bases:
            return False, f"{expectation}; it raised {type(error).__name__}: {error}."
        if check.message_contains and check.message_contains not in str(error):
            return False, (
                f"{expectation} with a message containing {check.message_contains!r}; "
                f"the message was {str(error)!r}."
            )
        return True, f"Raised {type(error).__name__}: {error}"
    return False, f"{expectation}; it returned {type(got).__name__} without raising."
