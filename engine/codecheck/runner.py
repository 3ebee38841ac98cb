"""Runs inside the sandboxed child: compile the learner's code, find the function, call it once
per check on a fresh model, and return what each call left behind as data
(engine/codecheck/observe.py). The child is told only the function's name and how to set up
each model, never a check, an expected value or a point, so it has no verdict to forge.

``grade()`` runs the same pipeline in this process, for trusted code only (fixtures, tests):
learner code goes through engine/codecheck/grade.py and the sandbox."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from engine.codecheck import observe
from engine.codecheck.gradable import LEARNER_FILE, NotGradable, why_not_gradable
from engine.codecheck.judge import judge
from engine.codecheck.snapshot import LearnerReport
from engine.codecheck.spec import CodeExercise, GradeResult
from engine.lab.model import SmallResNet

NUM_CLASSES = 10


def warm_up() -> None:
    """Pay torch's first-use costs once in the warm worker, not in every submission."""
    torch.set_num_threads(1)
    model = fresh_model(None)
    nn.functional.cross_entropy(model(torch.randn(2, 3, 32, 32)), torch.tensor([0, 1])).backward()
    observe.describe_call(model, None, None)


def fresh_model(trainable_before: list[str] | None) -> SmallResNet:
    torch.manual_seed(0)
    model = SmallResNet(NUM_CLASSES)
    if trainable_before is not None:
        for name, parameter in model.named_parameters():
            parameter.requires_grad = any(
                name == p or name.startswith(p + ".") for p in trainable_before
            )
    return model


def child_request(exercise: CodeExercise, code: str) -> dict[str, Any]:
    """What the jailed child is told: the code, the function's name, each call's set-up."""
    return {
        "code": code,
        "function": exercise.function,
        "setups": [check.trainable_before for check in exercise.checks],
    }


def observe_run(code: str, function: str, setups: list[list[str] | None]) -> dict[str, Any]:
    """Run the learner's module, then call ``function`` once per set-up: a LearnerReport's
    data. Learner code runs here: only ever in the jailed child (or on trusted fixtures)."""
    namespace: dict[str, Any] = {"__name__": "learner"}
    try:
        exec(compile(code, LEARNER_FILE, "exec"), namespace)
    except BaseException as error:  # SystemExit and KeyboardInterrupt too
        return {"module_error": observe.describe_error(error)}
    learner_function = namespace.get(function)
    if not callable(learner_function):
        return {"defined": False}
    calls = []
    for setup in setups:
        model = fresh_model(setup)
        try:
            returned, raised = learner_function(model), None
        except BaseException as error:  # the learner's code may raise anything
            returned, raised = None, error
        calls.append(observe.describe_call(model, returned, raised))
    return {"calls": calls}


def run_request(request: dict[str, Any]) -> dict[str, Any]:
    """The child's entry point: JSON in, the report's JSON out."""
    setups = request["setups"]
    if not isinstance(setups, list):
        raise TypeError("setups must be a list")
    return observe_run(str(request["code"]), str(request["function"]), setups)


def grade(exercise: CodeExercise, code: str) -> GradeResult:
    """The whole pipeline in this process, for TRUSTED code (fixtures, reference solutions in
    tests): gradable?, observe, judge."""
    problem = why_not_gradable(code, exercise.function)
    if problem is not None and not problem.missing_function:
        return not_gradable(problem)
    request = child_request(exercise, code)
    report = LearnerReport.model_validate(
        observe_run(request["code"], request["function"], request["setups"])
    )
    return judge_with(exercise, report, problem)


def not_gradable(problem: NotGradable) -> GradeResult:
    return GradeResult(gradable=False, message=problem.message, line=problem.line)


def judge_with(
    exercise: CodeExercise, report: LearnerReport, problem: NotGradable | None
) -> GradeResult:
    """The judge's verdict, unless the app already found the function missing: then only a
    module error is graded (as before any check ran); anything else is not graded."""
    if problem is not None:
        if report.module_error is None:
            return not_gradable(problem)
        return judge(exercise, LearnerReport(module_error=report.module_error))
    return judge(exercise, report)
