"""A test attempt in progress: answers are locked once submitted, refused once finished."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.modes import AttemptMode
from engine.quiz.grading import AnswerRejected, Response, check_response
from engine.quiz.models import QuestionBank
from engine.quiz.plan import AttemptPlan, question_in_plan
from engine.quiz.report import TestReport, score_test


@dataclass
class TestAttempt:
    """The server-side state of one learner's test. Nothing here is sent to the browser."""

    __test__ = False  # not a pytest class

    bank: QuestionBank
    plan: AttemptPlan
    responses: dict[str, Response] = field(default_factory=dict)
    finished: bool = False

    def __post_init__(self) -> None:
        if self.plan.mode is not AttemptMode.TEST:
            raise ValueError(f"TestAttempt needs a test plan, got mode '{self.plan.mode}'")

    @property
    def current(self) -> str | None:
        """The first question not yet answered (None when all are)."""
        return next((q for q in self.plan.question_ids if q not in self.responses), None)

    def submit(self, question_id: str, response: Response) -> None:
        """Record an answer. Refuses unknown questions, second answers and late answers."""
        self.check(question_id, response)
        self.responses[question_id] = response

    def check(self, question_id: str, response: Response) -> None:
        """Raise AnswerRejected unless `submit` would accept this answer now.

        Pages call this before persisting, so nothing invalid is ever written anywhere.
        """
        if self.finished:
            raise AnswerRejected("this test has ended; answers can no longer change")
        if question_id not in self.plan.question_ids:
            raise AnswerRejected(f"question '{question_id}' is not part of this test")
        if question_id in self.responses:
            raise AnswerRejected(f"question '{question_id}' is already answered and locked")
        question = question_in_plan(self.bank, self.plan, question_id)
        if question is None:
            raise AnswerRejected(f"question '{question_id}' is no longer in the bank")
        if response.is_empty:
            raise AnswerRejected("choose an answer before submitting")
        check_response(question, response)

    def finish(self) -> TestReport:
        self.finished = True
        return score_test(self.bank, self.plan, self.responses)
