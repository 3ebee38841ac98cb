"""GIFT export read back with an independent parser, and the `export` command line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml
from builders import bank, bank_dict, question, standard_questions
from helpers.gift_parser import GiftQuestion, parse_gift
from helpers.seeded_answers import record_scored_answer, start_attempt

from engine.__main__ import main as engine_main
from engine.families import GENERATORS
from engine.quiz.authoring.export import bank_to_gift, escape, numeric_tolerance
from engine.quiz.bank import load_bank
from engine.quiz.models import CodeQuestion, Question, QuestionBank, QuestionType, Scoring
from engine.quiz.variants import instantiate
from engine.store import Store

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "quizzes" / "fine_tuning_metrics.yaml"
TRICKY = "Is {a: b} = ~c# \\ not?\n\nSecond paragraph: 50% of x=1 {#}"


def tricky_bank() -> QuestionBank:
    return bank(
        questions=[
            question(
                "e1",
                prompt=TRICKY,
                choices=[
                    {"id": "a", "text": "a = b ~ c", "feedback": "Yes: {ok} #1"},
                    {"id": "b", "text": "x:y\\z", "feedback": "No = ~"},
                    {"id": "c", "text": "{}"},
                ],
            ),
            *standard_questions()[1:],
            question(
                "m2",
                difficulty="medium",
                type="multiple_select",
                answer=["a", "b", "c"],
                choices={"a": "one=1", "b": "two~2", "c": "three#3", "d": "four:4"},
            ),
            question(
                "h3",
                difficulty="hard",
                type="true_false",
                choices=[
                    {"id": "true", "text": "True", "feedback": "True: {no}"},
                    {"id": "false", "text": "False", "feedback": "False: #yes"},
                ],
                answer=False,
            ),
            question("n2", type="numeric", choices=[], answer=-2.5, relative_tolerance=0.01),
            question("n3", type="numeric", choices=[], answer=0.871),
        ]
    )


def assert_matches(parsed: GiftQuestion, original: Question) -> None:
    seed = f"-seed{original.variant.seed}" if original.variant else ""
    assert parsed.title == original.id + seed
    assert parsed.text_format == "markdown"
    assert original.solution.final_answer in parsed.general_feedback
    for step in original.solution.steps:
        assert step in parsed.general_feedback
    right = original.correct_choice_ids
    if isinstance(original, CodeQuestion):  # an essay: the prompt, then the starter code
        assert parsed.text == f"{original.prompt}\n\nStart from this code:\n\n" + (
            f"```python\n{original.starter_code}\n```"
        )
        assert parsed.answers == [] and parsed.numeric is None and parsed.true_false is None
        assert original.reference_solution in parsed.general_feedback
        return
    assert parsed.text == original.prompt
    if original.type is QuestionType.NUMERIC:
        assert parsed.numeric == pytest.approx(
            (float(original.answer), numeric_tolerance(original)), rel=1e-12
        )
    elif original.type is QuestionType.TRUE_FALSE:
        assert parsed.true_false is original.answer
        feedback = {c.id in right: c.feedback or "" for c in original.choices}
        if any(feedback.values()):
            assert parsed.true_false_feedback == (feedback[False], feedback[True])
    else:
        assert [a.text for a in parsed.answers] == [c.text for c in original.choices]
        assert [a.correct for a in parsed.answers] == [c.id in right for c in original.choices]
        assert [a.feedback for a in parsed.answers] == [c.feedback for c in original.choices]
    if original.type is QuestionType.MULTIPLE_SELECT:
        weights = [a.weight for a in parsed.answers]
        assert sum(w for w in weights if w > 0) == pytest.approx(100, abs=1e-3)
        penalty = -100 / len(right) if original.scoring is Scoring.PARTIAL else -100
        assert [w for w in weights if w < 0] == pytest.approx(
            [penalty] * (len(weights) - len(right))
        )


@pytest.mark.parametrize("source", ["shipped", "tricky"])
def test_gift_export_reads_back_as_the_same_questions(source):
    original = load_bank(SHIPPED) if source == "shipped" else tricky_bank()
    parsed = parse_gift(bank_to_gift(original, variants=1))
    drawn = [instantiate(q, 0) for q in original.questions]  # a family: its seed-0 variant
    titles = [q.id + ("-seed0" if q.is_family else "") for q in original.questions]
    assert [q.title for q in parsed.questions] == titles
    for gift_question, bank_question in zip(parsed.questions, drawn, strict=True):
        assert_matches(gift_question, bank_question)
    assert parsed.categories == [f"TuneLab/{original.title}"]
    assert original.title in parsed.comments[0]


def test_tricky_characters_are_backslash_escaped_and_newlines_written_as_backslash_n():
    assert escape("a~b=c#d{e}f:g\\h") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h"
    assert escape("one\r\n\ntwo") == "one\\n\\ntwo"
    gift = bank_to_gift(tricky_bank())
    # A blank line ends a GIFT question: the prompt's paragraph break must not make one.
    assert "::e1::[markdown]Is \\{a\\: b\\} \\= \\~c\\# \\\\ not?\\n\\nSecond" in gift


def test_multiple_select_weights_follow_the_scoring_rule():
    gift = bank_to_gift(tricky_bank())
    assert "~%50%A#fa" in gift and "~%-50%B#fb" in gift  # partial: a wrong pick costs 1/2
    assert "~%33.33333%one\\=1" in gift and "~%-100%four\\:4" in gift  # all or nothing
    assert "// medium · topic: metrics · points: 1 · TuneLab scores this all-or-nothing" in gift


def test_true_false_and_numeric_use_gift_forms():
    gift = bank_to_gift(tricky_bank())
    assert "\tFALSE#True\\: \\{no\\}#False\\: \\#yes\n" in gift
    assert "\t#0.871:0.001\n" in gift
    assert "\t#-2.5:0.025\n" in gift


def test_a_code_question_is_exported_as_an_essay_and_says_so():
    shipped = load_bank(SHIPPED)
    code = next(q for q in shipped.questions if isinstance(q, CodeQuestion))
    gift = bank_to_gift(shipped.model_copy(update={"questions": [code]}))
    assert "exported as an essay with its starter code" in gift
    assert "grade it by hand" in gift
    # Moodle reads empty answers (general feedback only) as an essay question.
    assert f"[markdown]{escape(code.prompt)}" in gift
    assert "{\n\t####" in gift


def test_cli_writes_gift_to_a_file_and_to_standard_output(tmp_path, capsys):
    out = tmp_path / "bank.gift"
    assert engine_main(["export", "--format", "gift", str(SHIPPED), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == bank_to_gift(load_bank(SHIPPED))
    assert engine_main(["export", "--format", "gift", str(SHIPPED)]) == 0
    assert capsys.readouterr().out == bank_to_gift(load_bank(SHIPPED))


def test_python_m_engine_export_reaches_the_exporter_with_the_bank_first(capsys):
    assert engine_main(["export", str(SHIPPED), "--format", "gift"]) == 0
    assert capsys.readouterr().out == bank_to_gift(load_bank(SHIPPED))


def test_python_m_engine_export_accepts_the_format_option_first(capsys):
    assert engine_main(["export", "--format", "gift", str(SHIPPED)]) == 0
    assert capsys.readouterr().out == bank_to_gift(load_bank(SHIPPED))


def test_cli_reports_every_error_of_a_broken_bank_and_fails(tmp_path, capsys):
    broken = bank_dict()
    broken["questions"][0]["anwser"] = "a"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(broken, sort_keys=False))
    assert engine_main(["export", "--format", "gift", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:" in err and "[e1] anwser: unknown key 'anwser'; did you mean 'answer'?" in err


def test_cli_exports_recorded_test_results_as_csv_without_names_unless_asked(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv("TUNELAB_DATABASE_URL", raising=False)
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(tmp_path))
    with Store.open() as store:
        attempt = start_attempt(store, "Ada")
        record_scored_answer(store, attempt.id, "e1", 1.0, response=["a"], seconds=3)
    assert engine_main(["export", "--format", "csv", "demo"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["question_id"], r["score"]) for r in rows] == [("e1", "1.0")]
    assert "learner_name" not in rows[0]
    assert engine_main(["export", "--format", "csv", "demo", "--names"]) == 0
    assert "Ada" in capsys.readouterr().out


def test_gift_writes_each_family_as_deployed_variants_with_their_computed_keys():
    family = question(
        "prec",
        generator="confusion_metric",
        params={"ask": "precision"},
        prompt="TP = {tp}, FP = {fp}: precision?",
        solution={"steps": ["{formula}"], "final_answer": "{precision}"},
    )
    for key in ("choices", "answer"):
        family.pop(key)
    fixed = question("fixed")
    loaded = bank(questions=[family, fixed])
    gift = bank_to_gift(loaded, variants=3)
    parsed = parse_gift(gift)
    assert [q.title for q in parsed.questions] == [
        "prec-seed0",
        "prec-seed1",
        "prec-seed2",
        "fixed",
    ]
    generator = GENERATORS["confusion_metric"]
    for seed, written in enumerate(parsed.questions[:3]):
        variant = generator.generate(seed, {"ask": "precision"})
        assert written.text.startswith(f"TP = {variant.values['tp']}, FP = {variant.values['fp']}")
        right = [a.text for a in written.answers if a.correct]
        assert right == [variant.correct.text]
    assert any("GIFT cannot carry a generator" in comment for comment in parsed.comments)
