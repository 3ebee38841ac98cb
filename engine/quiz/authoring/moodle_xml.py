"""A bank as Moodle XML (`python -m engine export --format moodle-xml BANK`).

Moodle XML carries what GIFT drops: points (``defaultgrade``), hints, tags, per-question
ids and images. How each TuneLab type arrives, as Moodle's importer
(question/format/xml) reads it:

* single choice: ``multichoice`` with ``<single>true</single>``, the key at fraction 100;
  multiple select: ``<single>false</single>``, each right choice at 100 / (number right),
  each wrong one at minus that share (partial scoring) or -100 (all-or-nothing: Moodle has
  no such mode, so guessing every box earns nothing); fractions have five decimals, as in
  Moodle's own grade list.
* true/false: ``truefalse``, the two answers ``true`` and ``false`` with their feedback.
* numeric: ``numerical`` with an absolute ``<tolerance>`` (a relative one is converted
  with the same rule the grader uses).
* code: ``essay`` with the starter code as the response template (monospaced, so
  indentation survives) and the reference solution as grader information: Moodle cannot
  run TuneLab's checks, so an instructor grades it.

Every question keeps its per-choice feedback, its hints, the worked solution as general
feedback, and tags for its topic, difficulty and own tags. Text stays Markdown
(``format="markdown"``). Families are written as deployed variants (``ID-seedN``), each
family in a subcategory of its own so a random-question slot can draw one; a variant's
chart travels as a PNG inside the question text (``@@PLUGINFILE@@``), or as an HTML table
of its data when no renderer is installed (``chart_image``).
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from typing import Any, assert_never

from engine.families import Chart
from engine.quiz.authoring.chart_image import chart_png, chart_table_html
from engine.quiz.authoring.export import DEFAULT_VARIANTS, numeric_tolerance
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

MARKDOWN = "markdown"


def fraction(weight: float) -> str:
    """A Moodle fraction (percent), five decimals as in Moodle's grade list (33.33333)."""
    return f"{weight:.5f}".rstrip("0").rstrip(".")


def _number(value: float) -> str:
    return repr(float(value))


def _text(parent: ET.Element, tag: str, text: str, fmt: str = MARKDOWN) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt})
    ET.SubElement(element, "text").text = text
    return element


def _value(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, tag).text = value


def _bool(value: bool) -> str:
    return "true" if value else "false"


def title_of(question: Question) -> str:
    """The name (and idnumber) Moodle shows: the id, ``-seedN`` for a family's variant."""
    return question.id if question.variant is None else f"{question.id}-seed{question.variant.seed}"


def chart_file_name(question: Question) -> str:
    return f"{title_of(question)}-chart.png"


def _general_feedback(question: Question) -> str:
    steps = [f"{n}. {step}" for n, step in enumerate(question.solution.steps, start=1)]
    lines = [*steps, "", f"**Final answer:** {question.solution.final_answer}"]
    if question.common_mistakes:
        lines += ["", "**Common mistakes:**", *(f"- {m}" for m in question.common_mistakes)]
    lines += ["", f"**Quick check:** {question.quick_check}"]
    return "\n".join(lines)


def _code_block(code: str) -> str:
    return f"```python\n{code}\n```"


def _question_text(
    parent: ET.Element, question: Question, chart: Chart | None, png: bytes | None
) -> None:
    text = question.prompt
    if chart is not None and png is None:
        text += "\n\n" + chart_table_html(chart)
    elif chart is not None:
        text += f"\n\n![{chart.title}](@@PLUGINFILE@@/{chart_file_name(question)})"
    element = _text(parent, "questiontext", text)
    if png is not None:
        attributes = {"name": chart_file_name(question), "path": "/", "encoding": "base64"}
        ET.SubElement(element, "file", attributes).text = base64.b64encode(png).decode("ascii")


def _answer(parent: ET.Element, weight: float, text: str, feedback: str | None) -> ET.Element:
    answer = ET.SubElement(parent, "answer", {"fraction": fraction(weight), "format": MARKDOWN})
    ET.SubElement(answer, "text").text = text
    _text(answer, "feedback", feedback or "")
    return answer


def _choice_weights(question: SingleChoiceQuestion | MultipleSelectQuestion) -> list[float]:
    right = question.correct_choice_ids
    if isinstance(question, SingleChoiceQuestion):
        return [100.0 if c.id in right else 0.0 for c in question.choices]
    share = 100 / len(right)
    # Partial scoring is (right - wrong) / |right|: a wrong pick costs one share.
    penalty = -share if question.scoring is Scoring.PARTIAL else -100.0
    return [share if c.id in right else penalty for c in question.choices]


