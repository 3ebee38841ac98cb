"""A bank as Moodle GIFT text (`python -m engine export --format gift BANK`).

GIFT, as Moodle's importer reads it (question/format/gift):

* ``::title::[markdown]text{answers}``; questions are separated by a blank line, lines
  starting with ``//`` are comments, ``$CATEGORY: path`` files what follows.
* single choice ``{=right#feedback ~wrong#feedback}``; several right answers use
  percentage weights ``~%50%a ~%-100%b`` (the positive weights sum to 100);
  true/false ``{TRUE#feedback if wrong#feedback if right}``; numeric ``{#value:tolerance}``;
  general feedback (our solution) follows ``####`` at the end of the answers.
* ``~ = # { } :`` and backslash are escaped with a backslash; a newline is written ``\\n``
  so that a Markdown paragraph break never ends the question early.

A ``code`` question becomes an essay question (``{####feedback}``: Moodle cannot run its
checks): the prompt, then the starter code as a Markdown code block; the general feedback
holds the reference solution and a comment says it was converted.

What GIFT cannot say: a question's points, hints, and all-or-nothing scoring of a
multiple-select question (Moodle gives partial credit; each wrong pick costs 100 % so
that guessing every box earns nothing). A comment above the question records them.

Question families: GIFT has no generators, so each family is written as a set number of
deployed variants (STACK's approach), ``ID-seedN`` each, one question per seed; Moodle
treats them as separate questions (put them in a random-question slot to draw one). A
variant's chart cannot travel (GIFT has no figures): the header and the question's comment
warn that such a variant is unanswerable unless its prompt states the data, and
`engine export` repeats the warning on standard error.
"""

from __future__ import annotations

from typing import assert_never

