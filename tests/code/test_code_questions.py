"""The `code` question type: validated like any question (file:line), graded purely from
the sandbox's recorded outcome, recorded with its code and each check's outcome."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
import yaml
from builders import bank_dict, question
from helpers.seeded_answers import record_scored_answer, start_attempt

from engine.codecheck.spec import CheckOutcome, GradeResult
from engine.learners.code_answers import run_code_answer
from engine.learners.recording import response_from_record, response_to_record
from engine.modes import AttemptMode
from engine.quiz.authoring.preview import perfect_response
from engine.quiz.authoring.stats import item_statistics
from engine.quiz.bank import BankInvalid, load_bank_text
from engine.quiz.grading import AnswerRejected, Response, grade
from engine.quiz.models import CodeQuestion, QuestionType
from engine.quiz.parsing import FormatError
from engine.sandbox.jail import SandboxUnavailable
from engine.sandbox.pool import SandboxPool
from engine.store import Store

STARTER = "def freeze(model):\n    ...\n"
REFERENCE = (
    "def freeze(model):\n    for p in model.parameters():\n        p.requires_grad = False\n"
)


def code_question(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "type": "code",
        "choices": [],
        "function": "freeze",
        "starter_code": STARTER,
        "reference_solution": REFERENCE,
        "checks": [
            {"check": "trainable_exactly", "name": "Only fc", "prefixes": ["fc"], "points": 2},
            {"check": "frozen_unchanged_after_step"},
        ],
    }
    fields.pop("answer", None)
    body = question("c1", **fields)
    body.pop("answer")
    body.update(overrides)
    return body


def load(q: dict[str, Any]) -> CodeQuestion:
    text = yaml.safe_dump(bank_dict([q]), sort_keys=False)
    loaded = load_bank_text(text, filename="bank.yaml").questions[0]
    assert isinstance(loaded, CodeQuestion)
    return loaded


def errors_of(q: dict[str, Any]) -> list[str]:
    text = yaml.safe_dump(bank_dict([q]), sort_keys=False)
    with pytest.raises(BankInvalid) as info:
        load_bank_text(text, filename="bank.yaml")
    return [str(e) for e in info.value.errors]


def outcome(passed: bool, points: float = 1) -> CheckOutcome:
    return CheckOutcome(
        name="Only fc",
        points=points if passed else 0,
        max_points=points,
        passed=passed,
        message="what happened",
    )


def ran(score: float, *outcomes: CheckOutcome) -> GradeResult:
    return GradeResult(gradable=True, score=score, message="ran", tests=list(outcomes))


def test_a_code_question_loads_with_its_checks_as_the_sandbox_will_run_them():
    loaded = load(code_question())
    assert loaded.type is QuestionType.CODE
    exercise = loaded.exercise()
    assert exercise.function == "freeze"
    assert [c.check for c in exercise.checks] == [
        "trainable_exactly",
        "frozen_unchanged_after_step",
    ]
    assert exercise.checks[0].points == 2


def test_an_unknown_check_is_reported_at_its_line_with_the_known_ones():
    broken = code_question(checks=[{"check": "trainable_only", "prefixes": ["fc"]}])
    [message] = errors_of(broken)
    assert message.startswith("bank.yaml:")
    assert "[c1] checks[0]" in message
    assert "trainable_exactly" in message


def test_a_reference_solution_without_the_function_names_the_field_and_the_fix():
    [message] = errors_of(code_question(reference_solution="def other(model):\n    pass\n"))
    assert "[c1] reference_solution: reference_solution must define `def freeze(model):`" in (
        message
    )


def test_starter_code_with_a_syntax_error_says_which_line():
    [message] = errors_of(code_question(starter_code="def freeze(model):\n    return (\n"))
    assert "[c1] starter_code: starter_code has a syntax error on its line 2" in message


def test_a_code_question_with_choices_is_refused():
    [message] = errors_of(code_question(choices={"a": "x", "b": "y"}))
    assert "code questions have no choices" in message


def test_editing_the_checks_changes_the_fingerprint_so_statistics_restart():
    before = load(code_question()).fingerprint
    after = load(code_question(checks=[{"check": "trainable_exactly", "prefixes": ["fc"]}]))
    assert after.fingerprint != before
    assert load(code_question()).fingerprint == before


def test_grading_scores_the_share_of_check_points_the_sandbox_reported():
    q = load(code_question())
    graded = grade(q, Response.code_answer("code", ran(2 / 3, outcome(True, 2), outcome(False))))
    assert graded.score == pytest.approx(2 / 3)
    assert not graded.correct
    assert graded.code_result is not None
    assert [t.passed for t in graded.code_result.tests] == [True, False]
    assert REFERENCE.strip() in graded.correct_answer
    assert grade(q, Response.code_answer("code", ran(1.0, outcome(True)))).correct


def test_code_that_never_ran_or_could_not_be_graded_is_refused_by_the_grader():
    q = load(code_question())
    with pytest.raises(AnswerRejected, match="never run"):
        grade(q, Response(code="def freeze(model): pass"))
    syntax = GradeResult(gradable=False, message="Syntax error on line 1")
    with pytest.raises(AnswerRejected, match="could not be graded: Syntax error on line 1"):
        grade(q, Response.code_answer("def (", syntax))
    with pytest.raises(AnswerRejected, match="expects code"):
        grade(q, Response.choices(["a"]))


def test_a_choice_question_refuses_code():
    choice = load_bank_text(yaml.safe_dump(bank_dict([question("q1")]))).questions[0]
    with pytest.raises(AnswerRejected, match="not code"):
        grade(choice, Response.code_answer("x = 1", ran(1.0)))


def test_a_code_answer_survives_the_record_and_the_session_json():
    response = Response.code_answer("def freeze(model):\n    pass\n", ran(0.5, outcome(False)))
    record = response_to_record(response)
    assert record == {"code": response.code, "result": response.code_result.model_dump()}
    assert response_from_record(record) == response
    assert Response.from_json(response.to_json()) == response


def test_the_store_keeps_the_code_and_each_checks_outcome(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'tunelab.db'}") as db:
        keeps_code(db)


def keeps_code(db: Store) -> None:
    attempt = start_attempt(db, "Ada", mode=AttemptMode.PRACTICE)
    response = Response.code_answer("def freeze(model):\n    pass\n", ran(0.0, outcome(False)))
    record_scored_answer(
        db, attempt.id, "c1", 0.0, response=response_to_record(response), fingerprint="f", seconds=3
    )
    [answer] = db.answers(attempt.id)
    assert response_from_record(answer.response) == response
    with pytest.raises(ValueError, match="or \\{code, result\\}"):
        record_scored_answer(
            db, attempt.id, "c2", 0.0, response={"code": "x", "extra": 1}, fingerprint="f"
        )


def test_the_instructor_preview_shows_the_reference_as_the_full_marks_answer():
    q = load(code_question())
    perfect = perfect_response(q)
    assert perfect.code == q.reference_solution
    assert grade(q, perfect).correct


def test_item_statistics_count_how_often_each_check_of_a_code_question_failed():
    wrong = Response.code_answer("a", ran(0.0, outcome(False)))
    right = Response.code_answer("b", ran(1.0, outcome(True)))
    frame = pd.DataFrame(
        [
            {"attempt_id": n, "question_id": "c1", "question_fingerprint": "f",
             "score": float(r is right), "max_score": 1.0, "response": response_to_record(r)}
            for n, r in enumerate([wrong, wrong, right])
        ]
    )  # fmt: skip
    [item] = item_statistics(frame)
    assert item.facility == pytest.approx(1 / 3)
    assert item.choice_counts == {"failed: Only fc": 2}


def test_where_no_sandbox_can_start_a_code_answer_is_not_graded_and_says_so(tmp_path):
    bwrap = tmp_path / "bwrap"  # fails the way a kernel without user namespaces does
    bwrap.write_text(
        "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n"
    )
    bwrap.chmod(0o755)
    pool = SandboxPool(size=1, bwrap=bwrap)
    with pytest.raises(SandboxUnavailable):
        pool.start()
    parsed = run_code_answer(load(code_question()), "raise SystemExit('ran!')", pool)
    assert isinstance(parsed, FormatError)
    assert parsed.message.startswith("Code can't be run on this server, so your answer was not")
    assert "No permissions to create new namespace" in parsed.message
    assert run_code_answer(load(code_question()), "   \n", pool) is None  # nothing written yet
