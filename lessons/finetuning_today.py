"""Lesson: fine-tuning as practitioners do it today: LoRA, BitFit, BN-only, calibration, LR."""

import altair as alt
import pandas as pd
import streamlit as st

from engine.lab.augmentation import DEGREES, SHIFT, augment_run
from engine.lab.checkpoint import Pretrained, load_pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.cross_validation import SplitComparison, compare_splits, pooled_features
from engine.lab.freeze import PRESET_LABELS, Preset
from engine.lab.lr_range import LrRange, partial_range, probe_range
from engine.lab.peft_presets import (
    DEFAULT_EPOCHS,
    LORA_RANKS,
    STRATEGY_LABELS,
    EfficientPlan,
    Strategy,
    efficient_code,
    merge_check,
)
from engine.lab.results import RunResult
from engine.lab.strategy_compare import StrategyRow, efficient_row, freezing_row
from engine.lab.train import finetune
from engine.lab.tuning import TUNED_RATES, tuned_plan
from engine.metrics.calibration import Reliability, calibration_report
from lessons.components.pretrained import from_pretrained

FREEZING = (Preset.LINEAR_PROBE, Preset.PARTIAL)
CHOICES: dict[str, str] = {s.value: STRATEGY_LABELS[s] for s in Strategy} | {
    p.value: PRESET_LABELS[p] for p in FREEZING
}
MAX_ROWS = 20


@st.cache_resource(show_spinner="Loading the pretrained checkpoint…")
def checkpoint() -> Pretrained:
    return load_pretrained()


@st.cache_resource(show_spinner=False)
def probe_run() -> RunResult:
    """The lab's linear probe at its tuned rate: the model calibrated when you train nothing."""
    config = FinetuneConfig(tuned_plan(Preset.LINEAR_PROBE), epochs=20, measure_retention=False)
    return finetune(config, checkpoint().model)


@st.cache_resource(show_spinner=False)
def split_comparison(folds: int, repeats: int) -> SplitComparison:
    features, labels = pooled_features(checkpoint().model)
    return compare_splits(features, labels, folds, repeats)


@st.cache_resource(show_spinner=False)
def probe_lr_range() -> LrRange:
    return probe_range(checkpoint().model)


st.title("Fine-tuning as it is done today")
st.markdown(
    "The freezing lab decides *which blocks* learn. Today's first choice is different: keep "
    "every pretrained weight and learn a few numbers **inside** every block. **LoRA** adds a "
    "rank-r update beside each 3×3 convolution (through Hugging Face's `peft`), **BitFit** "
    "trains only the biases, **BatchNorm-only** trains each BatchNorm's scale and shift. The "
    "new head for the digits trains in full in all of them: it is new, nothing in it is "
    "pretrained. Train them here on the lab's split (200 training images, validation 200) and "
    "compare them with freezing presets."
)
pretrained = from_pretrained(lambda: checkpoint().model)

st.subheader("How little can I train?")
left, mid, right = st.columns(3)
rank = left.select_slider("LoRA rank r", LORA_RANKS, value=4, key="ft_rank")
alpha = mid.select_slider("LoRA alpha", [1, 2, 4, 8, 16, 32, 64], value=8, key="ft_alpha")
seed = right.selectbox("Seed", [0, 1, 2, 3, 4], key="ft_seed")
chosen = st.multiselect(
    "Strategies to train",
    list(CHOICES),
    default=[Strategy.BITFIT.value],
    format_func=CHOICES.get,
    key="ft_strategies",
)
st.caption(
    f"{DEFAULT_EPOCHS} epochs each, cosine schedule, same split and seed for all. On two CPU "
    "cores a run takes a few seconds; LoRA and partial fine-tuning backpropagate through the "
    "network and take longest."
)
rows: list[StrategyRow] = st.session_state.setdefault("ft_rows", [])
if st.button("Train the selected strategies", key="ft_train", disabled=not chosen):
    for value in chosen:
        with st.spinner(f"Training {CHOICES[value]} (seed {seed})…"):
            if value in {s.value for s in Strategy}:
                plan = EfficientPlan(Strategy(value), rank=rank, alpha=alpha)
                rows.append(efficient_row(plan, pretrained, seed=seed))
            else:
                rows.append(freezing_row(Preset(value), pretrained, seed=seed))
    del rows[:-MAX_ROWS]

