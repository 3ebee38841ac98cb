"""Parse a code answer by running it: the sandbox's checks turn the learner's code into a
Parsed response carrying each check's outcome, or a FormatError (a syntax error, a missing
function, no sandbox on this server) that is never graded and costs no attempt."""

from __future__ import annotations

from collections.abc import Callable

from engine.codecheck.grade import grade_code
from engine.quiz.grading import Response
from engine.quiz.models import CodeQuestion
from engine.quiz.parsing import FormatError, Parsed, ParsedInput
from engine.sandbox.pool import SandboxPool, Ticket


def run_code_answer(
    question: CodeQuestion,
    code: str,
    pool: SandboxPool,
    waiting: Callable[[Ticket], None] | None = None,
) -> ParsedInput:
    """Run ``code`` against the question's checks in the sandbox (never in this process).

    ``waiting`` is called while the submission is queued or running, so a page can show
    the learner's place in the queue.
    """
    if not code.strip():
        return None
    result = grade_code(question.exercise(), code, pool, waiting=waiting)
    if not result.gradable:
        return FormatError(result.message)
    return Parsed(Response.code_answer(code, result))
