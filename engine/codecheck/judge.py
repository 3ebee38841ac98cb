"""The judge: grades a learner's report (engine/codecheck/snapshot.py) against the exercise's
own checks, in a process that never runs learner code (the app). Points, score and each
message come from here; the learner's process only ever sent data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.codecheck import checks
from engine.codecheck.snapshot import CallReport, LearnerReport, RaisedError
from engine.codecheck.spec import Check, CheckOutcome, CodeExercise, GradeResult

MESSAGE_CHARS = 300

_CHECKS: dict[str, Callable[[Any, CallReport], checks.Verdict]] = {
    "trainable_exactly": checks.trainable_exactly,
    "optimizer_holds_trainable": checks.optimizer_holds_trainable,
    "frozen_unchanged_after_step": checks.frozen_unchanged_after_step,
    "returns": checks.returns,
    "raises": checks.raises,
    "optimizer_is": checks.optimizer_is,
    "module_attribute": checks.module_attribute,
    "model_mode": checks.model_mode,
}
DEFAULT_NAMES = {
    "trainable_exactly": "Exactly the right parameters are trainable",
    "optimizer_holds_trainable": "The optimizer holds exactly the trainable parameters",
    "frozen_unchanged_after_step": "Frozen layers are unchanged after a training step",
    "returns": "The function returns the right value",
    "raises": "The function raises the right error",
    "optimizer_is": "The optimizer is the right one, with the right settings",
    "module_attribute": "A layer has the right setting",
    "model_mode": "The model is in the right mode",
}


class ReportInvalid(ValueError):
    """The report does not describe one run of this exercise (wrong number of calls, a call
    that both returned and raised): nothing in it is graded."""


def check_name(check: Check) -> str:
    return check.name or DEFAULT_NAMES[check.check]


def describe_error(error: RaisedError) -> str:
    where = f" (line {error.line} of your code)" if error.line else ""
    if "MemoryError" in error.bases or "can't allocate memory" in error.message:
        return f"MemoryError: your code ran out of memory{where}."
    text = error.message
    text = text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 3] + "..."
    return f"{error.type}: {text}{where}".rstrip(": ")


def failed_everywhere(exercise: CodeExercise, message: str) -> list[CheckOutcome]:
    return [
        CheckOutcome(
            name=check_name(c), points=0, max_points=c.points, passed=False, message=message
        )
        for c in exercise.checks
    ]


def _judge_call(check: Check, call: CallReport, label: str) -> CheckOutcome:
    if call.raised is not None and (
        check.check != "raises" or "Exception" not in call.raised.bases
    ):
        passed, message = False, f"{label} raised {describe_error(call.raised)}"
    else:
        try:
            passed, message = _CHECKS[check.check](check, call)
        except checks.NoModel as missing:
            passed, message = False, str(missing)
    return CheckOutcome(
        name=check_name(check),
        points=check.points if passed else 0,
        max_points=check.points,
        passed=passed,
        message=message,
    )


def score_of(outcomes: list[CheckOutcome]) -> float:
    """Points earned over points possible, in [0, 1]."""
    total = sum(o.max_points for o in outcomes)
    earned = sum(min(max(o.points, 0), o.max_points) for o in outcomes)
    return min(max(earned / total, 0.0), 1.0) if total else 0.0


def judge(exercise: CodeExercise, report: LearnerReport) -> GradeResult:
    """Grade ``report`` with the exercise's checks; ReportInvalid if it is not a report of
    one run of this exercise."""
    if report.module_error is not None:
        return GradeResult(
            gradable=True,
            message=f"Your code raised {describe_error(report.module_error)} before any check ran.",
            line=report.module_error.line,
            tests=failed_everywhere(exercise, "Not run: your code failed first."),
        )
    if not report.defined:
        return GradeResult(
            gradable=True,
            message=f"`{exercise.function}` was not a function once your code had run, so no "
            "check could call it.",
            tests=failed_everywhere(exercise, "Not run: there was no function to call."),
        )
    if len(report.calls) != len(exercise.checks):
        raise ReportInvalid(f"{len(report.calls)} calls reported for {len(exercise.checks)} checks")
    for call in report.calls:
        if call.raised is not None and call.returned is not None:
            raise ReportInvalid("a call both returned and raised")
    label = f"{exercise.function}(model)"
    outcomes = [
        _judge_call(check, call, label)
        for check, call in zip(exercise.checks, report.calls, strict=True)
    ]
    passed = sum(o.passed for o in outcomes)
    return GradeResult(
        gradable=True,
        score=score_of(outcomes),
        message=f"{passed} of {len(outcomes)} checks passed.",
        tests=outcomes,
    )