from engine.quiz.grading import DEFAULT_RELATIVE_TOLERANCE
from engine.quiz.models import (
    CodeQuestion,
    MultipleSelectQuestion,
    NumericQuestion,
    Question,
    QuestionBank,
    Scoring,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from engine.quiz.variants import draw_variant, instantiate, variant_chart

_ESCAPED = {ch: "\\" + ch for ch in "\\~=#{}:"} | {"\n": "\\n", "\r": ""}


def escape(text: str) -> str:
    """Text safe anywhere in GIFT: special characters backslashed, newlines as ``\\n``."""
    return "".join(_ESCAPED.get(ch, ch) for ch in text.replace("\r\n", "\n"))


def _percent(weight: float) -> str:
    # Five decimals match Moodle's own grade list (33.33333, 14.28571, ...).
    return f"{weight:.5f}".rstrip("0").rstrip(".")


def _number(value: float) -> str:
    return repr(float(value))


def numeric_tolerance(question: NumericQuestion) -> float:
    """The absolute error our grader accepts, as Moodle's ``:tolerance`` wants it."""
    target = abs(float(question.answer))
    if question.tolerance is not None:
        return question.tolerance
    relative = question.relative_tolerance
    return target * (DEFAULT_RELATIVE_TOLERANCE if relative is None else relative)


def _with_feedback(text: str, feedback: str | None) -> str:
    return escape(text) + (f"#{escape(feedback)}" if feedback else "")


def _answer_lines(question: Question) -> list[str]:
    right = question.correct_choice_ids
    match question:
        case CodeQuestion():
            return []  # an essay question: no answers between the braces
        case NumericQuestion():
            answer = float(question.answer)
            return [f"#{_number(answer)}:{_number(numeric_tolerance(question))}"]
        case TrueFalseQuestion():
            key = "TRUE" if question.answer else "FALSE"
            wrong = next((c.feedback for c in question.choices if c.id not in right), None)
            good = next((c.feedback for c in question.choices if c.id in right), None)
            if not (wrong or good):
                return [key]
            return [f"{key}#{escape(wrong or '')}#{escape(good or '')}"]
        case SingleChoiceQuestion():
            return [
                ("=" if c.id in right else "~") + _with_feedback(c.text, c.feedback)
                for c in question.choices
            ]
        case MultipleSelectQuestion():
            share = 100 / len(right)
            # Partial scoring is (right - wrong) / |right|: a wrong pick costs one share.
            penalty = -share if question.scoring is Scoring.PARTIAL else -100.0
            return [
                f"~%{_percent(share if c.id in right else penalty)}%"
                + _with_feedback(c.text, c.feedback)
                for c in question.choices
            ]
        case _:
            assert_never(question)


def _general_feedback(question: Question) -> str:
    steps = [f"{n}. {step}" for n, step in enumerate(question.solution.steps, start=1)]
    lines = [*steps, "", f"**Final answer:** {question.solution.final_answer}"]
    lines += _type_feedback(question)
    lines += ["", f"**Quick check:** {question.quick_check}"]
    return escape("\n".join(lines))


def _comment(question: Question) -> str:
    notes = [f"{question.difficulty.value}", f"topic: {question.topic}"]
    if question.variant is not None:
        notes.append(f"variant seed {question.variant.seed} of family {question.family_name}")
        if (chart := variant_chart(question)) is not None:
            notes.append(
                f"WARNING: unanswerable without its chart ({chart.title}), which GIFT cannot "
                "carry: state the data in the prompt, or leave this question out"
            )
    notes.append(f"points: {question.points:g}")
    notes += _type_notes(question)
    return "// " + " · ".join(" ".join(note.split()) for note in notes)


def _code_block(code: str) -> str:
    return f"```python\n{code}\n```"


def _question_text(question: Question) -> str:
    match question:
        case CodeQuestion():
            starter = _code_block(question.starter_code)
            return f"{question.prompt}\n\nStart from this code:\n\n{starter}"
        case (
            NumericQuestion()
            | SingleChoiceQuestion()
            | MultipleSelectQuestion()
            | TrueFalseQuestion()
        ):
            return question.prompt
        case _:
            assert_never(question)


def _type_feedback(question: Question) -> list[str]:
    """Lines a question type adds to the worked solution in Moodle's general feedback."""
    match question:
        case CodeQuestion():
            return ["", "**Reference solution:**", "", _code_block(question.reference_solution)]
        case (
            NumericQuestion()
            | SingleChoiceQuestion()
            | MultipleSelectQuestion()
            | TrueFalseQuestion()
        ):
            return []
        case _:
            assert_never(question)


def _type_notes(question: Question) -> list[str]:
    """What a question type loses on its way to GIFT, said in the question's comment."""
    match question:
        case CodeQuestion():
            checks = ", ".join(c.name or c.check for c in question.checks)
            return [
                "TuneLab code question, exported as an essay with its starter code: Moodle "
                f"does not run TuneLab's checks ({checks}); grade it by hand"
            ]
        case MultipleSelectQuestion() if question.scoring is Scoring.ALL_OR_NOTHING:
            return ["TuneLab scores this all-or-nothing; Moodle gives partial credit"]
        case (
            MultipleSelectQuestion()
            | NumericQuestion()
            | SingleChoiceQuestion()
            | TrueFalseQuestion()
        ):
            return []
        case _:
            assert_never(question)


def question_to_gift(question: Question) -> str:
    body = "".join(f"\t{line}\n" for line in _answer_lines(question))
    title = (
        question.id if question.variant is None else f"{question.id}-seed{question.variant.seed}"
    )
    return (
        f"{_comment(question)}\n"
        f"::{escape(title)}::[markdown]{escape(_question_text(question))}{{\n"
        f"{body}"
        f"\t####{_general_feedback(question)}\n"
        "}\n"
    )


# Variants written per family unless asked otherwise: enough for a random-question slot.
DEFAULT_VARIANTS = 5


def bank_to_gift(bank: QuestionBank, variants: int = DEFAULT_VARIANTS) -> str:
    """The whole bank as GIFT text, filed under a category named after the bank; each
    family as ``variants`` deployed variants (seeds 0 to variants - 1)."""
    title = " ".join(bank.title.split())
    families = sum(1 for q in bank.questions if q.is_family)
    charted = chart_families(bank)
    header = (
        f"// {title} (bank {bank.id}, version {bank.version}); exported by TuneLab\n"
        + (
            f"// {families} question families, {variants} deployed variants each: GIFT cannot "
            "carry a generator, so Moodle gets fixed numbers; charts are left out\n"
            if families
            else ""
        )
        + "".join(f"// WARNING: {warning}\n" for warning in chart_warnings(charted))
        + f"$CATEGORY: TuneLab/{title.replace('/', '//')}\n"
    )
    drawn = [
        instantiate(q, seed)
        for q in bank.questions
        for seed in range(variants if q.is_family else 1)
    ]
    return "\n".join([header, *(question_to_gift(q) for q in drawn)])


def chart_families(bank: QuestionBank) -> list[str]:
    """Ids of the families whose learners read the answer off a chart (drawn at seed 0)."""
    return [q.id for q in bank.questions if q.is_family and draw_variant(q, 0).chart is not None]


def chart_warnings(charted: list[str]) -> list[str]:
    """What an instructor must know before importing an export with chart families."""
    if not charted:
        return []
    return [
        f"{len(charted)} {'family draws' if len(charted) == 1 else 'families draw'} a chart "
        f"GIFT cannot carry ({', '.join(charted)}): their exported variants are "
        "unanswerable in Moodle unless the prompt states the data"
    ]
