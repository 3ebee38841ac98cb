"""A code question's key, verified by running it: its reference solution must earn full marks
through the sandbox and the judge, and its starter code must not. Used by `engine validate`
and the Bank check page, which show only results that were run."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from engine.codecheck.grade import grade_code
from engine.codecheck.spec import GradeResult
from engine.quiz.models import CodeQuestion
from engine.sandbox.jail import SandboxUnavailable
from engine.sandbox.pool import SandboxPool


@dataclass(frozen=True)
class KeyRun:
    """What the sandbox made of one question's reference solution and starter code."""

    question_id: str
    reference: GradeResult
    starter: GradeResult

    def problems(self) -> list[str]:
        found = []
        if not self.reference.gradable:
            found.append(f"reference_solution: could not be graded: {self.reference.message}")
        elif self.reference.score < 1.0:
            failed = [t for t in self.reference.tests if not t.passed]
            detail = "; ".join(f"check '{t.name}' failed: {t.message}" for t in failed)
            found.append(
                f"reference_solution scores {self.reference.score:.0%}, not 100%: "
                + (detail or self.reference.message)
            )
        if self.starter.gradable and self.starter.score >= 1.0:
            found.append(
                "starter_code already scores full marks: a learner who runs it unchanged "
                "passes; make the starter need the fix the question asks for"
            )
        return found


def run_key(question: CodeQuestion, pool: SandboxPool) -> KeyRun:
    exercise = question.exercise()
    return KeyRun(
        question.id,
        reference=grade_code(exercise, question.reference_solution, pool),
        starter=grade_code(exercise, question.starter_code, pool),
    )


def code_key_problems(questions: Iterable[CodeQuestion]) -> list[list[str]]:
    """Each question's problems, in order ([] where the key holds); every question refused,
    saying why, where no sandbox can start (a key is never taken on trust)."""
    questions = list(questions)
    if not questions:
        return []
    pool = SandboxPool(size=1)
    with contextlib.suppress(SandboxUnavailable):
        pool.start()
    try:
        if pool.unavailable is not None:
            why = f"reference_solution: not verified, no sandbox here: {pool.unavailable}"
            return [[why] for _ in questions]
        return [run_key(q, pool).problems() for q in questions]
    finally:
        pool.close()


def main() -> int:
    """`python -m engine.codecheck.key_check`: code questions as JSON on stdin, their problems
    as JSON on stdout. `engine validate` runs this in a child process, so the process that
    loads and checks banks never imports torch."""
    questions = [CodeQuestion.model_validate(q) for q in json.load(sys.stdin)]
    json.dump(code_key_problems(questions), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
