"""Command line: `python -m engine COMMAND ...` (installed: `tunelab COMMAND ...`); `--help`
lists the commands."""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.quiz.authoring.export import (
    DEFAULT_VARIANTS,
    bank_to_gift,
    chart_families,
    chart_warnings,
)
from engine.quiz.bank import BankInvalid, duplicate_bank_id, load_bank
from engine.quiz.models import QuestionBank

DEFAULT_SCHEMA = Path("quizzes/schema.json")


def _bank_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.glob("*.y*ml"))
        else:
            files.append(path)
    return files


def validate(paths: list[str], seeds: int = 200, workers: int | None = None) -> int:
    """Print `file:line: [question] field: message` per problem; 1 if any, else 0.

    Each family is also drawn at ``seeds`` seeds and every variant checked, the families of
    every bank together over ``workers`` processes (default: every usable core)."""
    from engine.quiz.models import CodeQuestion
    from engine.quiz.sampling import family_problems

    files = _bank_files(paths or ["quizzes"])
    if not files:
        print(f"no .yaml banks found in {', '.join(paths or ['quizzes'])}", file=sys.stderr)
        return 1
    failed = 0
    first_with_id: dict[str, Path] = {}
    loaded: list[tuple[Path, QuestionBank]] = []
    for path in files:
        try:
            bank = load_bank(path)
        except BankInvalid as invalid:
            failed += 1
            for error in invalid.errors:
                print(error)
            continue
        if bank.id in first_with_id:  # the app would refuse this file: so does validate
            failed += 1
            error = duplicate_bank_id(path, bank.id, first_with_id[bank.id])
            print(replace(error, file=str(path)))
            continue
        first_with_id[bank.id] = path
        loaded.append((path, bank))
    questions = [q for _path, bank in loaded for q in bank.questions]
    problems = iter(family_problems(questions, seeds, workers))
    # Each code question's key, run through the sandbox and the judge (one pool for all).
    code = [q for q in questions if isinstance(q, CodeQuestion)]
    keys = dict(zip(map(id, code), _code_key_problems(code), strict=True))
    for path, bank in loaded:
        sampled = [
            f"{path}: [{question.id}] {problem}"
            for question in bank.questions
            for problem in [*next(problems), *keys.get(id(question), [])]
        ]
        if sampled:
            failed += 1
            print("\n".join(sampled))
            continue
        families = sum(1 for q in bank.questions if q.is_family)
        sampled_note = f", {families} families sampled at {seeds} seeds each" if families else ""
        print(f"{path}: ok ({len(bank.questions)} questions{sampled_note}, version {bank.version})")
    print(f"{len(files) - failed} of {len(files)} banks valid", file=sys.stderr)
    return 1 if failed else 0


