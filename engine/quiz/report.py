"""Scoring a finished test: totals by difficulty and topic, the verdict, the review."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.quiz.grading import Grade, Response, grade
from engine.quiz.models import Difficulty, QuestionBank, Verdict
from engine.quiz.plan import AttemptPlan, PresentedQuestion, present, question_in_plan


@dataclass(frozen=True)
class ScoreLine:
    score: float
    max_score: float
    answered: int
    questions: int

    @property
    def fraction(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0


@dataclass(frozen=True)
class QuestionReview:
    """One question of the test after the end: what was shown, answered and why."""

    question: PresentedQuestion
    response: Response
    grade: Grade


@dataclass(frozen=True)
class TestReport:
    __test__ = False  # not a pytest class

    overall: ScoreLine
    by_difficulty: dict[Difficulty, ScoreLine]
    by_topic: dict[str, ScoreLine]
    verdict: Verdict
    reason: str
    reviews: tuple[QuestionReview, ...]


def _line(items: list[tuple[Grade, Response]]) -> ScoreLine:
    return ScoreLine(
        score=sum(g.score for g, _ in items),
        max_score=sum(g.max_score for g, _ in items),
        answered=sum(not r.is_empty for _, r in items),
        questions=len(items),
    )


def score_test(
    bank: QuestionBank, plan: AttemptPlan, responses: Mapping[str, Response]
) -> TestReport:
    """Grade every planned question (unanswered ones score 0) and apply the verdict rule."""
    reviews = []
    for question_id in plan.question_ids:
        question = question_in_plan(bank, plan, question_id)
        if question is None:  # removed from the bank since the attempt started
            continue
        response = responses.get(question_id, Response())
        reviews.append(
            QuestionReview(present(bank, plan, question_id), response, grade(question, response))
        )
    pairs = [(r.grade, r.response) for r in reviews]
    by_difficulty = {
        d: _line([(r.grade, r.response) for r in reviews if r.question.difficulty is d])
        for d in Difficulty
        if any(r.question.difficulty is d for r in reviews)
    }
    topics = sorted({r.question.topic for r in reviews})
    by_topic = {
        t: _line([(r.grade, r.response) for r in reviews if r.question.topic == t]) for t in topics
    }
    overall = _line(pairs)
    hard = by_difficulty.get(Difficulty.HARD)
    rule = bank.verdict
    verdict = rule.verdict(overall.fraction, hard.fraction if hard else None)
    return TestReport(
        overall=overall,
        by_difficulty=by_difficulty,
        by_topic=by_topic,
        verdict=verdict,
        reason=_reason(verdict, overall, hard, bank),
        reviews=tuple(reviews),
    )


def _reason(
    verdict: Verdict, overall: ScoreLine, hard: ScoreLine | None, bank: QuestionBank
) -> str:
    rule = bank.verdict
    got = f"{overall.fraction:.0%} overall"
    if verdict is Verdict.STRONG:
        return f"{got}: at least {rule.strong_at:.0%} with the hard questions solid."
    if overall.fraction >= rule.strong_at and hard is not None:
        return (
            f"{got}, but {hard.fraction:.0%} on hard questions; strong needs "
            f"{rule.hard_at_least:.0%} there too."
        )
    if verdict is Verdict.DEVELOPING:
        return f"{got}: strong starts at {rule.strong_at:.0%}. Review the misses below."
    return f"{got}: below {rule.developing_at:.0%}. Work through the lessons, then retake."
