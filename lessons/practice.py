"""Practice (learn mode): one question at a time, feedback and hints, retry at will."""

from __future__ import annotations

import random

import streamlit as st

from engine.quiz.grading import grade
from engine.quiz.parsing import FormatError
from engine.quiz.session import Mode, missing_questions, plan_attempt, present
from engine.store import AttemptMode
from lessons.components.banks import pick_bank
from lessons.components.learner import current_learner, store
from lessons.components.quiz_ui import answer_widget, explain_grade, question_header
from lessons.components.recording import mark_shown, save_answer, start_recorded_attempt

st.title("Practice")
st.caption("Answer, read why, try again. Nothing here counts towards a test.")

bank = pick_bank("practice_bank")
if bank is None:
    st.stop()

# Session state survives reruns (every click reruns this script top to bottom), so the
# plan, the position and the learner's results live there, keyed by bank and version.
state_key = f"practice::{bank.id}::{bank.version}"
if state_key in st.session_state and missing_questions(bank, st.session_state[state_key]["plan"]):
    # Banks are reloaded when edited on disk; one that lost questions cannot go on.
    del st.session_state[state_key]
    st.info("This bank was edited while you practised and lost some questions: starting again.")
if state_key not in st.session_state:
    st.session_state[state_key] = {
        "plan": plan_attempt(bank, Mode.PRACTICE, random.randrange(2**31)),
        "index": 0,
        "tries": {},  # question id -> how many times the inputs were reset
        "graded": {},  # question id -> last Grade
        "hints": {},  # question id -> hints revealed
        "done": set(),  # question ids answered right at least once
    }
state = st.session_state[state_key]
plan = state["plan"]
qid = plan.question_ids[state["index"]]
shown = present(bank, plan, qid)
question = bank.question(qid)
assert question is not None
mark_shown(qid)
# Practice needs no name; a signed-in learner's answers also feed Review and My progress.
db = store()
learner = current_learner(ask=False)


def practice_attempt_id() -> int | None:
    if db is None or learner is None:
        return None
    if state.get("attempt_id") is None:
        record = start_recorded_attempt(db, learner, bank, plan, AttemptMode.PRACTICE)
        state["attempt_id"] = record.id
    return state["attempt_id"]


st.progress(
    len(state["done"]) / len(plan.question_ids),
    text=f"{len(state['done'])} of {len(plan.question_ids)} answered correctly",
)
question_header(shown)

revealed = state["hints"].get(qid, 0)
for hint in shown.hints[:revealed]:
    st.info(f"**Hint:** {hint}")
graded = state["graded"].get(qid)
if graded is None and revealed < len(shown.hints) and st.button("Show a hint", key="hint"):
    state["hints"][qid] = revealed + 1
    st.rerun()

tries = state["tries"].get(qid, 0)
if graded is None:
    with st.form(key=f"practice_form_{qid}_{tries}"):
        answer = answer_widget(shown, key=f"answer_{qid}_{tries}")
        submitted = st.form_submit_button("Submit", key="submit", type="primary")
    if submitted:
        if answer is None:
            st.warning("Choose an answer first.")
        elif isinstance(answer, FormatError):
            st.warning(answer.message)
        else:
            response = answer.response
            graded = grade(question, response)
            hinted = state["hints"].get(qid, 0) > 0
            if save_answer(db, practice_attempt_id, question, response, graded, used_hint=hinted):
                state["graded"][qid] = graded
                if graded.correct:
                    state["done"].add(qid)
                st.rerun()
else:
    explain_grade(shown, graded)

left, middle, right = st.columns(3)
with left:
    if st.button("Previous", key="previous", disabled=state["index"] == 0):
        state["index"] -= 1
        st.rerun()
with middle:
    if graded is not None and st.button("Try again", key="retry"):
        state["graded"].pop(qid)
        state["tries"][qid] = tries + 1
        st.rerun()
with right:
    last = state["index"] == len(plan.question_ids) - 1
    if st.button("Next question", key="next", disabled=last):
        state["index"] += 1
        st.rerun()
