"""The fine-tuning-today lesson: calibration and the range test computed live, and a run of
a parameter-efficient strategy lands in the comparison with its true trainable count."""

from __future__ import annotations

import pytest
from helpers.lesson_page import lesson_fixture, shown_metrics

from engine.lab.checkpoint import load_pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.cross_validation import compare_splits, pooled_features
from engine.lab.freeze import Preset, build_model, preset_plan
from engine.lab.lr_range import probe_range
from engine.lab.peft_presets import EfficientPlan, Strategy, adapt
from engine.lab.train import finetune
from engine.lab.tuning import tuned_plan
from engine.metrics.calibration import calibration_report

at = lesson_fixture("finetuning_today.py", timeout=240)


def test_calibration_tiles_are_the_probe_runs_ece_and_temperature(at):
    assert at.title[0].value == "Fine-tuning as it is done today"
    run = finetune(
        FinetuneConfig(tuned_plan(Preset.LINEAR_PROBE), epochs=20, measure_retention=False),
        load_pretrained().model,
    )
    report = calibration_report(
        run.val_probabilities, run.val_labels, run.test_probabilities, run.test_labels
    )
    shown = shown_metrics(at)
    assert shown["ECE, validation"] == f"{report.val_before.ece:.3f}"
    assert shown["Temperature T (fitted on validation)"] == f"{report.temperature:.2f}"
    assert shown["ECE, test, after scaling"] == f"{report.test_after.ece:.3f}"
    assert any(
        f"Test accuracy is {report.test_before.accuracy:.3f} before and "
        f"{report.test_before.accuracy:.3f} after" in m.value
        for m in at.markdown
    )


def test_the_suggested_rate_is_the_range_tests_own(at):
    found = probe_range(load_pretrained().model)
    assert shown_metrics(at)["Suggested rate (steepest fall)"] == f"{found.steepest_lr:.3g}"


def test_the_cross_validation_tiles_are_scikit_learn_fits_of_the_pooled_features(at):
    features, labels = pooled_features(load_pretrained().model)
    found = compare_splits(features, labels, folds=5, repeats=10)
    shown = shown_metrics(at)
    assert shown["Spread (sd) of one-split estimates"] == f"{found.single_sd:.4f}"
    assert shown["Spread (sd) of 5-fold means"] == f"{found.cv_sd:.4f}"


def test_the_lora_code_shown_uses_peft_with_the_chosen_rank(at):
    at.select_slider(key="ft_rank").set_value(8).run()
    assert not at.exception
    assert any("LoraConfig(" in c.value and "r=8" in c.value for c in at.code)


@pytest.mark.slow
def test_training_bitfit_adds_a_row_with_the_count_of_trainable_parameters(at):
    at.button(key="ft_train").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    model = build_model(preset_plan("linear_probe"), load_pretrained().model, 10)
    adapt(model, EfficientPlan(Strategy.BITFIT))
    expected = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert table["strategy"].tolist() == ["BitFit (biases only)"]
    assert table["trainable parameters"].tolist() == [expected]
    assert 0 <= table["validation accuracy"][0] <= 1


@pytest.mark.slow
def test_the_augmentation_button_trains_each_size_and_seed_with_and_without(at):
    at.button(key="ft_augment").click().run(timeout=900)
    assert not at.exception
    table = at.dataframe[0].value
    assert sorted(
        zip(table["training images"], table["seed"], table["augmented"], strict=True)
    ) == sorted(
        (size, seed, augmented)
        for size in (50, 200)
        for seed in (0, 1)
        for augmented in ("no", "yes")
    )
    assert table["validation accuracy"].between(0, 1).all()
