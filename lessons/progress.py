"""My progress: finished tests over time, score by difficulty and topic, weak questions."""

from __future__ import annotations

import altair as alt
import streamlit as st
from streamlit.errors import StreamlitAPIException

from engine.learners.progress import (
    Grouping,
    answers_frame,
    finished_tests,
    learner_history,
    score_by,
    weak_questions,
)
from engine.quiz.inert_text import inert_text
from lessons.components.banks import learner_store_and_bank
from lessons.components.charts import BLUE, ORANGE

st.title("My progress")

learner, db, bank = learner_store_and_bank("progress_bank")

st.caption(f"Signed in as **{inert_text(learner.name)}** · {bank.title}")
history = learner_history(db, learner.id, bank.id)
answers = answers_frame(history)
if answers.empty:
    st.info(
        "Nothing recorded yet. Answer questions in Practice or take Test this pattern: "
        "your tests, your scores by difficulty and topic, and the questions to revisit "
        "will appear here."
    )
    st.stop()

st.subheader("Tests over time")
tests = finished_tests(history)
if tests.empty:
    st.write("No finished test yet: finish one on Test this pattern to start the chart.")
else:
    # Okabe-Ito blue for the scores, orange for the bar a "strong" verdict needs.
    points = (
        alt.Chart(tests)
        .mark_line(point=alt.OverlayMarkDef(size=80, filled=True), color=BLUE)
        .encode(
            x=alt.X("test:O", title="Test", axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "fraction:Q",
                title="Score",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            tooltip=[
                alt.Tooltip("test:O", title="Test"),
                alt.Tooltip("finished_at:T", title="Finished", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("score:Q", title="Points"),
                alt.Tooltip("max_score:Q", title="Out of"),
                alt.Tooltip("fraction:Q", title="Score", format=".0%"),
            ],
        )
    )
    strong = (
        alt.Chart({"values": [{"strong": bank.verdict.strong_at}]})
        .mark_rule(color=ORANGE, strokeDash=[6, 4])
        .encode(y="strong:Q")
    )
    st.altair_chart((points + strong).properties(height=260), width="stretch")
    st.caption(
        f"Each point is a finished test; the dashed line is the {bank.verdict.strong_at:.0%} "
        "a **strong** verdict needs (with enough of the hard points)."
    )
    with st.expander("Show as table"):
        st.dataframe(tests, hide_index=True, width="stretch")

st.subheader("Score by difficulty and topic")
st.caption("Every recorded answer counts here: practice, tests and review.")
percent = st.column_config.ProgressColumn("Score", format="percent", min_value=0, max_value=1)
for grouping in (Grouping.DIFFICULTY, Grouping.TOPIC):
    st.dataframe(
        score_by(answers, bank, grouping),
        hide_index=True,
        width="stretch",
        column_config={"fraction": percent, grouping.value: grouping.value.capitalize()},
    )

st.subheader("Weak questions")
weak = weak_questions(answers, bank)
if weak.empty:
    st.success("No question missed so far.")
else:
    weak.insert(
        1,
        "question",
        [
            (q.prompt.splitlines()[0][:90] if (q := bank.question(qid)) else "(removed)")
            for qid in weak["question_id"]
        ],
    )
    st.dataframe(weak, hide_index=True, width="stretch")
    try:
        st.page_link(
            "lessons/review.py", label="Review the questions you missed", icon=":material/replay:"
        )
    except StreamlitAPIException:  # page run on its own, outside app.py's navigation
        st.caption("Open Review to practise the questions you missed.")
