"""GIFT import: Moodle's questions become a bank that validates as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.__main__ import main
from engine.quiz.authoring.export import bank_to_gift
from engine.quiz.authoring.gift_import import DEFAULT_QUICK_CHECK, import_gift
from engine.quiz.bank import load_bank
from engine.quiz.models import QuestionType, Scoring
from engine.quiz.variants import instantiate

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "quizzes" / "fine_tuning_metrics.yaml"

MOODLE = r"""// A file written in Moodle, not by TuneLab.
$CATEGORY: Course/Metrics

::Capital::What is the precision with TP \= 8 and FP \= 2?{
	=0.8#Right: 8 / 10.
	~0.2#That is FP / (TP + FP).
	~1.0
}

::Rare class::A model that always says "no" on 2 % positives is 98 % accurate.
{TRUE#Check the arithmetic.#Yes: 98 of 100 are negatives.}

What is RMSE for errors 3 and 4 (two decimals)?{#3.54:0.005####sqrt((9 + 16) / 2)}

An accuracy between 0.9 and 0.95 counts:{#0.9..0.95}

::Pick::Which are rates?{~%50%recall~%50%precision~%-50%count}

Write an essay about F1.{}

::Match::Match them.{=precision -> TP/(TP+FP) =recall -> TP/(TP+FN)}

Name the metric for rare classes.{=recall =sensitivity}

The capital of recall is {=TP ~TN} over all positives.
"""


def _written(tmp_path: Path, text: str) -> Path:
    source = tmp_path / "metrics.gift"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "metrics.yaml"
    assert main(["import", "gift", str(source), "-o", str(out)]) == 0
    return out


def test_the_projects_own_export_round_trips_into_a_bank_that_validates(tmp_path, capsys):
    original = load_bank(SHIPPED)
    out = _written(tmp_path, bank_to_gift(original, variants=1))
    assert main(["validate", str(out)]) == 0
    imported = load_bank(out)
    # A code question leaves as a GIFT essay, which import lists as unsupported (stderr)
    # rather than guessing its checks; every other question comes back.
    err = capsys.readouterr().err
    carried = [q for q in original.questions if q.type is not QuestionType.CODE]
    for code in (q for q in original.questions if q.type is QuestionType.CODE):
        assert f"(::{code.id}" in err, f"{code.id} should be listed as not imported"
    # A family comes back as its deployed variant: a fixed question with the same numbers.
    drawn = [instantiate(q, 0) for q in carried]
    titles = [q.id + ("-seed0" if q.is_family else "") for q in carried]
    assert [q.id for q in imported.questions] == titles
    for before, after in zip(drawn, imported.questions, strict=True):
        assert (after.type, after.difficulty, after.topic) == (
            before.type,
            before.difficulty,
            before.topic,
        )
        assert after.prompt == before.prompt.strip()
        assert after.solution == before.solution and after.quick_check == before.quick_check
        assert [(c.text, c.feedback) for c in after.choices] == [
            (c.text, c.feedback) for c in before.choices
        ]
        right = {c.text for c in before.choices if c.id in before.correct_choice_ids}
        assert {c.text for c in after.choices if c.id in after.correct_choice_ids} == right
        if before.type is QuestionType.NUMERIC:
            assert after.answer == before.answer
        if before.type is QuestionType.MULTIPLE_SELECT:
            assert after.scoring is before.scoring


def test_a_moodle_file_imports_the_types_both_support_and_lists_the_rest(tmp_path, capsys):
    out = _written(tmp_path, MOODLE)
    err = capsys.readouterr().err
    for reason in ("essay ({})", "matching question (->)", "short answer (only = answers)",
                   "missing-word question (text after the answers)"):  # fmt: skip
        assert reason in err
    assert main(["validate", str(out)]) == 0
    bank = load_bank(out)
    assert bank.title == "Metrics"
    by_id = {q.id: q for q in bank.questions}
    assert by_id["Capital"].type is QuestionType.SINGLE_CHOICE
    assert by_id["Capital"].prompt == "What is the precision with TP = 8 and FP = 2?"
    assert by_id["Capital"].choice(str(by_id["Capital"].answer)).text == "0.8"
    assert by_id["Rare-class"].answer is True
    assert by_id["Rare-class"].choice("false").feedback == "Check the arithmetic."
    numeric = [q for q in bank.questions if q.type is QuestionType.NUMERIC]
    assert [(q.answer, q.tolerance) for q in numeric] == [
        (3.54, 0.005),
        (pytest.approx(0.925), pytest.approx(0.025)),
    ]
    assert numeric[0].solution.steps == ["sqrt((9 + 16) / 2)"]
    assert by_id["Pick"].type is QuestionType.MULTIPLE_SELECT
    assert by_id["Pick"].scoring is Scoring.PARTIAL
    assert all(q.quick_check == DEFAULT_QUICK_CHECK for q in bank.questions)


def test_defaults_gift_lacks_are_named_in_comments_above_each_question(tmp_path, capsys):
    text = _written(tmp_path, MOODLE).read_text(encoding="utf-8")
    assert "# Not imported: question 6 (Write an essay about F1.{}...): essay ({})" in text
    assert text.count("# defaults (not in GIFT): difficulty: medium, topic: imported") == 5
    assert "quick_check, solution" in text


def test_import_prints_the_bank_without_an_output_file(tmp_path, capsys):
    source = tmp_path / "one.gift"
    source.write_text("::q::Is 0.5 the default threshold?{T}\n", encoding="utf-8")
    assert main(["import", "gift", str(source)]) == 0
    assert "answer: true" in capsys.readouterr().out


def test_a_file_with_nothing_importable_fails_and_says_so(tmp_path, capsys):
    source = tmp_path / "essays.gift"
    source.write_text("Discuss overfitting.{}\n", encoding="utf-8")
    assert main(["import", "gift", str(source)]) == 1
    assert "no question TuneLab can carry" in capsys.readouterr().err


def test_duplicate_titles_get_distinct_ids():
    imported = import_gift("::q::A?{T}\n\n::q::B?{F}\n")
    assert [q["id"] for q in imported.questions] == ["q", "q-2"]
