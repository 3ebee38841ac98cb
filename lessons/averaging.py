"""Lesson: macro, weighted and micro averages of precision, recall and F1, on two real tasks."""

import pandas as pd
import streamlit as st

from engine.lab.checkpoint import load_pretrained
from engine.lab.data import TaskKind
from engine.lab.shipped_runs import ProbePredictions, probe_predictions
from engine.metrics.averaging import Averaging, averaged, per_class_scores
from lessons.components.pretrained import from_pretrained

TASKS = {
    "Digits (10 balanced classes)": TaskKind.DIGITS,
    "Is it an 8? (rare positive class)": TaskKind.RARE_EIGHT,
}


@st.cache_resource(show_spinner=False)
def probe_run(task: TaskKind) -> ProbePredictions:
    return probe_predictions(load_pretrained().model, task)


st.title("Averaging per-class scores")
st.markdown(
    "Precision, recall and F1 are defined for **one class at a time** (that class against the "
    "rest). One number for the whole model needs an average, and there are three:\n\n"
    "- **Macro**: the plain mean over classes. A rare class counts as much as a common one.\n"
    "- **Weighted**: the mean weighted by each class's *support* (how many test items it "
    "has). Common classes dominate.\n"
    "- **Micro**: pool every decision first, then compute once. Each *item* counts the same."
    "\n\nFrom a multi-class confusion matrix (rows: true class, columns: predicted), a "
    "class's TP is its diagonal cell, its FN the rest of its row and its FP the rest of its "
    "column; per-class F1 = 2·TP / (2·TP + FP + FN), then average. scikit-learn's "
    "`f1_score(average='macro')` is the plain mean of those per-class F1 scores."
)
task_name = st.radio("Task", list(TASKS), key="avg_task", horizontal=True)
run = from_pretrained(
    lambda: probe_run(TASKS[task_name]),
    spinner="Training a linear probe on the pretrained model…",
)

n_classes = len(run.class_names)
per_class, support = per_class_scores(run.labels, run.predicted, n_classes)
rows = [
    {"class": name, "precision": s.precision, "recall": s.recall, "F1": s.f1, "support": int(n)}
    for name, s, n in zip(run.class_names, per_class, support, strict=True)
]
averages = {how: averaged(run.labels, run.predicted, n_classes, how) for how in Averaging}
for how, s in averages.items():
    rows.append(
        {"class": f"{how.value} average", "precision": s.precision, "recall": s.recall,
         "F1": s.f1, "support": int(support.sum())}
    )  # fmt: skip
three_decimals = st.column_config.NumberColumn(format="%.3f")
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    height=35 * (len(rows) + 1) + 3,  # every row visible: the averages sit at the bottom
    column_config={name: three_decimals for name in ("precision", "recall", "F1")},
)

columns = st.columns(4)
for column, how in zip(columns, Averaging, strict=False):
    column.metric(f"{how.value.capitalize()} F1", f"{averages[how].f1:.3f}")
columns[3].metric("Accuracy", f"{run.accuracy:.3f}")

micro = averages[Averaging.MICRO]
st.markdown(
    f"**Micro-F1 = accuracy ({micro.f1:.3f}).** With one label per item, every mistake is "
    "one false negative (for the true class) *and* one false positive (for the predicted "
    "class). Pooled over classes, false positives equal false negatives, so micro precision = "
    "micro recall = micro F1 = the share of items right. Micro-F1 tells you nothing "
    "accuracy did not."
)
if TASKS[task_name] is TaskKind.RARE_EIGHT:
    eight = per_class[1]
    st.warning(
        f"On the rare task the class you care about, *8*, has F1 {eight.f1:.3f}. Macro-F1 "
        f"({averages[Averaging.MACRO].f1:.3f}) averages it with the easy *not 8* class "
        f"(F1 {per_class[0].f1:.3f}), and weighted F1 ({averages[Averaging.WEIGHTED].f1:.3f}) "
        "lets *not 8* dominate. For a rare positive class, report that class's own precision, "
        "recall and F1 (scikit-learn's `average='binary'`)."
    )
else:
    spread = max(s.f1 for s in per_class) - min(s.f1 for s in per_class)
    st.info(
        "With balanced classes the three averages land close together; the per-class rows "
        f"still matter: F1 ranges over {spread:.3f} between the easiest and hardest digit."
    )
