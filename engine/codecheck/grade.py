"""The app-side grader: send the code and the exercise to the sandbox pool, and turn what the
worker saw (a result, a timeout, a crash) into a GradeResult a learner can read."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable

from pydantic import ValidationError

from engine.codecheck.spec import CodeExercise, GradeResult
from engine.sandbox.jail import SandboxUnavailable
from engine.sandbox.pool import SandboxPool, Ticket
from engine.sandbox.protocol import WorkerReply
from engine.sandbox.worker import WorkerLost

WAITING_POLL_S = 0.1


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def interpret(reply: WorkerReply, wall_seconds: float, cpu_seconds: int) -> GradeResult:
    output = reply.output + ("\n[output truncated]" if reply.output_truncated else "")
    if reply.timed_out:
        message = (
            f"Your code ran for more than {wall_seconds:g} s and was stopped "
            "(an endless loop, or waiting on something that never comes?)."
        )
        return GradeResult(gradable=True, message=message, output=output)
    if reply.result_truncated:
        return GradeResult(
            gradable=True, message="Your code produced a result too large to read.", output=output
        )
    if reply.result is not None:
        try:
            result = GradeResult.model_validate(json.loads(reply.result))
        except (ValueError, ValidationError):
            return GradeResult(
                gradable=True,
                message="The checks' result was garbled (did your code write to file "
                "descriptors it does not own?).",
                output=output,
            )
        return result.model_copy(update={"output": output})
    if reply.exit_code in (-signal.SIGXCPU, -signal.SIGKILL) and reply.cpu_seconds >= cpu_seconds:
        message = f"Your code used more than {cpu_seconds} s of CPU time and was stopped."
    elif reply.exit_code < 0:
        message = (
            f"Your code crashed the Python process ({_signal_name(-reply.exit_code)}) "
            "before the checks finished."
        )
    else:
        message = (
            f"Your code ended the process (exit status {reply.exit_code}) before the checks "
            "finished."
        )
    return GradeResult(gradable=True, message=message, output=output)


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
    request = {"exercise": exercise.model_dump(mode="json"), "code": code}
    try:
        reply = _wait_for(pool.submit(request), waiting)
    except SandboxUnavailable as error:
        return GradeResult(
            gradable=False,
            message=f"Code can't be run on this server, so your answer was not graded: {error}",
        )
    except WorkerLost:
        return GradeResult(
            gradable=True,
            message="Your code brought down its sandbox before the checks finished.",
        )
    return interpret(reply, pool.limits.wall_seconds, pool.limits.cpu_seconds)
