"""The check library judged in-process on trusted fixture code (the sandbox path is in
test_sandbox.py): each reference passes, each common wrong solution fails with the right
feedback, and the messages a learner reads are pinned."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.codecheck.runner import fresh_model, grade
from engine.codecheck.spec import CodeExercise
from tests.helpers.sandbox_pool import FIXTURES, exercises, solution

EXERCISE_IDS = sorted(exercises())


def scalars(trainable: list[str] | None) -> int:
    """The oracle for the counting exercise: what torch itself counts."""
    model = fresh_model(trainable)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


# (exercise, wrong solution) -> {check index: a phrase its failure message must contain}
WRONG_FEEDBACK: dict[tuple[str, str], dict[int, str]] = {
    ("freeze_all_but_fc", "wrong_module_attribute"): {
        0: "frozen but should be trainable: fc.weight, fc.bias",
        1: "No parameter is trainable",
    },
    ("freeze_all_but_fc", "wrong_eval_is_not_freezing"): {
        0: "still trainable but should be frozen: conv1.weight, bn1.weight",
        1: "No parameter is frozen",
    },
    ("discriminative_lrs", "wrong_single_lr"): {
        1: "Wrong learning rate: layer4.0.conv1.weight has lr 0.01, expected 0.001 for layer4",
    },
    ("discriminative_lrs", "wrong_never_froze"): {
        0: "still trainable but should be frozen: conv1.weight",
        1: "Trainable parameters the optimizer never updates: conv1.weight",
    },
    ("batchnorm_eval_while_frozen", "wrong_train_only"): {
        1: "Running statistics of frozen BatchNorm layers changed after one training step: "
        "bn1.running_mean, bn1.running_var",
    },
    ("batchnorm_eval_while_frozen", "wrong_eval_then_train"): {
        1: "call .eval() on frozen BatchNorm layers after model.train()",
    },
    ("count_trainable_scalars", "wrong_counts_all"): {
        0: f"Expected {scalars(['fc'])}; your function returned {scalars(None)}.",
    },
    ("count_trainable_scalars", "wrong_counts_tensors"): {
        0: f"Expected {scalars(['fc'])}; your function returned 2.",
    },
    ("optimizer_refuses_all_frozen", "wrong_all_parameters"): {
        0: "Expected the call to raise ValueError when every parameter is frozen; "
        "it returned SGD without raising.",
    },
}


def test_every_exercise_has_a_reference_and_a_wrong_solution_on_disk() -> None:
    for exercise_id in EXERCISE_IDS:
        names = {p.stem for p in (FIXTURES / exercise_id).glob("*.py")}
        assert "reference" in names
        assert any(name.startswith("wrong_") for name in names)
        assert {(exercise_id, n) for n in names if n.startswith("wrong_")} <= set(WRONG_FEEDBACK)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_each_reference_solution_passes_every_check(exercise_id: str) -> None:
    result = grade(exercises()[exercise_id], solution(exercise_id, "reference"))
    assert result.gradable
    assert [t.message for t in result.tests if not t.passed] == []
    assert result.score == 1.0


@pytest.mark.parametrize(("exercise_id", "wrong"), sorted(WRONG_FEEDBACK))
def test_each_wrong_solution_fails_with_feedback_naming_the_mistake(
    exercise_id: str, wrong: str
) -> None:
    result = grade(exercises()[exercise_id], solution(exercise_id, wrong))
    assert result.gradable
    assert result.score < 1.0
    for index, phrase in WRONG_FEEDBACK[(exercise_id, wrong)].items():
        assert not result.tests[index].passed
        assert phrase in result.tests[index].message


def test_the_head_only_count_is_what_torch_counts_for_the_lab_model() -> None:
    # 128 features x 10 classes + 10 biases, computed independently of the check.
    assert scalars(["fc"]) == 128 * 10 + 10


def test_a_syntax_error_is_not_graded_and_names_its_line() -> None:
    result = grade(exercises()["freeze_all_but_fc"], "def freeze_all_but_fc(model):\n  x = (\n")
    assert not result.gradable
    assert result.line == 2
    assert result.message.startswith("Syntax error on line 2")


def test_a_missing_function_is_not_graded_and_says_what_to_define() -> None:
    result = grade(exercises()["freeze_all_but_fc"], "def freeze(model):\n    pass\n")
    assert not result.gradable
    assert result.message == (
        "No function named `freeze_all_but_fc` found: define `def freeze_all_but_fc(model):`. "
        "Not graded."
    )


def test_an_error_inside_the_function_fails_the_check_and_names_the_line() -> None:
    code = "def freeze_all_but_fc(model):\n    model.classifer.requires_grad_(False)\n"
    result = grade(exercises()["freeze_all_but_fc"], code)
    assert result.gradable and result.score == 0.0
    assert result.tests[0].message == (
        "freeze_all_but_fc(model) raised AttributeError: 'SmallResNet' object has no "
        "attribute 'classifer' (line 2 of your code)"
    )


def test_an_error_at_import_time_fails_every_check_before_running_them() -> None:
    result = grade(exercises()["freeze_all_but_fc"], "import tensorflow\n")
    assert result.gradable
    assert result.message == (
        "Your code raised ModuleNotFoundError: No module named 'tensorflow' (line 1 of your "
        "code) before any check ran."
    )
    assert [t.passed for t in result.tests] == [False, False]


def test_a_spec_with_a_misspelt_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="prefix"):
        CodeExercise.model_validate(
            {
                "id": "x",
                "function": "f",
                "checks": [{"check": "trainable_exactly", "prefix": ["fc"]}],
            }
        )


def test_a_spec_with_an_unknown_check_names_the_known_ones() -> None:
    with pytest.raises(ValidationError, match="trainable_exactly"):
        CodeExercise.model_validate(
            {"id": "x", "function": "f", "checks": [{"check": "weights_are_nice"}]}
        )
