"""Command line: `python -m engine validate|schema|pretrain ...` (see --help)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.quiz.bank import BankInvalid, load_bank

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


def validate(paths: list[str]) -> int:
    """Print `file:line: [question] field: message` per problem; 1 if any, else 0."""
    files = _bank_files(paths or ["quizzes"])
    if not files:
        print(f"no .yaml banks found in {', '.join(paths or ['quizzes'])}", file=sys.stderr)
        return 1
    failed = 0
    for path in files:
        try:
            bank = load_bank(path)
        except BankInvalid as invalid:
            failed += 1
            for error in invalid.errors:
                print(error)
            continue
        print(f"{path}: ok ({len(bank.questions)} questions, version {bank.version})")
    print(f"{len(files) - failed} of {len(files)} banks valid", file=sys.stderr)
    return 1 if failed else 0


def write_schema(out: Path) -> int:
    from engine.quiz.schema import bank_schema_text

    out.write_text(bank_schema_text(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Subcommands with their own parsers get their arguments untouched: argparse's
    # REMAINDER cannot start with an option (`export --format gift BANK`).
    if argv[:1] == ["pretrain"]:
        from engine.lab.pretrain import main as pretrain_main

        return pretrain_main(argv[1:])
    if argv[:1] == ["export"]:
        from engine.quiz.export import main as export_main

        return export_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m engine", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_validate = sub.add_parser("validate", help="check bank files (default: quizzes/)")
    p_validate.add_argument("paths", nargs="*", help="bank files or folders")
    p_schema = sub.add_parser("schema", help="write the JSON Schema of the bank format")
    p_schema.add_argument("--out", type=Path, default=DEFAULT_SCHEMA)
    p_pretrain = sub.add_parser("pretrain", help="reproduce the shipped lab checkpoint")
    p_pretrain.add_argument("rest", nargs=argparse.REMAINDER)
    p_export = sub.add_parser("export", help="export a bank (e.g. --format gift BANK)")
    p_export.add_argument("rest", nargs=argparse.REMAINDER)

    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.paths)
    if args.command == "schema":
        return write_schema(args.out)
    return 2  # pragma: no cover - pretrain/export return above; argparse enforces the rest


if __name__ == "__main__":
    sys.exit(main())
