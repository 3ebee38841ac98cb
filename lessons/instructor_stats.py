"""Item statistics from recorded test answers, whole-test figures, and CSV downloads."""

from __future__ import annotations

import math

import streamlit as st

from engine.quiz.authoring.stats import ItemFlag, item_statistics, items_frame, overall_statistics
from engine.quiz.authoring.variant_stats import facility_by_variant
from engine.quiz.models import QuestionType
from engine.store import AttemptMode
from engine.store.reports import frame_to_csv, responses_frame
from lessons.components.banks import pick_bank
from lessons.components.learner import store
from lessons.components.passcode import instructor_gate

st.title("Item statistics")
if not instructor_gate():
    st.stop()
db = store()
bank = pick_bank("stats_bank")
if db is None or bank is None:
    st.stop()

everything = responses_frame(db, bank.id, None, AttemptMode.TEST)
versions = sorted(set(everything["bank_version"]) | {bank.version})
version = st.selectbox(
    "Bank version",
    versions,
    index=versions.index(bank.version),
    key="stats_version",
    help="Answers to different versions are never mixed: an edited question starts afresh.",
)
# Only finished tests: a half-taken test would read as a low score on the items it skipped.
frame = responses_frame(db, bank.id, version, AttemptMode.TEST, finished_only=True)
st.caption(
    f"From {frame['attempt_id'].nunique()} finished test attempt(s) at version {version}. "
    "No learner names are shown here."
)
if frame.empty:
    st.info("No finished test attempts at this version yet: statistics appear after the first.")
    st.stop()

whole = overall_statistics(frame)
alpha_note = (
    f"n/a (needs 2 or more questions answered by 2 or more complete attempts; "
    f"have {whole.items_in_alpha} and {whole.attempts_in_alpha}, or the totals do not vary)"
)


def shown(value: float, missing: str) -> str:
    return missing if math.isnan(value) else f"{value:.2f}"


st.subheader("Whole test")
left, middle, right = st.columns(3)
left.metric("Attempts", whole.attempts)
middle.metric("Mean total", shown(whole.mean, "n/a"))
right.metric("Standard deviation", shown(whole.standard_deviation, "n/a"))
st.markdown(f"**Cronbach's alpha:** {shown(whole.cronbach_alpha, alpha_note)}")
if math.isnan(whole.standard_deviation):
    st.caption("Standard deviation: n/a until there are 2 finished attempts.")

st.subheader("Per question")
keys = {
    q.id: {c.id: c.id in q.correct_choice_ids for c in q.choices}
    for q in bank.questions
    # a family's choices differ by variant: its choice counts name mistakes, not letters
    if q.type is not QuestionType.NUMERIC and not q.is_family
}
items = item_statistics(frame, choices=keys)
table = items_frame(items)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "facility": st.column_config.NumberColumn("facility", format="%.2f"),
        "discrimination": st.column_config.NumberColumn("discrimination", format="%.2f"),
    },
)
with st.expander("What the columns and flags mean"):
    st.markdown(
        "- **facility**: mean score as a fraction of the maximum (1 = everyone right).\n"
        "- **discrimination**: correlation of the question's score with the rest of the test; "
        "None (undefined) when either does not vary.\n"
        "- **choice_counts**: how often each choice id was picked.\n"
        + "".join(f"- *{flag.value}*\n" for flag in ItemFlag)
        + "\nNo flags are raised before 5 answers to a question."
    )

by_variant = facility_by_variant(frame, bank)
if not by_variant.empty:
    st.subheader("Question families by variant")
    st.caption(
        "Facility of each family split by what its variant asked (the metric, the "
        "schedule, ...): a large gap means that parameter changes the difficulty."
    )
    st.dataframe(
        by_variant,
        hide_index=True,
        width="stretch",
        column_config={"facility": st.column_config.NumberColumn("facility", format="%.2f")},
    )

st.subheader("Downloads")
names = st.checkbox("Include learner names in the results CSV", key="stats_names")
st.download_button(
    "Results (CSV)",
    frame_to_csv(responses_frame(db, bank.id, version, AttemptMode.TEST, include_names=names)),
    file_name=f"{bank.id}-v{version}-results.csv",
    mime="text/csv",
    key="stats_results_csv",
)
st.download_button(
    "Item statistics (CSV)",
    table.to_csv(index=False),
    file_name=f"{bank.id}-v{version}-items.csv",
    mime="text/csv",
    key="stats_items_csv",
)
