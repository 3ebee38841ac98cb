"""One jailed worker pool shared by every sandbox test module: starting one imports torch
inside the jail (seconds on a busy machine), so the test session pays that once."""

from __future__ import annotations

import atexit
import functools
from pathlib import Path

from engine.codecheck.grade import grade_code
from engine.codecheck.spec import CodeExercise, GradeResult, load_exercises
from engine.sandbox.jail import Limits
from engine.sandbox.pool import SandboxPool

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "codecheck"
# Short limits keep the hostile suite quick; grading a fixture takes well under a second.
TEST_LIMITS = Limits(wall_seconds=5.0, cpu_seconds=4, extra_memory_bytes=512 << 20)


@functools.cache
def shared_pool() -> SandboxPool:
    pool = SandboxPool(size=1, limits=TEST_LIMITS)
    pool.start()
    atexit.register(pool.close)
    return pool


@functools.cache
def exercises() -> dict[str, CodeExercise]:
    return load_exercises(FIXTURES / "exercises.yaml")


def solution(exercise_id: str, name: str) -> str:
    return (FIXTURES / exercise_id / f"{name}.py").read_text(encoding="utf-8")


def attack(code: str) -> GradeResult:
    """Grade hostile ``code`` that defines ``attack(model)`` returning "contained" when the
    jail held; any other return value says what leaked."""
    exercise = CodeExercise.model_validate(
        {
            "id": "attack",
            "function": "attack",
            "checks": [{"check": "returns", "name": "contained", "expected": "contained"}],
        }
    )
    return grade_code(exercise, code, shared_pool())
