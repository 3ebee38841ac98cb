"""Each named check, run by the judge (never in the learner's process) on what one call of the
learner's function reported (engine/codecheck/snapshot.py): (passed, what the learner reads).
Expected values and the training step are computed here, on the judge's own model."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from engine.codecheck.rebuild import CannotRebuild, apply_state, fresh_model, rebuild_optimizer
from engine.codecheck.snapshot import CallReport, ModuleState, OptimizerState, ReturnedValue
from engine.codecheck.spec import (
    FrozenUnchangedAfterStep,
    ModelMode,
    ModuleAttribute,
    OptimizerHoldsTrainable,
    OptimizerIs,
    Raises,
    Returns,
    TrainableExactly,
)

Verdict = tuple[bool, str]
SHOWN = 4  # names listed in a message before "and N more"
SHOWN_VALUE = 80


class NoModel(Exception):
    """The call reported no model to judge; the message says why."""


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    return shown + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


def _under(name: str, prefixes: list[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _model(call: CallReport) -> Any:
    if call.model is None:
        raise NoModel(
            f"The model could not be checked: {call.refused or 'your code gave no report of it'}."
        )
    return call.model


def _returned(call: CallReport) -> ReturnedValue:
    return call.returned or ReturnedValue(kind="none", type="NoneType", shown="None")


def _optimizer(call: CallReport) -> OptimizerState | None:
    returned = _returned(call)
    for value in (returned, *returned.items):
        if value.kind == "optimizer" and value.optimizer is not None:
            return value.optimizer
    return None


def _trainable(call: CallReport) -> list[str]:
    return [p.name for p in _model(call).parameters if p.requires_grad]


def trainable_exactly(check: TrainableExactly, call: CallReport) -> Verdict:
    names = [p.name for p in _model(call).parameters]
    trainable = set(_trainable(call))
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


def _no_optimizer(call: CallReport) -> str:
    return f"Expected a torch.optim optimizer to be returned; got {_returned(call).type}."


def optimizer_holds_trainable(check: OptimizerHoldsTrainable, call: CallReport) -> Verdict:
    optimizer = _optimizer(call)
    if optimizer is None:
        return False, _no_optimizer(call)
    held: dict[str, float] = {}
    foreign = 0
    for group in optimizer.groups:
        lr = group.hyperparameters.get("lr")
        number = float(lr) if isinstance(lr, int | float) and not isinstance(lr, bool) else math.nan
        for name in group.params:
            held[name] = number
        foreign += group.foreign
    trainable = _trainable(call)
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


def _same(got: Any, expected: Any, tolerance: float, rel_tol: float = 1e-9) -> bool:
    if isinstance(expected, list):
        return (
            isinstance(got, list)
            and len(got) == len(expected)
            and all(_same(g, e, tolerance, rel_tol) for g, e in zip(got, expected, strict=True))
        )
    numbers = (int, float)
    if (
        isinstance(got, numbers)
        and isinstance(expected, numbers)
        and not isinstance(got, bool)
        and not isinstance(expected, bool)
    ):
        return math.isclose(got, expected, rel_tol=rel_tol, abs_tol=tolerance)
    return type(got) is type(expected) and got == expected


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "(" + ", ".join(f"{v:g}" for v in value) + ")"
    return f"{value:g}" if isinstance(value, float) else repr(value)


def optimizer_is(check: OptimizerIs, call: CallReport) -> Verdict:
    optimizer = _optimizer(call)
    if optimizer is None:
        return False, _no_optimizer(call)
    if optimizer.type != check.optimizer or not optimizer.builtin:
        return False, f"Expected a torch.optim.{check.optimizer}; got {optimizer.type}."
    wrong: list[str] = []
    for index, group in enumerate(optimizer.groups):
        wanted = dict(check.hyperparameters)
        for prefix, options in check.groups.items():
            if any(_under(n, [prefix]) for n in group.params):
                wanted |= options
        where = f"group {index}" if len(optimizer.groups) > 1 else "the optimizer"
        for key, expected in wanted.items():
            got = group.hyperparameters.get(key)
            if not _same(got, expected, check.tolerance):
                shown = "nothing" if got is None else _shown(got)
                wrong.append(f"{where} has {key} {shown}, expected {_shown(expected)}")
    if wrong:
        return False, "Wrong optimizer settings: " + "; ".join(wrong[:SHOWN]) + "."
    settings = ", ".join(f"{k}={_shown(v)}" for k, v in check.hyperparameters.items())
    return True, f"A torch.optim.{check.optimizer}" + (f" with {settings}." if settings else ".")


def _module_named(call: CallReport, check: ModuleAttribute) -> ModuleState | str:
    if check.returned:
        returned = _returned(call)
        for value in (returned, *returned.items):
            module = value.module if value.kind == "module" else None
            if module is not None and check.module_type in (None, module.type):
                return module
        wanted = check.module_type or "nn.Module"
        return f"Expected your function to return a {wanted}; got {returned.type}."
    for module in _model(call).modules:
        if module.name != check.module:
            continue
        if check.module_type not in (None, module.type):
            return (
                f"Expected model.{check.module} to be a {check.module_type}; it is a {module.type}."
            )
        return module
    return f"The model has no module named {check.module or 'model'}."


def module_attribute(check: ModuleAttribute, call: CallReport) -> Verdict:
    found = _module_named(call, check)
    if isinstance(found, str):
        return False, found
    if check.returned:
        where = f"the returned {found.type}"
    else:
        where = f"model.{check.module}" if check.module else "model"
    setting, wanted = f"{where}.{check.attribute}", _shown(check.expected)
    if check.attribute not in found.attributes:
        return False, f"Expected {setting} to be {wanted}; it has no such setting."
    got = found.attributes[check.attribute]
    if _same(got, check.expected, check.tolerance):
        return True, f"{setting} is {wanted}."
    return False, f"Expected {setting} to be {wanted}; it is {_shown(got)}."


def model_mode(check: ModelMode, call: CallReport) -> Verdict:
    training = check.mode == "train"
    modules = [
        m
        for m in _model(call).modules
        if (not check.modules and m.name == "") or (check.modules and _under(m.name, check.modules))
    ]
    modules = [m for m in modules if check.module_type in (None, m.type)]
    wrong = [m.name or "model" for m in modules if m.training != training]
    what = _names(check.modules) if check.modules else "the model"
    if not modules:
        return False, f"No module of {what} is a {check.module_type}."
    if wrong:
        return False, (
            f"Expected {what} in {check.mode} mode (model.{check.mode}()); in the other mode: "
            f"{_names(wrong)}."
        )
    return True, f"{what[0].upper() + what[1:]} is in {check.mode} mode."


def _frozen_batchnorms(model: nn.Module) -> list[str]:
    return [
        name
        for name, m in model.named_modules()
        if isinstance(m, nn.modules.batchnorm._BatchNorm)
        and all(not p.requires_grad for p in m.parameters(recurse=False))
    ]


def frozen_unchanged_after_step(check: FrozenUnchangedAfterStep, call: CallReport) -> Verdict:
    state = _model(call)
    frozen = [p.name for p in state.parameters if not p.requires_grad]
    if not frozen:
        return False, "No parameter is frozen (requires_grad=False), so nothing stayed fixed."
    model = fresh_model(check.trainable_before)
    try:
        apply_state(model, state)
    except CannotRebuild as error:
        return False, str(error)
    watched = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    bn_layers = _frozen_batchnorms(model) if check.batchnorm_statistics else []
    buffers = dict(model.named_buffers())
    for layer in bn_layers:
        for stat in ("running_mean", "running_var"):
            watched[f"{layer}.{stat}"] = buffers[f"{layer}.{stat}"].detach().clone()
    trainable = [p for p in model.parameters() if p.requires_grad]
    if not trainable:
        return False, "No parameter is trainable, so there is no training step to take."
    reported = _optimizer(call)
    if reported is not None:
        try:
            optimizer = rebuild_optimizer(reported, model)
        except (ValueError, TypeError) as error:
            return False, f"The optimizer your function returned cannot take a step: {error}."
    else:
        optimizer = torch.optim.SGD(trainable, lr=0.1, momentum=0.9)
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(8, 3, 32, 32, generator=generator)
    labels = torch.randint(0, 10, (8,), generator=generator)
    if optimizer is not None:
        optimizer.zero_grad()
    nn.functional.cross_entropy(model(images), labels).backward()
    if optimizer is not None:
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


def _expected_value(check: Returns) -> Any:
    if check.expected_from is None:
        return check.expected
    model = fresh_model(check.trainable_before)
    if check.expected_from == "trainable_scalars":
        return sum(p.numel() for p in model.parameters() if p.requires_grad)
    return sum(p.numel() for p in model.parameters())


def returns(check: Returns, call: CallReport) -> Verdict:
    expected = _expected_value(check)  # in the judge: the learner's process never holds it
    returned = _returned(call)
    got = returned.value if returned.kind in ("none", "bool", "int", "float", "str") else returned
    same = returned.kind != "other" and _same(got, expected, check.tolerance, rel_tol=0)
    if returned.kind in ("int", "float") and returned.value is None:
        same = False  # nan, inf, or an int too large to report
    if same:
        return True, f"Returned {expected!r}, as expected."
    shown = returned.shown
    if len(shown) > SHOWN_VALUE:
        shown = shown[: SHOWN_VALUE - 3] + "..."
    return False, f"Expected {expected!r}; your function returned {shown}."


def raises(check: Raises, call: CallReport) -> Verdict:
    expectation = f"Expected the call to raise {check.error}" + (
        f" {check.when}" if check.when else ""
    )
    error = call.raised
    if error is None:
        return False, f"{expectation}; it returned {_returned(call).type} without raising."
    if check.error not in error.bases:
        return False, f"{expectation}; it raised {error.type}: {error.message}."
    if check.message_contains and check.message_contains not in error.message:
        return False, (
            f"{expectation} with a message containing {check.message_contains!r}; "
            f"the message was {error.message!r}."
        )
    return True, f"Raised {error.type}: {error.message}"
