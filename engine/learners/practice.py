"""Practice and review sessions: what their pages keep between reruns, and their records.

Practice walks the whole bank with feedback and retries; review asks the learner's due
Leitner cards (``engine.learners.leitner``) one at a time. Both record answers only for a signed-in
learner, starting the attempt on the first answer so that browsing records nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime

from engine.learners import leitner as review
from engine.learners.pattern_test import start_attempt
from engine.modes import AttemptMode
from engine.quiz.grading import Grade
from engine.quiz.models import QuestionBank
from engine.quiz.plan import AttemptPlan, PresentedQuestion, plan_attempt, present
from engine.store import Attempt, ReviewCard, Store


@dataclass
class PracticeSession:
    """One learner's walk through a bank: position, results and hints, per question id."""

    plan: AttemptPlan
    index: int = 0
    tries: dict[str, int] = field(default_factory=dict)  # times the inputs were reset
    graded: dict[str, Grade] = field(default_factory=dict)  # the last grade
    hints: dict[str, int] = field(default_factory=dict)  # hints revealed
    done: set[str] = field(default_factory=set)  # answered right at least once
    attempt_id: int | None = None  # the recorded attempt, once the first answer is saved

    @property
    def current(self) -> str:
        return self.plan.question_ids[self.index]

    @property
    def is_last(self) -> bool:
        return self.index == len(self.plan.question_ids) - 1

    def grade_of(self, question_id: str) -> Grade | None:
        return self.graded.get(question_id)

    def accept(self, question_id: str, graded: Grade) -> None:
        """Keep a saved answer's grade; a right one counts towards progress for good."""
        self.graded[question_id] = graded
        if graded.correct:
            self.done.add(question_id)

    def retry(self, question_id: str) -> None:
        """Forget the grade and give the question fresh inputs."""
        self.graded.pop(question_id, None)
        self.tries[question_id] = self.tries.get(question_id, 0) + 1

    def reveal_hint(self, question_id: str) -> None:
        self.hints[question_id] = self.hints.get(question_id, 0) + 1

    def another_like_this(self, bank: QuestionBank, question_id: str, seed: int) -> None:
        """A new variant of a family question, with fresh inputs and no grade or hints."""
        self.plan = self.plan.with_variant(bank, question_id, seed)
        self.hints.pop(question_id, None)
        self.retry(question_id)


def start_practice(bank: QuestionBank, seed: int) -> PracticeSession:
    return PracticeSession(plan_attempt(bank, AttemptMode.PRACTICE, seed))


def practice_attempt_id(
    db: Store, learner_id: int, bank: QuestionBank, session: PracticeSession
) -> int:
    """The session's recorded practice attempt, started on first need."""
    if session.attempt_id is None:
        recorded = start_attempt(db, learner_id, bank, session.plan, AttemptMode.PRACTICE)
        session.attempt_id = recorded.id
    return session.attempt_id


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
    return [c for c in review.order_queue(cards, now=now) if bank.question(c.question_id)]


def coming_up(cards: list[ReviewCard], now: datetime) -> list[ReviewCard]:
    """Cards still in the queue but not yet due, soonest first."""
    queue = review.order_queue(cards, now=now, due_only=False)
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
