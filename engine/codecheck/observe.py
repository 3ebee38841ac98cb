"""Runs inside the jailed child: describe what one call of the learner's function left behind
(engine/codecheck/snapshot.py) as plain data. No check runs here and no verdict is written.

Every accessor is captured when this module is imported, which the warm worker does before
any learner code exists, so a learner who patches ``nn.Parameter.requires_grad``, a module's
``named_parameters``, ``type`` or ``isinstance`` in their own code changes nothing read here.
A learner who goes further (ctypes, rewriting this module) can only make the report a claim
about a configuration; the judge grades that configuration, rebuilt on a model of its own."""

from __future__ import annotations

import math
import traceback
from typing import Any

import torch
from torch import nn

from engine.codecheck.snapshot import (
    LARGEST_INT,
    MAX_ATTRIBUTES,
    MAX_BASES,
    MAX_GROUPS,
    MAX_HYPERPARAMETERS,
    MAX_ITEMS,
    MAX_MODULES,
    MAX_NAME,
    MAX_PARAMETERS,
    MAX_TEXT,
)
from engine.lab.model import SmallResNet

LEARNER_FILE = "<your code>"
SHOWN = 80  # characters of a returned value's repr the learner reads back

_type = type
_bool = bool
_int = int
_float = float
_list = list
_tuple = tuple
_dict = dict
_min = min
_any = any
_all = all
_id = id
_len = len
_str = str
_repr = repr
_issubclass = issubclass
_getattribute = object.__getattribute__
_dict_get = dict.get
_dict_items = dict.items
_list_copy = list.copy
_isfinite = math.isfinite
_extract_tb = traceback.extract_tb
_REQUIRES_GRAD = torch._C.TensorBase.__dict__["requires_grad"].__get__
_SHAPE = torch._C.TensorBase.__dict__["shape"].__get__
_NUMEL = torch._C.TensorBase.numel
_ITEM = torch._C.TensorBase.item
_MRO = type.__dict__["__mro__"].__get__
_CLASS_NAME = type.__dict__["__name__"].__get__
_CLASS_DICT = type.__dict__["__dict__"].__get__
_TRACEBACK = BaseException.__dict__["__traceback__"].__get__
_TENSOR = torch.Tensor
_MODULE = nn.Module
_OPTIMIZER = torch.optim.Optimizer
_BUILTIN_OPTIMIZERS = tuple(
    cls
    for cls in vars(torch.optim).values()
    if isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer) and cls is not _OPTIMIZER
)
_LAB_MODEL = SmallResNet
# The methods every module has: one set on an instance (shadowing its class) means the
# model's behaviour was replaced, whatever it now reports.
_MODULE_METHODS = frozenset(k for k, v in vars(nn.Module).items() if callable(v)) | {"forward"}


def _lab_classes() -> tuple[type, ...]:
    classes = {nn.Module, SmallResNet}
    classes.update(type(m) for m in SmallResNet(10).modules())
    return tuple(classes)


_LAB_CLASSES = _lab_classes()
# Each lab class's own methods as imported: a class patched later (its method replaced,
# a method added that shadows nn.Module's) no longer matches.
_PRISTINE = {
    cls: {k: v for k, v in vars(cls).items() if callable(v) or isinstance(v, property)}
    for cls in _LAB_CLASSES
}


class Refused(Exception):
    """The child will not describe this model: it is not the lab's model any more."""


def _class_name(cls: type) -> str:
    return _str(_CLASS_NAME(cls))[:MAX_NAME]


def _is(cls: type, candidates: tuple[type, ...]) -> bool:
    return _any(cls is c for c in candidates)  # `is`: a metaclass cannot fake identity


def _derives(cls: type, base: type) -> bool:
    return _any(c is base for c in _MRO(cls))


def shorten(text: str, limit: int) -> str:
    return text if _len(text) <= limit else text[: limit - 3] + "..."


def _safe_text(value: Any, limit: int, how: Any = _str) -> str:
    try:
        text = how(value)
    except BaseException:  # a learner's __str__/__repr__ may raise anything
        return "?"
    return shorten(text if _type(text) is _str else "?", limit)


def _check_pristine_classes() -> None:
    for cls, methods in _dict_items(_PRISTINE):
        now = _CLASS_DICT(cls)
        for name, method in _dict_items(methods):
            if now.get(name) is not method:
                raise Refused(
                    f"your code replaced {_class_name(cls)}.{name}, so the model it reports "
                    "on is not the lab's model"
                )
        for name in _MODULE_METHODS:
            if cls is not _MODULE and name in now and name not in methods:
                raise Refused(f"your code added {_class_name(cls)}.{name}")


