"""The run store: complete runs kept by (checkpoint, config, seed, device kind) and replayed."""

import dataclasses

import numpy as np
import pytest
from sqlalchemy import create_engine

from engine.lab.checkpoint import load_pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.freeze import preset_plan
from engine.lab.running.api import RunRequest
from engine.lab.running.inline import InlineExecutor
from engine.lab.running.stored import RunKey, RunStore, StoredRunsExecutor
from engine.lab.train import finetune
from engine.metrics.training_curves import EpochRecord

TINY = FinetuneConfig(preset_plan("linear_probe"), train_size=50, epochs=2, measure_retention=False)
SHA = "a" * 64


@pytest.fixture(scope="module")
def tiny_run():
    return finetune(TINY, load_pretrained().model)


@pytest.fixture
def store(tmp_path):
    return RunStore(create_engine(f"sqlite:///{tmp_path / 'runs.db'}"))


def key(config: FinetuneConfig = TINY, device_kind: str = "cpu") -> RunKey:
    return RunKey.of(config, SHA, device_kind)


def test_a_stored_run_reads_back_with_every_epoch_and_number_unchanged(store, tiny_run):
    assert store.put(key(), TINY, tiny_run)
    back = store.get(key())
    assert back is not None
    assert back.history == tiny_run.history
    assert back.confusion == tiny_run.confusion and back.per_class == tiny_run.per_class
    assert back.test_macro_f1 == tiny_run.test_macro_f1
    np.testing.assert_array_equal(back.test_probabilities, tiny_run.test_probabilities)
    np.testing.assert_array_equal(back.test_labels, tiny_run.test_labels)


def test_a_stopped_or_unfinished_run_is_never_stored(store, tiny_run):
    assert not store.put(key(), TINY, dataclasses.replace(tiny_run, cancelled=True))
    half = dataclasses.replace(tiny_run, history=tiny_run.history[:1])
    assert not store.put(key(), TINY, half)
    assert store.get(key()) is None and store.count() == 0


def test_seed_device_kind_checkpoint_and_settings_each_make_a_different_run(store, tiny_run):
    store.put(key(), TINY, tiny_run)
    assert store.get(key(dataclasses.replace(TINY, seed=1))) is None
    assert store.get(key(device_kind="cuda")) is None
    assert store.get(RunKey.of(TINY, "b" * 64, "cpu")) is None
    assert store.get(key(dataclasses.replace(TINY, batch_size=64))) is None
    # Thread count only changes the speed: still the same run.
    assert store.get(key(dataclasses.replace(TINY, threads=2))) is not None


def test_the_same_run_stored_twice_keeps_one_copy(store, tiny_run):
    assert store.put(key(), TINY, tiny_run)
    assert not store.put(key(), TINY, tiny_run)
    assert store.count() == 1


def test_an_identical_run_is_replayed_epoch_by_epoch_and_marked(store):
    pretrained = load_pretrained()
    executor = StoredRunsExecutor(InlineExecutor(), store, replay_pause_s=0)
    seen: list[list[EpochRecord]] = [[], []]
    first = executor.run(RunRequest(TINY, pretrained, "ann", on_epoch=seen[0].append))
    second = executor.run(RunRequest(TINY, pretrained, "bob", on_epoch=seen[1].append))
    assert not first.replayed and second.replayed
    assert seen[1] == seen[0] == first.result.history
    assert second.result.test_accuracy == first.result.test_accuracy
    assert store.count() == 1


def test_stopping_a_replay_returns_a_cancelled_run(store, tiny_run):
    pretrained = load_pretrained()
    store.put(RunKey.of(TINY, pretrained.meta["sha256"], "cpu"), TINY, tiny_run)
    executor = StoredRunsExecutor(InlineExecutor(), store, replay_pause_s=0)
    executed = executor.run(RunRequest(TINY, pretrained, "ann", should_stop=lambda: True))
    assert executed.replayed and executed.result.cancelled


def test_every_config_field_is_part_of_the_replay_key():
    """A field added to FinetuneConfig or FreezePlan must change the digest: otherwise a
    stored run would be replayed for a different experiment (say, with early stopping)."""
    import dataclasses

    from engine.lab.config import FinetuneConfig, Imbalance
    from engine.lab.freeze import preset_plan
    from engine.lab.running.wire import (
        SCHEDULING_ONLY,
        config_digest,
        config_from_dict,
        config_to_dict,
    )

    base = FinetuneConfig(preset_plan("linear_probe"))
    changed = [
        dataclasses.replace(base, patience=3),
        dataclasses.replace(base, warmup_epochs=1),
        dataclasses.replace(base, imbalance=Imbalance.CLASS_WEIGHTS),
        dataclasses.replace(base, plan=dataclasses.replace(base.plan, probe_epochs=2)),
    ]
    digests = {config_digest(c) for c in changed} | {config_digest(base)}
    assert len(digests) == len(changed) + 1
    wire_fields = set(config_to_dict(base)) | set(SCHEDULING_ONLY)
    assert wire_fields == {f.name for f in dataclasses.fields(FinetuneConfig)}
    for config in [base, *changed]:
        assert config_from_dict(config_to_dict(config)) == config


def test_a_run_that_early_stopping_ended_is_complete_and_stored(store, tiny_run):
    # Patience ran out before the last planned epoch: that is the run's own end, not a cut.
    ended = dataclasses.replace(tiny_run, history=tiny_run.history[:1], stopped_early=True)
    assert store.put(key(), TINY, ended)
    back = store.get(key())
    assert back is not None and back.history == ended.history and back.stopped_early
