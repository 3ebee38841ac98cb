"""Loading banks: valid ones become models; broken ones become errors an instructor can act on."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from builders import bank_dict, bank_yaml, question
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.quiz.bank import BankError, BankInvalid, load_bank, load_bank_text, load_catalog
from engine.quiz.models import QuestionType


def errors_of(text: str, filename: str = "bank.yaml") -> list[BankError]:
    with pytest.raises(BankInvalid) as info:
        load_bank_text(text, filename=filename)
    return info.value.errors


def messages(text: str) -> list[str]:
    return [str(e) for e in errors_of(text)]


def test_a_valid_bank_loads_with_every_question_type():
    bank = load_bank_text(bank_yaml())
    assert [q.type for q in bank.questions] == [
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTIPLE_SELECT,
        QuestionType.NUMERIC,
        QuestionType.TRUE_FALSE,
    ]


def test_a_bank_error_reads_file_line_question_field_message():
    error = BankError("b.yaml", 7, "q1", "answer", "is wrong")
    assert str(error) == "b.yaml:7: [q1] answer: is wrong"


def test_single_choice_with_two_answers_names_them_and_the_fix():
    text = bank_yaml(questions=[question("q1", answer=["b", "d"])])
    line = 1 + text.splitlines().index("  answer:")
    assert (
        f"bank.yaml:{line}: [q1] answer: single_choice needs exactly one correct choice; "
        "found 2 (b, d). Use type: multiple_select for several" in messages(text)
    )


def test_an_answer_that_is_not_a_choice_id_lists_the_choices():
    text = bank_yaml(questions=[question("q1", answer="z")])
    [error] = errors_of(text)
    assert error.question_id == "q1"
    assert error.field == "answer"
    assert error.message == "answer 'z' is not a choice id; choices are: a, b, c"
    assert text.splitlines()[error.line - 1].strip().startswith("answer:")


def test_a_misspelt_key_is_refused_with_a_suggestion():
    q = question("q1")
    q["anwser"] = q.pop("answer")
    [*errs] = errors_of(bank_yaml(questions=[q]))
    texts = [e.message for e in errs]
    assert any(t.startswith("unknown key 'anwser'; did you mean 'answer'?") for t in texts)
    assert "required key 'answer' is missing" in texts


def test_a_missing_key_points_at_its_question():
    q = question("q7")
    del q["quick_check"]
    text = bank_yaml(questions=[question("q0"), q])
    [error] = errors_of(text)
    assert (error.question_id, error.field) == ("q7", "quick_check")
    assert error.message == "required key 'quick_check' is missing"
    assert "id: q7" in text.splitlines()[error.line - 1]


def test_a_bad_difficulty_lists_the_allowed_values():
    [error] = errors_of(bank_yaml(questions=[question("q1", difficulty="eazy")]))
    assert error.message == "must be one of 'easy', 'medium' or 'hard'; got 'eazy'"


def test_duplicate_question_ids_are_reported_on_the_second():
    text = bank_yaml(questions=[question("same"), question("same")])
    [error] = errors_of(text)
    assert error.message == (
        "question id 'same' is already used by question 1; ids must be unique in a bank"
    )


def test_a_recipe_that_asks_for_more_questions_than_exist_says_how_many_there_are():
    text = bank_yaml(questions=[question("q1")], test={"easy": 3, "medium": 0, "hard": 0})
    [error] = errors_of(text)
    assert error.field == "test.easy"
    assert error.message == (
        "the test draws 3 easy questions but the bank has 1; add questions or lower test.easy"
    )


def test_multiple_select_answers_must_be_known_ids():
    q = question("q1", type="multiple_select", answer=["a", "x"])
    [error] = errors_of(bank_yaml(questions=[q]))
    assert error.message == "answer 'x' is not a choice id; choices are: a, b, c"


def test_numeric_questions_need_a_number_and_no_choices():
    q = question("q1", type="numeric", answer="a")
    msgs = [e.message for e in errors_of(bank_yaml(questions=[q]))]
    assert "numeric questions have no choices; remove 'choices'" in msgs
    assert "numeric needs a number as answer; got 'a'" in msgs


def test_true_false_needs_a_boolean_answer():
    q = question("q1", type="true_false", choices=[], answer="yes")
    [error] = errors_of(bank_yaml(questions=[q]))
    assert error.message == "true_false needs answer: true or answer: false; got 'yes'"


def test_shorthand_choices_and_hint_expand_to_the_full_form():
    q = question("q1", choices={"a": "Right", "b": "Wrong"}, hint="Think.")
    del q["hints"]
    bank = load_bank_text(bank_yaml(questions=[q]))
    [loaded] = bank.questions
    assert [(c.id, c.text) for c in loaded.choices] == [("a", "Right"), ("b", "Wrong")]
    assert loaded.hints == ["Think."]


def test_one_run_reports_every_problem_in_the_file():
    q1 = question("q1", answer="z")
    q2 = question("q2", difficulty="eazy")
    errs = errors_of(bank_yaml(questions=[q1, q2], title=""))
    # q1 parses but breaks a cross-field rule; q2 does not parse; the bank lacks a title:
    # all three come out of one run, in file order.
    assert [(e.question_id, e.field) for e in errs] == [
        (None, "title"),
        ("q1", "answer"),
        ("q2", "difficulty"),
    ]
    assert "answer 'z' is not a choice id" in errs[1].message
    assert [e.line for e in errs] == sorted(e.line for e in errs)


def test_a_question_with_a_missing_key_does_not_hide_another_questions_rule_breach():
    q1 = question("q1", answer=["b", "d"])  # single_choice with two answers
    q2 = question("q2", lesson="no-such-lesson")
    q3 = question("q3")
    del q3["quick_check"]
    errs = errors_of(bank_yaml(questions=[q1, q2, q3]))
    assert [(e.question_id, e.field) for e in errs] == [
        ("q1", "answer"),
        ("q2", "lesson"),
        ("q3", "quick_check"),
    ]
    assert errs[0].message.startswith("single_choice needs exactly one correct choice; found 2")


def test_not_a_mapping_is_a_clear_error():
    assert messages("- just\n- a list\n") == [
        "bank.yaml:1: a bank must be a mapping of keys; got a list"
    ]
    assert messages("") == ["bank.yaml:1: a bank must be a mapping of keys; got an empty file"]


def test_a_broken_bank_never_stops_the_others(tmp_path: Path):
    (tmp_path / "good.yaml").write_text(bank_yaml())
    (tmp_path / "bad.yaml").write_text("id: [unclosed\n")
    (tmp_path / "_template.yaml").write_text("not: loaded")
    catalog = load_catalog(tmp_path)
    assert list(catalog.banks) == ["demo"]
    [[error]] = catalog.errors.values()
    assert error.file.endswith("bad.yaml")
    assert error.message.startswith("not valid YAML")


def test_two_files_with_one_bank_id_keep_the_first(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(bank_yaml())
    (tmp_path / "b.yaml").write_text(bank_yaml())
    catalog = load_catalog(tmp_path)
    assert catalog.sources["demo"].name == "a.yaml"
    [error] = catalog.errors[tmp_path / "b.yaml"]
    id_line = 1 + bank_yaml().splitlines().index("id: demo")
    assert (error.file, error.line, error.field) == ("b.yaml", id_line, "id")
    assert error.message == (
        f"bank id 'demo' is already used by a.yaml (line {id_line}); "
        "bank ids must be unique across files: change one of them"
    )


def test_an_unreadable_path_is_a_bank_error(tmp_path: Path):
    with pytest.raises(BankInvalid, match="cannot read file"):
        load_bank(tmp_path / "missing.yaml")


def test_the_committed_schema_matches_the_models():
    from engine.quiz.schema import bank_schema_text

    committed = Path(__file__).parents[2] / "quizzes" / "schema.json"
    assert committed.read_text() == bank_schema_text(), (
        "quizzes/schema.json is stale: run `python -m engine schema`"
    )


# --- property-based: whatever arrives, the loader answers with BankInvalid or a bank ---

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
_documents = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(list(bank_dict()) + list(question()) + ["x"]), inner, max_size=6
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_arbitrary_text_only_ever_yields_bank_errors(text: str):
    try:
        load_bank_text(text)
    except BankInvalid as invalid:
        assert invalid.errors
        assert all(e.file == "<pasted>" and e.line >= 0 for e in invalid.errors)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents)
def test_arbitrary_documents_only_ever_yield_bank_errors(doc):
    try:
        load_bank_text(yaml.safe_dump(doc))
    except BankInvalid as invalid:
        assert invalid.errors


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_valid_banks_only_ever_yield_bank_errors(data):
    doc = bank_dict()
    q = data.draw(st.integers(0, len(doc["questions"]) - 1))
    key = data.draw(st.sampled_from(list(doc["questions"][q])))
    doc["questions"][q][key] = data.draw(_documents)
    try:
        load_bank_text(yaml.safe_dump(doc))
    except BankInvalid as invalid:
        assert all(e.line >= 1 for e in invalid.errors)


def test_an_unknown_lesson_id_lists_the_lessons():
    [error] = errors_of(bank_yaml(questions=[question("q1", lesson="confusion")]))
    assert error.field == "lesson"
    assert error.message.startswith("unknown lesson 'confusion'; lessons are: metrics_for_tasks,")


def test_true_false_choices_keep_true_first_even_with_feedback():
    q = question(
        "q1",
        type="true_false",
        answer=False,
        choices=[{"id": "true", "text": "True", "feedback": "f"}, {"id": "false", "text": "False"}],
    )
    loaded = load_bank_text(bank_yaml(questions=[q]))
    assert loaded.questions[0].shuffle is False


def test_a_key_written_twice_names_its_question_and_field_and_hides_nothing_else():
    text = bank_yaml(questions=[question("q1", answer="z"), question("q2")])
    text = text.replace("  topic: metrics\n", "  topic: metrics\n  topic: again\n", 1)
    errs = errors_of(text)
    assert [(e.question_id, e.field) for e in errs] == [("q1", "topic"), ("q1", "answer")]
    assert errs[0].message.startswith("key 'topic' appears twice in one mapping (first on line")
    assert errs[0].line == text.splitlines().index("  topic: again") + 1


def test_each_type_loads_as_its_own_model_owning_its_answer_shape():
    from engine.quiz.models import (
        MultipleSelectQuestion,
        NumericQuestion,
        SingleChoiceQuestion,
        TrueFalseQuestion,
    )

    loaded = load_bank_text(bank_yaml()).questions
    assert [type(q) for q in loaded] == [
        SingleChoiceQuestion,
        MultipleSelectQuestion,
        NumericQuestion,
        TrueFalseQuestion,
    ]


def test_fingerprints_are_those_of_the_single_wide_model_so_statistics_carry_on():
    # Computed before the reshape into one model per type (commit c84d05d).
    assert {q.id: q.fingerprint for q in load_bank_text(bank_yaml()).questions} == {
        "e1": "dc92f47a4f85e32a",
        "m1": "15a9573c196d2b30",
        "h1": "5da1066f7286e072",
        "h2": "8f164529516fba63",
    }


def test_a_missing_or_unknown_type_names_the_key_and_the_allowed_types():
    q = question("q1")
    del q["type"]
    [error] = errors_of(bank_yaml(questions=[q]))
    assert (error.question_id, error.field) == ("q1", "type")
    assert error.message == "required key 'type' is missing"
    [error] = errors_of(bank_yaml(questions=[question("q1", type="essay")]))
    assert error.message == (
        "must be one of 'single_choice', 'multiple_select', 'true_false', 'numeric' or 'code'; "
        "got 'essay'"
    )
    assert error.field == "type"


def test_a_key_of_another_type_says_which_type_it_belongs_to():
    text = bank_yaml(questions=[question("q1", tolerance=0.1)])
    [error] = errors_of(text)
    assert (error.field, error.message) == (
        "tolerance",
        "'tolerance' applies only to numeric questions",
    )
    assert text.splitlines()[error.line - 1].strip().startswith("tolerance:")


# --- what an instructor tried (issue 11): YAML's traps read as a person means them ---


def bank_text_with(question_lines: str, header: str = "") -> str:
    """A one-question bank written by hand, so YAML sees exactly what a person typed."""
    return (
        "id: demo\ntitle: Demo\npattern: P\nversion: '1'\n"
        + header
        + "test: {easy: 1, medium: 0, hard: 0}\nquestions:\n  - id: q1\n    difficulty: easy\n"
        + "    topic: t\n    prompt: P?\n    solution: {steps: [s], final_answer: f}\n"
        + "    quick_check: c\n"
        + question_lines
    )


def test_an_exponent_answer_and_tolerance_read_as_the_numbers_a_person_means():
    text = bank_text_with("    type: numeric\n    answer: 6e-5\n    tolerance: 1e-6\n")
    [q] = load_bank_text(text).questions
    assert (q.answer, q.tolerance) == (6e-5, 1e-6)


def test_no_and_yes_as_choice_ids_and_answer_read_as_the_text_written():
    text = bank_text_with(
        "    type: single_choice\n    choices:\n      - {id: no, text: No}\n"
        "      - {id: yes, text: Yes}\n    answer: no\n"
    )
    [q] = load_bank_text(text).questions
    assert [(c.id, c.text) for c in q.choices] == [("no", "No"), ("yes", "Yes")]
    assert q.correct_choice_ids == {"no"}


def test_yes_as_a_true_false_answer_says_what_to_write():
    [error] = errors_of(bank_text_with("    type: true_false\n    answer: yes\n"))
    assert error.message == "true_false needs answer: true or answer: false; got 'yes'"


def test_a_version_written_1_10_stays_1_10():
    text = bank_yaml().replace("version: '1'", "version: 1.10")
    assert load_bank_text(text).version == "1.10"


@pytest.mark.parametrize(
    ("broken", "advice"),
    [
        ("    topic: t\n   type: numeric\n", "the indentation is off on this line"),
        ("    topic: t\n\ttype: numeric\n", "replace the tab with spaces"),
        ("    topic: Note: t\n", "put the whole value in quotes"),
    ],
    ids=["indentation", "tab", "colon-in-text"],
)
def test_yaml_syntax_errors_say_in_plain_words_what_to_do_with_the_line(broken, advice):
    text = bank_text_with("    type: true_false\n    answer: true\n").replace(
        "    topic: t\n", broken
    )
    [error] = errors_of(text)
    assert error.message.startswith("not valid YAML: ") and advice in error.message
    assert error.line == 1 + text.splitlines().index(broken.splitlines()[-1])


def test_partial_scoring_on_a_single_choice_question_is_refused():
    text = bank_yaml(questions=[question("q1", scoring="partial")])
    [error] = errors_of(text)
    assert (error.question_id, error.field) == ("q1", "scoring")
    assert error.message == "'scoring' applies only to multiple_select questions"


def test_an_empty_hint_says_so_on_its_own_line():
    text = bank_text_with("    type: true_false\n    answer: true\n    hint:\n")
    [error] = errors_of(text)
    assert (error.field, error.message) == (
        "hint",
        "is empty; write a value after 'hint:' or remove the key",
    )
    assert text.splitlines()[error.line - 1].strip() == "hint:"
