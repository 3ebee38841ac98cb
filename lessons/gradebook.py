"""The class gradebook, for instructors: who is strong where, and each test as it was seen."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from engine.learners.gradebook import (
    COLUMNS,
    DIFFICULTIES,
    FinishedTest,
    filter_gradebook,
    gradebook,
    gradebook_csv,
    gradebook_frame,
    interval_words,
    learner_tests,
    sort_gradebook,
)
from engine.quiz.inert_text import inert_text
from engine.quiz.models import QuestionBank, Verdict
from engine.store import Store
from lessons.components.banks import catalog
from lessons.components.passcode import instructor_store
from lessons.components.quiz_ui import describe_response, explain_grade

st.title("Gradebook")
db = instructor_store()

banks = catalog().banks


@st.cache_data(ttl=30, show_spinner="Reading the class's records…")
def class_table(_db: Store, _banks: Mapping[str, QuestionBank], key: object) -> pd.DataFrame:
    # Every filter or sort reruns the page; the table behind it (a second or two for a class
    # of 30) is read again only every 30 s, or when the banks on disk change (the key).
    del key
    return gradebook_frame(gradebook(_db, _banks, now=datetime.now(UTC)))


frame = class_table(db, banks, (db.where, tuple((b.id, b.version) for b in banks.values())))
if frame.empty:
    st.info("No learner has answered anything yet: the gradebook fills as they practise and test.")
    st.stop()

left, middle, right = st.columns(3)
name = left.text_input("Learner name contains", key="gb_name")
bank_ids = sorted(set(frame["bank"]))
chosen_banks = middle.multiselect("Banks", bank_ids, default=bank_ids, key="gb_banks")
verdicts = sorted(set(frame["verdict"]))
chosen_verdicts = right.multiselect("Verdicts", verdicts, default=verdicts, key="gb_verdicts")
sortable = [c for c in COLUMNS if c != "learner_id"]
by_column, descending = st.columns([2, 1])
sort_by = by_column.selectbox("Sort by", sortable, key="gb_sort")
down = descending.checkbox("Highest first", key="gb_descending")

shown = sort_gradebook(
    filter_gradebook(frame, name_contains=name, banks=chosen_banks, verdicts=chosen_verdicts),
    sort_by,
    descending=down,
)
table = shown.drop(columns=["learner_id"])
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        **{
            c: st.column_config.ProgressColumn(c, format="percent", min_value=0.0, max_value=1.0)
            for c in ("last", "mean")
        },
        **{d: st.column_config.NumberColumn(d, format="percent") for d in DIFFICULTIES},
        "topics": st.column_config.TextColumn("topics (weakest first)"),
        "due_reviews": st.column_config.NumberColumn("due reviews"),
    },
)
st.caption(
    f"{len(shown)} of {len(frame)} row(s), read in the last 30 s. Scores are shares of the "
    "points of finished tests: the last one with its 95 % interval (Wilson, over its "
    "questions), and the mean over all of them, not the best: the best of several noisy "
    "scores flatters, as the best of N runs on one test set does. A verdict rests on the "
    "questions of one test only ('verdict from'). Difficulty and topic shares count every "
    "recorded answer, practice included. A verdict needs the test's bank version to still "
    "be on disk."
)
st.download_button(
    "Gradebook (CSV)",
    gradebook_csv(table),
    file_name="tunelab-gradebook.csv",
    mime="text/csv",
    key="gb_csv",
)

st.subheader("A learner's answers")
pairs = list(dict.fromkeys(zip(shown["learner_id"], shown["learner"], shown["bank"], strict=True)))
if not pairs:
    st.info("No row matches the filters.")
    st.stop()
picked = st.selectbox(
    "Learner and bank",
    range(len(pairs)),
    format_func=lambda i: f"{pairs[i][1]} · {pairs[i][2]}",
    key="gb_learner",
)
learner_id, learner_name, bank_id = pairs[picked or 0]
tests = learner_tests(db, int(learner_id), banks.get(bank_id), bank_id)
if not tests:
    st.info(f"{inert_text(learner_name)} has not finished a test at {inert_text(bank_id)} yet.")
    st.stop()


def label(number: int, test: FinishedTest) -> str:
    finished = test.attempt.finished_at
    when = finished.strftime("%Y-%m-%d %H:%M UTC") if finished else ""
    return f"Test {number} · {when} · {test.fraction:.0%} · {test.verdict}"


number = st.selectbox(
    "Test",
    list(range(len(tests), 0, -1)),
    format_func=lambda n: label(n, tests[n - 1]),
    key="gb_test",
)
report = tests[number - 1].report
if report is None:
    st.warning(
        f"This test was drawn from version {tests[number - 1].attempt.bank_version} of the "
        "bank, which is no longer on disk as it was, so it cannot be shown as the learner "
        "saw it. Its score comes from the recorded answers."
    )
    st.stop()
banner = {Verdict.STRONG: st.success, Verdict.DEVELOPING: st.warning, Verdict.NOT_YET: st.error}
picked_test = tests[number - 1]
banner[report.verdict](
    f"**Pattern {report.verdict.value}** — {report.overall.score:g} / "
    f"{report.overall.max_score:g}. {report.reason} This verdict comes from "
    f"{picked_test.questions} questions: the score's 95 % interval is "
    f"{interval_words(picked_test.fraction, picked_test.questions)}."
)
# The same question, letters and explanation the learner's own review showed them.
for review in report.reviews:
    question, graded = review.question, review.grade
    outcome = "right" if graded.correct else "partly right" if graded.score > 0 else "wrong"
    with st.expander(
        f"{question.number}. {question.topic} ({question.difficulty.value}) — {outcome}"
    ):
        st.markdown(question.prompt)
        st.markdown(
            f"**{inert_text(learner_name)}'s answer:**\n\n"
            + describe_response(question, review.response)
        )
        explain_grade(question, graded, show_verdict=False)
