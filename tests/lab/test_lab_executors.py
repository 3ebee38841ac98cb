"""Executors: inline by default exactly as before, the Ray task body, choosing from the env."""

import dataclasses

import pytest

from engine.lab.checkpoint import CheckpointError, load_pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.freeze import preset_plan
from engine.lab.running.api import RunRequest
from engine.lab.running.choose import executor_from_env
from engine.lab.running.inline import InlineExecutor
from engine.lab.running.stored import StoredRunsExecutor
from engine.lab.running.wire import (
    config_from_dict,
    config_to_dict,
    epoch_from_dict,
    result_from_dict,
)
from engine.lab.train import finetune

TINY = FinetuneConfig(preset_plan("linear_probe"), train_size=50, epochs=2, measure_retention=False)


def learned(history):
    """What a run learned, epoch by epoch (timings differ from run to run)."""
    return [(s.epoch, s.train_loss, s.val_loss, s.val_accuracy, s.val_macro_f1) for s in history]


def test_without_configuration_runs_train_inline_in_the_app_server():
    assert isinstance(executor_from_env({}), InlineExecutor)


def test_the_run_store_can_be_switched_on_without_ray(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TUNELAB_DATABASE_URL", raising=False)
    chosen = executor_from_env({"TUNELAB_RUN_STORE": "on"})
    assert isinstance(chosen, StoredRunsExecutor) and isinstance(chosen.inner, InlineExecutor)


def test_every_setting_of_a_run_survives_the_trip_as_plain_data():
    gradual = dataclasses.replace(
        TINY, plan=preset_plan("gradual"), label_noise=0.2, batch_size=16, seed=3
    )
    for config in (TINY, gradual):
        assert config_from_dict(config_to_dict(config)) == config


@pytest.mark.slow
def test_inline_and_ray_task_body_give_the_numbers_of_a_direct_run():
    from engine.lab.running.ray_cluster import train_streaming

    pretrained = load_pretrained()
    direct = finetune(TINY, pretrained.model)
    epochs = []
    inline = InlineExecutor().run(RunRequest(TINY, pretrained, "ann", on_epoch=epochs.append))
    assert learned(epochs) == learned(inline.result.history) == learned(direct.history)
    items = list(train_streaming(config_to_dict(TINY), pretrained.meta["sha256"]))
    assert items[0] == {"started": True}  # the worker took the run: it leaves the line
    assert learned(epoch_from_dict(i["epoch"]) for i in items[1:-1]) == learned(direct.history)
    streamed = result_from_dict(items[-1]["result"])
    assert streamed.confusion == direct.confusion
    assert streamed.test_macro_f1 == direct.test_macro_f1


def test_a_worker_with_other_weights_refuses_the_run():
    from engine.lab.running.ray_cluster import train_streaming

    with pytest.raises(CheckpointError, match="same weights"):
        next(train_streaming(config_to_dict(TINY), "0" * 64))
