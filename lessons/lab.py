"""The freezing lab: choose which blocks of a pretrained ResNet train, press Train, compare runs."""

import dataclasses
import uuid

import pandas as pd
import streamlit as st

from engine.lab.checkpoint import Pretrained, load_pretrained
from engine.lab.config import BATCH_SIZES, FinetuneConfig, Imbalance
from engine.lab.data import TRAIN_POOL_SIZE, TRAIN_SIZES, TaskKind, class_names
from engine.lab.device import available_devices
from engine.lab.freeze import (
    ALL_BLOCKS,
    HEAD,
    PRESET_LABELS,
    BatchNormMode,
    Preset,
    build_model,
    preset_plan,
)
from engine.lab.judging import baseline_row, judged_runs_table
from engine.lab.params import parameter_table
from engine.lab.results import (
    LabRun,
    classification_report,
    rare_class_validation,
    validation_losses,
    weights_label,
)
from engine.lab.run_code import run_code
from engine.lab.running.api import RunLost, RunRequest
from engine.lab.running.choose import lab_executor
from engine.lab.seeds import SPREAD_SEEDS
from engine.lab.tuning import LR_GRID, SWEEP_EPOCHS, tuned_plan
from engine.lab.warmup_evidence import warmup_claim
from engine.metrics.training_curves import EpochRecord
from lessons.components.charts import count_heatmap, curves_chart, epoch_frame, runs_chart
from lessons.components.code_exercise import write_the_plan_yourself
from lessons.components.lab_judging import (
    accuracy_chart,
    baselines_for,
    interval_caption,
    learning_curve_section,
    paired_comparison,
    schedule_chart,
    scheduler_shapes,
    seed_spread_section,
    spreads_by_run,
    tune_section,
)
from lessons.components.pretrained import from_pretrained

MAX_RUNS_KEPT = 12  # per session, oldest dropped first: enough to compare every preset
LEARNING_RATES = list(LR_GRID)
TASK_LABELS = {TaskKind.DIGITS: "Digits (10 classes)", TaskKind.RARE_EIGHT: "Is it an 8? (rare)"}
IMBALANCE_LABELS = {
    Imbalance.NONE: "none",
    Imbalance.CLASS_WEIGHTS: "class-weighted loss",
    Imbalance.RESAMPLE: "resample (eights drawn as often as the rest)",
}


@st.cache_resource(show_spinner="Loading the pretrained checkpoint…")
def pretrained_checkpoint() -> Pretrained:
    # One read-only copy per server; every run trains its own deep copy.
    return load_pretrained()


HISTORY_COLUMNS = {
    "train loss": "train_loss",
    "validation loss": "val_loss",
    "validation accuracy": "val_accuracy",
    "validation macro-F1": "val_macro_f1",
    "seconds so far": "elapsed_s",
}


def history_frame(history: list[EpochRecord]) -> pd.DataFrame:
    return epoch_frame(history, HISTORY_COLUMNS)


def draw_curves(slot, history: list[EpochRecord]) -> None:
    frame = history_frame(history)
    with slot.container():
        left, right = st.columns(2)
        left.altair_chart(curves_chart(frame, ["train loss", "validation loss"], title="Loss"))
        right.altair_chart(
            curves_chart(frame, ["validation accuracy", "validation macro-F1"], title="Validation")
        )


st.title("Freezing lab")
checkpoint = from_pretrained(pretrained_checkpoint, failure="The lab cannot start")
st.markdown(
    "A small ResNet (torchvision's `BasicBlock`, the same block names as `resnet18`) was "
    f"pretrained on {len(checkpoint.source_classes)} kinds of computer-drawn glyphs. Here you "
    "fine-tune it on real handwritten digits. Choose what to freeze, press **Train**, and "
    "watch accuracy, validation loss, speed and what the network still knows about glyphs."
)

