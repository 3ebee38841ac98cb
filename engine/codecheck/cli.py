"""`python -m engine run-code BANK QUESTION_ID FILE`: grade a file as a learner's answer in
the sandbox and print the JSON result (instructors check their checks; tests use it).

BANK is a question bank (its `code` questions) or a spec file of bare `exercises:`."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

import yaml
from pydantic import ValidationError

from engine.codecheck.grade import grade_code
from engine.codecheck.spec import CodeExercise, load_exercises
from engine.quiz.bank import BankInvalid, load_bank
from engine.quiz.models import CodeQuestion
from engine.sandbox.jail import SandboxUnavailable
from engine.sandbox.pool import SandboxPool


def _exercises_in(path: Path) -> dict[str, CodeExercise]:
    """A bank's code questions as exercises (a bank has `questions:`), else a spec file's."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "questions" in data:
        bank = load_bank(path)
        return {q.id: q.exercise() for q in bank.questions if isinstance(q, CodeQuestion)}
    return load_exercises(path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine run-code", description=__doc__)
    parser.add_argument(
        "spec",
        type=Path,
        help="a question bank (its code questions), or a YAML file with `exercises:`",
    )
    parser.add_argument("question_id")
    parser.add_argument("file", type=Path, help="the learner's code")
    args = parser.parse_args(argv)
    try:
        exercises = _exercises_in(args.spec)
    except BankInvalid as invalid:
        for problem in invalid.errors:
            print(problem, file=sys.stderr)
        return 2
    except (OSError, ValidationError) as error:
        print(f"{args.spec}: {error}", file=sys.stderr)
        return 2
    if args.question_id not in exercises:
        known = ", ".join(sorted(exercises)) or "none"
        print(
            f"{args.spec}: no code question {args.question_id!r} (known: {known})",
            file=sys.stderr,
        )
        return 2
    code = args.file.read_text(encoding="utf-8")
    pool = SandboxPool(size=1)
    with contextlib.suppress(SandboxUnavailable):
        pool.start()  # if it fails, grade_code says so in the result: never run unjailed
    try:
        result = grade_code(exercises[args.question_id], code, pool)
    finally:
        pool.close()
    print(result.model_dump_json(indent=2))
    return 0 if result.gradable else 1
