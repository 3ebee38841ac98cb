"""Lesson 4: read real training curves, spot the run that overfits and pick where to stop it."""

import altair as alt
import pandas as pd
import streamlit as st

from engine.lab.checkpoint import load_pretrained
from engine.lab.data import VAL_SIZE
from engine.lab.lesson_runs import (
    HEALTHY_RUN,
    OVERFITTING_RUN,
    STOP_PATIENCE,
    CurvePair,
    training_curves,
)
from engine.metrics.training_curves import EpochRecord, patience_stop
from lessons.components.charts import curves_chart, epoch_frame, epoch_marker
from lessons.components.pretrained import from_pretrained

LOSSES = ["training loss", "validation loss"]


@st.cache_resource(show_spinner=False)
def real_runs() -> CurvePair:
    # Two deterministic runs of the shipped model, trained once per server and only read.
    return training_curves(load_pretrained().model)


def frame(history: list[EpochRecord]) -> pd.DataFrame:
    return epoch_frame(
        history,
        {
            "training loss": "train_loss",
            "validation loss": "val_loss",
            "validation accuracy": "val_accuracy",
        },
    )


def loss_chart(
    history: list[EpochRecord], title: str, best_epoch: int | None
) -> alt.Chart | alt.LayerChart:
    lines = curves_chart(
        frame(history), LOSSES, title=title, value="loss", series="curve", fixed_colours=True,
        height=240,
    )  # fmt: skip
    if best_epoch is None:
        return lines
    return lines + epoch_marker(best_epoch, f"early stopping keeps epoch {best_epoch}")


st.title("Good vs bad runs")
st.markdown(
    "Both runs below fine-tune the same pretrained ResNet (layer4 + a new head) on handwritten "
    f"digits (Run A on {HEALTHY_RUN.train_size}, Run B on {OVERFITTING_RUN.train_size}) and "
    f"are judged on the same {VAL_SIZE} validation digits. One of them goes wrong. The curves "
    "are real: they were trained when this page first opened."
)
runs = from_pretrained(real_runs, spinner="Training two real runs (a few seconds on a CPU)…")

checked = st.session_state.get("gvb_checked", False)
shown = {
    "Run A": (runs.healthy, patience_stop(runs.healthy, STOP_PATIENCE).kept.epoch),
    "Run B": (runs.overfitting, patience_stop(runs.overfitting, STOP_PATIENCE).kept.epoch),
}
for name, (history, best) in shown.items():
    st.altair_chart(loss_chart(history, name, best if checked else None))
    last = history[-1]
    st.caption(
        f"{name}, last epoch: training loss {last.train_loss:.3f}, validation loss "
        f"{last.val_loss:.3f}, validation accuracy {last.val_accuracy:.3f}."
    )
st.caption(
    "Why can validation loss sit *below* training loss at first? The training loss is the "
    "average over the epoch's batches, in train mode, while the weights were still "
    "improving; the validation loss is measured once, after the epoch, in eval mode, with "
    "the epoch's final weights. Early on the weights improve a lot within an epoch, so the "
    "end-of-epoch validation loss can come out lower."
)
with st.expander("Show the curves as tables"):
    for name, (history, _) in shown.items():
        st.markdown(f"**{name}**")
        st.dataframe(frame(history).round(4), hide_index=True)

st.subheader("Your diagnosis")
which = st.radio("Which run overfits?", list(shown), index=None, horizontal=True, key="gvb_which")
stop_at = st.slider(
    "Run B: at which epoch would you stop training (keep the weights)?",
    1,
    len(runs.overfitting),
    len(runs.overfitting),
    key="gvb_epoch",
)
if st.button("Check my answers", key="gvb_check"):
    st.session_state["gvb_checked"] = True
    st.rerun()
if checked:
    if which == "Run B":
        st.success(
            "Right: Run B overfits. Its training loss keeps falling "
            f"(to {runs.overfitting[-1].train_loss:.3f}) while its validation loss, after a "
            f"low of {min(s.val_loss for s in runs.overfitting):.3f}, climbs back to "
            f"{runs.overfitting[-1].val_loss:.3f}; the gap is memorisation, not learning. "
            f"{OVERFITTING_RUN.label_noise:.0%} of its training labels were wrong on purpose "
            "and its learning rate never decays, so it ends up memorising the mistakes."
        )
    else:
        st.error(
            "Not quite: look at the gap. Run A's validation loss follows its training loss "
            f"down (last {runs.healthy[-1].val_loss:.3f}); Run B's training loss falls to "
            f"{runs.overfitting[-1].train_loss:.3f} while its validation loss climbs to "
            f"{runs.overfitting[-1].val_loss:.3f}."
        )
    rule = patience_stop(runs.overfitting, STOP_PATIENCE)
    chosen = next(s for s in runs.overfitting if s.epoch == stop_at)
    explanation = (
        f"The rule: early stopping with patience {STOP_PATIENCE} ends training once "
        f"{STOP_PATIENCE} epochs in a row bring no new lowest validation loss, and puts back "
        f"the weights of that lowest epoch. On Run B it stops after epoch {rule.stopped_at} "
        f"and keeps epoch **{rule.kept.epoch}** (validation loss {rule.kept.val_loss:.3f}, "
        "marked on the chart)."
    )
    if stop_at == rule.kept.epoch:
        st.success(f"Epoch {stop_at}: right. {explanation}")
    elif stop_at == len(runs.overfitting):
        st.warning(
            f"Epoch {stop_at} is the end of training: no early stopping at all, so you keep "
            f"the most overfitted weights (validation loss {chosen.val_loss:.3f}). {explanation}"
        )
    else:
        st.warning(
            f"Epoch {stop_at} has validation loss {chosen.val_loss:.3f}, not the one the rule "
            f"keeps. {explanation}"
        )