session_runs: list[LabRun] = st.session_state.setdefault("lab_runs", [])
owner = st.session_state.setdefault("lab_owner", uuid.uuid4().hex)

st.subheader("1. Choose a strategy")
preset = st.selectbox(
    "Preset", list(Preset), format_func=PRESET_LABELS.get, index=0, key="lab_preset"
)
# Each preset starts at the rates its own validation sweep chose (engine.lab.tuning).
base = tuned_plan(preset)
trainable = set(base.trainable)
if preset is Preset.CUSTOM:
    st.caption("Tick the blocks that learn. The head is the new 10-way (or 2-way) layer.")
    for column, block in zip(st.columns(len(ALL_BLOCKS)), ALL_BLOCKS, strict=True):
        on = column.checkbox(
            block if block != HEAD else "fc", block in trainable, key=f"lab_b_{block}"
        )
        trainable = trainable | {block} if on else trainable - {block}
left, right = st.columns(2)
head_lr = left.select_slider(
    "Head learning rate", LEARNING_RATES, base.head_lr, key=f"lab_head_lr_{preset}"
)
backbone_lr = right.select_slider(
    "Backbone learning rate", LEARNING_RATES, base.backbone_lr, key=f"lab_bb_lr_{preset}"
)
bn_mode = st.radio(
    "BatchNorm in frozen blocks",
    list(BatchNormMode),
    format_func={
        BatchNormMode.EVAL: "eval mode: keep the pretrained running statistics",
        BatchNormMode.TRAIN: "train mode: running statistics drift to the new data",
    }.get,
    horizontal=False,
    key="lab_bn",
)
plan = preset_plan(
    preset,
    trainable=frozenset(trainable),
    head_lr=head_lr,
    backbone_lr=backbone_lr,
    frozen_bn=bn_mode,
)

st.subheader("2. Data and budget")
c1, c2, c3, c4 = st.columns(4)
task = c1.radio("Task", list(TaskKind), format_func=TASK_LABELS.get, key="lab_task")
train_size = c2.select_slider(
    "Training images", TRAIN_SIZES, 200, key="lab_train_size",
    help=f"{TRAIN_POOL_SIZE} = every training image.",
)  # fmt: skip
epochs = c3.slider(
    "Epochs", 1, 30, SWEEP_EPOCHS, key="lab_epochs",
    help="An upper bound: with early stopping a run ends once validation loss stops "
    "improving. The tuned rates were chosen with this budget.",
)  # fmt: skip
batch_size = c4.selectbox("Batch size", BATCH_SIZES, index=1, key="lab_batch")
d1, d2, d3 = st.columns([2, 1, 1])
device = d1.selectbox(
    "Device", available_devices(), key="lab_device", help="auto: CUDA, then MPS, then CPU"
)
early_stopping = d2.checkbox(
    "Early stopping", True, key="lab_early_stop",
    help="Stop when validation loss has not improved for `patience` epochs, then put back "
    "the weights of the epoch with the lowest validation loss.",
)  # fmt: skip
patience = d3.number_input(
    "Patience (epochs)", 1, 30, 3, key="lab_patience", disabled=not early_stopping
)
w1, w2 = st.columns(2)
warmup = w1.number_input(
    "Warm-up epochs", 0, 10, 0, key="lab_warmup",
    help="The learning rate climbs linearly from almost 0 over these epochs, so the new "
    "head's first, random gradients move the pretrained backbone less. " + warmup_claim(),
)  # fmt: skip
imbalance = Imbalance.NONE
if task is TaskKind.RARE_EIGHT:
    imbalance = w2.radio(
        "Rare class remedy", list(Imbalance), format_func=IMBALANCE_LABELS.get,
        key="lab_imbalance",
        help="Judge it by the eights' recall and average precision below, not accuracy.",
    )  # fmt: skip
