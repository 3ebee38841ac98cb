"""Review: the learner's missed questions, due first, on a Leitner schedule.

The rule is engine/learners/leitner.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from engine.learners import leitner as review
from engine.learners.review import (
    ReviewSession,
    close_review,
    coming_up,
    due_cards,
    review_attempt,
    review_plan,
    review_question,
)
from engine.quiz.grading import Response
from engine.quiz.models import Question, QuestionBank
from engine.quiz.plan import PresentedQuestion, question_in_plan
from engine.store import Learner, ReviewCard, Store
from lessons.components.banks import learner_store_and_bank
from lessons.components.quiz_ui import (
    SubmitButton,
    answer_input,
    explain_grade,
    question_header,
    rerun_question_area,
    response_submitted_now,
)
from lessons.components.recording import mark_shown, save_answer
from lessons.components.safety import guarded_fragment

st.title("Review")
learner, db, bank = learner_store_and_bank("review_bank")

days = [
    f"box {n}: {'at once' if wait.days == 0 else f'{wait.days} d'}"
    for n, wait in enumerate(review.BOX_INTERVALS, start=1)
]
st.caption(
    "Missed questions (and those you needed a hint for) come back here. A right answer "
    "without the hint moves a question up a box, a miss sends it back to box 1; after box "
    f"{review.TOP_BOX} it counts as learned. Waits: {', '.join(days)}."
)


def reveal_hint(state: ReviewSession) -> None:
    # A callback: Streamlit runs it before the next script run, which then shows the hint.
    state.hints += 1


@dataclass(frozen=True)
class Asked:
    """The queue as it stands, and the question it asks now (None when nothing is due)."""

    cards: list[ReviewCard]
    due: list[ReviewCard]
    question_id: str | None
    attempt_id: int = 0
    question: Question | None = None
    shown: PresentedQuestion | None = None


def asked_now(db: Store, learner: Learner, bank: QuestionBank, state: ReviewSession) -> Asked:
    now = datetime.now(UTC)
    cards = db.review_cards(learner.id, bank.id)
    due = due_cards(cards, bank, now)
    qid = state.ask(due)
    if qid is None:
        return Asked(cards, due, None)
    attempt = review_attempt(db, learner.id, bank, qid, random.randrange(2**31))
    if state.variant_seed is None:
        state.variant_seed = random.randrange(2**62)
    plan = review_plan(attempt, bank, qid, state.variant_seed)
    question = question_in_plan(bank, plan, qid)
    assert question is not None
    return Asked(cards, due, qid, attempt.id, question, review_question(bank, plan, qid, len(due)))


@guarded_fragment
def review_area() -> None:
    """The due question, its grade and the queue below it: a click in here (a hint, Submit,
    Next question) reruns only this fragment, not the router, the sidebar or sign-in."""
    # One entry per learner and bank; it survives reruns, and a reload re-reads the queue.
    state: ReviewSession = st.session_state.setdefault(
        f"review::{learner.id}::{bank.id}", ReviewSession()
    )
    asked = asked_now(db, learner, bank, state)
    submit = SubmitButton("Submit", "review_submit")
    answer_key = f"review_answer_{asked.question_id}_{state.round}"

    def accept(response: Response) -> bool:
        assert asked.question is not None
        # save_answer commits (and moves the card) before anything is acknowledged.
        saved = save_answer(
            db, asked.attempt_id, asked.question, response, used_hint=state.hints > 0
        )
        if saved is not None:
            state.graded = saved
        return saved is not None

    # A Submit is graded and stored before anything is drawn, and the queue read again after
    # it: this run shows the grade and where the card went.
    if state.graded is None and asked.question is not None and asked.shown is not None:
        submitted = response_submitted_now(asked.shown, asked.question, answer_key, submit=submit)
        if submitted is not None and accept(submitted):
            asked = asked_now(db, learner, bank, state)

    qid, question, shown = asked.question_id, asked.question, asked.shown
    if qid is None or question is None or shown is None:
        st.success("Nothing is due for review. Well done — come back when a card below is due.")
        close_review(db, learner.id, bank)
    else:
        st.caption(f"{len(asked.due)} question(s) due now, most overdue first.")
        question_header(shown)
        for hint in shown.hints[: state.hints]:
            st.info(f"**Hint:** {hint}")
        if state.graded is None:
            mark_shown(qid)
            if state.hints < len(shown.hints):
                st.button("Show a hint", key="review_hint", on_click=reveal_hint, args=(state,))
            ran = answer_input(
                shown, question, answer_key, form_key=f"review_form_{state.round}", submit=submit
            )
            if ran is not None and accept(ran):  # a code answer, run in the sandbox just now
                rerun_question_area()
        else:
            explain_grade(shown, state.graded)
            card = db.review_card(learner.id, bank.id, qid)
            if card is None or not card.in_queue:
                st.caption("This question has left the review queue: learned.")
            else:
                st.caption(f"Now in box {card.box}; due again {card.due_at:%Y-%m-%d %H:%M} UTC.")
            # on_click runs before the next run, so that run already shows the next question.
            st.button(
                "Next question", key="review_next", type="primary", on_click=state.next_question
            )

    cards = asked.cards
    later = coming_up(cards, datetime.now(UTC))
    st.subheader("Coming up")
    if not later:
        st.write("No other question is waiting.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "question": [c.question_id for c in later],
                    "topic": [
                        (q.topic if (q := bank.question(c.question_id)) else "(removed)")
                        for c in later
                    ],
                    "box": [c.box for c in later],
                    "due (UTC)": [f"{c.due_at:%Y-%m-%d %H:%M}" for c in later],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    learned = sum(1 for c in cards if not c.in_queue)
    if learned:
        st.caption(f"{learned} question(s) learned and out of the queue.")


review_area()
