"""Lesson: ROC and PR curves on the rare "is it an 8?" task; why PR is honest under imbalance."""

import altair as alt
import pandas as pd
import streamlit as st

from engine.lab.checkpoint import load_pretrained
from engine.lab.data import TaskKind
from engine.lab.shipped_runs import ProbePredictions, probe_predictions
from engine.metrics.ap_spread import subsample_spread
from engine.metrics.roc_pr import keep_fraction_of_positives, pr_points, roc_points, summarise
from lessons.components.charts import BLUE, GREY
from lessons.components.pretrained import from_pretrained


@st.cache_resource(show_spinner=False)
def rare_probe() -> ProbePredictions:
    return probe_predictions(load_pretrained().model, TaskKind.RARE_EIGHT)


st.title("ROC and PR curves")
st.markdown(
    "A threshold turns scores into yes/no; a **curve** shows every threshold at once, and "
    "its area sums the model up in one number that no threshold choice can flatter.\n\n"
    "- The **ROC curve** plots recall (true positive rate) against the *false positive "
    "rate*: the share of negatives wrongly flagged. **ROC-AUC** is the chance that a random "
    "positive scores above a random negative: it judges the ranking, the share of "
    "(positive, negative) pairs ranked the right way round; guessing gets 0.5.\n"
    "- The **PR curve** plots precision against recall. **Average precision (AP)** is its "
    "area, summed as steps; guessing gets the share of positives, not 0.5."
)
probe = from_pretrained(rare_probe, spinner="Scoring the test digits with the pretrained model…")

st.markdown(
    "The scores are real: a linear probe on the lab's pretrained model answering *is this "
    "digit an 8?* on the test digits. Now make eights rarer: the slider drops some of them "
    "from the test set. The model and its scores stay exactly the same."
)
kept_percent = st.slider("Share of the test eights kept (%)", 10, 100, 100, 10, key="roc_keep")
labels, scores = keep_fraction_of_positives(
    probe.labels, probe.probabilities[:, 1], kept_percent / 100
)
summary = summarise(labels, scores)
roc_col, ap_col, base_col = st.columns(3)
roc_col.metric("ROC-AUC", f"{summary.roc_auc:.3f}")
ap_col.metric("Average precision", f"{summary.average_precision:.3f}")
base_col.metric("AP of guessing (= share of 8s)", f"{summary.prevalence:.3f}")
st.caption(f"{summary.positives} eights among {summary.positives + summary.negatives} test digits.")


def curve(points: list[dict[str, float]], x: str, y: str, diagonal: pd.DataFrame) -> alt.Chart:
    frame = pd.DataFrame(points)
    line = alt.Chart(frame).mark_line(color=BLUE, interpolate="step-after").encode(
        x=alt.X(f"{x}:Q", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y(f"{y}:Q", scale=alt.Scale(domain=[0, 1])),
    )  # fmt: skip
    # The chance line uses the curve's own field names, so the axes keep the curve's titles.
    chance = (
        alt.Chart(diagonal.set_axis([x, y], axis=1))
        .mark_line(color=GREY, strokeDash=[6, 4])
        .encode(x=f"{x}:Q", y=f"{y}:Q")
    )
    return (line + chance).properties(height=260)


roc_chart, pr_chart = st.columns(2)
with roc_chart:
    st.altair_chart(
        curve(
            roc_points(labels, scores),
            "false positive rate",
            "true positive rate (recall)",
            pd.DataFrame({"x": [0, 1], "y": [0, 1]}),
        ),
        width="stretch",
    )
with pr_chart:
    st.altair_chart(
        curve(
            pr_points(labels, scores),
            "recall",
            "precision",
            pd.DataFrame({"x": [0, 1], "y": [summary.prevalence] * 2}),
        ),
        width="stretch",
    )
st.caption("Blue: the model. Grey dashes: guessing (ROC: the diagonal; PR: the share of 8s).")

full = summarise(probe.labels, probe.probabilities[:, 1])
if kept_percent == 100:
    st.markdown(
        f"With every eight kept, ROC-AUC is {full.roc_auc:.3f} and AP "
        f"{full.average_precision:.3f}. Slide the share of eights down and watch which of the "
        "two numbers notices that the model's false alarms now outnumber more of its hits."
    )
    st.stop()
st.markdown(
    f"With every eight kept, ROC-AUC is {full.roc_auc:.3f} and AP {full.average_precision:.3f}"
    f". At {kept_percent} % kept, ROC-AUC is {summary.roc_auc:.3f} (a change of "
    f"{summary.roc_auc - full.roc_auc:+.3f}) while AP is {summary.average_precision:.3f} ("
    f"{summary.average_precision - full.average_precision:+.3f}). ROC's false positive rate "
    f"divides by the {summary.negatives} negatives, so a handful of false alarms barely moves "
    "it. Precision divides by what the model flags, so the same false alarms weigh more and "
    "more as the eights they sit beside get fewer. When positives are rare and false alarms "
    "cost you, the PR curve and AP are the honest picture, with two caveats."
)
spread = subsample_spread(probe.labels, probe.probabilities[:, 1], kept_percent / 100)
st.info(
    f"**AP depends on prevalence.** Guessing alone scores the share of positives "
    f"({summary.prevalence:.3f} here), so an AP measured where positives are rarer is lower "
    "for the very same model: compare APs only across test sets with the same share of "
    f"positives. **AP on few positives is noisy.** Which {spread.positives} eights are kept "
    f"is itself luck: over {spread.draws} random draws of them, AP ranges from "
    f"**{spread.ap_low:.3f}** to **{spread.ap_high:.3f}**, while ROC-AUC stays between "
    f"{spread.auc_low:.3f} and {spread.auc_high:.3f}. Part of the drop you see on the slider "
    "is that luck, not signal."
)
