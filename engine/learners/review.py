"""Review: the learner's due Leitner cards (``engine.learners.leitner``), one at a time.

Like practice, it records answers only for a signed-in learner, starting the attempt on the
first answer so that browsing records nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from engine.learners import leitner
from engine.learners.recording import start_attempt
from engine.modes import AttemptMode
from engine.quiz.grading import Grade
from engine.quiz.models import QuestionBank
from engine.quiz.plan import AttemptPlan, PresentedQuestion, plan_attempt, present
from engine.store import Attempt, ReviewCard, Store


def review_due(
    db: Store, learner_id: int, bank_id: str, now: datetime | None = None
) -> list[ReviewCard]:
    """The learner's cards due now, most overdue first (``leitner.order_queue``)."""
    return leitner.order_queue(db.review_cards(learner_id, bank_id), now=now or db.now())


@dataclass
class ReviewSession:
    """The review page's state: the question asked, its grade once answered, hints shown."""

    question_id: str | None = None
    graded: Grade | None = None
    round: int = 0  # bumps on every new question, so each one gets fresh inputs
    hints: int = 0
    # Each new question gets a fresh seed: a missed family comes back with new numbers.
    variant_seed: int | None = None

    def ask(self, due: list[ReviewCard]) -> str | None:
        """Until the current question is answered, ask the most overdue card."""
        if self.graded is None:
            self.question_id = due[0].question_id if due else None
        return self.question_id

    def next_question(self) -> None:
        self.question_id, self.graded, self.hints = None, None, 0
        self.variant_seed = None
        self.round += 1


def due_cards(cards: list[ReviewCard], bank: QuestionBank, now: datetime) -> list[ReviewCard]:
    """Cards due now, most overdue first, for questions the bank still has."""
    return [c for c in leitner.order_queue(cards, now=now) if bank.question(c.question_id)]


def coming_up(cards: list[ReviewCard], now: datetime) -> list[ReviewCard]:
    """Cards still in the queue but not yet due, soonest first."""
    queue = leitner.order_queue(cards, now=now, due_only=False)
    return [c for c in queue if c.due_at is not None and c.due_at > now]


def review_plan(attempt: Attempt, bank: QuestionBank, question_id: str, seed: int) -> AttemptPlan:
    """The review attempt's plan with ``seed`` as the question's variant: a missed family
    comes back with new numbers, not the ones the learner may remember."""
    return AttemptPlan.from_json(attempt.plan).with_variant(bank, question_id, seed)


def review_question(
    bank: QuestionBank, plan: AttemptPlan, question_id: str, due_count: int
) -> PresentedQuestion:
    """The due question as the learner sees it, numbered as the first of what is due."""
    shown = present(bank, plan, question_id)
    return dataclasses.replace(shown, number=1, total=max(due_count, 1))


def review_attempt(
    db: Store, learner_id: int, bank: QuestionBank, question_id: str, seed: int
) -> Attempt:
    """The open review attempt for this bank version that can show ``question_id``.

    One is started (with a practice-style plan, so hints show) on first need; an open one
    whose plan the bank has left behind (edited on disk) is closed first.
    """
    open_attempt = db.unfinished_attempt(learner_id, bank.id, AttemptMode.REVIEW)
    if (
        open_attempt is not None
        and open_attempt.bank_version == bank.version
        and question_id in AttemptPlan.from_json(open_attempt.plan).choice_order
    ):
        return open_attempt
    if open_attempt is not None:
        db.finish_attempt(open_attempt.id)
    plan = plan_attempt(bank, AttemptMode.PRACTICE, seed)
    return start_attempt(db, learner_id, bank, plan, AttemptMode.REVIEW)


def close_review(db: Store, learner_id: int, bank: QuestionBank) -> None:
    """Nothing is due: finish the open review attempt, if it recorded any answer."""
    open_attempt = db.unfinished_attempt(learner_id, bank.id, AttemptMode.REVIEW)
    if open_attempt is not None and db.answers(open_attempt.id):
        db.finish_attempt(open_attempt.id)
