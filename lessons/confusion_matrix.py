"""Lesson 2: enter the four cells of a confusion matrix and watch every metric recompute."""

import altair as alt
import pandas as pd
import streamlit as st

from engine.metrics.classification import (
    Metric,
    binary_metrics_from_counts,
    confusion_counts,
    formula_text,
    sklearn_confusion_matrix,
)
from engine.metrics.specificity_fbeta import fbeta, specificity

st.title("Confusion matrix")
st.markdown(
    "A binary classifier can be right in two ways and wrong in two ways. Counting each "
    "outcome on validation data gives the **confusion matrix**, and every metric on this "
    "page (each read at one threshold) is a ratio of those four counts; ranking metrics "
    "such as ROC-AUC and average precision, and losses, need the scores themselves. "
    "Change any count below: the script reruns and every number on the page is computed "
    "again from your inputs."
)

# Inputs are laid out like scikit-learn's matrix: the negative class (0) comes first.
st.subheader("Your model's counts")
negatives, positives = st.columns(2), st.columns(2)
tn = negatives[0].number_input(
    "TN: actually negative, predicted negative", 0, None, 90, key="cm_tn"
)
fp = negatives[1].number_input(
    "FP: actually negative, predicted positive", 0, None, 15, key="cm_fp"
)
fn = positives[0].number_input(
    "FN: actually positive, predicted negative", 0, None, 10, key="cm_fn"
)
tp = positives[1].number_input(
    "TP: actually positive, predicted positive", 0, None, 85, key="cm_tp"
)
counts = confusion_counts(tp=tp, fp=fp, tn=tn, fn=fn)
if counts.total == 0:
    st.warning("All four counts are 0: enter at least one prediction to compute metrics.")
    st.stop()

st.subheader("The metrics, with your numbers")
for column, metric in zip(st.columns(4), Metric, strict=True):
    column.metric(metric.value, f"{counts.value(metric):.3f}")
for text in formula_text(counts).values():
    st.markdown(f"`{text}`")
for metric in counts.undefined():
    st.info(
        f"{metric.value} divides 0 by 0 here, so it has no value. scikit-learn reports it as "
        "0.0 (its `zero_division` setting; the default also warns), and so does this page."
    )
st.markdown(
    f"Out of **{counts.total}** predictions, **{counts.tp + counts.tn}** were right. "
    "Precision asks *of everything flagged positive, how much really was?*; recall asks "
    "*of everything really positive, how much did we flag?*; F1 is their harmonic mean, "
    "so it stays low unless both are high."
)

st.subheader("The matrix")
matrix = sklearn_confusion_matrix(counts)
class_names = ["negative (0)", "positive (1)"]
cell_names = [["TN", "FP"], ["FN", "TP"]]
cells = pd.DataFrame(
    [
        {
            "true class": class_names[row],
            "predicted class": class_names[col],
            "cell": cell_names[row][col],
            "count": int(matrix[row, col]),
            "label": f"{cell_names[row][col]} = {int(matrix[row, col])}",
        }
        for row in range(2)
        for col in range(2)
    ]
)
base = alt.Chart(cells).encode(
    x=alt.X("predicted class:N", sort=class_names, axis=alt.Axis(orient="top", labelAngle=0)),
    y=alt.Y("true class:N", sort=class_names),
)
heat = base.mark_rect().encode(
    color=alt.Color("count:Q", scale=alt.Scale(scheme="blues"), legend=None),
    tooltip=["cell", "count"],
)
max_count = int(matrix.max())
labels = base.mark_text(fontSize=18, fontWeight="bold").encode(
    text="label:N",
    # Dark text on light cells, white on dark ones, so every count stays readable.
    color=alt.condition(f"datum.count > {max_count / 2}", alt.value("white"), alt.value("black")),
)
st.altair_chart((heat + labels).properties(height=240), width="stretch")
with st.expander("Show as table"):
    st.dataframe(
        pd.DataFrame(
            matrix,
            index=[f"true {n}" for n in class_names],
            columns=[f"predicted {n}" for n in class_names],
        ),
    )
    oracle = binary_metrics_from_counts(counts)
    st.dataframe(
        pd.DataFrame(
            {
                "metric": [m.value for m in Metric],
                "from the formula": [round(counts.value(m), 6) for m in Metric],
                "from scikit-learn": [round(oracle[m], 6) for m in Metric],
            }
        ),
        hide_index=True,
    )

st.subheader("Two more ratios: specificity and F-beta")
st.markdown(
    f"**Specificity** is recall for the negative class: of the real negatives, how many did "
    f"the model leave alone? `TN / (TN + FP) = {counts.tn} / ({counts.tn} + {counts.fp}) = "
    f"{specificity(counts):.3f}`. Screening tests quote it beside recall (which medicine calls "
    "*sensitivity*): a test that flags everyone has recall 1 and specificity 0. In "
    "scikit-learn it is `recall_score(y_true, y_pred, pos_label=0)`."
)
beta = st.select_slider("β for F-beta", [0.5, 1.0, 2.0], 2.0, key="cm_beta")
st.markdown(
    f"**F-beta** weighs recall β times as much as precision: `F_β = (1 + β²)·P·R / (β²·P + R)`"
    f", or from the counts `(1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP)`. With β = {beta:g}: "
    f"**{fbeta(counts, beta):.3f}** (F1 is β = 1: {fbeta(counts, 1.0):.3f}). β = 2 suits a "
    "screening test, where a miss costs more than a false alarm; β = 0.5 suits a spam "
    "filter. scikit-learn: `fbeta_score(y_true, y_pred, beta=...)`. Work it from the counts, "
    "or from P and R kept to four decimals: rounding them to three first can move F-beta's "
    "third decimal."
)

st.subheader("Which corner is which?")
st.markdown(
    "Many textbooks draw the matrix with the positive class first (TP in the top-left). "
    "scikit-learn sorts the labels instead, so for labels `[0, 1]` the negative class "
    "comes first: rows are the **true** class, columns the **predicted** class, and the "
    "layout is `[[TN, FP], [FN, TP]]`. With your counts, "
    "`sklearn.metrics.confusion_matrix(y_true, y_pred, labels=[0, 1])` returns:"
)
st.code(str(matrix), language=None)
st.markdown(
    f"So `matrix[1, 1]` is TP ({counts.tp}) and `matrix[0, 0]` is TN ({counts.tn}). "
    "`tn, fp, fn, tp = matrix.ravel()` unpacks it in that order."
)
