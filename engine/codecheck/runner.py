"""Runs inside the sandboxed child: compile the learner's code, find the function, run each
check on a fresh model, and return a JSON-ready GradeResult."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from engine.codecheck import checks
from engine.codecheck.spec import Check, CheckOutcome, CodeExercise, GradeResult
from engine.lab.model import SmallResNet

LEARNER_FILE = "<your code>"
NUM_CLASSES = 10

_RUNNERS: dict[str, Callable[[Any, nn.Module, checks.LearnerCall], checks.Verdict]] = {
    "trainable_exactly": checks.trainable_exactly,
    "optimizer_holds_trainable": checks.optimizer_holds_trainable,
    "frozen_unchanged_after_step": checks.frozen_unchanged_after_step,
    "returns": checks.returns,
    "raises": checks.raises,
}
_DEFAULT_NAMES = {
    "trainable_exactly": "Exactly the right parameters are trainable",
    "optimizer_holds_trainable": "The optimizer holds exactly the trainable parameters",
    "frozen_unchanged_after_step": "Frozen layers are unchanged after a training step",
    "returns": "The function returns the right value",
    "raises": "The function raises the right error",
}


def warm_up() -> None:
    """Pay torch's first-use costs once in the warm worker, not in every submission."""
    torch.set_num_threads(1)
    model = fresh_model(None)
    nn.functional.cross_entropy(model(torch.randn(2, 3, 32, 32)), torch.tensor([0, 1])).backward()


def fresh_model(trainable_before: list[str] | None) -> SmallResNet:
    torch.manual_seed(0)
    model = SmallResNet(NUM_CLASSES)
    if trainable_before is not None:
        for name, parameter in model.named_parameters():
            parameter.requires_grad = checks._under(name, trainable_before)
    return model


def _learner_line(error: BaseException) -> int | None:
    lines = [
        f.lineno for f in traceback.extract_tb(error.__traceback__) if f.filename == LEARNER_FILE
    ]
    return lines[-1] if lines else None


def describe_error(error: BaseException) -> str:
    line = _learner_line(error)
    where = f" (line {line} of your code)" if line else ""
    if isinstance(error, MemoryError) or "can't allocate memory" in str(error):
        return f"MemoryError: your code ran out of memory{where}."
    text = str(error)
    text = text if len(text) <= 300 else text[:297] + "..."
    return f"{type(error).__name__}: {text}{where}".rstrip(": ")


def _run_check(check: Check, function: Callable[..., Any], label: str) -> CheckOutcome:
    name = check.name or _DEFAULT_NAMES[check.check]
    model = fresh_model(check.trainable_before)

    def call(m: nn.Module) -> Any:
        return function(m)

    try:
        passed, message = _RUNNERS[check.check](check, model, call)
    except BaseException as error:  # the learner's code may raise anything, SystemExit too
        passed, message = False, f"{label} raised {describe_error(error)}"
    return CheckOutcome(
        name=name,
        points=check.points if passed else 0,
        max_points=check.points,
        passed=passed,
        message=message,
    )


def grade(exercise: CodeExercise, code: str) -> GradeResult:
    try:
        compiled = compile(code, LEARNER_FILE, "exec")
    except SyntaxError as error:
        return GradeResult(
            gradable=False,
            message=f"Syntax error on line {error.lineno}: {error.msg}. Not graded; fix it and "
            "run again.",
            line=error.lineno,
        )
    namespace: dict[str, Any] = {"__name__": "learner"}
    try:
        exec(compiled, namespace)
    except BaseException as error:
        return GradeResult(
            gradable=True,
            message=f"Your code raised {describe_error(error)} before any check ran.",
            line=_learner_line(error),
            tests=[
                CheckOutcome(
                    name=c.name or _DEFAULT_NAMES[c.check],
                    points=0,
                    max_points=c.points,
                    passed=False,
                    message="Not run: your code failed first.",
                )
                for c in exercise.checks
            ],
        )
    function = namespace.get(exercise.function)
    if not callable(function):
        return GradeResult(
            gradable=False,
            message=f"No function named `{exercise.function}` found: define "
            f"`def {exercise.function}(model):`. Not graded.",
        )
    label = f"{exercise.function}(model)"
    outcomes = [_run_check(check, function, label) for check in exercise.checks]
    total = sum(o.max_points for o in outcomes)
    score = sum(o.points for o in outcomes) / total if total else 0.0
    passed = sum(o.passed for o in outcomes)
    return GradeResult(
        gradable=True,
        score=score,
        message=f"{passed} of {len(outcomes)} checks passed.",
        tests=outcomes,
    )


def run_request(request: dict[str, Any]) -> dict[str, Any]:
    """The child's entry point: JSON in, JSON out."""
    exercise = CodeExercise.model_validate(request["exercise"])
    return grade(exercise, str(request["code"])).model_dump()