def _code_key_problems(code: list[Any]) -> list[list[str]]:
    """Each code question's key run through the sandbox and the judge, or, on an install
    without the lab extra (no torch to run them), a warning that they were not run."""
    if code and not _lab_installed():
        print(
            f"warning: {len(code)} code question(s) not run: verifying their reference "
            "solutions needs the lab extra (pip install 'tunelab[lab]')",
            file=sys.stderr,
        )
        return [[] for _ in code]
    # In a child process: the judge needs torch, and loading and checking banks does not.
    child = subprocess.run(
        [sys.executable, "-m", "engine.codecheck.key_check"],
        input=json.dumps([q.model_dump(mode="json") for q in code]),
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        reason = (child.stderr.strip().splitlines() or ["no output"])[-1]
        return [[f"reference_solution: could not be run: {reason}"] for _ in code]
    problems: list[list[str]] = json.loads(child.stdout)
    return problems


def _lab_installed() -> bool:
    try:
        return importlib.util.find_spec("torch") is not None
    except ImportError:
        return False


def preview(bank_path: str, question_id: str, seed: int) -> int:
    """A variant as the learner sees it (prompt, lettered choices), then its key and solution."""
    from engine.quiz.authoring.preview import preview_text

    try:
        bank = load_bank(bank_path)
    except BankInvalid as invalid:
        for error in invalid.errors:
            print(error, file=sys.stderr)
        return 1
    question = bank.question(question_id)
    if question is None:
        ids = ", ".join(q.id for q in bank.questions)
        print(f"no question {question_id!r} in {bank_path}; it has: {ids}", file=sys.stderr)
        return 1
    print(preview_text(question, seed))
    return 0


def generators(names: list[str]) -> int:
    """Each generator a bank may name: parameters and ranges, variables, named mistakes."""
    from engine.families.reference import describe, reference
    from engine.families.registry import GENERATORS, generator

    if not names:
        sys.stdout.write(reference(GENERATORS.values()))
        return 0
    try:
        chosen = [generator(name) for name in names]
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    print("\n\n".join(describe(g) for g in chosen))
    return 0


def write_schema(out: Path) -> int:
    from engine.quiz.schema import bank_schema_text

    out.write_text(bank_schema_text(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)


def _bank_id(bank: str) -> str:
    """A bank file's id, or the argument itself when it is an id rather than a file."""
    path = Path(bank)
    return load_bank(path).id if path.suffix in {".yaml", ".yml"} else bank


def export(args: argparse.Namespace) -> int:
    """A bank as GIFT or Moodle XML, or its recorded results as CSV (the store's own export)."""
    try:
        if args.format == "gift":
            bank = load_bank(args.bank)
            _write(bank_to_gift(bank, args.variants), args.out)
            for warning in chart_warnings(chart_families(bank)):
                print(f"{args.bank}: warning: {warning}", file=sys.stderr)
            return 0
        if args.format == "moodle-xml":
            return _export_moodle_xml(args)
        from engine.store import AttemptMode, Store, StoreError
        from engine.store.reports import frame_to_csv, responses_frame

        if args.mode != "all" and args.mode not in {m.value for m in AttemptMode}:
            print(
                f"--mode must be test, practice, review or all, not {args.mode!r}",
                file=sys.stderr,
            )
            return 2
        mode = None if args.mode == "all" else AttemptMode(args.mode)
        try:
            with Store.open() as store:
                frame = responses_frame(
                    store, _bank_id(args.bank), args.version, mode, include_names=args.names
                )
            csv = frame_to_csv(frame)
        except StoreError as exc:
            print(exc, file=sys.stderr)
            return 1
        _write(csv, args.out)
        return 0
    except BankInvalid as invalid:
        for error in invalid.errors:
            print(error, file=sys.stderr)
        return 1


def _export_moodle_xml(args: argparse.Namespace) -> int:
    from engine.quiz.authoring.chart_image import renderer_name
    from engine.quiz.authoring.moodle_xml import bank_to_moodle_xml

    bank = load_bank(args.bank)
    if renderer_name() is None and any(q.is_family for q in bank.questions):
        print(
            "no chart renderer installed (vl-convert-python): family charts "
            "are written as HTML tables of their data",
            file=sys.stderr,
        )
    _write(bank_to_moodle_xml(bank, args.variants), args.out)
    return 0


def _add_export(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "export",
        help="export a bank as Moodle GIFT or Moodle XML, or its recorded results as CSV",
        description="Export a bank as Moodle GIFT or Moodle XML, or its recorded results as CSV.",
    )
    parser.add_argument("--format", choices=["gift", "moodle-xml", "csv"], required=True)
    parser.add_argument("bank", help="a bank file (gift, moodle-xml, csv) or a bank id (csv)")
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    parser.add_argument("--version", help="csv: only this bank version")
    parser.add_argument(
        "--mode", default="test", help="csv: test, practice, review or all (default test)"
    )
    parser.add_argument("--names", action="store_true", help="csv: include learner names")
    parser.add_argument(
        "--variants",
        type=int,
        default=DEFAULT_VARIANTS,
        help=(
            f"gift, moodle-xml: deployed variants per question family (default {DEFAULT_VARIANTS})"
        ),
    )


def show_config() -> int:
    """Print each setting as `VARIABLE=value` (secrets masked); name every bad one and return 1."""
    from engine.runtime.settings import SettingsInvalid, effective, load_settings

    try:
        settings = load_settings()
    except SettingsInvalid as invalid:
        for problem in invalid.problems:
            print(problem, file=sys.stderr)
        return 1
    for name, value in effective(settings).items():
        print(f"{name}={value}")
    return 0


def _program_name() -> str:
    """`tunelab` when started by the installed command, `python -m engine` otherwise."""
    return "tunelab" if Path(sys.argv[0]).name == "tunelab" else "python -m engine"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Subcommands with their own parsers get their arguments untouched: argparse's
    # REMAINDER cannot start with an option (`pretrain --epochs 3`).
    if argv[:1] == ["pretrain"]:
        from engine.lab.pretrain import main as pretrain_main

        return pretrain_main(argv[1:])
    if argv[:1] == ["import"]:
        from engine.quiz.authoring.gift_import import main as import_main

        return import_main(argv[1:])
    if argv[:1] == ["run-code"]:
        from engine.codecheck.cli import main as run_code_main

        return run_code_main(argv[1:])
    if argv[:1] == ["run"]:
        from engine.cli.launch import main as run_main

        return run_main(argv[1:])
    parser = argparse.ArgumentParser(prog=_program_name(), description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_validate = sub.add_parser("validate", help="check bank files (default: quizzes/)")
    p_validate.add_argument("paths", nargs="*", help="bank files or folders")
    p_validate.add_argument(
        "--seeds", type=int, default=200, help="variants drawn per family (default 200)"
    )
    p_validate.add_argument(
        "--jobs", type=int, help="processes drawing variants (default: every usable core)"
    )
    p_preview = sub.add_parser(
        "preview", help="print one variant of a question as the learner sees it, then its key"
    )
    p_preview.add_argument("bank", help="a bank file")
    p_preview.add_argument("question_id")
    p_preview.add_argument("--seed", type=int, default=0, help="the variant's seed (default 0)")
    p_generators = sub.add_parser(
        "generators",
        help="list the question-family generators: parameters, ranges, variables, mistakes",
    )
    p_generators.add_argument("names", nargs="*", help="only these generators")
    p_schema = sub.add_parser("schema", help="write the JSON Schema of the bank format")
    p_schema.add_argument("--out", type=Path, default=DEFAULT_SCHEMA)
    p_pretrain = sub.add_parser("pretrain", help="reproduce the shipped lab checkpoint")
    p_pretrain.add_argument("rest", nargs=argparse.REMAINDER)
    _add_export(sub)
    p_import = sub.add_parser("import", help="a Moodle GIFT file as a YAML bank (gift FILE)")
    p_import.add_argument("rest", nargs=argparse.REMAINDER)
    p_run_code = sub.add_parser(
        "run-code", help="grade a code file in the sandbox (BANK QUESTION_ID FILE)"
    )
    p_run_code.add_argument("rest", nargs=argparse.REMAINDER)
    p_run = sub.add_parser("run", help="serve the app with Streamlit (flags go to Streamlit)")
    p_run.add_argument("rest", nargs=argparse.REMAINDER)
    sub.add_parser("config", help="print the settings in force (secrets masked); 1 if one is bad")

    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.paths, args.seeds, args.jobs)
    if args.command == "preview":
        return preview(args.bank, args.question_id, args.seed)
    if args.command == "schema":
        return write_schema(args.out)
    if args.command == "generators":
        return generators(args.names)
    if args.command == "export":
        return export(args)
    if args.command == "config":
        return show_config()
    return 2  # pragma: no cover - pretrain returns above; argparse enforces the rest


if __name__ == "__main__":
    sys.exit(main())
