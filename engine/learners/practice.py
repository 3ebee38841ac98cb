"""Practice: what its page keeps between reruns, and its record.

Practice walks the whole bank with feedback and retries. It records answers only for a
signed-in learner, starting the attempt on the first answer so that browsing records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.learners.recording import start_attempt
from engine.modes import AttemptMode
from engine.quiz.grading import Grade
from engine.quiz.models import QuestionBank
from engine.quiz.plan import AttemptPlan, plan_attempt
from engine.store import Store


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
