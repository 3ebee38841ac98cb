"""`python -m engine run-code SPEC QUESTION_ID FILE`: grade a file as a learner's answer in
the sandbox and print the JSON result (instructors check their checks; tests use it)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from pydantic import ValidationError

from engine.codecheck.grade import grade_code
from engine.codecheck.spec import load_exercises
from engine.sandbox.jail import SandboxUnavailable
from engine.sandbox.pool import SandboxPool


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine run-code", description=__doc__)
    parser.add_argument(
        "spec", type=Path, help="YAML file with `exercises:` (id, function, checks)"
    )
    parser.add_argument("question_id")
    parser.add_argument("file", type=Path, help="the learner's code")
    args = parser.parse_args(argv)
    try:
        exercises = load_exercises(args.spec)
    except (OSError, ValidationError) as error:
        print(f"{args.spec}: {error}", file=sys.stderr)
        return 2
    if args.question_id not in exercises:
        known = ", ".join(sorted(exercises)) or "none"
        print(f"{args.spec}: no exercise {args.question_id!r} (known: {known})", file=sys.stderr)
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
