"""Freezing pitfalls, run for real: what PyTorch does when freezing goes wrong."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from engine.lab.checkpoint import Pretrained, load_pretrained
from engine.lab.pitfalls import (
    FrozenBatchNormDrift,
    NothingTrainable,
    StaleOptimizer,
    frozen_batchnorm_drift,
    nothing_trainable,
    stale_optimizer,
)
from lessons.components.charts import BLUE, VERMILLION
from lessons.components.code_exercise import fix_the_pitfalls
from lessons.components.pretrained import from_pretrained


# Each demo is deterministic and read-only once computed: one run per server is enough.
@st.cache_resource(show_spinner=False)
def checkpoint() -> Pretrained:
    return load_pretrained()


@st.cache_resource(show_spinner=False)
def demo_nothing_trainable() -> NothingTrainable:
    return nothing_trainable(checkpoint().model)


@st.cache_resource(show_spinner=False)
def demo_stale_optimizer() -> StaleOptimizer:
    return stale_optimizer(checkpoint().model)


@st.cache_resource(show_spinner=False)
def demo_batchnorm_drift() -> FrozenBatchNormDrift:
    return frozen_batchnorm_drift(checkpoint().model)


def ran(key: str) -> bool:
    """True once the learner pressed this demo's button: results stay while they read on
    (a button is only True on the run its click starts)."""
    if st.button("Run it", key=key):
        st.session_state[f"{key}_ran"] = True
    return bool(st.session_state.get(f"{key}_ran"))


st.title("Freezing pitfalls")
st.markdown(
    "Three ways freezing goes wrong, each run here with the real model so you see what "
    "PyTorch actually does, not what a summary says it does."
)
from_pretrained(checkpoint, failure="These demos need the pretrained model")

st.subheader("1. Nothing left to train")
st.markdown(
    "Freeze every parameter and forget to add a new head. A common summary says *the loss "
    "just stays the same*. In PyTorch it does not get that far: `loss.backward()` raises, "
    "because no tensor in the graph needs a gradient, and an optimizer given the (empty) "
    "list of trainable parameters refuses to be built."
)
if ran("pit_nothing"):
    with st.spinner("Running…"):
        result = demo_nothing_trainable()
    st.markdown("`loss.backward()` raised `RuntimeError`:")
    st.code(result.backward_error, language="text")
    st.markdown("`torch.optim.AdamW([])` raised `ValueError`:")
    st.code(result.optimizer_error, language="text")

st.subheader("2. The optimizer was built before the head was replaced")
st.markdown(
    "Build the optimizer, *then* write `model.fc = nn.Linear(...)`. The new head's weights "
    "were never handed to the optimizer, the old ones are frozen, so every step changes "
    "nothing: training runs without an error and the loss does not move."
)
if ran("pit_stale"):
    with st.spinner("Training the head for a few steps, twice…"):
        result = demo_stale_optimizer()
    verdict = "is" if result.new_head_in_stale_optimizer else "is **not**"
    st.markdown(f"The new head {verdict} among the stale optimizer's parameters.")
    steps = range(1, len(result.losses_stale) + 1)
    frame = pd.DataFrame(
        {"step": list(steps) * 2,
         "loss": result.losses_stale + result.losses_fixed,
         "optimizer": ["built before fc was replaced"] * len(steps)
         + ["built after (only trainable parameters)"] * len(steps)}
    )  # fmt: skip
    st.altair_chart(
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("step:Q", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("loss:Q", title="training loss"),
            color=alt.Color(
                "optimizer:N",
                scale=alt.Scale(range=[VERMILLION, BLUE]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
        ),
        width="stretch",
    )
    with st.expander("Show as table"):
        st.dataframe(frame, hide_index=True)

st.subheader("3. Frozen BatchNorm left in train mode: a trade-off")
st.markdown(
    "`requires_grad = False` stops gradients, but a BatchNorm layer in `train()` mode still "
    "rewrites its running mean and variance from every batch it sees. Freeze the backbone, "
    "train only the head on digits, and see what happens to the statistics the pretrained "
    "layers rely on, to the original task, and to the new one."
)
if ran("pit_bn"):
    with st.spinner("Two linear probes (BatchNorm in eval mode, then in train mode)…"):
        result = demo_batchnorm_drift()
    table = pd.DataFrame(
        {
            "frozen BatchNorm": ["eval mode", "train mode"],
            "digit accuracy (validation)": [
                result.target_accuracy_bn_eval,
                result.target_accuracy_bn_train,
            ],
            "glyph accuracy after": [
                result.source_accuracy_bn_eval,
                result.source_accuracy_bn_train,
            ],
            "mean |Δ running mean|": [
                result.running_mean_change_bn_eval,
                result.running_mean_change_bn_train,
            ],
        }
    )
    st.markdown(
        f"Glyph accuracy through the original head was **{result.source_accuracy_before:.3f}** "
        "before. Only the new head had gradients in both runs."
    )
    st.dataframe(table, hide_index=True, width="stretch")
    target_gain = result.target_accuracy_bn_train - result.target_accuracy_bn_eval
    source_loss = result.source_accuracy_bn_eval - result.source_accuracy_bn_train
    st.markdown(
        f"Train mode changes digit accuracy by **{target_gain:+.3f}** and costs "
        f"**{source_loss:.3f}** of glyph accuracy. Statistics that follow the digits can help "
        "the digits: that is a trade-off, not only a bug. If only the new task matters, "
        "letting the statistics adapt is a legitimate choice; if the network must still serve "
        "the old task (or you meant the backbone to be truly frozen), put the frozen blocks' "
        "BatchNorm layers back in `eval()` after `model.train()` (the lab's *BatchNorm in "
        "frozen blocks: eval* choice does exactly that). Either way, decide on purpose."
    )

fix_the_pitfalls()
