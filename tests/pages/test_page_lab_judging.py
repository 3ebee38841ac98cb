"""The lab page judges runs with their uncertainty: intervals beside validation scores, a paired
verdict on two runs, and the seed spread of any plan (its cost said before it starts)."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers.lab_page import press, tiny_lab
from streamlit.testing.v1 import AppTest

from engine.lab.baselines import BaselineKind, fit_baseline
from engine.lab.data import TaskKind
from engine.lab.judging import compare_runs, validation_intervals


def comparison_table(at: AppTest):
    return next(d.value for d in at.dataframe if "weights from" in d.value.columns)


def test_the_seed_spread_is_offered_for_a_plan_that_trains_the_backbone_with_its_cost():
    at = tiny_lab()
    at.selectbox(key="lab_preset").set_value("partial").run()
    assert at.button(key="lab_seeds")  # not only cached-feature probes any more
    captions = " ".join(c.value for c in at.caption)
    assert "5 runs of this plan: at most about" in captions


def test_each_preset_starts_at_the_learning_rates_its_sweep_chose():
    from engine.lab.tuning import TUNED_RATES

    at = tiny_lab()
    for preset, rates in TUNED_RATES.items():
        at.selectbox(key="lab_preset").set_value(preset.value).run()
        assert at.select_slider(key=f"lab_head_lr_{preset}").value == rates.head_lr
        assert at.select_slider(key=f"lab_bb_lr_{preset}").value == rates.backbone_lr


@pytest.mark.slow
def test_two_runs_show_intervals_and_a_paired_verdict_on_the_same_validation_items():
    at = tiny_lab()
    press(at, "lab_train")
    at.selectbox(key="lab_preset").set_value("partial").run()
    press(at, "lab_train")
    first, second = at.session_state["lab_runs"]
    table = comparison_table(at)
    judged = validation_intervals(first.result)
    assert judged is not None
    assert table["validation accuracy 95% interval"][0] == (
        f"{judged.accuracy.low:.3f}–{judged.accuracy.high:.3f}"
    )
    captions = " ".join(c.value for c in at.caption)
    assert "95 % intervals on the 200 validation items" in captions
    verdict = compare_runs(first, second).verdict()
    shown = [w.value for w in at.warning] + [i.value for i in at.info]
    assert verdict in shown
    # Baselines on the same 50 training digits close the table, their test hidden too.
    svm = fit_baseline(BaselineKind.RBF_SVM, TaskKind.DIGITS, 50, 0)
    baselines = next(d.value for d in at.dataframe if "setting" in d.value.columns)
    rows = baselines.set_index("run")
    assert rows.loc[svm.label, "validation accuracy"] == round(svm.val_accuracy, 3)
    assert pd.isna(rows.loc[svm.label, "test accuracy"])
    assert at.button(key="lab_curve")
    assert "runs and 4 SVM fits: at most" in " ".join(c.value for c in at.caption)


@pytest.mark.slow
def test_a_partial_plan_over_seeds_puts_its_spread_in_the_runs_table():
    at = tiny_lab()
    at.selectbox(key="lab_preset").set_value("partial").run()
    press(at, "lab_seeds")
    spread = at.session_state["lab_spread"]
    assert len(spread.val_accuracies) == 5
    press(at, "lab_train")
    table = comparison_table(at)
    assert table["validation accuracy over seeds (mean ± sd)"][0] == (
        f"{spread.mean:.3f} ± {spread.std:.3f}"
    )
    assert table["over seeds (range)"][0] == f"{spread.low:.3f}–{spread.high:.3f}"


@pytest.mark.slow
def test_tuning_the_rate_on_validation_offers_the_chosen_rates_to_the_sliders():
    at = tiny_lab()
    assert "3 runs (rates ×⅓, as set, ×3" in " ".join(c.value for c in at.caption)
    press(at, "lab_tune")
    preset, sweep = at.session_state["lab_sweep"]
    table = next(d.value for d in at.dataframe if "chosen" in d.value.columns)
    assert list(table["head lr"]) == [p.head_lr for p in sweep.points]
    press(at, "lab_use_tuned")
    assert at.select_slider(key=f"lab_head_lr_{preset}").value == sweep.chosen.head_lr
    assert not at.session_state["lab_runs"]  # a sweep is not a run to compare on test
