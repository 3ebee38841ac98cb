"""Lesson 3: slide the decision threshold over real scores; watch precision trade recall."""

import math
from typing import NamedTuple

import altair as alt
import pandas as pd
import streamlit as st

from engine.lab.checkpoint import load_pretrained
from engine.lab.lesson_runs import RareScores, rare_class_scores
from engine.metrics.classification import (
    cheapest_threshold,
    outcome_at,
    pr_curve,
    threshold_for_precision,
    threshold_for_recall,
    threshold_report,
)
from lessons.components.charts import BLUE, VERMILLION, count_heatmap
from lessons.components.pretrained import from_pretrained


@st.cache_resource(show_spinner=False)
def shipped_scores() -> RareScores:
    # Deterministic and read-only: one probe fit per server (about a second on a CPU).
    return rare_class_scores(load_pretrained().model)


st.title("Precision vs recall")
st.markdown(
    "A classifier does not say *yes* or *no*: it gives a score, and **you** pick the "
    "threshold above which the answer is *yes*. The scores below are real: the pretrained "
    "ResNet from the freezing lab with a linear probe trained to answer *is this digit an "
    "8?* on 200 images. Picking a threshold is training too, so it follows the same rule: "
    "**choose it on the validation digits, report it once on the test digits.**"
)
data = from_pretrained(
    shipped_scores, spinner="Scoring the held-out digits with the pretrained model…"
)
labels, scores = data.val_labels, data.val_scores  # every choice on this page is made here
test_labels, test_scores = data.labels, data.scores  # and only reported here
positives = int(test_labels.sum())
always_no = outcome_at(test_labels, test_scores, float("inf"))
st.markdown(
    f"Only **{positives}** of the **{len(test_labels)}** test digits are eights "
    f"({positives / len(test_labels):.1%}), and **{int(labels.sum())}** of the "
    f"**{len(labels)}** validation digits. A model that always answers *not an 8* is right "
    f"**{(always_no.tn) / len(test_labels):.1%}** of the time on test and finds none of them: "
    "accuracy alone cannot judge a rare-class detector."
)

SPAM_PRECISION, SCREEN_RECALL = 0.95, 0.95


class PresetButton(NamedTuple):
    label: str
    threshold: float  # on the slider's own 0.001 grid, so it lands on a value the slider shows
    why: str


presets = {
    "spam": PresetButton(
        "Spam filter (precision first)",
        threshold_for_precision(labels, scores, SPAM_PRECISION, grid=0.001),
        f"Lowest threshold with validation precision ≥ {SPAM_PRECISION:.0%}.",
    ),
    "medical": PresetButton(
        "Medical screen (recall first)",
        threshold_for_recall(labels, scores, SCREEN_RECALL, grid=0.001),
        f"Highest threshold with validation recall ≥ {SCREEN_RECALL:.0%}.",
    ),
}


def use_threshold(value: float) -> None:
    # Rounded down to the slider's step: a lower threshold never drops a detection.
    st.session_state["thr_threshold"] = math.floor(min(max(value, 0.0), 1.0) * 1000) / 1000


st.session_state.setdefault("thr_threshold", 0.5)
for column, (name, preset) in zip(st.columns(2), presets.items(), strict=True):
    column.button(
        preset.label,
        key=f"thr_{name}",
        on_click=use_threshold,
        args=(preset.threshold,),
        help=preset.why,
    )
threshold = st.slider("Threshold: answer '8' when score ≥", 0.0, 1.0, step=0.001,
                      format="%.3f", key="thr_threshold")  # fmt: skip
now = outcome_at(labels, scores, threshold)
st.caption(f"Measured on the {len(labels)} validation digits, where the threshold is chosen.")
m = st.columns(4)
m[0].metric("Precision", f"{now.precision:.3f}", help="TP / (TP + FP)")
m[1].metric("Recall", f"{now.recall:.3f}", help="TP / (TP + FN)")
m[2].metric("F1", f"{now.f1:.3f}")
m[3].metric("Accuracy", f"{now.accuracy:.3f}")
st.markdown(
    f"With your threshold, on validation: precision = {now.tp} / ({now.tp} + {now.fp}) = "
    f"**{now.precision:.3f}**, recall = {now.tp} / ({now.tp} + {now.fn}) = **{now.recall:.3f}**."
)

