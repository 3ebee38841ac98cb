"""Test lifecycles over a real SQLite store: start, resume or close, finish, record."""

from __future__ import annotations

from builders import bank, question

from engine.learners.pattern_test import (
    close_if_questions_vanished,
    finish_test,
    resume_test,
    start_test,
)
from engine.learners.recording import record_answer
from engine.modes import AttemptMode
from engine.quiz.grading import Response, grade
from engine.quiz.models import QuestionBank, Verdict
from engine.store import Store

EASY = [question("e1"), question("e2", answer="b"), question("e3", answer="c")]


def demo(version: str = "1", questions: list | None = None) -> QuestionBank:
    return bank(
        questions=questions or EASY, version=version, test={"easy": 2, "medium": 0, "hard": 0}
    )


def answer_current(db: Store, session, bank: QuestionBank, choice: str = "a") -> None:
    qid = session.attempt.current
    response = Response.choices([choice])
    question = bank.question(qid)
    graded = grade(question, response)
    record_answer(db, session.attempt_id, question, response, graded, used_hint=False, seconds=1.5)
    session.attempt.submit(qid, response)


def test_a_started_test_is_recorded_before_it_is_shown(db):
    ada = db.learner("Ada")
    session = start_test(db, ada.id, demo(), seed=3)
    [record] = db.attempts(ada.id)
    assert session.attempt_id == record.id
    assert record.mode is AttemptMode.TEST is session.attempt.plan.mode
    assert record.plan == session.attempt.plan.to_json()
    assert not record.finished and session.report is None


def test_without_a_store_or_a_learner_a_test_runs_unrecorded(db):
    assert start_test(None, None, demo(), seed=3).attempt_id is None
    assert start_test(db, None, demo(), seed=3).attempt_id is None


def test_nothing_to_resume_resumes_nothing(db):
    resumed = resume_test(db, db.learner("Ada").id, demo())
    assert (resumed.session, resumed.closed_stale, resumed.next_number) == (None, False, 0)


def test_an_unfinished_test_resumes_with_its_answers_at_the_next_question(db):
    ada, b = db.learner("Ada"), demo()
    first = start_test(db, ada.id, b, seed=3)
    answer_current(db, first, b)
    resumed = resume_test(db, ada.id, b)
    assert resumed.session is not None and not resumed.closed_stale
    assert resumed.session.attempt_id == first.attempt_id
    assert resumed.session.attempt.plan == first.attempt.plan
    assert resumed.session.attempt.responses == first.attempt.responses
    assert resumed.next_number == 2


def test_a_test_for_an_earlier_bank_version_is_closed_not_resumed(db):
    ada = db.learner("Ada")
    start_test(db, ada.id, demo("1"), seed=3)
    resumed = resume_test(db, ada.id, demo("2"))
    assert (resumed.session, resumed.closed_stale) == (None, True)
    assert [a.finished for a in db.attempts(ada.id)] == [True]
    assert resume_test(db, ada.id, demo("2")).closed_stale is False  # closed once only


def test_a_test_whose_questions_left_the_bank_is_closed_with_its_answers_kept(db):
    ada, b = db.learner("Ada"), demo()
    session = start_test(db, ada.id, b, seed=3)
    assert close_if_questions_vanished(db, session, b) is False
    answer_current(db, session, b)
    remaining = [q for q in EASY if q["id"] != session.attempt.current]
    assert close_if_questions_vanished(db, session, demo(questions=remaining)) is True
    [record] = db.attempts(ada.id)
    assert record.finished
    assert len(db.answers(record.id)) == 1


def test_an_unrecorded_test_whose_questions_left_is_closed_without_a_store(db):
    session = start_test(None, None, demo(), seed=3)
    remaining = [q for q in EASY if q["id"] != session.attempt.current]
    assert close_if_questions_vanished(None, session, demo(questions=remaining)) is True


def test_finishing_grades_the_test_keeps_the_report_and_closes_the_record(db):
    ada, b = db.learner("Ada"), demo()
    session = start_test(db, ada.id, b, seed=3)
    right = {"e1": "a", "e2": "b", "e3": "c"}
    while session.attempt.current is not None:
        answer_current(db, session, b, right[session.attempt.current])
    report = finish_test(db, session)
    assert session.report is report and session.attempt.finished
    assert report.verdict is Verdict.STRONG
    assert report.overall.score == report.overall.max_score == 2
    assert db.get_attempt(session.attempt_id).finished
    assert close_if_questions_vanished(db, session, demo(questions=EASY[:1])) is False


def test_a_recorded_answer_keeps_sorted_choice_ids_the_grade_and_the_time(db):
    only = question("m", type="multiple_select", answer=["a", "c"])
    b = bank(questions=[only], test={"easy": 1, "medium": 0, "hard": 0})
    attempt = start_test(db, db.learner("Ada").id, b, seed=1)
    response = Response.choices(["c", "a"])
    q = b.question("m")
    graded = grade(q, response)
    saved = record_answer(db, attempt.attempt_id, q, response, graded, used_hint=True, seconds=4.25)
    assert (saved.response, saved.correct, saved.used_hint, saved.seconds) == (
        ["a", "c"],
        True,
        True,
        4.25,
    )
    assert saved.question_fingerprint == q.fingerprint
