"""Exercises on lesson pages: each freezing-pitfalls snippet fails as shipped and passes once
fixed; the lab's "write this plan yourself" checks pass for the lab's own implementation of
the plan and fail for a plan other than the one on screen."""

from __future__ import annotations

import pytest

from engine.codecheck.runner import grade
from engine.codecheck.spec import load_page_exercises
from engine.lab.freeze import BatchNormMode, Preset, preset_plan
from engine.lab.plan_exercise import STARTER_CODE, plan_exercise

PITFALLS = {e.id: e for e in load_page_exercises()}
# What the learner reads when running each broken snippet as shipped.
BROKEN_SAYS = {
    "pitfall-nothing-trainable": "frozen but should be trainable: fc.weight, fc.bias",
    "pitfall-stale-optimizer": "not this model's parameters",
    "pitfall-batchnorm-train-mode": "Running statistics of frozen BatchNorm layers changed",
}


def test_the_page_has_one_exercise_per_pitfall():
    assert sorted(PITFALLS) == sorted(BROKEN_SAYS)


@pytest.mark.parametrize("exercise_id", sorted(BROKEN_SAYS))
def test_each_broken_snippet_fails_with_feedback_naming_the_pitfall(exercise_id: str):
    exercise = PITFALLS[exercise_id]
    result = grade(exercise.exercise(), exercise.broken)
    assert result.gradable and result.score < 1.0
    assert any(BROKEN_SAYS[exercise_id] in t.message for t in result.tests if not t.passed)


@pytest.mark.parametrize("exercise_id", sorted(BROKEN_SAYS))
def test_each_fixed_snippet_passes_every_check(exercise_id: str):
    exercise = PITFALLS[exercise_id]
    result = grade(exercise.exercise(), exercise.fixed)
    assert [t.message for t in result.tests if not t.passed] == []


def lab_solution(preset: str, bn: str) -> str:
    """The lab's own code for the plan, as a learner's answer: the oracle."""
    return f"""
from engine.lab.freeze import BatchNormMode, apply_plan, build_optimizer, preset_plan
from engine.lab.freeze import set_train_mode

def prepare(model):
    plan = preset_plan("{preset}", frozen_bn=BatchNormMode("{bn}"))
    apply_plan(model, plan)
    set_train_mode(model, plan)
    return build_optimizer(model, plan)
"""


@pytest.mark.parametrize("preset", ["linear_probe", "partial", "discriminative", "gradual"])
@pytest.mark.parametrize("bn", list(BatchNormMode))
def test_the_labs_own_implementation_of_a_plan_passes_that_plans_checks(preset: str, bn: str):
    exercise = plan_exercise(preset_plan(preset, frozen_bn=BatchNormMode(bn)))
    assert exercise is not None
    result = grade(exercise, lab_solution(preset, bn))
    assert [t.message for t in result.tests if not t.passed] == []


def test_code_for_another_plan_fails_the_plan_on_screen():
    exercise = plan_exercise(preset_plan(Preset.DISCRIMINATIVE))
    assert exercise is not None
    result = grade(exercise, lab_solution("partial", "eval"))
    failed = [t.message for t in result.tests if not t.passed]
    assert any("still" in m or "frozen but should be trainable" in m for m in failed)
    assert result.score < 1.0


def test_train_mode_batchnorm_in_the_plan_drops_the_statistics_check():
    exercise = plan_exercise(preset_plan(Preset.PARTIAL, frozen_bn=BatchNormMode.TRAIN))
    assert exercise is not None
    assert [c.check for c in exercise.checks][-1] == "frozen_unchanged_after_step"
    assert not exercise.checks[-1].batchnorm_statistics  # type: ignore[union-attr]


def test_a_plan_from_random_weights_has_nothing_to_write_and_full_fine_tuning_no_frozen_check():
    assert plan_exercise(preset_plan(Preset.SCRATCH)) is None
    full = plan_exercise(preset_plan(Preset.FULL))
    assert full is not None
    assert [c.check for c in full.checks] == ["trainable_exactly", "optimizer_holds_trainable"]


def test_the_starter_code_defines_the_function_and_earns_nothing():
    exercise = plan_exercise(preset_plan(Preset.PARTIAL))
    assert exercise is not None
    result = grade(exercise, STARTER_CODE)
    assert result.gradable and result.score == 0.0
