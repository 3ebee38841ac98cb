"""Lesson: a test score is an estimate; its bootstrap interval, and is A really better than B?"""

import altair as alt
import pandas as pd
import streamlit as st

from engine.lab.checkpoint import load_pretrained
from engine.lab.data import TEST_SIZE, TRAIN_SIZES
from engine.lab.shipped_runs import ProbePredictions, probe_predictions
from engine.metrics.uncertainty import (
    bootstrap_accuracy,
    mcnemar_exact,
    paired_bootstrap_difference,
)
from lessons.components.charts import BLUE, ORANGE
from lessons.components.pretrained import from_pretrained


@st.cache_resource(show_spinner=False)
def probe_run(train_size: int) -> ProbePredictions:
    # About a second per training size, cached per server: the runs are deterministic.
    return probe_predictions(load_pretrained().model, train_size=train_size)


st.title("Uncertainty")
st.markdown(
    f"A test accuracy is measured on {TEST_SIZE} digits, not on every digit anyone will "
    "ever write. Another test set of the same size would give a slightly different number. "
    "The **bootstrap** estimates how different: redraw the test set many times *with "
    "replacement* from itself, rescore, and read the middle 95 % of the scores. Below, two "
    "real linear probes on the pretrained model, trained on different numbers of images."
)
left, right = st.columns(2)
size_a = left.selectbox("Run A: training images", TRAIN_SIZES, index=1, key="unc_a")
size_b = right.selectbox("Run B: training images", TRAIN_SIZES, index=2, key="unc_b")
confidence = st.select_slider(
    "Confidence level", [0.8, 0.9, 0.95, 0.99], value=0.95, key="unc_confidence",
    format_func=lambda c: f"{c:.0%}",
)  # fmt: skip

run_a, run_b = from_pretrained(
    lambda: (probe_run(size_a), probe_run(size_b)),
    spinner="Training two linear probes on the pretrained model…",
)

interval_a = bootstrap_accuracy(run_a.correct, confidence)
interval_b = bootstrap_accuracy(run_b.correct, confidence)
col_a, col_b = st.columns(2)
for column, name, interval in ((col_a, "A", interval_a), (col_b, "B", interval_b)):
    column.metric(
        f"Run {name} test accuracy",
        f"{interval.estimate:.3f}",
        f"±{interval.half_width:.3f}",
        delta_color="off",
        delta_arrow="off",  # a half-width is not a rise
    )
    column.caption(
        f"{confidence:.0%} bootstrap interval: {interval.low:.3f} to {interval.high:.3f}"
    )
bars = pd.DataFrame(
    [
        {"run": f"{name} ({size} images)", "low": i.low, "high": i.high, "accuracy": i.estimate}
        for name, size, i in (("A", size_a, interval_a), ("B", size_b, interval_b))
    ]
)
base = alt.Chart(bars).encode(y=alt.Y("run:N", title=None))
chart = base.mark_rule(color=BLUE, strokeWidth=3).encode(
    x=alt.X("low:Q", title="test accuracy", scale=alt.Scale(zero=False)), x2="high:Q"
) + base.mark_circle(size=120, color=ORANGE).encode(x="accuracy:Q")
st.altair_chart(chart.properties(height=140), width="stretch")

st.subheader("Is B really better than A?")
st.caption(
    "A comparison on test is honest when it was fixed before looking (here: A against B, "
    "reported once). Choosing the better of many runs by their test scores would make the "
    "test a validation set (see Selection bias): compare candidates on validation, as the "
    "lab's paired comparison does, and keep this test for the one comparison you report."
)
st.markdown(
    "The two intervals overlapping does not settle it: both runs answered the *same* digits, "
    "and most digits are easy for both. Only the digits where they **disagree** carry "
    "evidence. **McNemar's test** asks: if A and B were equally good, each disagreement "
    "would be a coin flip, so how surprising is this split?"
)
test = mcnemar_exact(run_a.correct, run_b.correct)
agreement = {
    "B right": [test.both_right, test.only_b_right],
    "B wrong": [test.only_a_right, test.both_wrong],
}
st.dataframe(pd.DataFrame(agreement, index=["A right", "A wrong"]))
difference = paired_bootstrap_difference(run_a.correct, run_b.correct, confidence)
p_col, d_col = st.columns(2)
p_col.metric("McNemar exact p-value", f"{test.p_value:.4f}")
d_col.metric("B − A accuracy", f"{difference.estimate:+.3f}", delta_color="off")
st.caption(
    f"Paired bootstrap ({confidence:.0%}): B − A lies between {difference.low:+.3f} and "
    f"{difference.high:+.3f}, resampling the same digits for both runs."
)
disagreements = test.only_a_right + test.only_b_right
if size_a == size_b:
    st.info("A and B are the same run: pick different training sizes to compare two runs.")
elif test.p_value < 1 - confidence:
    st.success(
        f"Of {disagreements} disagreements, A won {test.only_a_right} and B "
        f"{test.only_b_right}. A split this lopsided would be unlikely if the two were "
        f"equally good (p = {test.p_value:.4f}, below {1 - confidence:.2g}): evidence that "
        "the difference is real for these two trained models. It is not yet evidence about "
        "the training sizes: each was trained once, and the test counts only the luck of "
        "the test items, not the training seed."
    )
else:
    st.warning(
        f"Of {disagreements} disagreements, A won {test.only_a_right} and B "
        f"{test.only_b_right}. Equally good runs would split at least this unevenly with "
        f"probability {test.p_value:.4f}: this test set cannot tell them apart."
    )