st.caption(
    "Learning rates for fine-tuning: a backbone rate below the head's (the *Discriminative* "
    "preset: 0.001 vs 0.01) moves pretrained features less; warm-up softens the start, "
    "which matters at high rates (see its help); "
    "*LP-FT* trains the head alone for 3 epochs, then everything, so the backbone's first "
    "updates follow a useful head rather than a random one."
)
config = FinetuneConfig(
    plan, task=task, train_size=train_size, epochs=epochs, batch_size=batch_size, device=device,
    patience=int(patience) if early_stopping else None, warmup_epochs=min(int(warmup), epochs - 1),
    imbalance=imbalance,
)  # fmt: skip

n_classes = len(class_names(task))
table = parameter_table(build_model(plan, checkpoint.model, n_classes))
st.subheader("3. What will train")
m1, m2, m3 = st.columns(3)
m1.metric("Trainable parameters", f"{table.trainable_scalars:,}")
m2.metric("Frozen parameters", f"{table.total_scalars - table.trainable_scalars:,}")
m3.metric("Trainable tensors", f"{table.trainable_tensors} of {table.total_tensors}")
st.dataframe(pd.DataFrame(table.as_records()), hide_index=True)
st.caption(
    "Freezing a block sets `requires_grad = False` on each of its parameter tensors (a "
    "freshly built layer, like the new head, starts with `requires_grad = True`). "
    "`sum(p.numel() for p in model.parameters() if p.requires_grad)` counts the trainable "
    "scalars above; counting the tensors instead gives the much smaller tensor count."
)
if config.uses_cached_features:
    st.info(
        "The whole backbone is frozen and its BatchNorm is in eval mode, so its features never "
        "change: they are computed once and only the head trains on them."
    )
schedule_chart(config)
with st.expander("StepLR, ExponentialLR and CosineAnnealingLR side by side"):
    scheduler_shapes()
with st.expander("The PyTorch code for this plan"):
    st.caption(
        "The whole run, schedule, warm-up and early stopping included: run it and it gives "
        "the numbers Train gives for the same seed (a test holds the two together)."
    )
    st.code(run_code(config), language="python")
write_the_plan_yourself(plan)

if not table.trainable_scalars:
    st.warning(
        "Nothing is trainable: PyTorch will refuse to build an optimizer. "
        "Tick at least one block (usually the head)."
    )

st.subheader("4. Train")
just_trained = False
if st.session_state.get("lab_stop"):
    st.info("Training stopped. That run was discarded; your earlier runs are below.")
if st.button("Train", type="primary", key="lab_train", disabled=not table.trainable_scalars):
    # Any click reruns the script, which interrupts this one at its next progress update
    # (the queue slot is released on the way out): that is all a Stop button needs to do.
    st.button("Stop", key="lab_stop")
    wait_note, progress = st.empty(), st.progress(0.0, text="Waiting…")
    chart_slot = st.empty()
    history: list[EpochRecord] = []

    def on_wait(position: int) -> None:
        if not position:  # 0: the place could not be counted (see engine.store.cluster_queue)
            wait_note.info("Waiting for a free worker in the training cluster…")
            return
        running, _waiting = lab_executor().queue_counts()
        wait_note.info(f"Other learners are training ({running} running). You are number "
                       f"{position} in the queue.")  # fmt: skip

    def on_epoch(stats: EpochRecord) -> None:
        wait_note.empty()
        history.append(stats)
        draw_curves(chart_slot, history)

    def on_batch(step) -> None:
        progress.progress(step.fraction, text=f"Epoch {step.epoch} of {step.epochs}")

    try:
        # Inline (the default), training runs in this session's script thread and the queue
        # only says whose turn it is; with TUNELAB_RAY_ADDRESS it runs on a Ray worker.
        executed = lab_executor().run(
            RunRequest(config, checkpoint, owner, on_wait, on_epoch, on_batch)
        )
    except RunLost as err:
        st.error(str(err))
        st.stop()
    except ValueError as err:
        st.error(f"PyTorch refused this plan: {err}")
        st.stop()
    if executed.replayed:
        st.caption("Replayed: someone already ran exactly this, so these are the stored numbers.")
    elif executed.where != "this server":
        st.caption(f"Trained on {executed.where}.")
    progress.progress(1.0, text="Done")
    number = st.session_state.get("lab_run_number", 0) + 1  # never reused, even after drops
    st.session_state["lab_run_number"] = number
    label = f"#{number} {PRESET_LABELS[preset]}" + (" (replayed)" if executed.replayed else "")
    # Keep the numbers, not the network (LabRun says why).
    session_runs.append(LabRun(label, config, dataclasses.replace(executed.result, model=None)))
    del session_runs[:-MAX_RUNS_KEPT]
    just_trained = True

