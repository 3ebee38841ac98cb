"""Saving answers: nothing is acknowledged to the learner before the store committed it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import streamlit as st

from engine.learners.recording import record_answer
from engine.quiz.grading import Grade, Response, grade
from engine.quiz.inert_text import inert_text
from engine.quiz.models import Question
from engine.store import AnswerRefused, AttemptNotFound, Store, StoreError

SHOWN_AT = "question_shown_at"
_log = logging.getLogger(__name__)


def mark_shown(question_id: str) -> None:
    """Remember when a question first appeared, for the time-taken column."""
    shown = st.session_state.setdefault(SHOWN_AT, {})
    shown.setdefault(question_id, time.monotonic())


def seconds_on(question_id: str) -> float:
    started = st.session_state.get(SHOWN_AT, {}).pop(question_id, None)
    return 0.0 if started is None else round(time.monotonic() - started, 3)


def save_answer(
    db: Store | None,
    attempt_id: int | Callable[[], int | None] | None,
    question: Question,
    response: Response,
    *,
    used_hint: bool = False,
) -> Grade | None:
    """Grade one answer and commit it; the grade once it is safely stored (or when there is
    no store to use), None when it was not.

    ``attempt_id`` may be a function that starts the attempt on first need, so that a
    failure to start it is reported like a failure to save. On failure the learner is told
    why and nothing is acknowledged: the form keeps their choice and they submit again.
    """
    graded = grade(question, response)
    if db is None:
        return graded
    try:
        target = attempt_id() if callable(attempt_id) else attempt_id
        if target is None:
            return graded
        record_answer(
            db,
            target,
            question,
            response,
            graded,
            used_hint=used_hint,
            seconds=seconds_on(question.id),
        )
    except (AnswerRefused, AttemptNotFound) as exc:
        st.error(f"This answer was not accepted: {inert_text(exc)}")
        return None
    except StoreError as exc:
        st.error(
            f"Your answer could not be saved: {exc}. Nothing was "
            "recorded and your choice is still selected: submit again once that is fixed."
        )
        return None
    except (ValueError, TypeError) as exc:
        # The store refuses what no answer should carry (a score above the maximum, a
        # response it cannot keep): a fault of this server's grading, not the learner's.
        _log.exception("The store refused an answer to %s", question.id)
        st.error(
            "This answer could not be recorded (the server graded it in a way the records "
            f"refuse: {inert_text(exc)}). Nothing was recorded: tell your instructor."
        )
        return None
    return graded
