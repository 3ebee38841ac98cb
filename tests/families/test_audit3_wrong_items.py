"""The three WRONG findings of teaching audit 3 stay fixed: the AP family's trapezoid feedback
says the direction it really misses by, the macro-F1 worked solution adds up to its key, and a
numeric key is shown with enough digits that typing what is shown is graded right."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from engine.families import GENERATORS
from engine.quiz.bank import load_bank
from engine.quiz.grading import Response, answer_text, grade, key_text, parse_number
from engine.quiz.models import NumericQuestion
from engine.quiz.variants import instantiate

BANK_FILE = Path(__file__).resolve().parents[2] / "quizzes" / "fine_tuning_metrics.yaml"
VARIANT_SEEDS = range(200)


@pytest.fixture(scope="module")
def bank():
    return load_bank(BANK_FILE)


# ------------------------------------------------------------------ W1


def test_the_trapezoid_feedback_names_the_direction_it_misses_ap_by_in_every_variant():
    seen = {"understates": 0, "overstates": 0}
    for seed in range(300):
        variant = GENERATORS["average_precision"].generate(seed, {})
        trapezoid = next((o for o in variant.mistakes if o.id == "trapezoid-pr-area"), None)
        if trapezoid is None:
            continue
        shown, key = float(trapezoid.text), float(variant.correct.text)
        exact = variant.numbers["ap"]
        word = "understates" if shown < key or (shown == key and exact > shown) else "overstates"
        assert word in trapezoid.feedback, (seed, shown, key, trapezoid.feedback)
        seen[word] += 1
    # The audit found the trapezoid below AP in most variants: the old fixed word was wrong.
    assert seen["understates"] > seen["overstates"] > 0


# ------------------------------------------------------------------ W2


def _macro_variants(bank, seeds=range(60)):
    family = bank.question("macro-f1-three-classes")
    return [instantiate(family, seed) for seed in seeds]


def test_the_macro_f1_worked_solution_adds_up_to_a_number_its_key_accepts(bank):
    # Every variant of the family: its printed per-class F1s sum to its printed macro-F1, and
    # a learner who rounds each class to three decimals first is graded right too.
    for question in _macro_variants(bank):
        last = question.solution.steps[-1]
        terms = [float(t) for t in re.findall(r"\d\.\d+", last.split("=")[1])]
        printed = float(last.rsplit("=", 1)[1])
        # Each term and the result are rounded to four decimals: at most 1e-4 apart.
        assert sum(terms) / 3 == pytest.approx(printed, abs=1e-4 + 1e-9)
        rounded_first = round(sum(round(term, 3) for term in terms) / 3, 3)
        for typed in (printed, round(printed, 3), rounded_first):
            assert grade(question, Response.number(typed)).correct, (question.variant, typed)


def test_the_macro_f1_key_is_scikit_learns_macro_average_of_the_printed_matrix(bank):
    for question in _macro_variants(bank):
        rows = re.findall(r"\| true \w+ \|([^\n]+)", question.prompt)
        matrix = [[int(n) for n in re.findall(r"\d+", row)] for row in rows]
        y_true = [t for t, row in enumerate(matrix) for p, n in enumerate(row) for _ in range(n)]
        y_pred = [p for row in matrix for p, n in enumerate(row) for _ in range(n)]
        exact = f1_score(y_true, y_pred, average="macro")
        assert abs(float(question.answer) - exact) <= 5e-5 + 1e-12
        assert question.tolerance is not None and question.tolerance >= 0.001


# ------------------------------------------------------------------ W3


def numeric_questions(bank):
    for question in bank.questions:
        if not isinstance(question, NumericQuestion):
            continue
        seeds = VARIANT_SEEDS if question.generator else (0,)
        for seed in seeds:
            yield instantiate(question, seed)


def test_typing_the_displayed_key_of_every_numeric_question_and_variant_is_graded_right(bank):
    checked = 0
    for question in numeric_questions(bank):
        shown = key_text(question)
        assert "e" not in shown.lower(), (question.id, shown)
        assert grade(question, Response.number(parse_number(shown))).correct, (question.id, shown)
        assert answer_text(question).startswith(shown)
        checked += 1
    assert checked > 200


def test_a_whole_number_key_is_written_in_full_not_in_e_notation(bank):
    counts = [q for q in numeric_questions(bank) if q.id == "fam-trainable-scalars"]
    large = [q for q in counts if float(q.answer) >= 1e6]
    assert large, "the family draws counts above a million"
    for question in large:
        assert key_text(question) == str(int(question.answer))


@pytest.mark.parametrize(
    ("answer", "tolerance", "relative", "shown"),
    [
        (2628107, 0.0, None, "2628107"),
        (0.8928571428571428, 0.0005, None, "0.893"),
        (0.6886, 0.001, None, "0.6886"),
        (1150469.5, None, None, "1150469.5"),
        (0.123456789, None, 0.01, "0.123"),
    ],
)
def test_key_text_keeps_the_digits_the_tolerance_needs(answer, tolerance, relative, shown):
    question = NumericQuestion.model_validate(
        {
            "id": "q",
            "type": "numeric",
            "difficulty": "easy",
            "topic": "t",
            "prompt": "p",
            "answer": answer,
            "tolerance": tolerance if tolerance is not None else None,
            "relative_tolerance": relative,
            "solution": {"steps": ["s"], "final_answer": "f"},
            "quick_check": "c",
            "hints": ["h"],
        }
    )
    assert key_text(question) == shown
    assert np.isclose(parse_number(shown), answer, rtol=0.01)