with st.expander("Tune the learning rate on validation"):
    tune_section(config, checkpoint, owner, session_runs)
with st.expander(f"How much is the seed? Run this plan over {len(SPREAD_SEEDS)} seeds"):
    seed_spread_section(config, checkpoint, owner, session_runs)

if not session_runs:
    st.caption("Press Train: the first chart point appears after one epoch (a second or two).")
    st.stop()

latest = session_runs[-1]
result = latest.result
st.subheader(f"Results of run {latest.label}")
stop_note = (
    f" Early stopping ended it after {len(result.history)} of {latest.config.epochs} epochs."
    if result.stopped_early
    else ""
)
st.caption(
    f"Every figure below was measured with the weights of **{weights_label(result)}**."
    + stop_note
    + " Validation is what you compare and choose on; the test score waits below."
)
r1, r2, r3, r4 = st.columns(4)
r1.metric("Validation accuracy", f"{result.val_accuracy:.3f}")
r2.metric("Validation macro-F1", f"{result.val_macro_f1:.3f}")
r3.metric("Best epoch (lowest val loss)", result.best_epoch)
r4.metric("Seconds per epoch", f"{result.seconds_per_epoch:.3f}", help=f"device: {result.device}")
interval_caption(result)
st.caption(
    f"Device: {result.device}. Cached features: {'yes' if result.used_cached_features else 'no'}. "
    f"Whole run: {result.total_s:.1f} s."
)
rare = rare_class_validation(result)
if rare is not None:
    q1, q2 = st.columns(2)
    q1.metric("Validation recall of the eights", f"{rare.recall:.3f}", help="At threshold 0.5.")
    q2.metric(
        "Validation average precision (eights)",
        f"{rare.average_precision:.3f}",
        help="scikit-learn's average_precision_score: the precision-recall curve in one number.",
    )
    st.caption(
        "On a rare class, accuracy flatters a model that rarely says *8*. A remedy (class "
        "weights, resampling) mostly moves where the default threshold falls: recall jumps "
        "while average precision, which scores the ranking at every threshold, barely moves."
    )
if not just_trained:  # the live chart above already shows this run
    draw_curves(st.empty(), result.history)
with st.expander("Show the curves as a table"):
    st.dataframe(history_frame(result.history), hide_index=True)

if result.retention is not None:
    kept = result.retention
    g1, g2 = st.columns(2)
    g1.metric(
        "Source (glyph) accuracy through the original head",
        f"{kept.after:.3f}",
        delta=f"{kept.after - kept.before:+.3f} vs {kept.before:.3f} before fine-tuning",
        help="The pretrained glyph head, put back on the fine-tuned backbone.",
    )
    if kept.probe_after is not None and kept.probe_before is not None:
        g2.metric(
            "Source (glyph) accuracy, re-fitted probe",
            f"{kept.probe_after:.3f}",
            delta=f"{kept.probe_after - kept.probe_before:+.3f} vs {kept.probe_before:.3f} "
            "before fine-tuning",
            help="A new linear classifier (ridge, two-fold cross-validation) fitted on the "
            "fine-tuned backbone's features of the glyph images.",
        )
    st.caption(
        "Two questions, two answers. The original head asks whether the old classifier still "
        "reads the new features; the re-fitted probe asks whether the glyph knowledge is still "
        "in the features at all. Fine-tuning can move features the old head no longer "
        "understands while keeping what they encode, so the two can rank strategies in "
        "opposite orders: compare full and partial fine-tuning in the table below."
    )
