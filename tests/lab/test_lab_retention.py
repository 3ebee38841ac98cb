"""Retention: source-task accuracy through the original head and by a re-fitted feature probe."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import StratifiedKFold

from engine.lab.checkpoint import Pretrained, load_pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.data import source_eval_split
from engine.lab.freeze import BatchNormMode, FreezePlan, Preset, preset_plan
from engine.lab.train import finetune


@pytest.fixture(scope="module")
def shipped() -> Pretrained:
    return load_pretrained()


def tiny(plan: FreezePlan, **overrides) -> FinetuneConfig:
    options = {"train_size": 50, "epochs": 1, "measure_retention": True} | overrides
    return FinetuneConfig(plan, **options)


@pytest.fixture(scope="module")
def probe(shipped):
    return finetune(tiny(preset_plan(Preset.LINEAR_PROBE), epochs=2), shipped.model)


@pytest.fixture(scope="module")
def full_high_lr(shipped):
    # A step size ten times the preset's: big enough that every backbone block moves.
    plan = preset_plan(Preset.FULL, head_lr=0.01, backbone_lr=0.01)
    return finetune(tiny(plan), shipped.model)


def test_before_is_the_source_accuracy_the_checkpoint_sidecar_records(shipped, probe):
    # The sidecar rounds to 4 places; the source test set has 1000 images.
    assert round(probe.retention.before, 4) == shipped.source_accuracy


def test_a_linear_probe_keeps_source_accuracy_exactly(probe):
    assert probe.used_cached_features
    assert probe.retention.after == probe.retention.before
    assert probe.retention.kept == 1.0


def test_a_linear_probe_without_the_feature_cache_keeps_it_exactly_too(shipped):
    result = finetune(tiny(preset_plan(Preset.LINEAR_PROBE), cache_features=False), shipped.model)
    assert not result.used_cached_features
    assert result.retention.after == result.retention.before


def test_a_frozen_backbone_whose_batchnorm_trains_still_forgets(shipped):
    # requires_grad=False does not stop BatchNorm's running statistics from following the
    # target task's batches, and the source head sees features normalised differently.
    plan = preset_plan(Preset.LINEAR_PROBE, frozen_bn=BatchNormMode.TRAIN)
    result = finetune(tiny(plan, epochs=3), shipped.model)
    assert result.retention.after < result.retention.before


def test_full_fine_tuning_with_a_large_learning_rate_lowers_source_accuracy(full_high_lr):
    retention = full_high_lr.retention
    assert retention.after < retention.before - 0.5
    assert retention.kept == pytest.approx(retention.after / retention.before)


def test_all_runs_measure_before_on_the_same_unchanged_pretrained_model(probe, full_high_lr):
    assert full_high_lr.retention.before == probe.retention.before


def test_measuring_retention_leaves_the_shared_pretrained_model_untouched(shipped, full_high_lr):
    fresh = load_pretrained().model
    assert not shipped.model.training
    assert shipped.model.fc.out_features == len(shipped.source_classes)
    for name, tensor in fresh.state_dict().items():
        assert torch.equal(shipped.model.state_dict()[name], tensor), name


def test_retention_is_not_measured_when_switched_off_or_training_from_scratch(shipped):
    off = finetune(tiny(preset_plan(Preset.LINEAR_PROBE), measure_retention=False), shipped.model)
    assert off.retention is None
    scratch = finetune(tiny(preset_plan(Preset.SCRATCH)), shipped.model)
    assert scratch.retention is None


def test_the_refitted_probe_scores_the_features_as_a_ridge_classifier_does_on_held_out_folds(
    shipped, probe
):
    source = source_eval_split()
    with torch.no_grad():
        features = shipped.model.eval().features(source.images).numpy()
    labels = source.labels.numpy()
    folds = StratifiedKFold(2, shuffle=True, random_state=0).split(features, labels)
    held_out = [
        RidgeClassifier(alpha=1.0).fit(features[fit], labels[fit]).score(features[out], labels[out])
        for fit, out in folds
    ]
    assert probe.retention.probe_before == pytest.approx(np.mean(held_out))
    assert probe.retention.probe_before > 0.9


def test_a_linear_probe_leaves_what_the_features_know_unchanged(probe):
    assert probe.retention.probe_after == probe.retention.probe_before


@pytest.mark.slow
def test_original_head_and_refitted_probe_rank_full_and_partial_fine_tuning_in_opposite_orders(
    shipped,
):
    def retention(preset: Preset):
        config = FinetuneConfig(preset_plan(preset), train_size=200, epochs=8)
        return finetune(config, shipped.model).retention

    full, partial = retention(Preset.FULL), retention(Preset.PARTIAL)
    assert full.after > partial.after  # the old head reads full fine-tuning's features better
    assert partial.probe_after > full.probe_after  # but partial's features know more glyphs
    assert partial.probe_after > partial.after + 0.3


def test_the_checkpoints_own_accuracy_is_measured_once_however_many_runs_follow(
    shipped, monkeypatch
):
    import engine.lab.train as train_module

    measured = []
    real = train_module.source_accuracy

    def counting(model, source, device):
        measured.append(model)
        return real(model, source, device)

    monkeypatch.setattr(train_module, "source_accuracy", counting)
    first = finetune(tiny(preset_plan("linear_probe"), seed=1), shipped.model)
    second = finetune(tiny(preset_plan("linear_probe"), seed=2), shipped.model)
    assert first.retention is not None and second.retention is not None
    assert first.retention.before == second.retention.before
    assert first.retention.probe_before == second.retention.probe_before
    # One "after" per run, and "before" at most once (none if an earlier test measured it).
    assert len(measured) <= 3