if rows:
    table = pd.DataFrame([row.as_record() for row in rows])
    st.dataframe(table, hide_index=True)
    points = pd.DataFrame(
        {
            "strategy": [r.label for r in rows],
            "trainable parameters": [r.trainable for r in rows],
            "validation accuracy": [r.val_interval.estimate for r in rows],
            "low": [r.val_interval.low for r in rows],
            "high": [r.val_interval.high for r in rows],
            "source accuracy (original head)": [r.source_after for r in rows],
        }
    )
    x = alt.X("trainable parameters:Q", scale=alt.Scale(type="log"))
    bars = alt.Chart(points).mark_rule().encode(x=x, y="low:Q", y2="high:Q", color="strategy:N")
    dots = (
        alt.Chart(points)
        .mark_circle(size=90)
        .encode(
            x=x,
            y=alt.Y("validation accuracy:Q", scale=alt.Scale(zero=False)),
            color="strategy:N",
            tooltip=list(points.columns),
        )
    )
    st.altair_chart(bars + dots, width="stretch")
    st.caption(
        "Bars: 95 % Wilson intervals on 200 validation images. Intervals that overlap are not "
        "a ranking: train more seeds before you crown a winner. Retention is the source task's "
        "accuracy after fine-tuning (it was "
        f"{rows[-1].source_before:.3f} before)."
        if rows[-1].source_before is not None
        else "Bars: 95 % Wilson intervals on 200 validation images."
    )
    lora_rows = [r for r in rows if r.label.startswith("LoRA")]
    if lora_rows:
        latest = lora_rows[-1].result
        assert latest.model is not None
        check = merge_check(latest.model)
        st.markdown(
            f"**Merging LoRA.** Folding the updates into the convolutions "
            f"(`merge_and_unload`) leaves {check.merged_parameters:,} parameters instead of "
            f"{check.adapted_parameters:,}; the largest difference between the outputs of the "
            f"two is {check.largest_difference:.1e}: the same "
            "network, with no extra cost at inference."
        )
st.markdown("The code that sets up the LoRA plan above, with `peft`:")
# Wrapped, not scrolled (a scrolling block is a region a keyboard cannot reach), and plain:
# the light theme's keyword colour reaches 3.8:1, under WCAG's 4.5:1 for text.
st.code(
    efficient_code(EfficientPlan(Strategy.LORA, rank=rank, alpha=alpha)),
    language=None,
    wrap_lines=True,
)


