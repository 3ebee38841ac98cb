"""Lab runs as plain data: what crosses to a Ray worker and back, and what the run store keeps.

Only JSON-able dicts travel (never a live module or tensor), so a worker on another machine, a
PostgreSQL row and the page all agree on one shape.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from enum import Enum
from typing import Any, get_origin, get_type_hints

import numpy as np

from engine.lab.config import FinetuneConfig
from engine.lab.freeze import FreezePlan
from engine.lab.results import ClassMetrics, Retention, RunResult
from engine.metrics.training_curves import EpochRecord

# Fields that change how fast a run goes but not what it computes: left out of the run's key.
SCHEDULING_ONLY = ("threads", "device", "seed")


def _plain(value: Any) -> Any:
    """A config field as JSON: enums by value, sets as sorted lists."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset):
        return sorted(value)
    return value


def _typed(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """JSON values back to ``cls``'s field types (enums and frozensets; the rest as is)."""
    hints = get_type_hints(cls)
    out: dict[str, Any] = {}
    for name, value in data.items():
        hint = hints[name]
        if isinstance(hint, type) and issubclass(hint, Enum):
            out[name] = hint(value)
        elif get_origin(hint) is frozenset:
            out[name] = frozenset(value)
        else:
            out[name] = value
    return out


# Every field of both dataclasses travels, read off the dataclass itself: a field added to
# FinetuneConfig or FreezePlan (patience, warm-up, LP-FT...) can never be left out of the key
# that decides whether a stored run may be replayed for a new one.
def config_to_dict(config: FinetuneConfig) -> dict[str, Any]:
    out = {f.name: _plain(getattr(config, f.name)) for f in dataclasses.fields(config)}
    out["plan"] = {
        f.name: _plain(getattr(config.plan, f.name)) for f in dataclasses.fields(FreezePlan)
    }
    return out


def config_from_dict(data: dict[str, Any]) -> FinetuneConfig:
    plan = FreezePlan(**_typed(FreezePlan, data["plan"]))
    rest = {k: v for k, v in data.items() if k != "plan"}
    return FinetuneConfig(plan=plan, **_typed(FinetuneConfig, rest))


def config_digest(config: FinetuneConfig) -> str:
    """sha256 of what decides a run's numbers, seed and device aside (they are key columns)."""
    wanted = {k: v for k, v in config_to_dict(config).items() if k not in SCHEDULING_ONLY}
    return hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()


def epoch_to_dict(stats: EpochRecord) -> dict[str, Any]:
    return dataclasses.asdict(stats)


def epoch_from_dict(data: dict[str, Any]) -> EpochRecord:
    return EpochRecord(**data)


_ARRAYS = ("test_probabilities", "test_labels", "val_probabilities", "val_labels")


def result_to_dict(result: RunResult) -> dict[str, Any]:
    """Every field but the fine-tuned network, which stays where it was trained."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        if f.name == "model":
            continue
        if f.name == "history":
            value = [epoch_to_dict(s) for s in value]
        elif f.name == "per_class":
            value = [dataclasses.asdict(c) for c in value]
        elif f.name == "retention":
            value = dataclasses.asdict(value) if value else None
        elif f.name == "confusion":
            value = [list(map(int, row)) for row in value]
        elif f.name == "class_names":
            value = list(value)
        elif f.name in _ARRAYS:
            # float64 round-trips exactly through JSON's repr of a float.
            dtype = np.float64 if "probabilities" in f.name else None
            value = np.asarray(value, dtype=dtype).tolist()
        out[f.name] = value
    return out


def result_from_dict(data: dict[str, Any]) -> RunResult:
    values = dict(data)
    values["history"] = [epoch_from_dict(s) for s in data["history"]]
    values["per_class"] = [ClassMetrics(**c) for c in data["per_class"]]
    values["class_names"] = tuple(data["class_names"])
    values["retention"] = Retention(**data["retention"]) if data["retention"] else None
    for name in _ARRAYS:
        if name in data:
            dtype = np.float32 if "probabilities" in name else None
            values[name] = np.asarray(data[name], dtype=dtype)
    return RunResult(**values)