def _type_body(element: ET.Element, question: Question) -> str:
    """Write the type's own elements; return Moodle's name for the type."""
    match question:
        case SingleChoiceQuestion() | MultipleSelectQuestion():
            _value(element, "single", _bool(isinstance(question, SingleChoiceQuestion)))
            _value(element, "shuffleanswers", _bool(question.shuffle))
            _value(element, "answernumbering", "abc")
            for choice, weight in zip(question.choices, _choice_weights(question), strict=True):
                _answer(element, weight, choice.text, choice.feedback)
            return "multichoice"
        case TrueFalseQuestion():
            feedback = {c.id: c.feedback for c in question.choices}
            for value in (True, False):
                weight = 100.0 if value is question.answer else 0.0
                _answer(element, weight, _bool(value), feedback.get(_bool(value)))
            return "truefalse"
        case NumericQuestion():
            answer = _answer(element, 100.0, _number(question.answer), None)
            _value(answer, "tolerance", _number(numeric_tolerance(question)))
            _value(element, "unitgradingtype", "0")
            _value(element, "unitpenalty", "0")
            _value(element, "showunits", "3")  # no units asked for
            _value(element, "unitsleft", "0")
            return "numerical"
        case CodeQuestion():
            _value(element, "responseformat", "monospaced")
            _value(element, "responserequired", "1")
            _value(element, "responsefieldlines", str(question.starter_code.count("\n") + 10))
            _value(element, "attachments", "0")
            _value(element, "attachmentsrequired", "0")
            checks = ", ".join(c.name or c.check for c in question.checks)
            grader = (
                f"TuneLab checks this answer with: {checks}. Moodle cannot run them; grade "
                f"by hand.\n\n**Reference solution:**\n\n{_code_block(question.reference_solution)}"
            )
            _text(element, "graderinfo", grader)
            _text(element, "responsetemplate", question.starter_code, "plain_text")
            return "essay"
        case _:
            assert_never(question)


def _notes(question: Question, table_instead_of_chart: bool) -> list[str]:
    notes = []
    if question.variant is not None:
        notes.append(f"variant seed {question.variant.seed} of family {question.generator}")
    if table_instead_of_chart:
        notes.append("no chart renderer installed: its chart is an HTML table of its data")
    if isinstance(question, MultipleSelectQuestion) and question.scoring is Scoring.ALL_OR_NOTHING:
        notes.append("TuneLab scores this all-or-nothing; Moodle gives partial credit")
    if isinstance(question, CodeQuestion):
        notes.append("TuneLab code question, exported as an essay with its starter code")
    return notes


def question_elements(question: Question) -> list[ET.Element[Any]]:
    """One drawn question (a family already instantiated) as a ``<question>`` element,
    after a comment for each thing Moodle will not do as TuneLab does."""
    element = ET.Element("question")
    ET.SubElement(ET.SubElement(element, "name"), "text").text = title_of(question)
    chart = variant_chart(question)
    png = chart_png(chart) if chart is not None else None
    _question_text(element, question, chart, png)
    _text(element, "generalfeedback", _general_feedback(question))
    _value(element, "defaultgrade", _number(question.points))
    _value(element, "penalty", "0.3333333")
    _value(element, "hidden", "0")
    _value(element, "idnumber", title_of(question))
    element.set("type", _type_body(element, question))
    for hint in question.hints:
        _text(element, "hint", hint)
    tags = ET.SubElement(element, "tags")
    for tag in dict.fromkeys([question.topic, question.difficulty.value, *question.tags]):
        ET.SubElement(ET.SubElement(tags, "tag"), "text").text = tag
    notes = _notes(question, table_instead_of_chart=chart is not None and png is None)
    comments: list[ET.Element[Any]] = [ET.Comment(f" {title_of(question)}: {n} ") for n in notes]
    return [*comments, element]


def _category(path: str) -> ET.Element:
    element = ET.Element("question", {"type": "category"})
    ET.SubElement(ET.SubElement(element, "category"), "text").text = path
    return element


def _category_name(text: str) -> str:
    # A "/" inside a name is written "//" (a single one separates levels).
    return " ".join(text.split()).replace("/", "//")


def bank_to_moodle_xml(bank: QuestionBank, variants: int = DEFAULT_VARIANTS) -> str:
    """The bank as a Moodle XML document: its questions in a category named after it, each
    family as ``variants`` deployed variants (seeds 0 to variants - 1) in a subcategory."""
    quiz = ET.Element("quiz")
    title = _category_name(bank.title)
    quiz.append(
        ET.Comment(f" {title} (bank {bank.id}, version {bank.version}); exported by TuneLab ")
    )
    home = f"$course$/top/TuneLab/{title}"
    current = None
    for template in bank.questions:
        category = f"{home}/{_category_name(template.id)}" if template.is_family else home
        if category != current:
            quiz.append(_category(category))
            current = category
        for seed in range(variants if template.is_family else 1):
            quiz.extend(question_elements(instantiate(template, seed)))
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, "unicode") + "\n"
