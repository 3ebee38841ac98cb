"""Pixel baselines sit on the lab's own split: the same training digits as a run, C chosen on
validation, the scores scikit-learn gives; the learning curve covers every size and model."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.svm import SVC
from test_lab_judging import LABELS, lab_run, result_with

from engine.lab.baselines import (
    C_GRID,
    BaselineKind,
    fit_baseline,
    learning_curve,
    pixel_split,
)
from engine.lab.data import TaskKind, load_task
from engine.lab.judging import baseline_row, judged_runs_table


def test_the_baselines_train_on_exactly_the_digits_a_run_of_that_size_and_seed_uses():
    split, task = pixel_split(TaskKind.DIGITS, 50, 3), load_task(TaskKind.DIGITS, 50, 3)
    assert np.array_equal(split.train_y, task.train.labels.numpy())
    assert np.array_equal(split.val_y, task.val.labels.numpy())
    assert np.array_equal(split.test_y, task.test.labels.numpy())
    # Same digit, item by item: the run's 32×32 image is the 8×8 pixels upsampled.
    pixels = torch.from_numpy(split.train_x[:5].reshape(5, 1, 8, 8)).float()
    upsampled = torch.nn.functional.interpolate(
        pixels, size=32, mode="bilinear", align_corners=False
    )
    assert torch.allclose(
        (upsampled.clamp(0, 1) - 0.5) / 0.25, task.train.images[:5, :1], atol=1e-5
    )


def test_the_rare_task_baseline_predicts_eights():
    split = pixel_split(TaskKind.RARE_EIGHT, 200, 0)
    assert set(np.unique(split.val_y)) == {0, 1} and 0.05 < split.val_y.mean() < 0.2


def test_the_svm_baseline_is_scikit_learns_svc_at_the_c_best_on_validation():
    split = pixel_split(TaskKind.DIGITS, 200, 0)
    scores = {
        c: np.mean(SVC(C=c).fit(split.train_x, split.train_y).predict(split.val_x) == split.val_y)
        for c in C_GRID[BaselineKind.RBF_SVM]
    }
    result = fit_baseline(BaselineKind.RBF_SVM, TaskKind.DIGITS, 200, 0)
    assert result.val_accuracy == max(scores.values())
    assert scores[result.c] == max(scores.values())
    expected_test = SVC(C=result.c).fit(split.train_x, split.train_y).predict(split.test_x)
    assert result.test_accuracy == pytest.approx(np.mean(expected_test == split.test_y))


def test_a_baseline_row_has_the_judged_tables_columns_and_hides_test_until_revealed():
    result = fit_baseline(BaselineKind.LOGISTIC, TaskKind.DIGITS, 50, 0)
    hidden, shown = baseline_row(result), baseline_row(result, revealed={result.label})
    (run_row,) = judged_runs_table([lab_run("#1", result_with(np.ones(200, bool), LABELS))])
    assert [k if k != "setting" else "weights from" for k in hidden] == list(run_row)
    assert hidden["test accuracy"] is None and shown["test accuracy"] == round(
        result.test_accuracy, 3
    )
    assert hidden["validation accuracy 95% interval"] is not None
    assert "chosen on validation" in str(hidden["setting"])


def test_the_learning_curve_has_one_point_per_size_and_model_with_progress():
    calls = []
    points = learning_curve(
        (50, 200),
        {"probe": lambda size: size / 1000},
        on_point=lambda done, total: calls.append((done, total)),
    )
    assert [(p.model.split(":")[0], p.train_size) for p in points] == [
        ("Baseline", 50),
        ("probe", 50),
        ("Baseline", 200),
        ("probe", 200),
    ]
    assert points[1].val_accuracy == 0.05
    assert calls[-1] == (4, 4)
