"""Lab runs as plain data: what crosses to a Ray worker and back, and what the run store keeps.

Only JSON-able dicts travel (never a live module or tensor), so a worker on another machine, a
PostgreSQL row and the page all agree on one shape.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

import numpy as np

from engine.curves import EpochRecord
from engine.lab.data import TaskKind
from engine.lab.freeze import BatchNormMode, FreezePlan, Preset
from engine.lab.results import ClassMetrics, Retention, RunResult
from engine.lab.train import FinetuneConfig, LrSchedule

# Fields that change how fast a run goes but not what it computes: left out of the run's key.
SCHEDULING_ONLY = ("threads", "device", "seed")


def config_to_dict(config: FinetuneConfig) -> dict[str, Any]:
    plan = config.plan
    return {
        "plan": {
            "preset": plan.preset.value,
            "trainable": sorted(plan.trainable),
            "head_lr": plan.head_lr,
            "backbone_lr": plan.backbone_lr,
            "frozen_bn": plan.frozen_bn.value,
            "pretrained": plan.pretrained,
            "unfreeze_every": plan.unfreeze_every,
        },
        "task": config.task.value,
        "train_size": config.train_size,
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "seed": config.seed,
        "device": config.device,
        "measure_retention": config.measure_retention,
        "cache_features": config.cache_features,
        "schedule": LrSchedule(config.schedule).value,
        "label_noise": config.label_noise,
        "threads": config.threads,
    }


def config_from_dict(data: dict[str, Any]) -> FinetuneConfig:
    plan = data["plan"]
    return FinetuneConfig(
        FreezePlan(
            Preset(plan["preset"]),
            frozenset(plan["trainable"]),
            plan["head_lr"],
            plan["backbone_lr"],
            BatchNormMode(plan["frozen_bn"]),
            plan["pretrained"],
            plan["unfreeze_every"],
        ),
        task=TaskKind(data["task"]),
        **{k: v for k, v in data.items() if k not in ("plan", "task", "schedule")},
        schedule=LrSchedule(data["schedule"]),
    )


def config_digest(config: FinetuneConfig) -> str:
    """sha256 of what decides a run's numbers, seed and device aside (they are key columns)."""
    wanted = {k: v for k, v in config_to_dict(config).items() if k not in SCHEDULING_ONLY}
    return hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()


def epoch_to_dict(stats: EpochRecord) -> dict[str, Any]:
    return dataclasses.asdict(stats)


def epoch_from_dict(data: dict[str, Any]) -> EpochRecord:
    return EpochRecord(**data)


def result_to_dict(result: RunResult) -> dict[str, Any]:
    """Everything but the fine-tuned network, which stays where it was trained."""
    return {
        "history": [epoch_to_dict(s) for s in result.history],
        "best_epoch": result.best_epoch,
        "val_accuracy": result.val_accuracy,
        "test_accuracy": result.test_accuracy,
        "test_macro_precision": result.test_macro_precision,
        "test_macro_recall": result.test_macro_recall,
        "test_macro_f1": result.test_macro_f1,
        "per_class": [dataclasses.asdict(c) for c in result.per_class],
        "confusion": [list(map(int, row)) for row in result.confusion],
        "class_names": list(result.class_names),
        "retention": dataclasses.asdict(result.retention) if result.retention else None,
        "device": result.device,
        "used_cached_features": result.used_cached_features,
        "cancelled": result.cancelled,
        "seconds_per_epoch": result.seconds_per_epoch,
        "total_s": result.total_s,
        # float64 round-trips exactly through JSON's repr of a float.
        "test_probabilities": np.asarray(result.test_probabilities, dtype=np.float64).tolist(),
        "test_labels": np.asarray(result.test_labels).tolist(),
    }


def result_from_dict(data: dict[str, Any]) -> RunResult:
    return RunResult(
        history=[epoch_from_dict(s) for s in data["history"]],
        best_epoch=data["best_epoch"],
        val_accuracy=data["val_accuracy"],
        test_accuracy=data["test_accuracy"],
        test_macro_precision=data["test_macro_precision"],
        test_macro_recall=data["test_macro_recall"],
        test_macro_f1=data["test_macro_f1"],
        per_class=[ClassMetrics(**c) for c in data["per_class"]],
        confusion=data["confusion"],
        class_names=tuple(data["class_names"]),
        retention=Retention(**data["retention"]) if data["retention"] else None,
        device=data["device"],
        used_cached_features=data["used_cached_features"],
        cancelled=data["cancelled"],
        seconds_per_epoch=data["seconds_per_epoch"],
        total_s=data["total_s"],
        test_probabilities=np.asarray(data["test_probabilities"], dtype=np.float32),
        test_labels=np.asarray(data["test_labels"]),
    )
