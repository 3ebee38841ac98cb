"""Attempt lifecycles over the store: start, resume or close, and finish a test; record answers.

Pages call these and render what they return. ``db`` None (no store) or ``learner_id``
None (nobody signed in) means the attempt runs unsaved. Database failures arrive as
``engine.store.StoreError``; rule breaks as ``AnswerRefused`` or ``AttemptNotFound``.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.learners.recording import restore_attempt, start_attempt
from engine.modes import AttemptMode
from engine.quiz.attempt import TestAttempt
from engine.quiz.models import QuestionBank
from engine.quiz.plan import missing_questions, plan_attempt
from engine.quiz.report import TestReport
from engine.store import Store


@dataclass
class TestSession:
    """What the test page keeps between reruns: the attempt, its record and, once done, the report.

    The attempt holds the answer key, so it lives only in server-side session state.
    """

    __test__ = False  # not a pytest class

    attempt: TestAttempt
    attempt_id: int | None = None  # None when the test is not recorded
    report: TestReport | None = None


@dataclass(frozen=True)
class Resumption:
    """What ``resume_test`` found: a test to carry on, or a stale one it had to close."""

    session: TestSession | None
    closed_stale: bool = False  # an unfinished test for an earlier form of the bank

    @property
    def next_number(self) -> int:
        """The number of the question the resumed test continues at."""
        return 0 if self.session is None else len(self.session.attempt.responses) + 1


def start_test(
    db: Store | None,
    learner_id: int | None,
    bank: QuestionBank,
    seed: int,
    avoid: frozenset[str] = frozenset(),
) -> TestSession:
    """Draw a new test; the store records it first, so a test that is shown is saved.

    A retake passes the previous test's questions as ``avoid``: other questions are drawn
    while the pool has them, and any repeated family shows new numbers.
    """
    plan = plan_attempt(bank, AttemptMode.TEST, seed, avoid)
    attempt_id = None
    if db is not None and learner_id is not None:
        attempt_id = start_attempt(db, learner_id, bank, plan, AttemptMode.TEST).id
    return TestSession(TestAttempt(bank, plan), attempt_id)


def resume_test(db: Store, learner_id: int, bank: QuestionBank) -> Resumption:
    """Pick up the learner's unfinished test at this bank (a reload, or a visit tomorrow).

    A test drawn from an earlier form of the bank cannot be resumed: it is closed.
    """
    record = db.unfinished_attempt(learner_id, bank.id, AttemptMode.TEST)
    if record is None:
        return Resumption(None)
    answers = {a.question_id: a.response for a in db.answers(record.id)}
    attempt = restore_attempt(bank, record.plan, answers)
    if attempt is None:
        db.finish_attempt(record.id)
        return Resumption(None, closed_stale=True)
    return Resumption(TestSession(attempt, record.id))


def close_if_questions_vanished(db: Store | None, session: TestSession, bank: QuestionBank) -> bool:
    """Close a running test whose questions left the bank (edited on disk, same version).

    It can be neither finished nor graded fairly; the answers already given stay recorded.
    True when it was closed, and the learner must start a new one.
    """
    if session.attempt.finished or not missing_questions(bank, session.attempt.plan):
        return False
    if db is not None and session.attempt_id is not None:
        db.finish_attempt(session.attempt_id)
    return True


def finish_test(db: Store | None, session: TestSession) -> TestReport:
    """Grade the whole test once every question is answered, and close its record."""
    session.report = session.attempt.finish()
    if db is not None and session.attempt_id is not None:
        db.finish_attempt(session.attempt_id)
    return session.report
