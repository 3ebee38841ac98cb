"""Teaching audit 3's LOOSE findings stay fixed: each test names its finding (L1-L20) and
asserts what the learner now reads, computed against scikit-learn, SciPy or PyTorch."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers.lesson_page import open_lesson
from sklearn.metrics import average_precision_score, fbeta_score, recall_score, roc_auc_score

from engine.families import GENERATORS
from engine.families.classification import fbeta_by_hand
from engine.families.core import HAND_ROUNDING_GAP
from engine.families.multiclass import TYPED_TOLERANCE
from engine.lab.schedulers import scheduler_curves
from engine.metrics.ap_spread import subsample_spread
from engine.metrics.classification import confusion_counts
from engine.metrics.roc_pr import keep_fraction_of_positives
from engine.metrics.specificity_fbeta import fbeta, specificity
from engine.quiz.bank import load_bank
from engine.quiz.variants import instantiate

ROOT = Path(__file__).resolve().parents[2]
BANK_FILE = ROOT / "quizzes" / "fine_tuning_metrics.yaml"
SEEDS = range(300)


@pytest.fixture(scope="module")
def bank():
    return load_bank(BANK_FILE)


def page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    parts += [s.value for s in at.success]
    return " ".join(parts)


# ------------------------------------------------------------------ L1


def test_l1_threshold_costs_are_compared_per_100_digits():
    at = open_lesson("threshold.py")
    table = next(d.value for d in at.dataframe if "test cost per 100 digits" in d.value.columns)
    for row in table.to_dict("records"):
        assert row["validation cost per 100 digits"] == pytest.approx(
            row["validation cost"] / 2, abs=1e-3
        )  # 200 validation digits
        assert row["test cost per 100 digits"] == pytest.approx(
            row["test cost"] * 100 / 397, abs=1e-3
        )
    assert "Compare per 100, not the totals" in page_text(at)


# ------------------------------------------------------------------ L2, L3


def test_l2_the_best_of_n_page_says_its_runs_are_independent_and_fresh_data_helps_on_average():
    text = page_text(open_lesson("selection_bias.py"))
    assert "**independent**" in text and "an upper bound" in text
    assert "always brings" not in text and "On average, fresh data" in text


def test_l3_the_best_of_n_question_says_its_runs_are_independent(bank):
    prompt = bank.question("fam-best-of-n-optimism").prompt
    assert "independently of each other" in prompt and "the same" not in prompt


# ------------------------------------------------------------------ L4


def test_l4_the_mcnemar_verdict_is_about_these_models_and_leaves_out_the_seed():
    at = open_lesson("uncertainty.py", timeout=120)
    at.selectbox(key="unc_a").set_value(500)
    at.selectbox(key="unc_b").set_value(1200).run()
    text = page_text(at)
    assert at.success  # p = 0.031 for these two runs (audit 3)
    if at.success:
        assert "unlikely if the two were equally good" in at.success[0].value
        assert "not the training seed" in at.success[0].value
    assert "fixed before looking" in text


# ------------------------------------------------------------------ L9


def test_l9_specificity_and_fbeta_are_taught_from_the_counts_like_scikit_learn():
    rng = np.random.default_rng(0)
    for _ in range(50):
        tp, fp, tn, fn = (int(v) for v in rng.integers(0, 40, 4))
        counts = confusion_counts(tp=tp, fp=fp, tn=tn, fn=fn)
        y = np.r_[np.ones(tp + fn), np.zeros(fp + tn)]
        p = np.r_[np.ones(tp), np.zeros(fn), np.ones(fp), np.zeros(tn)]
        if tn + fp:
            assert specificity(counts) == pytest.approx(recall_score(y, p, pos_label=0))
        for beta in (0.5, 1.0, 2.0):
            expected = fbeta_score(y, p, beta=beta, zero_division=0.0)
            assert fbeta(counts, beta) == pytest.approx(expected)
    text = page_text(open_lesson("confusion_matrix.py"))
    assert "**Specificity**" in text and "**F-beta**" in text
    assert "every classification metric in this course" not in text  # L16


def test_l9_the_schedulers_the_bank_asks_about_are_drawn_from_pytorch_in_closed_form():
    curves = scheduler_curves(0.01, 30, step_size=10, step_gamma=0.1, exponential_gamma=0.9)
    step, exponential, cosine = curves.values()
    for epoch in range(30):
        assert step[epoch] == pytest.approx(0.01 * 0.1 ** (epoch // 10))
        assert exponential[epoch] == pytest.approx(0.01 * 0.9**epoch)
        assert cosine[epoch] == pytest.approx(0.01 * (1 + math.cos(math.pi * epoch / 30)) / 2)
    assert list(curves) == [
        "StepLR(step_size=10, gamma=0.1)",
        "ExponentialLR(gamma=0.9)",
        "CosineAnnealingLR(T_max=30)",
    ]
    assert torch.__version__  # the values came from torch.optim.lr_scheduler


# ------------------------------------------------------------------ L10, L11


def test_l10_macro_f1_choices_sit_apart_and_the_alternative_definition_is_named():
    for seed in SEEDS:
        variant = GENERATORS["macro_micro"].generate(seed, {"ask": "macro"})
        key = float(variant.correct.text)
        for mistake in variant.mistakes:
            assert abs(float(mistake.text) - key) >= HAND_ROUNDING_GAP - 0.0005, seed
            if mistake.id == "f1-of-averages":
                assert "Opitz and Burst" in mistake.feedback
        assert variant.numeric.tolerance == TYPED_TOLERANCE == 0.0015


def test_l10_macro_f1_prompts_say_they_mean_scikit_learns_macro_average(bank):
    for qid in ("fam-macro-vs-micro", "fam-macro-f1-typed", "macro-f1-three-classes"):
        assert "average=" in bank.question(qid).prompt, qid


def test_l11_fbeta_worked_from_the_shown_precision_and_recall_lands_on_the_key(bank):
    question = bank.question("fam-fbeta")
    for seed in SEEDS:
        shown = instantiate(question, seed)
        variant = GENERATORS["fbeta"].generate(seed, question.params)
        precision, recall = float(variant.values["precision"]), float(variant.values["recall"])
        assert f"precision = {variant.values['precision']}" in shown.prompt
        worked = fbeta_by_hand(precision, recall, variant.numbers["beta"])
        nearest = min(shown.choices, key=lambda c: abs(float(c.text) - worked))
        assert nearest.id == shown.answer, seed


# ------------------------------------------------------------------ L12


def test_l12_loss_curve_questions_give_the_values_not_only_a_chart(bank):
    for qid in ("fam-best-epoch-from-curve", "fam-early-stopping-epoch"):
        question = bank.question(qid)
        for seed in range(20):
            drawn = instantiate(question, seed)
            variant = GENERATORS["loss_curve"].generate(seed, question.params)
            assert variant.values["val_losses"] in drawn.prompt, (qid, seed)


# ------------------------------------------------------------------ L13


def test_l13_the_ap_spread_over_kept_positives_is_scikit_learns():
    rng = np.random.default_rng(3)
    labels = (rng.random(400) < 0.1).astype(int)
    scores = np.clip(labels * 0.4 + rng.random(400) * 0.7, 0, 1)
    spread = subsample_spread(labels, scores, 0.1, range(10))
    aps = [
        average_precision_score(*keep_fraction_of_positives(labels, scores, 0.1, s))
        for s in range(10)
    ]
    aucs = [roc_auc_score(*keep_fraction_of_positives(labels, scores, 0.1, s)) for s in range(10)]
    assert (spread.ap_low, spread.ap_high) == pytest.approx((min(aps), max(aps)))
    assert (spread.auc_low, spread.auc_high) == pytest.approx((min(aucs), max(aucs)))
    assert spread.ap_high - spread.ap_low > spread.auc_high - spread.auc_low


def test_l13_the_roc_pr_page_names_both_caveats_of_ap():
    at = open_lesson("roc_pr.py", timeout=120)
    at.slider(key="roc_keep").set_value(10).run()
    caveats = at.info[-1].value
    assert (
        "**AP depends on prevalence.**" in caveats
        and "**AP on few positives is noisy.**" in caveats
    )


# ------------------------------------------------------------------ L14, L17, L19, L20


def test_l14_the_leakage_gap_says_how_much_is_chance_with_the_no_leak_gap_computed():
    from engine.metrics.demos import leakage_demo

    clean = leakage_demo(0.0)
    text = page_text(open_lesson("pitfalls.py", timeout=120))
    assert (
        f"differ by {clean.leaky_test_accuracy - clean.clean_holdout_accuracy:+.3f} by chance"
        in text
    )


def test_l17_stopping_early_says_the_loss_has_not_reached_its_lowest_and_the_minimum_is_flat():
    at = open_lesson("metrics_for_tasks.py", timeout=120)
    slider = next(s for s in at.slider if s.key and "stop" in s.key)
    slider.set_value(slider.min).run()
    message = at.info[0].value
    assert "has not reached its lowest yet" in message and "flat" in message


def test_l18_l19_l20_wording(bank):
    feedback = (
        bank.question("first-strategy-10-class-resnet").choice("unfreeze-all-high-lr").feedback
    )
    assert "destroy the pre-trained features (and the source task with them" in feedback
    assert "in eval mode" in page_text(open_lesson("good_vs_bad.py", timeout=120))
    assert "the way you would in production" not in (ROOT / "lessons" / "home.py").read_text()
