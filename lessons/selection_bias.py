"""Lesson: what train, validation and test are for, and why the best test score of N lies."""

import altair as alt
import pandas as pd
import streamlit as st

from engine.lab.checkpoint import load_pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.data import TEST_SIZE, TRAIN_POOL_SIZE, VAL_SIZE
from engine.lab.freeze import Preset
from engine.lab.real_best_of_n import real_runs
from engine.lab.seed_runs import estimate_cost
from engine.lab.shipped_runs import ProbePredictions, probe_predictions
from engine.lab.tuning import SWEEP_EPOCHS, SWEEP_PATIENCE, tuned_plan
from engine.metrics.uncertainty import draw_runs, mean_best_of_n
from lessons.components.charts import BLUE, GREY, VERMILLION
from lessons.components.pretrained import from_pretrained

REPEATS = 2000


@st.cache_resource(show_spinner=False)
def shipped_probe() -> ProbePredictions:
    return probe_predictions(load_pretrained().model)


st.title("Train, validation, test")
st.markdown(
    f"The lab splits scikit-learn's 1 797 digits three ways, and each part has one job:\n\n"
    f"- **Training** ({TRAIN_POOL_SIZE} images to draw from): the optimiser fits the weights "
    "on it. Its scores tell you whether the model can fit at all (underfitting).\n"
    f"- **Validation** ({VAL_SIZE} images): every *choice* is made here: when to stop (the "
    "epoch early stopping keeps), which "
    "learning rate, what to freeze, which of your runs to keep.\n"
    f"- **Test** ({TEST_SIZE} images): looked at **once**, at the end, to report how the "
    "chosen model does on data that influenced nothing.\n\n"
    "Choose with the test set and it stops being a test: it becomes a second validation "
    "set, and the number you report is flattering. The widget shows by how much."
)

probe = from_pretrained(shipped_probe, spinner="Scoring the test digits with the pretrained model…")
true_accuracy = probe.accuracy

st.subheader("Keep the best of N runs by test score")
st.markdown(
    f"Imagine N fine-tuning runs that are all **equally good**: each gets a digit right with "
    f"probability {true_accuracy:.3f}, the test accuracy of the lab's linear probe. They "
    f"differ only by luck: which of the {TEST_SIZE} test digits each happens to get right. "
    "You keep the run with the best test score, then meet fresh data of the same size. "
    "The model treats every run's errors as **independent** of the others': an upper bound. "
    "Real runs of one plan on the same test items share most of their mistakes (the hard "
    "digits are hard for all of them), so their test scores spread less and the best of N "
    "is less optimistic than shown here, though never honest."
)
n_runs = st.slider("Runs you try (N)", 1, 50, 20, key="sel_runs")
st.session_state.setdefault("sel_seed", 0)
if st.button("Run all N again (new luck)", key="sel_again"):
    st.session_state.sel_seed += 1
draw = draw_runs(n_runs, true_accuracy, TEST_SIZE, seed=st.session_state.sel_seed)
chosen = draw.chosen

best_col, fresh_col, gap_col = st.columns(3)
best_col.metric("Best test score of N", f"{draw.test_scores[chosen]:.3f}")
fresh_col.metric("That run on fresh data", f"{draw.fresh_scores[chosen]:.3f}")
gap_col.metric("Optimism (test − fresh)", f"{draw.optimism:+.3f}")

runs = pd.DataFrame(
    {
        "run": range(1, n_runs + 1),
        "test accuracy": draw.test_scores,
        "fresh accuracy": draw.fresh_scores,
        "kept": ["kept (best on test)" if i == chosen else "discarded" for i in range(n_runs)],
    }
)
dots = (
    alt.Chart(runs)
    .mark_circle(size=90)
    .encode(
        x=alt.X("run:O", title="run"),
        y=alt.Y("test accuracy:Q", scale=alt.Scale(zero=False)),
        color=alt.Color("kept:N", scale=alt.Scale(range=[GREY, VERMILLION]), title=None),
        shape=alt.Shape("kept:N", title=None),
        tooltip=["run", alt.Tooltip("test accuracy:Q", format=".3f")],
    )
)
truth = (
    alt.Chart(pd.DataFrame({"true accuracy": [true_accuracy]}))
    .mark_rule(color=BLUE, strokeDash=[6, 4])
    .encode(y="true accuracy:Q")
)
st.altair_chart((dots + truth).properties(height=280), width="stretch")
st.caption(
    "Each dot is one run's test accuracy; the blue dashes are the accuracy every run really "
    "has. The kept run (orange) is the luckiest, not the best."
)
with st.expander("Show as table"):
    st.dataframe(runs.round(3), hide_index=True)

average_best = st.cache_data(mean_best_of_n)(n_runs, true_accuracy, TEST_SIZE, REPEATS)
st.markdown(
    f"One draw is noisy, so here is the whole experiment repeated {REPEATS:,} times: the "
    f"best of {n_runs} test scores averages **{average_best:.3f}**, while every run's real "
    f"accuracy is **{true_accuracy:.3f}**: an optimism of **{average_best - true_accuracy:+.3f}"
    "** that grows with N, if the runs' errors were independent. On average, fresh data "
    "brings the kept run back to the truth; any single fresh set has luck of its own."
)
st.subheader("The same with real runs")
st.markdown(
    "The model above treats runs as independent coin flips. Real runs are not: train the "
    "lab's linear probe (200 images, its tuned rate) under 20 seeds and score each on the "
    "same test digits. They share their hard digits, so they spread less than independent "
    "runs would, and the best of them is less optimistic than the model says, yet still "
    "above what the runs score on average."
)
real_config = FinetuneConfig(
    tuned_plan(Preset.LINEAR_PROBE), epochs=SWEEP_EPOCHS, patience=SWEEP_PATIENCE
)
real_cost = estimate_cost(real_config, (), seeds=20).seconds
if st.button(f"Train 20 real runs (at most about {real_cost:.0f} s)", key="sel_real"):
    bar = st.progress(0.0, text="Seed 1 of 20…")

    def on_seed(done: int, total: int) -> None:
        bar.progress(done / total, text=f"{done} of {total} runs")

    st.session_state["sel_real_runs"] = real_runs(
        real_config,
        load_pretrained().model,
        range(20),
        on_seed,
    )
real = st.session_state.get("sel_real_runs")
if real is not None:
    modelled = mean_best_of_n(len(real.seeds), real.mean, TEST_SIZE, REPEATS) - real.mean
    st.markdown(
        f"Over {len(real.seeds)} seeds the test accuracy averages **{real.mean:.3f}** with a "
        f"standard deviation of **{real.spread:.4f}**; independent runs of that accuracy would "
        f"spread by {(real.mean * (1 - real.mean) / TEST_SIZE) ** 0.5:.4f}. Two runs both miss "
        f"**{real.both_wrong_share:.3f}** of the digits, against {real.independent_both_wrong:.4f} "
        f"if their errors were independent. Keeping the best test score gives "
        f"**{real.best:.3f}**: **{real.optimism:+.3f}** above the runs' mean, where the "
        f"independent model predicts {modelled:+.3f}."
    )
st.info(
    "The cure: compare runs on **validation**, pick one, and only then score that one run on "
    "test. The validation score of the winner is optimistic too (that is why you keep a "
    "test set); the test score of a run chosen without it is not."
)
