"""Lesson 1: which metrics fit which task, and why validation numbers catch overfitting."""

import altair as alt
import pandas as pd
import streamlit as st

from engine.metrics.demos import CurveConfig, learning_curves
from engine.metrics.training_curves import best_epoch
from lessons.components.charts import BLUE, GREEN, ORANGE, PURPLE

st.title("Which metrics, and why")
st.markdown(
    "A fine-tuned model is only as good as the numbers you judge it by, and the right "
    "numbers depend on what the model outputs. A **classifier** picks a label, so we count "
    "how its answers land: accuracy, precision, recall and F1. A **regressor** outputs a "
    "quantity, so we measure how far off it is: mean squared error (MSE) and R². Either "
    "way, every choice (when to stop, which learning rate, which run to keep) is made on "
    "**validation data** the model never trained on, and the score you report comes once "
    "from a **test set** that played no part in any choice. Training numbers are not "
    "useless: poor training and validation scores together mean the model underfits, and "
    "a widening gap between them means it overfits."
)

# Why each scenario leads with its metric is the lesson; the table is the cheat sheet.
SCENARIOS = {
    "Spam filter": (
        "classification",
        "Precision (then F1)",
        "A real email sent to the spam folder is a costly mistake, so of the messages "
        "flagged, nearly all should really be spam.",
    ),
    "Medical screening test": (
        "classification",
        "Recall (then precision)",
        "A missed case can be fatal while a false alarm costs a follow-up test, so catch "
        "as many true cases as possible. Precision and recall trade off: a lower threshold "
        "buys recall with false alarms.",
    ),
    "Card fraud detection": (
        "classification, very imbalanced",
        "Recall and precision, never accuracy alone",
        "Fraud is rare, so a model that never flags anything already scores high accuracy "
        "(see the Pitfalls lesson). Recall says how much fraud you catch.",
    ),
    "Handwritten digits (10 balanced classes)": (
        "classification, balanced",
        "Accuracy, plus the confusion matrix",
        "With classes of similar size accuracy is honest; the matrix shows which digits "
        "get confused with which.",
    ),
    "House price prediction": (
        "regression",
        "MSE (or its square root), and R²",
        "MSE punishes large misses hardest; R² compares the model with always guessing "
        "the average price.",
    ),
}
st.subheader("Pick a task")
choice = st.radio("Scenario", list(SCENARIOS), key="mft_scenario", horizontal=True)
kind, headline, why = SCENARIOS[choice]
st.markdown(f"**Task type:** {kind}  \n**Lead with:** {headline}  \n**Why:** {why}")
with st.expander("All scenarios as a table"):
    st.dataframe(
        pd.DataFrame(
            [(name, *row) for name, row in SCENARIOS.items()],
            columns=["scenario", "task type", "lead with", "why"],
        ),
        hide_index=True,
    )

st.subheader("Validation loss tells you when to stop")
config = CurveConfig()
history = st.cache_data(learning_curves, show_spinner="Training a small network…")(config)
best = best_epoch(history)
st.markdown(
    f"Below is a real run: a small neural network trained for {config.epochs} epochs on "
    f"{config.train_size} handwritten digits, {config.relabelled} of them given a random "
    f"label on purpose, and checked every epoch on {config.val_size} digits it never trains "
    "on. Training loss falls the whole way; "
    f"validation loss bottoms out at epoch **{best.epoch}** and then climbs as the network "
    "starts memorising the noise. Move the slider to choose when training stops."
)
stop = st.slider("Stop training after epoch", 1, len(history), len(history), key="mft_stop_epoch")
chosen = history[stop - 1]
frame = pd.DataFrame(
    [
        (r.epoch, split, loss)
        for r in history
        for split, loss in (("training", r.train_loss), ("validation", r.val_loss))
    ],
    columns=["epoch", "split", "loss"],
)
curves = (
    alt.Chart(frame)
    .mark_line()
    .encode(
        x="epoch:Q",
        y=alt.Y("loss:Q", title="cross-entropy loss"),
        color=alt.Color("split:N", scale=alt.Scale(range=[BLUE, ORANGE])),
        # Dashes repeat the colour cue; one legend (the colour one) is enough.
        strokeDash=alt.StrokeDash("split:N", legend=None),
        tooltip=["epoch", "split", alt.Tooltip("loss:Q", format=".3f")],
    )
)
rules = pd.DataFrame(
    {"epoch": [best.epoch, stop], "marker": ["lowest validation loss", "your stop"]}
)
markers = (
    alt.Chart(rules)
    .mark_rule(strokeWidth=2)
    .encode(
        x="epoch:Q",
        color=alt.Color("marker:N", scale=alt.Scale(range=[GREEN, PURPLE])),
    )
)
st.altair_chart(
    (curves + markers).resolve_scale(color="independent").properties(height=320), width="stretch"
)
with st.expander("Show as table"):
    columns = ["epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy"]
    st.dataframe(pd.DataFrame([r.__dict__ for r in history])[columns].round(4), hide_index=True)

left, right = st.columns(2)
left.metric(
    "Validation loss at your stop",
    f"{chosen.val_loss:.3f}",
    f"{chosen.val_loss - best.val_loss:+.3f} vs best",
    delta_color="inverse",
)
right.metric(
    "Validation accuracy at your stop",
    f"{chosen.val_accuracy:.3f}",
    f"{chosen.val_accuracy - best.val_accuracy:+.3f} vs best",
)
if stop > best.epoch:
    st.warning(
        f"Training accuracy here is {chosen.train_accuracy:.3f}, validation accuracy "
        f"{chosen.val_accuracy:.3f}: the gap is overfitting. Early stopping would keep the "
        f"weights from epoch {best.epoch}."
    )
elif stop < best.epoch:
    # "Flat" = within 0.01 of the lowest loss: near its minimum a real curve barely moves.
    near = {r.epoch for r in history if r.val_loss <= best.val_loss + 0.01}
    low_end = high_end = best.epoch
    while low_end - 1 in near:
        low_end -= 1
    while high_end + 1 in near:
        high_end += 1
    flat = [low_end, high_end]
    st.info(
        f"Validation loss has not reached its lowest yet (epoch {best.epoch}): on the whole it "
        "is still falling, though not at every single epoch, so stopping now gives up loss "
        "the model had yet to shed. Near its minimum the curve is flat: epochs "
        f"{flat[0]}-{flat[-1]} all lie within 0.01 of the lowest loss, so any of them is a "
        "reasonable stop. (Accuracy is a coarser signal and can wobble either way from epoch "
        "to epoch.)"
    )
else:
    st.success("You stopped at the lowest validation loss: this is what early stopping keeps.")
