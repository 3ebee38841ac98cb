"""Test this pattern: the bank's recipe, answers locked on submit, feedback at the end."""

from __future__ import annotations

import random
from typing import NoReturn

import pandas as pd
import streamlit as st

from engine.learners.pattern_test import (
    TestSession,
    close_if_questions_vanished,
    finish_test,
    resume_test,
    start_test,
)
from engine.quiz.grading import AnswerRejected, Response
from engine.quiz.inert_text import inert_text
from engine.quiz.models import QuestionBank, Verdict
from engine.quiz.plan import present, question_in_plan
from engine.quiz.report import TestReport
from engine.store import StoreError
from lessons.components.banks import current_bank, pick_bank
from lessons.components.learner import current_learner, store
from lessons.components.quiz_ui import (
    SubmitButton,
    answer_input,
    describe_response,
    explain_grade,
    question_header,
    rerun_question_area,
    response_submitted_now,
)
from lessons.components.recording import mark_shown, save_answer
from lessons.components.safety import guarded_fragment

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


def show_report(report: TestReport) -> None:
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
    # Taken by test_area before drawing: other questions while the pool has them, and a
    # repeated family shows new numbers.
    st.button("Retake with new questions", key="retake", type="primary")


@guarded_fragment
def test_area(picked: QuestionBank) -> None:
    """Starting, every question and the report: a click in here reruns only this fragment,
    not the router, the sidebar, the sign-in or the bank chooser."""
    bank = current_bank(picked)  # an edit on disk reaches an open page on the next click
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

    # Start and Retake are taken before anything is drawn too: the run of the click shows
    # the first question. (A failed start says why, above the button to try again.)
    clicked = st.session_state.get
    if session is None:
        wanted, avoid = clicked("start") is True, frozenset[str]()
    else:
        wanted = session.report is not None and clicked("retake") is True
        avoid = frozenset(session.attempt.plan.question_ids)
    if wanted and start(avoid):
        session = st.session_state[key]

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
        st.button("Start the test", key="start", type="primary")
        st.stop()

    attempt = session.attempt
    submit = SubmitButton("Submit answer", "submit")
    when_empty = "Choose an answer first; a submitted answer is final."
    # A Submit is checked, graded and stored before anything is drawn, so this run already
    # shows the next question (or, after the last one, the report).
    qid = attempt.current
    if session.report is None and qid is not None:
        submitted = response_submitted_now(
            present(bank, attempt.plan, qid),
            bank.question(qid) or _missing(qid),
            f"answer_{qid}",
            submit=submit,
            when_empty=when_empty,
        )
        if submitted is not None:
            lock_answer(bank, session, qid, submitted)
        qid = attempt.current
    if session.report is None and qid is None:  # every question answered: grade the test now
        finish_test(db, session)

    if session.report is not None:
        show_report(session.report)
        st.stop()

    assert qid is not None
    shown = present(bank, attempt.plan, qid)
    mark_shown(qid)
    answered = len(attempt.responses)
    st.progress(answered / shown.total, text=f"{answered} of {shown.total} answered")
    question_header(shown)
    asked = bank.question(qid)
    assert asked is not None
    ran = answer_input(
        shown,
        asked,
        f"answer_{qid}",
        form_key=f"test_form_{qid}",
        submit=submit,
        when_empty=when_empty,
    )
    if ran is not None and lock_answer(bank, session, qid, ran):  # a code answer, run now
        rerun_question_area()


def lock_answer(bank: QuestionBank, session: TestSession, qid: str, response: Response) -> bool:
    """Check, grade and store one answer, then lock it; True once it is locked."""
    attempt = session.attempt
    question = question_in_plan(bank, attempt.plan, qid)
    try:
        attempt.check(qid, response)
    except AnswerRejected as exc:
        st.error(inert_text(exc))
        return False
    assert question is not None
    # The grade is stored for statistics and shown only at the end.
    if save_answer(db, session.attempt_id, question, response) is None:
        return False
    attempt.submit(qid, response)
    return True


def _missing(qid: str) -> NoReturn:
    raise LookupError(f"question {qid} is in the test's plan but not in its bank")


test_area(bank)
