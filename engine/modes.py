"""How an attempt is taken: the one enum the quiz engine, the store and the pages share."""

from __future__ import annotations

from enum import StrEnum


class AttemptMode(StrEnum):
    """How an attempt is taken; only TEST attempts feed item statistics.

    A plan (``engine.quiz.plan.AttemptPlan``) is drawn for PRACTICE or TEST; a REVIEW
    attempt records answers to a practice-style plan, one due question at a time.
    """

    PRACTICE = "practice"  # feedback after every answer, hints, retries
    TEST = "test"  # the bank's recipe, answers locked, feedback only at the end
    REVIEW = "review"  # due questions from the Leitner queue (engine.learners.leitner)
