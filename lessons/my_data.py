"""My data: download everything recorded about me, or delete my account and answers."""

from __future__ import annotations

import streamlit as st

from engine.identity.my_data import (
    KEEP_COUNTS_KEY,
    answers_csv,
    delete_account,
    keeps_anonymous_counts,
    learner_record,
    record_json,
)
from engine.quiz.inert_text import inert_text
from lessons.components.learner import current_learner, secret, sign_out, store

st.title("My data")
learner = current_learner()
db = store()
if learner is None or db is None:
    st.stop()

record = learner_record(db, learner)
answered = sum(len(attempt["answers"]) for attempt in record["attempts"])
st.markdown(
    f"TuneLab keeps, for **{inert_text(learner.name)}**: {len(record['attempts'])} attempt(s), "
    f"{answered} answer(s) and {len(record['review_cards'])} review card(s). Your PIN is "
    "kept only as a one-way hash, which is not included."
)
st.download_button(
    "Download everything (JSON)",
    record_json(record),
    file_name="tunelab-my-data.json",
    mime="application/json",
    key="my_data_json",
)
st.download_button(
    "Download my answers (CSV)",
    answers_csv(record),
    file_name="tunelab-my-answers.csv",
    mime="text/csv",
    key="my_data_csv",
)

st.subheader("Delete my account")
keep_counts = keeps_anonymous_counts({KEEP_COUNTS_KEY: secret(KEEP_COUNTS_KEY)})
if keep_counts:
    st.caption(
        "Your instructor's policy keeps the answers of your tests without your name, so the "
        "class's item statistics keep their counts. Nothing links them to you afterwards."
    )
sure = st.checkbox(
    "I understand that my attempts, answers, review cards and sign-in are deleted for good.",
    key="my_data_confirm",
)
if st.button("Delete my account and answers", key="my_data_delete", disabled=not sure):
    sign_out()  # first, while the sign-in it revokes still exists
    delete_account(db, learner, keep_anonymous_counts=keep_counts)
    st.success(
        "Deleted. Nothing recorded about you is left in TuneLab"
        + (" (your test answers stay as anonymous counts)." if keep_counts else ".")
    )
    st.stop()
