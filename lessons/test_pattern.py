"""Test this pattern: the bank's recipe, answers locked on submit, feedback at the end."""

from __future__ import annotations

import random

import pandas as pd
import streamlit as st

from engine.learners.pattern_test import (
    TestSession,
    close_if_questions_vanished,
    finish_test,
    resume_test,
    start_test,
)
from engine.quiz.grading import AnswerRejected
from engine.quiz.inert_text import inert_text
from engine.quiz.models import Verdict
from engine.quiz.plan import present, question_in_plan
from engine.quiz.report import TestReport
from engine.store import StoreError
from lessons.components.banks import pick_bank
from lessons.components.learner import current_learner, store
from lessons.components.quiz_ui import (
    SubmitButton,
    describe_response,
    explain_grade,
    question_header,
    submitted_response,
)
from lessons.components.recording import mark_shown, save_answer

st.title("Test this pattern")

bank = pick_bank("test_bank")
if bank is None:
    st.stop()

db = store()
learner = current_learner()
if db is not None and learner is None:
    st.stop()  # the name form is on the page; a test is recorded against a learner
if learner is not None:
    st.caption(f"Signed in as **{inert_text(learner.name)}**; your answers are saved as you go.")

# The test (with its answer key) lives only in server-side session state; the browser
# receives the rendered question and nothing else until the report.
key = f"test::{bank.id}::{bank.version}::{learner.id if learner else '-'}"
session: TestSession | None = st.session_state.get(key)

if session is None and db is not None and learner is not None:
    resumed = resume_test(db, learner.id, bank)
    if resumed.session is not None:
        session = st.session_state[key] = resumed.session
        st.info(f"Welcome back: your test resumes at question {resumed.next_number}.")
    elif resumed.closed_stale:
        st.info("Your unfinished test was for an earlier form of this bank; start anew.")

if session is not None and close_if_questions_vanished(db, session, bank):
    del st.session_state[key]
    session = None
    st.warning(
        "This bank was edited during your test and some of its questions are gone, so "
        "that test cannot be finished. Your answers so far are kept; start a new test."
    )


def start(avoid: frozenset[str] = frozenset()) -> bool:
    """Begin a new test; the database records it first, so a test that is shown is saved."""
    try:
        st.session_state[key] = start_test(
            db, learner.id if learner else None, bank, random.randrange(2**31), avoid
        )
    except StoreError as exc:
        st.error(f"The test could not be started: {exc}.")
        return False
    return True


if session is None:
    recipe, rule = bank.test, bank.verdict
    st.markdown(f"**{bank.title}**  \n{bank.pattern}")
    st.markdown(
        f"{recipe.total} questions: {recipe.easy} easy, {recipe.medium} medium, "
        f"{recipe.hard} hard. Each answer is locked when you submit it; feedback comes at "
        f"the end.\n\n**Strong** means at least {rule.strong_at:.0%} overall and "
        f"{rule.hard_at_least:.0%} of the hard questions; **developing** starts at "
        f"{rule.developing_at:.0%}."
    )
    if st.button("Start the test", key="start", type="primary") and start():
        st.rerun()
    st.stop()


def show_report(report: TestReport, previous_questions: tuple[str, ...]) -> None:
    verdicts = {
        Verdict.STRONG: st.success,
        Verdict.DEVELOPING: st.warning,
        Verdict.NOT_YET: st.error,
    }
    verdicts[report.verdict](
        f"**Pattern {report.verdict.value}** — {report.overall.score:g} / "
        f"{report.overall.max_score:g}. {report.reason}"
    )
    groups = [("difficulty", d.value, ln) for d, ln in report.by_difficulty.items()]
    groups += [("topic", t, ln) for t, ln in report.by_topic.items()]
    rows = [
        {"By": by, "Group": name, "Score": f"{ln.score:g} / {ln.max_score:g}", "Share": ln.fraction}
        for by, name, ln in groups
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "Share": st.column_config.ProgressColumn(
                "Share", min_value=0, max_value=1, format="percent"
            )
        },
    )
    st.subheader("Review")
    for review in report.reviews:
        shown, graded = review.question, review.grade
        if graded.correct:
            icon, outcome = ":material/check_circle:", "right"
        elif graded.score > 0:
            icon, outcome = ":material/contrast:", "partly right"
        else:
            icon, outcome = ":material/cancel:", "wrong"
        title = f"{shown.number}. {shown.topic} ({shown.difficulty.value}) — {outcome}"
        with st.expander(title, icon=icon):
            st.markdown(shown.prompt)
            st.markdown("**Your answer:**\n\n" + describe_response(shown, review.response))
            explain_grade(shown, graded, show_verdict=False)
    retake = st.button("Retake with new questions", key="retake", type="primary")
    # Other questions while the pool has them; a repeated family shows new numbers.
    if retake and start(frozenset(previous_questions)):
        st.rerun()


if session.report is not None:
    show_report(session.report, session.attempt.plan.question_ids)
    st.stop()

attempt = session.attempt
qid = attempt.current
if qid is None:  # every question answered: grade the whole test now
    finish_test(db, session)
    st.rerun()

shown = present(bank, attempt.plan, qid)
mark_shown(qid)
answered = len(attempt.responses)
st.progress(answered / shown.total, text=f"{answered} of {shown.total} answered")
question_header(shown)
asked = bank.question(qid)
assert asked is not None
response = submitted_response(
    shown,
    asked,
    f"answer_{qid}",
    form_key=f"test_form_{qid}",
    submit=SubmitButton("Submit answer", "submit"),
    when_empty="Choose an answer first; a submitted answer is final.",
)
if response is not None:
    question = question_in_plan(bank, attempt.plan, qid)
    try:
        attempt.check(qid, response)
    except AnswerRejected as exc:
        st.error(inert_text(exc))
    else:
        assert question is not None
        # The grade is stored for statistics and shown only at the end.
        if save_answer(db, session.attempt_id, question, response) is not None:
            attempt.submit(qid, response)
            st.rerun()
