"""Practice (learn mode): one question at a time, feedback and hints, retry at will."""

from __future__ import annotations

import random

import streamlit as st

from engine.learners.practice import PracticeSession, practice_attempt_id, start_practice
from engine.quiz.grading import Response
from engine.quiz.models import QuestionBank
from engine.quiz.plan import missing_questions, present, question_in_plan
from lessons.components.banks import current_bank, pick_bank
from lessons.components.learner import current_learner, store
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

st.title("Practice")
st.caption("Answer, read why, try again. Nothing here counts towards a test.")

bank = pick_bank("practice_bank")
if bank is None:
    st.stop()

# Practice needs no name; a signed-in learner's answers also feed Review and My progress.
# Both are looked up here, on the page's full run, outside the question area below.
db = store()
learner = current_learner(ask=False)


@guarded_fragment
def question_area(picked: QuestionBank) -> None:
    """The question, its answer and its buttons: every click in here reruns only this
    fragment (not the router, the sidebar or the bank chooser)."""
    # A bank edited on disk since the page was drawn reaches the learner on their next click.
    bank = current_bank(picked)
    # Session state survives reruns, so the plan, the position and the learner's results
    # live there, keyed by bank and version.
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

    # The buttons below change the session in on_click callbacks, which Streamlit runs
    # before the fragment: a click is one run that already shows its result.
    def move(step: int) -> None:
        state.index += step

    def another_variant(shown_from: QuestionBank, question_id: str) -> None:
        state.another_like_this(shown_from, question_id, random.randrange(2**62))

    def attempt_id() -> int | None:
        """The recorded attempt, started on the first answer (None when nothing is recorded)."""
        if db is None or learner is None:
            return None
        return practice_attempt_id(db, learner.id, bank, state)

    def accept(response: Response) -> bool:
        """Grade and store the answer; True once it is stored (and so may be shown)."""
        hinted = state.hints.get(qid, 0) > 0
        saved = save_answer(db, attempt_id, question, response, used_hint=hinted)
        if saved is not None:
            state.accept(qid, saved)
        return saved is not None

    tries = state.tries.get(qid, 0)
    answer_key, form_key = f"answer_{qid}_{tries}", f"practice_form_{qid}_{tries}"
    submit = SubmitButton("Submit", "submit")
    # A Submit is graded and stored before anything is drawn, so this run shows its grade.
    if state.grade_of(qid) is None:
        submitted = response_submitted_now(shown, question, answer_key, submit=submit)
        if submitted is not None:
            accept(submitted)

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

    if graded is None:
        ran = answer_input(shown, question, answer_key, form_key=form_key, submit=submit)
        if ran is not None and accept(ran):  # a code answer, run in the sandbox just now
            rerun_question_area()
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


question_area(bank)
