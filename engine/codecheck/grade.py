"""The app-side grader: decide here whether code is gradable, send it to the sandbox pool, and
judge what the jailed process reports (engine/codecheck/judge.py) — or, when it reports
nothing believable, say so. The learner's process never writes a verdict: a reply is data
about a run, and any reply that is not a clean report of this exercise's run is refused."""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Callable

from pydantic import ValidationError

from engine.codecheck.gradable import NotGradable, why_not_gradable
from engine.codecheck.judge import ReportInvalid, check_name, failed_everywhere, score_of
from engine.codecheck.runner import child_request, judge_with, not_gradable
from engine.codecheck.snapshot import LearnerReport
from engine.codecheck.spec import CodeExercise, GradeResult
from engine.sandbox.jail import Limits, SandboxUnavailable
from engine.sandbox.pool import SandboxPool, Ticket
from engine.sandbox.protocol import WorkerReply
from engine.sandbox.worker import WorkerLost

WAITING_POLL_S = 0.1
NOT_GRADED = (
    "Your code could not be graded — run it again. (Its sandboxed process did not send back a "
    "clean report of the run; no attempt was spent.)"
)
log = logging.getLogger(__name__)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _stopped(exercise: CodeExercise, message: str, output: str) -> GradeResult:
    """The run ended before reporting: gradable (the learner's code did it), no point."""
    return GradeResult(
        gradable=True,
        message=message,
        output=output,
        tests=failed_everywhere(exercise, "Not run: your code was stopped first."),
    )


def _refused(exercise: CodeExercise, why: str, output: str) -> GradeResult:
    log.warning("code answer to %s not graded: %s", exercise.id, why)
    return GradeResult(gradable=False, message=NOT_GRADED, output=output)


def _output(reply: WorkerReply, limits: Limits) -> str:
    if not reply.output_truncated:
        return reply.output
    return (
        reply.output + f"\n[your code printed more than {limits.output_bytes // 1024} KiB; "
        "only the start is shown]\n[output truncated]"
    )


def interpret(
    reply: WorkerReply,
    exercise: CodeExercise,
    limits: Limits,
    problem: NotGradable | None = None,
) -> GradeResult:
    """What the learner reads of one jailed run: a limit's plain message, or the judge's
    verdict on a clean report, or "could not be graded" for anything else."""
    output = _output(reply, limits)
    if reply.timed_out:
        return _stopped(
            exercise,
            f"Your code ran for more than {limits.wall_seconds:g} s of wall-clock time and was "
            "stopped: look for an endless loop, or a wait on something that never comes.",
            output,
        )
    if reply.exit_code == -signal.SIGXCPU or (
        reply.exit_code == -signal.SIGKILL and reply.cpu_seconds >= limits.cpu_seconds
    ):
        return _stopped(
            exercise,
            f"Your code ran out of CPU time (limit {limits.cpu_seconds} s) and was stopped — "
            "look for an endless loop.",
            output,
        )
    if reply.exit_code < 0:
        return _stopped(
            exercise,
            f"Your code crashed the Python process ({_signal_name(-reply.exit_code)}) "
            "before the checks finished.",
            output,
        )
    if reply.exit_code != 0:
        if reply.result is not None:
            return _refused(exercise, f"a report and exit status {reply.exit_code}", output)
        return _stopped(
            exercise,
            f"Your code ended the process (exit status {reply.exit_code}) before the checks "
            "finished.",
            output,
        )
    if reply.result is None:
        return _stopped(
            exercise,
            "Your code ended the process (exit status 0) before the checks finished.",
            output,
        )
    if reply.result_truncated:
        return _refused(exercise, "the report was larger than its limit", output)
    try:
        report = LearnerReport.model_validate(json.loads(reply.result))
        result = judge_with(exercise, report, problem)
    except (ValueError, ValidationError, ReportInvalid) as error:
        return _refused(exercise, f"unreadable report: {str(error)[:200]}", output)
    return _checked(exercise, result).model_copy(update={"output": output})


def _checked(exercise: CodeExercise, result: GradeResult) -> GradeResult:
    """The verdict's shape against the exercise's own checks, and its score recomputed."""
    if result.tests:
        expected = [(check_name(c), float(c.points)) for c in exercise.checks]
        got = [(t.name, t.max_points) for t in result.tests]
        if got != expected:
            raise AssertionError(f"the judge's outcomes {got} do not match the checks {expected}")
    return result.model_copy(update={"score": score_of(result.tests)})


def _wait_for(ticket: Ticket, waiting: Callable[[Ticket], None] | None) -> WorkerReply:
    if waiting is None:
        return ticket.result()
    while True:
        try:
            return ticket.result(timeout=WAITING_POLL_S)
        except TimeoutError:
            waiting(ticket)


def grade_code(
    exercise: CodeExercise,
    code: str,
    pool: SandboxPool,
    waiting: Callable[[Ticket], None] | None = None,
) -> GradeResult:
    """Grade ``code`` in the sandbox. Never runs it anywhere else: without a sandbox the
    answer is not graded (``gradable`` False) and the message says why. ``waiting(ticket)``
    is called every WAITING_POLL_S while the code is queued or running (its place)."""
    problem = why_not_gradable(code, exercise.function)
    if problem is not None and not problem.missing_function:
        return not_gradable(problem)  # it does not compile: nothing to run
    try:
        reply = _wait_for(pool.submit(child_request(exercise, code)), waiting)
    except SandboxUnavailable as error:
        return GradeResult(
            gradable=False,
            message=f"Code can't be run on this server, so your answer was not graded: {error}",
        )
    except WorkerLost:
        return GradeResult(
            gradable=True,
            message="Your code brought down its sandbox before the checks finished.",
            tests=failed_everywhere(exercise, "Not run: the sandbox was lost."),
        )
    return interpret(reply, exercise, pool.limits, problem)