def _scalar(value: Any) -> tuple[bool, Any]:
    """(usable, value) for an attribute or hyperparameter a report may carry."""
    kind = _type(value)
    if value is None or kind is _bool:
        return True, value
    if kind is _int:
        return -LARGEST_INT <= value <= LARGEST_INT, value
    if kind is _float:
        return _isfinite(value), value
    if kind is _str:
        return _len(value) <= MAX_TEXT, value
    return False, None


def _attributes(state: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in _dict_items(state):
        if _len(kept) >= MAX_ATTRIBUTES:
            break
        if _type(key) is not _str or key.startswith("_") or key == "training":
            continue
        if _len(key) > MAX_NAME:
            continue
        usable, plain = _scalar(value)
        if usable:
            kept[key] = plain
    return kept


def _module_state(module: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the module's reported state, its instance dict) after checking it is a real module."""
    cls = _type(module)
    if not _derives(cls, _MODULE):
        raise Refused(f"{name or 'the model'} is a {_class_name(cls)}, not an nn.Module")
    state = _getattribute(module, "__dict__")
    if _type(state) is not _dict:
        raise Refused(f"{name or 'the model'} has no plain attribute table")
    for key in _MODULE_METHODS:
        if key in state:
            raise Refused(f"your code replaced the method {name or 'model'}.{key}")
    training = _dict_get(state, "training")
    if _type(training) is not _bool:
        raise Refused(f"{name or 'the model'}.training is not True or False")
    reported = {
        "name": name,
        "type": _class_name(cls),
        "training": training,
        "attributes": _attributes(state),
    }
    return reported, state


def _table(state: dict[str, Any], key: str, owner: str) -> dict[str, Any]:
    table = _dict_get(state, key)
    if _type(table) is not _dict:
        raise Refused(f"{owner or 'the model'}.{key} was replaced")
    return table


def describe_model(model: Any) -> tuple[dict[str, Any], dict[int, str]]:
    """The model's modules and parameters in named_modules()/named_parameters() order, read
    from the modules' own tables; and each parameter's name by the tensor's id."""
    if _type(model) is not _LAB_MODEL:
        raise Refused(
            f"your code replaced the model's class (it is now {_class_name(_type(model))})"
        )
    _check_pristine_classes()
    modules: list[dict[str, Any]] = []
    parameters: list[dict[str, Any]] = []
    names_by_id: dict[int, str] = {}
    seen_modules: set[int] = set()
    stack: list[tuple[str, Any]] = [("", model)]
    while stack:
        prefix, module = stack.pop()
        if _id(module) in seen_modules:
            continue
        seen_modules.add(_id(module))
        if _len(modules) >= MAX_MODULES:
            raise Refused(f"the model has more than {MAX_MODULES} modules")
        reported, state = _module_state(module, prefix)
        modules.append(reported)
        dot = prefix + "." if prefix else ""
        for key, parameter in _dict_items(_table(state, "_parameters", prefix)):
            if parameter is None or _id(parameter) in names_by_id:
                continue
            if not _derives(_type(parameter), _TENSOR) or _type(key) is not _str:
                raise Refused(f"{dot}{key} is not a tensor")
            if _len(parameters) >= MAX_PARAMETERS:
                raise Refused(f"the model has more than {MAX_PARAMETERS} parameters")
            name = (dot + key)[:MAX_NAME]
            names_by_id[_id(parameter)] = name
            parameters.append(
                {
                    "name": name,
                    "requires_grad": _bool(_REQUIRES_GRAD(parameter)),
                    "shape": [_int(n) for n in _SHAPE(parameter)][:8],
                }
            )
        children = [
            ((dot + key)[:MAX_NAME], child)
            for key, child in _dict_items(_table(state, "_modules", prefix))
            if child is not None and _type(key) is _str
        ]
        stack.extend(reversed(children))
    return {"parameters": parameters, "modules": modules}, names_by_id


def _optimizer_state(optimizer: Any, names_by_id: dict[int, str]) -> dict[str, Any]:
    cls = _type(optimizer)
    state = _getattribute(optimizer, "__dict__")
    groups = _dict_get(state, "param_groups") if _type(state) is _dict else None
    reported_groups: list[dict[str, Any]] = []
    if _type(groups) is _list:
        for group in _list_copy(groups)[:MAX_GROUPS]:
            if _type(group) is not _dict:
                continue
            params = _dict_get(group, "params")
            held: list[str] = []
            foreign = 0
            for tensor in _list_copy(params) if _type(params) is _list else []:
                name = _dict_get(names_by_id, _id(tensor))
                if name is None:
                    foreign += 1
                elif _len(held) < MAX_PARAMETERS:
                    held.append(name)
            hyperparameters: dict[str, Any] = {}
            for key, value in _dict_items(group):
                if key == "params" or _type(key) is not _str or _len(key) > MAX_NAME:
                    continue
                if _len(hyperparameters) >= MAX_HYPERPARAMETERS:
                    break
                if _type(value) in (_tuple, _list) and 0 < _len(value) <= 4:
                    numbers = [_float(v) for v in value if _type(v) in (_int, _float)]
                    if _len(numbers) == _len(value) and _all(_isfinite(n) for n in numbers):
                        hyperparameters[key] = numbers
                    continue
                if _derives(_type(value), _TENSOR) and _NUMEL(value) == 1:
                    value = _ITEM(value)
                usable, plain = _scalar(value)
                if usable:
                    hyperparameters[key] = plain
            reported_groups.append(
                {
                    "params": held,
                    "foreign": _min(foreign, 1 << 20),
                    "hyperparameters": hyperparameters,
                }
            )
    return {
        "type": _class_name(cls),
        "builtin": _is(cls, _BUILTIN_OPTIMIZERS),
        "groups": reported_groups,
    }


def describe_value(value: Any, names_by_id: dict[int, str], depth: int = 0) -> dict[str, Any]:
    """What the function returned, as data: a scalar's value, an optimizer's groups, a
    module's type and attributes, a short tuple's items."""
    cls = _type(value)
    shown = _safe_text(value, SHOWN, _repr)
    reported: dict[str, Any] = {"kind": "other", "type": _class_name(cls), "shown": shown}
    if _derives(cls, _TENSOR):
        try:
            if _NUMEL(value) == 1:
                value = _ITEM(value)  # a one-element tensor counts as its number
                cls = _type(value)
                reported["shown"] = _safe_text(value, SHOWN, _repr)
        except BaseException:
            return reported
    if value is None:
        reported.update(kind="none", value=None)
    elif cls is _bool or cls is _int or cls is _float or cls is _str:
        usable, plain = _scalar(value)
        reported["kind"] = {_bool: "bool", _int: "int", _float: "float", _str: "str"}[cls]
        if usable:
            reported["value"] = plain
    elif _derives(cls, _OPTIMIZER):
        reported.update(kind="optimizer", optimizer=_optimizer_state(value, names_by_id))
    elif _derives(cls, _MODULE) and not _derives(cls, _LAB_MODEL):
        try:
            module, _ = _module_state(value, "")
            reported.update(kind="module", module=module)
        except Refused:
            pass
    elif (cls is _tuple or cls is _list) and depth == 0 and _len(value) <= MAX_ITEMS:
        items = [describe_value(item, names_by_id, depth + 1) for item in _list_copy(_list(value))]
        reported.update(kind="tuple", items=items)
    return reported


def learner_line(error: BaseException) -> int | None:
    try:
        frames = _extract_tb(_TRACEBACK(error))
        lines = [f.lineno for f in frames if f.filename == LEARNER_FILE and f.lineno]
    except BaseException:
        return None
    return lines[-1] if lines and 1 <= lines[-1] <= 1 << 20 else None


def describe_error(error: BaseException) -> dict[str, Any]:
    cls = _type(error)
    try:
        bases = [_class_name(c) for c in _MRO(cls)][:MAX_BASES]
    except BaseException:
        bases = []
    return {
        "type": _class_name(cls),
        "bases": bases,
        "message": _safe_text(error, MAX_TEXT),
        "line": learner_line(error),
    }


def describe_call(model: Any, returned: Any, raised: BaseException | None) -> dict[str, Any]:
    """One CallReport: the model as the call left it, and what it returned or raised."""
    report: dict[str, Any] = {}
    names_by_id: dict[int, str] = {}
    try:
        report["model"], names_by_id = describe_model(model)
    except Refused as refused:
        report["refused"] = shorten(_str(refused), MAX_TEXT)
    except BaseException as error:  # a hostile object broke the walk: say so, plainly
        report["refused"] = shorten(
            f"the model could not be read ({_class_name(_type(error))})", MAX_TEXT
        )
    if raised is not None:
        report["raised"] = describe_error(raised)
    else:
        try:
            report["returned"] = describe_value(returned, names_by_id)
        except BaseException:
            report["returned"] = {"kind": "other", "type": "?", "shown": "?"}
    return report
