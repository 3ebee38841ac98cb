"""Practice (learn mode): one question at a time, feedback and hints, retry at will."""

from __future__ import annotations

import random

import streamlit as st

from engine.learners.practice import PracticeSession, practice_attempt_id, start_practice
from engine.quiz.models import QuestionBank
from engine.quiz.plan import missing_questions, present, question_in_plan
from lessons.components.banks import pick_bank
from lessons.components.learner import current_learner, store
from lessons.components.quiz_ui import (
    SubmitButton,
    explain_grade,
    question_header,
    submitted_response,
)
from lessons.components.recording import mark_shown, save_answer

st.title("Practice")
st.caption("Answer, read why, try again. Nothing here counts towards a test.")

bank = pick_bank("practice_bank")
if bank is None:
    st.stop()

# Session state survives reruns (every click reruns this script top to bottom), so the
# plan, the position and the learner's results live there, keyed by bank and version.
state_key = f"practice::{bank.id}::{bank.version}"
kept: PracticeSession | None = st.session_state.get(state_key)
if kept is not None and missing_questions(bank, kept.plan):
    # Banks are reloaded when edited on disk; one that lost questions cannot go on.
    kept = None
    st.info("This bank was edited while you practised and lost some questions: starting again.")
if kept is None:
    kept = st.session_state[state_key] = start_practice(bank, random.randrange(2**31))
state: PracticeSession = kept
plan = state.plan
qid = state.current
shown = present(bank, plan, qid)
question = question_in_plan(bank, plan, qid)
assert question is not None
mark_shown(qid)
# Practice needs no name; a signed-in learner's answers also feed Review and My progress.
db = store()
learner = current_learner(ask=False)


# The buttons below change the session in on_click callbacks, which Streamlit runs before
# the script: a click is one run that already shows its result, not a run then st.rerun().
def move(step: int) -> None:
    state.index += step


def another_variant(shown_from: QuestionBank, question_id: str) -> None:
    state.another_like_this(shown_from, question_id, random.randrange(2**62))


def attempt_id() -> int | None:
    """The recorded attempt, started on the first answer (None when nothing is recorded)."""
    # bank is never None here (st.stop above), but mypy cannot see that inside a function.
    if db is None or learner is None or bank is None:
        return None
    return practice_attempt_id(db, learner.id, bank, state)


st.progress(
    len(state.done) / len(plan.question_ids),
    text=f"{len(state.done)} of {len(plan.question_ids)} answered correctly",
)
question_header(shown)

revealed = state.hints.get(qid, 0)
for hint in shown.hints[:revealed]:
    st.info(f"**Hint:** {hint}")
graded = state.grade_of(qid)
if graded is None and revealed < len(shown.hints):
    st.button("Show a hint", key="hint", on_click=state.reveal_hint, args=(qid,))

tries = state.tries.get(qid, 0)
if graded is None:
    response = submitted_response(
        shown,
        question,
        f"answer_{qid}_{tries}",
        form_key=f"practice_form_{qid}_{tries}",
        submit=SubmitButton("Submit", "submit"),
    )
    if response is not None:
        hinted = state.hints.get(qid, 0) > 0
        saved = save_answer(db, attempt_id, question, response, used_hint=hinted)
        if saved is not None:
            state.accept(qid, saved)
            st.rerun()
else:
    explain_grade(shown, graded)

left, middle, right = st.columns(3)
with left:
    st.button("Previous", key="previous", disabled=state.index == 0, on_click=move, args=(-1,))
with middle:
    if graded is not None:
        st.button("Try again", key="retry", on_click=state.retry, args=(qid,))
    # A family draws new numbers from a new seed: the same skill, not the same answer.
    if question.is_family:
        st.button(
            "Another one like this", key="another", on_click=another_variant, args=(bank, qid)
        )
with right:
    st.button("Next question", key="next", disabled=state.is_last, on_click=move, args=(1,))
