"""Moodle XML export parsed back with ElementTree and checked against the bank it came from."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from builders import bank, bank_dict, question, standard_questions

from engine.__main__ import main as engine_main
from engine.quiz.authoring import chart_image
from engine.quiz.authoring.export import numeric_tolerance
from engine.quiz.authoring.moodle_xml import bank_to_moodle_xml, chart_file_name, title_of
from engine.quiz.bank import load_bank
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
from engine.quiz.variants import instantiate, variant_chart

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "quizzes" / "fine_tuning_metrics.yaml"
VARIANTS = 2
MOODLE_TYPE = {
    SingleChoiceQuestion: "multichoice",
    MultipleSelectQuestion: "multichoice",
    TrueFalseQuestion: "truefalse",
    NumericQuestion: "numerical",
    CodeQuestion: "essay",
}
# Moodle's grade list (question_bank::fraction_options_full): an imported fraction must be
# one of these, in percent, or the importer refuses the question.
_POSITIVE = [100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20]
_POSITIVE += [16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0]
MOODLE_FRACTIONS = {*_POSITIVE, *(-f for f in _POSITIVE)}


def every_type_bank() -> QuestionBank:
    questions = [
        *standard_questions(),
        question(
            "m2",
            difficulty="medium",
            type="multiple_select",
            answer=["a", "b", "c"],
            choices={"a": "one", "b": "two", "c": "three", "d": "four"},
        ),
        question(
            "h3",
            difficulty="hard",
            type="true_false",
            choices=[
                {"id": "true", "text": "True", "feedback": "Not so."},
                {"id": "false", "text": "False", "feedback": "Right: <it is> & false."},
            ],
            answer=False,
            points=2.5,
            tags=["threshold"],
        ),
        question("n2", type="numeric", choices=[], answer=-2.5, relative_tolerance=0.01),
    ]
    return bank(questions=questions)


def drawn_questions(source: QuestionBank, variants: int) -> list[Question]:
    return [
        instantiate(q, seed)
        for q in source.questions
        for seed in range(variants if q.is_family else 1)
    ]


def exported(source: QuestionBank, variants: int = VARIANTS) -> list[ET.Element]:
    root = ET.fromstring(bank_to_moodle_xml(source, variants))
    assert root.tag == "quiz"
    return [q for q in root.findall("question") if q.get("type") != "category"]


def text_of(element: ET.Element, path: str) -> str:
    found = element.find(path)
    assert found is not None, f"no {path}"
    return found.text or ""


def fractions(element: ET.Element) -> list[float]:
    return [float(a.get("fraction", "nan")) for a in element.findall("answer")]


def assert_matches(element: ET.Element, original: Question) -> None:
    assert element.get("type") == MOODLE_TYPE[type(original)]
    assert text_of(element, "name/text") == title_of(original)
    assert text_of(element, "idnumber") == title_of(original)
    assert float(text_of(element, "defaultgrade")) == original.points
    assert text_of(element, "questiontext/text").startswith(original.prompt)
    general = text_of(element, "generalfeedback/text")
    assert original.solution.final_answer in general and original.quick_check in general
    assert all(step in general for step in original.solution.steps)
    assert [h.findtext("text") for h in element.findall("hint")] == original.hints
    tags = [t.findtext("text") for t in element.findall("tags/tag")]
    assert {original.topic, original.difficulty.value, *original.tags} == set(tags)
    answers = element.findall("answer")
    match original:
        case SingleChoiceQuestion() | MultipleSelectQuestion():
            right = original.correct_choice_ids
            assert text_of(element, "single") == (
                "true" if isinstance(original, SingleChoiceQuestion) else "false"
            )
            assert [a.findtext("text") for a in answers] == [c.text for c in original.choices]
            assert [a.findtext("feedback/text") for a in answers] == [
                c.feedback or "" for c in original.choices
            ]
            weights = fractions(element)
            assert set(weights) <= MOODLE_FRACTIONS
            assert sum(w for w in weights if w > 0) == pytest.approx(100, abs=1e-3)
            assert [w > 0 for w in weights] == [c.id in right for c in original.choices]
            if isinstance(original, MultipleSelectQuestion):
                share = 100 / len(right)
                penalty = -share if original.scoring is Scoring.PARTIAL else -100
                assert [w for w in weights if w < 0] == pytest.approx(
                    [penalty] * (len(weights) - len(right)), abs=1e-4
                )
        case TrueFalseQuestion():
            assert [a.findtext("text") for a in answers] == ["true", "false"]
            assert fractions(element) == ([100, 0] if original.answer else [0, 100])
            feedback = {c.id: c.feedback or "" for c in original.choices}
            assert [a.findtext("feedback/text") for a in answers] == [
                feedback["true"],
                feedback["false"],
            ]
        case NumericQuestion():
            (answer,) = answers
            assert float(answer.findtext("text") or "nan") == float(original.answer)
            assert float(answer.get("fraction", "nan")) == 100
            assert float(answer.findtext("tolerance") or "nan") == pytest.approx(
                numeric_tolerance(original), rel=1e-12
            )
        case CodeQuestion():
            assert answers == []
            assert text_of(element, "responsetemplate/text") == original.starter_code
            assert original.reference_solution in text_of(element, "graderinfo/text")
            assert text_of(element, "responseformat") == "monospaced"


@pytest.fixture(scope="module")
def shipped() -> QuestionBank:
    return load_bank(SHIPPED)


@pytest.fixture(scope="module")
def shipped_xml(shipped: QuestionBank) -> list[ET.Element]:
    return exported(shipped)


def test_the_shipped_bank_exports_every_question_and_every_family_variant(shipped, shipped_xml):
    drawn = drawn_questions(shipped, VARIANTS)
    families = sum(q.is_family for q in shipped.questions)
    assert families > 0
    assert len(shipped_xml) == len(shipped.questions) + families * (VARIANTS - 1)
    for element, original in zip(shipped_xml, drawn, strict=True):
        assert_matches(element, original)
    assert {e.get("type") for e in shipped_xml} >= {"multichoice", "numerical", "essay"}


def test_every_type_reads_back_with_its_fractions_tolerance_and_feedback():
    source = every_type_bank()
    elements = exported(source)
    assert len(elements) == len(source.questions)
    for element, original in zip(elements, source.questions, strict=True):
        assert_matches(element, original)
    by_name = {text_of(e, "name/text"): e for e in elements}
    assert fractions(by_name["m1"]) == [50, -50, 50, -50]  # partial: a wrong pick costs 1/2
    assert fractions(by_name["m2"]) == pytest.approx([33.33333] * 3 + [-100])
    # A relative tolerance arrives as the absolute error it allows: 1 % of 2.5.
    assert float(by_name["n2"].findtext("answer/tolerance") or "nan") == pytest.approx(0.025)
    assert text_of(by_name["h3"], "answer[2]/feedback/text") == "Right: <it is> & false."


def test_a_family_variant_carries_its_chart_as_an_embedded_png(shipped, shipped_xml):
    drawn = drawn_questions(shipped, VARIANTS)
    charted = [(e, q) for e, q in zip(shipped_xml, drawn, strict=True) if variant_chart(q)]
    assert charted, "the shipped bank has families with charts"
    for element, original in charted:
        file = element.find("questiontext/file")
        assert file is not None and file.get("encoding") == "base64"
        assert file.get("name") == chart_file_name(original)
        assert base64.b64decode(file.text or "").startswith(b"\x89PNG\r\n\x1a\n")
        assert f"(@@PLUGINFILE@@/{chart_file_name(original)})" in text_of(
            element, "questiontext/text"
        )


def test_families_go_into_a_subcategory_each_so_a_random_slot_can_draw_one(shipped):
    root = ET.fromstring(bank_to_moodle_xml(shipped, VARIANTS))
    categories = [q.findtext("category/text") for q in root.findall("question[@type='category']")]
    home = "$course$/top/TuneLab/" + " ".join(shipped.title.split())
    assert categories[0] == home
    family_ids = [q.id for q in shipped.questions if q.is_family]
    assert {f"{home}/{fid}" for fid in family_ids} <= set(categories)


def test_without_a_chart_renderer_the_chart_data_is_an_html_table_and_the_file_says_so(
    shipped, monkeypatch
):
    monkeypatch.setattr(chart_image, "renderer_name", lambda: None)
    family = next(q for q in shipped.questions if q.is_family and variant_chart(instantiate(q, 0)))
    xml = bank_to_moodle_xml(shipped.model_copy(update={"questions": [family]}), variants=1)
    chart = variant_chart(instantiate(family, 0))
    assert chart is not None
    (element,) = [q for q in ET.fromstring(xml).findall("question") if q.get("type") != "category"]
    assert element.find("questiontext/file") is None
    text = text_of(element, "questiontext/text")
    assert f"<caption>{chart.title}</caption>" in text
    assert f"<th>{chart.x_label}</th>" in text
    assert "no chart renderer installed" in xml


def test_cli_writes_moodle_xml_to_a_file(tmp_path, capsys):
    out = tmp_path / "bank.xml"
    source = tmp_path / "demo.yaml"
    source.write_text(yaml.safe_dump(bank_dict()), encoding="utf-8")
    assert engine_main(["export", "--format", "moodle-xml", str(source), "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().err
    elements = [q for q in ET.parse(out).getroot() if q.get("type") not in {None, "category"}]
    assert [text_of(e, "name/text") for e in elements] == ["e1", "m1", "h1", "h2"]
