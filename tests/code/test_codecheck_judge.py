"""The app-side half of grading, without a jail: what a learner reads for each way a run can
end (limits in plain words), replies that are refused as "could not be graded", reports that
are bounded data, and flags read through accessors a learner's patch cannot reach."""

from __future__ import annotations

import json
import logging
import signal

import pytest
from pydantic import ValidationError
from torch import nn

from engine.codecheck import observe
from engine.codecheck.grade import NOT_GRADED, interpret
from engine.codecheck.judge import judge
from engine.codecheck.runner import child_request, fresh_model, grade, observe_run
from engine.codecheck.snapshot import LearnerReport
from engine.codecheck.spec import GradeResult
from engine.sandbox.jail import Limits
from engine.sandbox.protocol import WorkerReply
from tests.helpers.sandbox_pool import exercises, solution

LIMITS = Limits(wall_seconds=10, cpu_seconds=8)
FREEZE = exercises()["freeze_all_but_fc"]


def reply(
    exit_code: int = 0,
    result: str | None = None,
    *,
    timed_out: bool = False,
    cpu_seconds: float = 0.2,
    output: str = "",
    output_truncated: bool = False,
    result_truncated: bool = False,
) -> WorkerReply:
    return WorkerReply(
        timed_out=timed_out,
        exit_code=exit_code,
        cpu_seconds=cpu_seconds,
        result=result,
        result_truncated=result_truncated,
        output=output,
        output_truncated=output_truncated,
    )


def report_of(code: str) -> str:
    request = child_request(FREEZE, code)
    return json.dumps(observe_run(request["code"], request["function"], request["setups"]))


def test_an_endless_loop_out_of_cpu_time_says_so_in_plain_words() -> None:
    result = interpret(reply(-signal.SIGXCPU, cpu_seconds=7.99), FREEZE, LIMITS)
    assert result.message == (
        "Your code ran out of CPU time (limit 8 s) and was stopped — look for an endless loop."
    )
    assert "SIGXCPU" not in result.message
    assert result.gradable and result.score == 0.0
    # Past the soft limit the kernel sends SIGKILL: the same words.
    assert interpret(reply(-signal.SIGKILL, cpu_seconds=9.0), FREEZE, LIMITS).message == (
        result.message
    )


def test_the_wall_clock_limit_names_the_limit_and_what_to_look_for() -> None:
    result = interpret(reply(-signal.SIGKILL, timed_out=True), FREEZE, LIMITS)
    assert result.message == (
        "Your code ran for more than 10 s of wall-clock time and was stopped: look for an "
        "endless loop, or a wait on something that never comes."
    )
    assert [t.passed for t in result.tests] == [False, False]


def test_a_crash_names_the_signal_and_costs_the_attempt() -> None:
    result = interpret(reply(-signal.SIGSEGV), FREEZE, LIMITS)
    assert result.message == (
        "Your code crashed the Python process (SIGSEGV) before the checks finished."
    )
    assert result.gradable and result.score == 0.0


def test_output_past_its_limit_says_how_much_was_kept() -> None:
    result = interpret(
        reply(result=report_of(DO_NOTHING), output="x" * 10, output_truncated=True), FREEZE, LIMITS
    )
    assert result.output.endswith(
        "[your code printed more than 8 KiB; only the start is shown]\n[output truncated]"
    )


def test_running_out_of_memory_is_said_plainly() -> None:
    result = interpret(
        reply(result=report_of("def freeze_all_but_fc(model):\n    raise MemoryError()\n")),
        FREEZE,
        LIMITS,
    )
    assert result.tests[0].message == (
        "freeze_all_but_fc(model) raised MemoryError: your code ran out of memory "
        "(line 2 of your code)."
    )


DO_NOTHING = "def freeze_all_but_fc(model):\n    pass\n"


@pytest.mark.parametrize(
    ("why", "bad"),
    [
        ("an old-style verdict", reply(result=json.dumps({"gradable": False, "message": "x"}))),
        ("a forged score", reply(result=json.dumps({"score": 100, "calls": []}))),
        ("not JSON", reply(result="\x01" * 100)),
        ("too few calls", reply(result=json.dumps({"calls": []}))),
        ("truncated", reply(result='{"calls": [', result_truncated=True)),
        ("a report, then a non-zero exit", reply(3, result=json.dumps({"calls": []}))),
    ],
)
def test_any_reply_that_is_not_a_clean_report_is_not_graded_and_is_logged(
    why: str, bad: WorkerReply, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="engine.codecheck.grade"):
        result = interpret(bad, FREEZE, LIMITS)
    assert not result.gradable, why
    assert result.message == NOT_GRADED
    assert result.score == 0.0
    assert "code answer to freeze_all_but_fc not graded" in caplog.text


def test_a_report_of_a_failing_run_cannot_say_it_was_not_gradable() -> None:
    with pytest.raises(ValidationError):
        LearnerReport.model_validate({"gradable": False, "calls": []})
    # The app decides gradability from the code alone: this compiles and defines it.
    result = interpret(reply(result=report_of(DO_NOTHING)), FREEZE, LIMITS)
    assert result.gradable and result.score == 0.0


def test_a_score_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValidationError):
        GradeResult(gradable=True, score=100)
    with pytest.raises(ValidationError):
        GradeResult(gradable=True, score=float("nan"))


def test_the_child_is_told_the_set_up_of_each_call_and_nothing_of_the_checks() -> None:
    request = child_request(exercises()["count_trainable_scalars"], "code")
    assert request == {
        "code": "code",
        "function": "count_trainable_scalars",
        "setups": [["fc"], ["layer4", "fc"], []],
    }


def test_a_report_is_bounded_data() -> None:
    long_name = {"name": "x" * 1000, "requires_grad": True, "shape": [1]}
    with pytest.raises(ValidationError):
        LearnerReport.model_validate(
            {"calls": [{"model": {"parameters": [long_name], "modules": []}}]}
        )
    with pytest.raises(ValidationError):  # "true" is not True
        LearnerReport.model_validate(
            {
                "calls": [
                    {"model": {"parameters": [{"name": "a", "requires_grad": "true", "shape": []}],
                               "modules": []}}
                ]
            }
        )  # fmt: skip


def test_requires_grad_is_read_through_the_tensors_own_getter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = fresh_model(None)
    monkeypatch.setattr(nn.Parameter, "requires_grad", property(lambda self: False), raising=False)
    state, _ = observe.describe_model(model)
    assert all(p["requires_grad"] for p in state["parameters"])


def test_a_patched_lab_class_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    model = fresh_model(None)
    monkeypatch.setattr(nn.Module, "named_parameters", lambda self, *a, **k: iter(()))
    with pytest.raises(observe.Refused, match=r"replaced Module\.named_parameters"):
        observe.describe_model(model)


def test_the_judge_takes_the_training_step_on_its_own_model() -> None:
    # The report says "fc trainable, the rest frozen, everything in train mode": the judge's
    # step on its own model shows the BatchNorm statistics moving, whatever the child says.
    code = solution("batchnorm_eval_while_frozen", "wrong_train_only")
    exercise = exercises()["batchnorm_eval_while_frozen"]
    request = child_request(exercise, code)
    report = LearnerReport.model_validate(
        observe_run(request["code"], request["function"], request["setups"])
    )
    result = judge(exercise, report)
    assert [t.passed for t in result.tests] == [True, False]
    assert result.score == grade(exercise, code).score == 0.5