else:
    st.caption("From scratch: there was no pretrained knowledge to keep.")

names = list(result.class_names)
per_class, confusion, _macro = classification_report(
    result.val_labels, result.val_probabilities.argmax(1), result.class_names
)
cells = pd.DataFrame(
    [
        {"true": names[i], "predicted": names[j], "count": count}
        for i, row in enumerate(confusion)
        for j, count in enumerate(row)
    ]
)
st.altair_chart(count_heatmap(cells, names, title="Confusion matrix (validation set)"))
with st.expander("Show the confusion matrix as a table"):
    st.dataframe(pd.DataFrame(confusion, index=names, columns=names))
st.dataframe(pd.DataFrame([vars(c) for c in per_class]).round(3), hide_index=True)

st.subheader("Your runs side by side")
st.markdown(
    "Runs are compared on **validation**. The test score of a run stays hidden until you "
    "reveal it: look once, at the run you have already chosen."
)
revealed: set[str] = st.session_state.setdefault("lab_revealed", set())


def reveal(label: str) -> None:
    if label not in revealed:
        revealed.add(label)
        st.session_state["lab_peeks"] = st.session_state.get("lab_peeks", 0) + 1


baselines = baselines_for(session_runs)
st.dataframe(
    pd.DataFrame(judged_runs_table(session_runs, revealed, spreads_by_run(session_runs))),
    hide_index=True,
)
st.dataframe(pd.DataFrame([baseline_row(b, revealed) for b in baselines]), hide_index=True)
st.caption(
    "The second table holds baselines without any network: logistic regression and an RBF SVM on "
    "the raw 8×8 pixels of the same training digits, their one setting chosen on the same "
    "validation items. Fine-tuning is worth its cost only if it beats them by more than noise."
)
accuracy_chart(session_runs)
paired_comparison(session_runs)
hidden = [run for run in session_runs if run.label not in revealed]
for column, run in zip(st.columns(max(1, min(4, len(hidden)))) * 3, hidden, strict=False):
    column.button(
        f"Reveal test score of {run.label.split()[0]}",
        key=f"lab_reveal_{run.label.split()[0]}",
        on_click=reveal,
        args=(run.label,),
    )
for column, baseline in zip(st.columns(2), baselines, strict=False):
    if baseline.label not in revealed:
        column.button(
            f"Reveal test score of the {baseline.kind.value.replace('_', ' ')} baseline",
            key=f"lab_baseline_reveal_{baseline.kind}_{baseline.train_size}_{baseline.task}",
            on_click=reveal,
            args=(baseline.label,),
        )
peeks = st.session_state.get("lab_peeks", 0)
if peeks:
    st.info(
        f"You have looked at **{peeks}** test score{'s' if peeks != 1 else ''}. Looking once at "
        "the run you chose on validation gives an honest estimate. Looking at several and "
        "keeping the best turns the test set into one more validation set: the best of "
        f"{peeks} test scores is optimistic, by more the more runs you compare, and nothing "
        "unseen is left to tell you by how much."
    )
overlay = pd.DataFrame(validation_losses(session_runs))
st.altair_chart(runs_chart(overlay, title="Validation loss of every run", value="validation loss"))
with st.expander("Show every run's validation loss as a table"):
    st.dataframe(overlay, hide_index=True)
with st.expander("Was fine-tuning worth it? A learning curve against a pixel SVM"):
    learning_curve_section(checkpoint, owner, session_runs)
if st.button("Clear my runs", key="lab_clear"):
    session_runs.clear()
    st.rerun()
