"""Question-family generators: every key agrees with scikit-learn or PyTorch, seed by seed."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    confusion_matrix,
    f1_score,
    fbeta_score,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
    root_mean_squared_error,
)

from engine.families import GENERATORS, check_family
from engine.families.classification import by_hand, fbeta_by_hand
from engine.families.core import MISTAKES_SHOWN
from engine.families.multiclass import averages_by_hand, labels_from_matrix
from engine.families.ranking import (
    THRESHOLDS,
    costs_by_threshold,
    pairs_ranked_right,
    precision_at_each_positive,
)
from engine.families.regression import scores_by_hand
from engine.families.training import WIDTHS, trainable_blocks
from engine.lab.model import BACKBONE_BLOCKS, SmallResNet
from engine.metrics.classification import confusion_counts, labels_from_counts
from engine.quiz.models import LESSON_IDS

SEEDS = range(40)


def variants(name: str, seeds=SEEDS, **params):
    return [GENERATORS[name].generate(seed, params) for seed in seeds]


def listed(text: str) -> np.ndarray:
    return np.array([float(v) for v in text.split(", ")])


def test_there_are_at_least_ten_generators_covering_every_lesson():
    assert len(GENERATORS) >= 10
    covered = {lesson for g in GENERATORS.values() for lesson in g.lessons}
    assert covered == set(LESSON_IDS)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_the_same_seed_gives_the_same_variant_and_seeds_differ(name):
    first = variants(name, range(12))
    assert first == variants(name, range(12))
    assert len({tuple(sorted(v.values.items())) for v in first}) > 6


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_every_variant_has_one_key_and_distinct_named_mistakes(name):
    assert check_family(name, None, {}, seeds=SEEDS) == []
    for variant in variants(name, range(10)):
        assert [o.correct for o in variant.options].count(True) == 1
        assert len(variant.mistakes) == MISTAKES_SHOWN
        assert all(o.feedback and o.id != "correct" for o in variant.mistakes)
        if variant.numeric is not None:
            assert math.isfinite(variant.numeric.value)


@pytest.mark.parametrize("ask", ["precision", "recall", "f1", "accuracy", "specificity"])
def test_confusion_metric_keys_are_scikit_learns(ask):
    library = {
        "precision": precision_score,
        "recall": recall_score,
        "f1": f1_score,
        "accuracy": accuracy_score,
        "specificity": lambda t, p: recall_score(t, p, pos_label=0),
    }[ask]
    for variant in variants("confusion_metric", ask=ask):
        n = variant.numbers
        counts = confusion_counts(tp=n["tp"], fp=n["fp"], tn=n["tn"], fn=n["fn"])
        expected = library(*labels_from_counts(counts))
        assert variant.numeric.value == pytest.approx(expected, abs=1e-12)
        assert variant.correct.text == f"{expected:.3f}"


def test_the_hand_formulas_behind_distractors_match_scikit_learn():
    rng = np.random.default_rng(0)
    for tp, fp, tn, fn in rng.integers(1, 60, (30, 4)):
        y_true, y_pred = labels_from_counts(confusion_counts(tp=tp, fp=fp, tn=tn, fn=fn))
        hand = by_hand(tp, fp, tn, fn)
        assert hand["precision"] == pytest.approx(precision_score(y_true, y_pred))
        assert hand["recall"] == pytest.approx(recall_score(y_true, y_pred))
        assert hand["f1"] == pytest.approx(f1_score(y_true, y_pred))
        assert hand["accuracy"] == pytest.approx(accuracy_score(y_true, y_pred))
        assert hand["specificity"] == pytest.approx(recall_score(y_true, y_pred, pos_label=0))
        for beta in (0.5, 2.0):
            assert fbeta_by_hand(hand["precision"], hand["recall"], beta) == pytest.approx(
                fbeta_score(y_true, y_pred, beta=beta)
            )


def test_confusion_metric_names_the_swapped_fp_fn_mistake_with_its_value():
    variant = GENERATORS["confusion_metric"].generate(
        3, {"tp": 40, "fp": 10, "fn": 30, "ask": "precision"}
    )
    swapped = next(o for o in variant.mistakes if o.id == "swapped-fp-fn")
    assert swapped.text == f"{40 / 70:.3f}" and variant.correct.text == f"{40 / 50:.3f}"
    assert "swapped" in swapped.feedback


def test_imbalance_baseline_is_the_accuracy_of_predicting_negative_always():
    for variant in variants("imbalance_baseline"):
        total, positives = variant.numbers["total"], variant.numbers["positives"]
        y_true = np.r_[np.ones(positives), np.zeros(total - positives)]
        assert variant.numeric.value == accuracy_score(y_true, np.zeros(total))
        assert recall_score(y_true, np.zeros(total), zero_division=0.0) == 0.0


def test_fbeta_keys_are_scikit_learns():
    for variant in variants("fbeta"):
        n = variant.numbers
        counts = confusion_counts(tp=n["tp"], fp=n["fp"], tn=0, fn=n["fn"])
        expected = fbeta_score(*labels_from_counts(counts), beta=n["beta"])
        assert variant.numeric.value == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("ask", ["macro", "micro"])
def test_macro_micro_keys_and_distractors_are_scikit_learns(ask):
    for variant in variants("macro_micro", ask=ask):
        matrix = np.array([[int(variant.values[f"c{t}{p}"]) for p in range(3)] for t in range(3)])
        y_true, y_pred = labels_from_matrix(matrix)
        assert (confusion_matrix(y_true, y_pred) == matrix).all()
        assert variant.numeric.value == pytest.approx(f1_score(y_true, y_pred, average=ask))
        hand = averages_by_hand(matrix)
        for average in ("macro", "micro", "weighted"):
            assert hand[average] == pytest.approx(
                f1_score(y_true, y_pred, average=average, zero_division=0.0)
            )


def _labelled_scores(variant):
    pos, neg = listed(variant.values["positive_scores"]), listed(variant.values["negative_scores"])
    return np.r_[np.ones(len(pos)), np.zeros(len(neg))], np.r_[pos, neg]


def test_roc_auc_keys_are_scikit_learns_and_equal_the_share_of_ranked_pairs():
    for variant in variants("roc_auc"):
        y, scores = _labelled_scores(variant)
        assert len(set(scores)) == len(scores)  # no ties: the pair count explains the key
        assert variant.numeric.value == pytest.approx(roc_auc_score(y, scores), abs=1e-12)
        assert pairs_ranked_right(y, scores) == pytest.approx(roc_auc_score(y, scores))
        assert variant.chart is not None and variant.chart.x[0] == 0 and variant.chart.x[-1] == 1


def test_average_precision_keys_are_scikit_learns():
    for variant in variants("average_precision"):
        y, scores = _labelled_scores(variant)
        expected = average_precision_score(y, scores)
        assert variant.numeric.value == pytest.approx(expected, abs=1e-12)
        assert precision_at_each_positive(y, scores) == pytest.approx(expected)


def test_cheapest_threshold_is_the_unique_minimum_of_costs_counted_by_scikit_learn():
    for variant in variants("cheapest_threshold"):
        y, scores = _labelled_scores(variant)
        cost_fp, cost_fn = int(variant.values["cost_fp"]), int(variant.values["cost_fn"])
        totals = []
        for threshold in THRESHOLDS:
            _tn, fp, fn, _tp = confusion_matrix(y, scores >= threshold, labels=[0, 1]).ravel()
            totals.append(fp * cost_fp + fn * cost_fn)
        assert totals == costs_by_threshold(y, scores, cost_fp, cost_fn)
        assert totals.count(min(totals)) == 1
        assert variant.numeric.value == THRESHOLDS[totals.index(min(totals))]


@pytest.mark.parametrize("ask", ["mse", "rmse", "mae", "r2"])
def test_regression_keys_are_scikit_learns(ask):
    library = {"mse": mean_squared_error, "rmse": root_mean_squared_error,
               "mae": mean_absolute_error, "r2": r2_score}  # fmt: skip
    for variant in variants("regression_error", ask=ask):
        y_true, y_pred = listed(variant.values["targets"]), listed(variant.values["predictions"])
        assert variant.numeric.value == pytest.approx(library[ask](y_true, y_pred), abs=1e-12)
        hand = scores_by_hand(y_true, y_pred)
        assert hand[ask] == pytest.approx(library[ask](y_true, y_pred))


def _stop_epoch_by_hand(losses: list[float], patience: int) -> int | None:
    best, bad = math.inf, 0
    for epoch, loss in enumerate(losses, start=1):
        best, bad = (loss, 0) if loss < best else (best, bad + 1)
        if bad >= patience:
            return epoch
    return None


def test_loss_curve_best_and_stopping_epochs_match_a_plain_reading_of_the_curve():
    for variant in variants("loss_curve"):
        val = listed(variant.values["val_losses"]).tolist()
        assert variant.values["best_epoch"] == str(int(np.argmin(val)) + 1)
        assert variant.values["stop_epoch"] == str(
            _stop_epoch_by_hand(val, int(variant.values["patience"]))
        )
        assert variant.chart.series["validation"] == tuple(val)


@pytest.mark.parametrize("train_from", ["layer2", "layer3", "layer4", "fc"])
def test_freeze_counts_match_a_real_model_frozen_with_requires_grad(train_from):
    for widths in WIDTHS:
        model = SmallResNet(7, WIDTHS[widths], blocks_per_stage=2)
        first = BACKBONE_BLOCKS.index(train_from) if train_from != "fc" else len(BACKBONE_BLOCKS)
        for block in BACKBONE_BLOCKS[:first]:
            getattr(model, block).requires_grad_(False)
        trainable = [p for p in model.parameters() if p.requires_grad]
        trained, _ = trainable_blocks(widths, 2, 7, train_from)
        assert sum(b.tensors for b in trained) == len(trainable)
        assert sum(b.scalars for b in trained) == sum(p.numel() for p in trainable)
        variant = GENERATORS["freeze_counts"].generate(
            0,
            {
                "widths": widths,
                "blocks_per_stage": 2,
                "num_classes": 7,
                "train_from": train_from,
                "ask": "scalars",
            },
        )
        assert variant.numeric.value == sum(p.numel() for p in trainable)
        wrong = next(o for o in variant.mistakes if o.id == "counted-tensors-not-scalars")
        assert wrong.text == str(len(trainable))


def test_lr_schedule_keys_follow_each_schedulers_closed_form():
    for variant in variants("lr_schedule", range(60)):
        v = variant.values
        base, gamma, epoch = float(v["base_lr"]), float(v["gamma"]), int(v["epoch"])
        expected = {
            "step": base * gamma ** (epoch // int(v["step_size"])),
            "exponential": base * gamma**epoch,
            "cosine": base * (1 + math.cos(math.pi * epoch / int(v["epochs"]))) / 2,
        }[v["schedule"]]
        assert variant.numeric.value == pytest.approx(expected, rel=1e-9)
        assert torch.isfinite(torch.tensor(variant.numeric.value))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_two_hundred_seeds_of_every_family_pass_the_validators_checks(name):
    # What `engine validate` will sample per family once the loader is wired in.
    assert check_family(name, None, {}, seeds=range(200)) == []


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_each_generator_declares_exactly_the_values_and_mistakes_its_variants_carry(name):
    family = GENERATORS[name]
    values: set[str] = set()
    mistakes: set[str] = set()
    for seed in range(200):
        variant = family.generate(seed)
        values |= set(variant.values)
        mistakes |= {option.id for option in variant.mistakes}
    assert values == family.value_names
    assert mistakes == family.mistake_names
