"""Lesson 7: the fraud self-check — answer first, then reveal a worked, computed example."""

import pandas as pd
import streamlit as st

from engine.metrics.classification import (
    Metric,
    always_negative_counts,
    binary_metrics_from_counts,
    counts_for_accuracy_and_recall,
    sklearn_confusion_matrix,
)

TOTAL, FRAUDS, ACCURACY, RECALL = 10_000, 200, 0.98, 0.12

# Feedback per choice; only the second is right.
CHOICES = {
    "Yes: 98 % accuracy means it is right on almost every transaction.": (
        False,
        "Right on almost every *transaction*, but nearly all transactions are honest. "
        "Accuracy hides how the rare class is treated.",
    ),
    "No: it misses most fraud, and the accuracy is high only because fraud is rare.": (
        True,
        "Exactly. Recall is the share of real fraud the model catches, and here that is "
        "about one case in eight.",
    ),
    "Yes, provided its precision on fraud is high too.": (
        False,
        "High precision only means its few alarms are trustworthy. It still lets most "
        "fraud through, which is the costly mistake here.",
    ),
    "No: accuracy must reach at least 99 % before a model can ship.": (
        False,
        "The verdict is right but the reason is not: a model that never flags fraud can "
        "score 99 % accuracy when fraud is 1 % of traffic.",
    ),
}

st.title("Self-check")
st.markdown(
    f"You fine-tuned a model to spot card fraud. On validation data it reaches "
    f"**{ACCURACY:.0%} accuracy**, but its **recall on the fraud class is {RECALL:.0%}**. "
    "Should it go to production?"
)
st.session_state.setdefault("selfcheck_revealed", False)


def hide_explanation() -> None:
    # A changed answer must be revealed again, so the learner commits before seeing why.
    st.session_state.selfcheck_revealed = False


answer = st.radio(
    "Your answer", list(CHOICES), index=None, key="selfcheck_answer", on_change=hide_explanation
)
if st.button("Reveal", key="selfcheck_reveal", disabled=answer is None):
    st.session_state.selfcheck_revealed = True
if answer is None:
    st.caption("Choose an answer to unlock the explanation.")
if answer is None or not st.session_state.selfcheck_revealed:
    st.stop()

correct, feedback = CHOICES[answer]
(st.success if correct else st.error)(("Correct. " if correct else "Not quite. ") + feedback)

st.subheader("The explanation")
model = counts_for_accuracy_and_recall(TOTAL, FRAUDS, ACCURACY, RECALL)
lazy = always_negative_counts(TOTAL, FRAUDS / TOTAL)
st.markdown(
    f"Imagine {TOTAL:,} validation transactions of which {FRAUDS} ({FRAUDS / TOTAL:.0%}) "
    f"are fraud. A model with {ACCURACY:.0%} accuracy and {RECALL:.0%} recall catches "
    f"**{model.tp}** frauds and lets **{model.fn}** through. It looks excellent only because "
    f'{model.tn:,} honest transactions are easy to call honest. A "model" that never '
    f"flags anything scores **{lazy.accuracy:.0%}** accuracy on the same data: exactly as "
    "good by accuracy, and the fine-tuning bought nothing that accuracy can show."
)
rows = []
for name, counts in (("your model", model), ("never flags fraud", lazy)):
    metrics = binary_metrics_from_counts(counts)  # computed by scikit-learn
    rows.append(
        {"model": name, "TP": counts.tp, "FP": counts.fp, "TN": counts.tn, "FN": counts.fn}
        | {metric.value: round(metrics[metric], 3) for metric in Metric}
    )
st.dataframe(pd.DataFrame(rows), hide_index=True)
st.markdown("scikit-learn's `confusion_matrix` for your model (rows = true, columns = predicted):")
st.code(str(sklearn_confusion_matrix(model)), language=None)
st.markdown(
    "In fraud detection a missed case costs far more than a false alarm, so recall comes "
    "first: lower the decision threshold, reweight or resample the rare class, and accept "
    "a small drop in accuracy for many more frauds caught. Judge the result by recall, "
    "precision and F1 on the fraud class, never by accuracy alone."
)