def reliability_chart(reliability: Reliability, title: str) -> alt.LayerChart:
    frame = pd.DataFrame(reliability.as_records())
    diagonal = (
        alt.Chart(pd.DataFrame({"c": [0.0, 1.0]}))
        .mark_line(strokeDash=[4, 4], color="grey")
        .encode(x="c:Q", y="c:Q")
    )
    dots = (
        alt.Chart(frame, title=title)
        .mark_circle()
        .encode(
            x=alt.X("confidence:Q", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("accuracy:Q", scale=alt.Scale(domain=[0, 1])),
            size="count:Q",
            tooltip=list(frame.columns),
        )
    )
    return diagonal + dots


st.subheader("Are its probabilities honest? Calibration")
runs = {"The lab's linear probe (20 epochs)": None} | {
    f"#{i + 1} {r.label} (seed {r.seed})": r.result for i, r in enumerate(rows)
}
which = st.selectbox("Model", list(runs), key="ft_calibrate")
run = runs[which] or from_pretrained(probe_run, spinner="Training the linear probe…")
report = calibration_report(
    run.val_probabilities, run.val_labels, run.test_probabilities, run.test_labels
)
a, b, c, d = st.columns(4)
a.metric("ECE, validation", f"{report.val_before.ece:.3f}")
b.metric("Temperature T (fitted on validation)", f"{report.temperature:.2f}")
c.metric("ECE, test, before", f"{report.test_before.ece:.3f}")
d.metric("ECE, test, after scaling", f"{report.test_after.ece:.3f}")
st.markdown(
    f"Test accuracy is {report.test_before.accuracy:.3f} before and "
    f"{report.test_after.accuracy:.3f} after: dividing the logits by one number never changes "
    "which class wins. Mean confidence on test moves from "
    f"{report.test_before.mean_confidence:.3f} to {report.test_after.mean_confidence:.3f}. "
    "T > 1 means the model was over-confident. "
    "Thresholds and cost-based decisions read these probabilities as probabilities, so they "
    "need calibrated scores; fit T on validation, never on test."
)
left, right = st.columns(2)
left.altair_chart(reliability_chart(report.test_before, "Test, before"), width="stretch")
right.altair_chart(
    reliability_chart(report.test_after, "Test, after temperature scaling"),
    width="stretch",
)

st.subheader("Which learning rate? The range test")
found = from_pretrained(probe_lr_range, spinner="Running the range test…")
tuned = TUNED_RATES[Preset.LINEAR_PROBE].head_lr
a, b, c = st.columns(3)
a.metric("Suggested rate (steepest fall)", f"{found.steepest_lr:.3g}")
b.metric("Rate at the lowest loss", f"{found.minimum_lr:.3g}")
c.metric("Rate the validation sweep chose", f"{tuned:.3g}")


def range_chart(found: LrRange) -> alt.LayerChart:
    frame = pd.DataFrame(found.as_records())
    line = (
        alt.Chart(frame)
        .mark_line()
        .encode(x=alt.X("learning rate:Q", scale=alt.Scale(type="log")), y="smoothed loss:Q")
    )
    raw = alt.Chart(frame).mark_circle(size=12, opacity=0.4).encode(x="learning rate:Q", y="loss:Q")
    rule = (
        alt.Chart(pd.DataFrame({"learning rate": [found.steepest_lr]}))
        .mark_rule(strokeDash=[6, 4], color="red")
        .encode(x="learning rate:Q")
    )
    return raw + line + rule


st.altair_chart(range_chart(found), width="stretch")
st.markdown(
    f"{len(found.losses)} AdamW steps of a fresh head on cached features, the rate growing "
    "from 1e-5 to 1. **Caveats:** the curve is one noisy run; the model changes while the rate "
    "grows, so the suggestion belongs to this batch size and this budget; the suggested rate "
    "is a start for a short validation sweep, not its replacement; with 200 images the steps "
    "cycle through the data many times, so a low loss late in the test is partly memorising."
)
if st.button("Run it on the partial plan too (layer4 + head, a few seconds)", key="ft_partial"):
    with st.spinner("Running the range test on layer4 + head…"):
        partial = partial_range(pretrained)
    st.metric("Partial plan: suggested rate", f"{partial.steepest_lr:.3g}")
    st.altair_chart(range_chart(partial), width="stretch")

st.subheader("One validation split, or k-fold cross-validation?")
st.markdown(
    "The lab's 200 training and 200 validation images, pooled, scored by a ridge probe on the "
    "frozen backbone's features. **One split** (half to fit, half to validate) is drawn again "
    "and again; **stratified k-fold** uses every image for validation once and averages the k "
    "folds, each time on a new shuffle."
)
left, right = st.columns(2)
folds = left.select_slider("Folds k", [3, 5, 10], value=5, key="ft_folds")
repeats = right.select_slider("Reshuffles", [5, 10, 20], value=10, key="ft_repeats")
spread = from_pretrained(lambda: split_comparison(folds, repeats), spinner="Fitting the probes…")
a, b = st.columns(2)
a.metric("Spread (sd) of one-split estimates", f"{spread.single_sd:.4f}")
b.metric(f"Spread (sd) of {folds}-fold means", f"{spread.cv_sd:.4f}")
estimates = pd.DataFrame(
    {
        "estimate": ["one split"] * repeats + [f"{folds}-fold mean"] * repeats,
        "validation accuracy": list(spread.single_split) + list(spread.cv_means),
    }
)
st.altair_chart(
    alt.Chart(estimates)
    .mark_tick(thickness=2, size=30)
    .encode(
        x=alt.X("validation accuracy:Q", scale=alt.Scale(zero=False)),
        y="estimate:N",
        color="estimate:N",
    ),
    width="stretch",
)
st.caption(
    "A smaller spread is what k-fold buys: a choice made on it (a learning rate, a strategy) "
    "depends less on which images happened to land in validation. If you tune on the k-fold "
    "mean, that mean is optimistic in turn: nest a second, outer split to report it."
)

st.subheader("Augmentation: more digits from the same ones")
st.markdown(
    f"`torchvision.transforms.v2.RandomAffine`: each training image rotated by up to "
    f"±{DEGREES:.0f}° and shifted by up to {SHIFT:.0%} of its width, anew every epoch. Only "
    "training batches are augmented; validation and test stay the images as they are. The "
    "classic leak is the reverse: augmented copies of *test* digits in the training set let "
    "the model see the test images, slightly moved, and the test score flatters it."
)
if st.button(
    "Train the partial plan with and without augmentation (50 and 200 images, seeds 0-1)",
    key="ft_augment",
):
    runs_done = []
    with st.spinner("Training 8 runs…"):
        for size in (50, 200):
            for run_seed in (0, 1):
                for augmented in (False, True):
                    runs_done.append(
                        augment_run(pretrained, train_size=size, seed=run_seed, augmented=augmented)
                    )
    st.session_state["ft_augment_runs"] = runs_done
if "ft_augment_runs" in st.session_state:
    frame = pd.DataFrame(
        [
            {
                "training images": r.train_size,
                "seed": r.seed,
                "augmented": "yes" if r.augmented else "no",
                "validation accuracy": r.val_accuracy,
                "seconds": round(r.seconds, 1),
            }
            for r in st.session_state["ft_augment_runs"]
        ]
    )
    st.dataframe(frame, hide_index=True)
    st.caption(
        "Two seeds show how much of a difference is luck: believe a gain only if it holds on "
        "both seeds and exceeds their spread."
    )
