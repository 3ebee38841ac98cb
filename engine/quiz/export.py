"""Exports: a bank as Moodle GIFT text, and recorded results as CSV (`python -m engine export`).

GIFT, as Moodle's importer reads it (question/format/gift):

* ``::title::[markdown]text{answers}``; questions are separated by a blank line, lines
  starting with ``//`` are comments, ``$CATEGORY: path`` files what follows.
* single choice ``{=right#feedback ~wrong#feedback}``; several right answers use
  percentage weights ``~%50%a ~%-100%b`` (the positive weights sum to 100);
  true/false ``{TRUE#feedback if wrong#feedback if right}``; numeric ``{#value:tolerance}``;
  general feedback (our solution) follows ``####`` at the end of the answers.
* ``~ = # { } :`` and backslash are escaped with a backslash; a newline is written ``\\n``
  so that a Markdown paragraph break never ends the question early.

What GIFT cannot say: a question's points, hints, and all-or-nothing scoring of a
multiple-select question (Moodle gives partial credit; each wrong pick costs 100 % so
that guessing every box earns nothing). A comment above the question records them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.quiz.bank import BankInvalid, load_bank
from engine.quiz.grading import DEFAULT_RELATIVE_TOLERANCE
from engine.quiz.models import Question, QuestionBank, QuestionType, Scoring

_ESCAPED = {ch: "\\" + ch for ch in "\\~=#{}:"} | {"\n": "\\n", "\r": ""}


def escape(text: str) -> str:
    """Text safe anywhere in GIFT: special characters backslashed, newlines as ``\\n``."""
    return "".join(_ESCAPED.get(ch, ch) for ch in text.replace("\r\n", "\n"))


def _percent(weight: float) -> str:
    # Five decimals match Moodle's own grade list (33.33333, 14.28571, ...).
    return f"{weight:.5f}".rstrip("0").rstrip(".")


def _number(value: float) -> str:
    return repr(float(value))


def numeric_tolerance(question: Question) -> float:
    """The absolute error our grader accepts, as Moodle's ``:tolerance`` wants it."""
    target = abs(float(question.answer))  # type: ignore[arg-type]
    if question.tolerance is not None:
        return question.tolerance
    return target * (question.relative_tolerance or DEFAULT_RELATIVE_TOLERANCE)


def _with_feedback(text: str, feedback: str | None) -> str:
    return escape(text) + (f"#{escape(feedback)}" if feedback else "")


def _answer_lines(question: Question) -> list[str]:
    right = question.correct_choice_ids
    if question.type is QuestionType.NUMERIC:
        answer = float(question.answer)  # type: ignore[arg-type]
        return [f"#{_number(answer)}:{_number(numeric_tolerance(question))}"]
    if question.type is QuestionType.TRUE_FALSE:
        key = "TRUE" if question.answer is True else "FALSE"
        wrong = next((c.feedback for c in question.choices if c.id not in right), None)
        good = next((c.feedback for c in question.choices if c.id in right), None)
        if not (wrong or good):
            return [key]
        return [f"{key}#{escape(wrong or '')}#{escape(good or '')}"]
    if question.type is QuestionType.SINGLE_CHOICE:
        return [
            ("=" if c.id in right else "~") + _with_feedback(c.text, c.feedback)
            for c in question.choices
        ]
    share = 100 / len(right)
    # Partial scoring is (right - wrong) / |right|: a wrong pick costs one right pick's share.
    penalty = -share if question.scoring is Scoring.PARTIAL else -100.0
    return [
        f"~%{_percent(share if c.id in right else penalty)}%" + _with_feedback(c.text, c.feedback)
        for c in question.choices
    ]


def _general_feedback(question: Question) -> str:
    steps = [f"{n}. {step}" for n, step in enumerate(question.solution.steps, start=1)]
    lines = [*steps, "", f"**Final answer:** {question.solution.final_answer}"]
    lines += ["", f"**Quick check:** {question.quick_check}"]
    return escape("\n".join(lines))


def _comment(question: Question) -> str:
    notes = [f"{question.difficulty.value}", f"topic: {question.topic}"]
    notes.append(f"points: {question.points:g}")
    if question.type is QuestionType.MULTIPLE_SELECT and question.scoring is Scoring.ALL_OR_NOTHING:
        notes.append("TuneLab scores this all-or-nothing; Moodle gives partial credit")
    return "// " + " · ".join(" ".join(note.split()) for note in notes)


def question_to_gift(question: Question) -> str:
    body = "\n".join(f"\t{line}" for line in _answer_lines(question))
    return (
        f"{_comment(question)}\n"
        f"::{escape(question.id)}::[markdown]{escape(question.prompt)}{{\n"
        f"{body}\n"
        f"\t####{_general_feedback(question)}\n"
        "}\n"
    )


def bank_to_gift(bank: QuestionBank) -> str:
    """The whole bank as GIFT text, filed under a category named after the bank."""
    title = " ".join(bank.title.split())
    header = (
        f"// {title} (bank {bank.id}, version {bank.version}); exported by TuneLab\n"
        f"$CATEGORY: TuneLab/{title.replace('/', '//')}\n"
    )
    return "\n".join([header, *(question_to_gift(q) for q in bank.questions)])


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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m engine export",
        description="Export a bank as Moodle GIFT, or its recorded results as CSV.",
    )
    parser.add_argument("--format", choices=["gift", "csv"], required=True)
    parser.add_argument("bank", help="a bank file (gift, csv) or a bank id (csv)")
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    parser.add_argument("--version", help="csv: only this bank version")
    parser.add_argument(
        "--mode", default="test", help="csv: test, practice, review or all (default test)"
    )
    parser.add_argument("--names", action="store_true", help="csv: include learner names")
    args = parser.parse_args(argv)
    try:
        if args.format == "gift":
            _write(bank_to_gift(load_bank(args.bank)), args.out)
            return 0
        from engine.store import AttemptMode, Store, StoreError
        from engine.store.reports import frame_to_csv, responses_frame

        if args.mode != "all" and args.mode not in {m.value for m in AttemptMode}:
            parser.error(f"--mode must be test, practice, review or all, not {args.mode!r}")
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