left, right = st.columns(2)
cells = pd.DataFrame(
    [
        {"true": "not 8", "predicted": "not 8", "count": now.tn, "cell": "TN"},
        {"true": "not 8", "predicted": "8", "count": now.fp, "cell": "FP"},
        {"true": "8", "predicted": "not 8", "count": now.fn, "cell": "FN"},
        {"true": "8", "predicted": "8", "count": now.tp, "cell": "TP"},
    ]
)
left.altair_chart(
    count_heatmap(
        cells,
        ["not 8", "8"],
        title="Confusion matrix (validation)",
        label_expr="datum.cell + ': ' + datum.count",
        font_size=16,
    ),
    height=240,
)
curve = pd.DataFrame(pr_curve(labels, scores))
point = pd.DataFrame([{"recall": now.recall, "precision": now.precision}])
right.altair_chart(
    alt.Chart(curve, title="Precision-recall curve (validation)")
    .mark_line(color=BLUE)
    .encode(x="recall:Q", y="precision:Q", tooltip=["threshold", "precision", "recall"])
    + alt.Chart(point)
    .mark_point(size=160, filled=True, color=VERMILLION)
    .encode(x="recall:Q", y="precision:Q")
)
with st.expander("Show as tables"):
    st.dataframe(cells, hide_index=True)
    st.dataframe(curve.round(4), hide_index=True)

st.subheader("Let the costs choose")
st.markdown(
    "Put a price on each mistake. The page tries every threshold on the **validation** digits "
    "and keeps the one with the lowest total cost = FP × cost of a false alarm + FN × cost of "
    "a miss."
)
k1, k2 = st.columns(2)
cost_fp = k1.number_input("Cost of a false positive", 0.0, 1000.0, 1.0, key="thr_cost_fp")
cost_fn = k2.number_input("Cost of a false negative", 0.0, 1000.0, 10.0, key="thr_cost_fn")
best = cheapest_threshold(labels, scores, cost_fp, cost_fn)
st.markdown(
    f"Cheapest threshold on validation: **{best.threshold:.3f}** with {best.fp} false positives "
    f"and {best.fn} false negatives, total cost **{best.cost(cost_fp, cost_fn):g}** "
    f"(your threshold costs {now.cost(cost_fp, cost_fn):g} on validation)."
)
st.button("Use the cheapest threshold", key="thr_use_cheapest", on_click=use_threshold,
          args=(best.threshold,))  # fmt: skip

st.subheader("Report on the test digits, once")
report = threshold_report(
    (labels, scores),
    (test_labels, test_scores),
    cost_fp,
    cost_fn,
    {f"{name} preset": preset.threshold for name, preset in presets.items()},
)
# Totals over 200 and 397 digits are not comparable: per 100 digits they are.
per_100 = pd.DataFrame(report.rows)
per_100["validation cost per 100 digits"] = per_100["validation cost"] * 100 / len(labels)
per_100["test cost per 100 digits"] = per_100["test cost"] * 100 / len(test_labels)
st.dataframe(per_100.round(3), hide_index=True)
spam, medical = report.rows[1], report.rows[2]
st.markdown(
    f"The spam preset reached precision {spam['validation precision']:.3f} on validation "
    f"(target {SPAM_PRECISION:.2f}) and **{spam['test precision']:.3f}** on test; the medical "
    f"preset reached recall {medical['validation recall']:.3f} on validation and "
    f"**{medical['test recall']:.3f}** on test."
)
st.markdown(
    f"The cost-chosen threshold costs **{report.validation_cost:g}** on the {len(labels)} "
    f"validation digits and **{report.test_cost:g}** on the {len(test_labels)} test digits: "
    f"**{report.validation_cost * 100 / len(labels):.1f}** against "
    f"**{report.test_cost * 100 / len(test_labels):.1f}** per 100 digits. Compare per 100, "
    "not the totals: the test set is about twice the size, so its total would be about "
    "twice as large even for an honest threshold. What remains of the gap per 100 digits is "
    "the flattery: the threshold was fitted to the validation digits. The test figure is the "
    "one to report. A threshold tuned on "
    f"the test digits themselves would cost **{report.peeked_cost:g}** there, a number that "
    "looks better only because it was fitted to the very digits it is judged on: it would "
    "not hold on the next batch of digits. Every figure in this table comes from a threshold "
    "frozen on validation; a target met on validation can be missed on test, and the honest "
    "report says so."
)
