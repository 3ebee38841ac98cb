"""The lab's honest-comparison widgets: intervals on the results, a chart of every run's
validation accuracy with its interval, a paired comparison of two runs, the seed spread."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from engine.lab.baselines import BaselineKind, BaselineResult, fit_baseline, learning_curve
from engine.lab.checkpoint import Pretrained
from engine.lab.config import FinetuneConfig
from engine.lab.data import TRAIN_SIZES, TaskKind
from engine.lab.freeze import PRESET_LABELS, Preset
from engine.lab.judging import (
    accuracy_intervals,
    compare_runs,
    interval_text,
    validation_intervals,
)
from engine.lab.results import LabRun, RunResult
from engine.lab.run_code import learning_rates, schedule_summary
from engine.lab.running.api import RunRequest
from engine.lab.running.choose import lab_executor
from engine.lab.schedulers import scheduler_curves
from engine.lab.seed_runs import SeedRuns, estimate_cost, run_over_seeds, same_but_seed
from engine.lab.seeds import SPREAD_SEEDS, SeedSpread
from engine.lab.tuning import (
    SWEEP_EPOCHS,
    SWEEP_PATIENCE,
    Sweep,
    sweep_configs,
    sweep_learning_rate,
    tuned_plan,
)
from lessons.components.charts import BLUE, series_colours


def interval_caption(result: RunResult) -> None:
    judged = validation_intervals(result)
    if judged is None:
        return
    st.caption(
        f"95 % intervals on the {judged.n_items} validation items: accuracy "
        f"{interval_text(judged.accuracy)} (Wilson), macro-F1 {interval_text(judged.macro_f1)} "
        "(bootstrap over items). Two runs whose intervals overlap this much may differ by "
        "luck alone; compare them item by item below."
    )


def accuracy_chart(runs: list[LabRun]) -> None:
    points = pd.DataFrame(accuracy_intervals(runs))
    if points.empty:
        return
    base = alt.Chart(points, title="Validation accuracy of every run, with its 95 % interval")
    order = list(points["run"])
    bars = base.mark_rule(color=BLUE).encode(
        y=alt.Y("run:N", sort=order, title=None),
        x=alt.X("low:Q", title="validation accuracy", scale=alt.Scale(zero=False)),
        x2="high:Q",
    )
    dots = base.mark_point(filled=True, color=BLUE, size=60).encode(
        y=alt.Y("run:N", sort=order),
        x="validation accuracy:Q",
        tooltip=[
            "run",
            alt.Tooltip("validation accuracy:Q", format=".3f"),
            alt.Tooltip("low:Q", format=".3f"),
            alt.Tooltip("high:Q", format=".3f"),
        ],
    )
    st.altair_chart(bars + dots)
    with st.expander("Show the intervals as a table"):
        st.dataframe(points.round(3), hide_index=True)


def paired_comparison(runs: list[LabRun]) -> None:
    """Pick two runs on the same task; McNemar on their validation items says if the gap
    is more than the luck of which items landed in validation."""
    with_items = [r for r in runs if len(r.result.val_labels)]
    if len(with_items) < 2:
        return
    st.markdown("**Is the gap between two runs more than noise?**")
    labels = [r.label for r in with_items]
    left, right = st.columns(2)
    first = left.selectbox("Run", labels, index=len(labels) - 2, key="lab_compare_a")
    second = right.selectbox("against run", labels, index=len(labels) - 1, key="lab_compare_b")
    if first == second:
        st.caption("Pick two different runs.")
        return
    by_label = {r.label: r for r in with_items}
    try:
        comparison = compare_runs(by_label[first], by_label[second])
    except ValueError as err:
        st.caption(str(err))
        return
    if comparison.within_noise:
        st.warning(comparison.verdict())
    else:
        st.info(comparison.verdict())


def seed_spread_section(
    config: FinetuneConfig, checkpoint: Pretrained, owner: str, past: list[LabRun]
) -> None:
    """Train the plan on screen once per seed, through the same executor as Train."""
    n = len(SPREAD_SEEDS)
    st.markdown(
        "A seed picks the training subset, the head's first weights and the batch order. "
        "Train the same plan once per seed and see how far validation accuracy moves: a gap "
        "between two runs smaller than this spread says little about the strategies."
    )
    st.caption(estimate_cost(config, past, n).text(n))
    if st.button("Train over seeds", key="lab_seeds"):
        wait_note = st.empty()
        bar = st.progress(0.0, text=f"Seed 1 of {n}…")

        def on_wait(position: int) -> None:
            if position:
                wait_note.info(
                    f"Other learners are training. You are number {position} in the queue."
                )
            else:
                wait_note.info("Waiting for a free worker in the training cluster…")

        def on_progress(fraction: float, seed: int) -> None:
            wait_note.empty()
            bar.progress(
                min(1.0, fraction), text=f"Seed {seed} ({SPREAD_SEEDS.index(seed) + 1} of {n})"
            )

        runs = run_over_seeds(
            config, checkpoint, owner, lab_executor(), on_wait=on_wait, on_progress=on_progress
        )
        if not runs.cancelled:
            st.session_state["lab_spread"] = runs.accuracy
            spreads: list[tuple[FinetuneConfig, SeedRuns]] = st.session_state.setdefault(
                "lab_spreads", []
            )
            spreads[:] = [*[(c, s) for c, s in spreads if c != config][-11:], (config, runs)]
            if runs.replayed:
                st.caption(f"{runs.replayed} of {n} seeds replayed from the run store.")
    spread = st.session_state.get("lab_spread")
    if spread is not None:
        st.dataframe(pd.DataFrame(spread.rows()), hide_index=True)
        st.markdown(
            f"Validation accuracy over seeds {', '.join(map(str, spread.seeds))}: mean "
            f"**{spread.mean:.3f}**, standard deviation **{spread.std:.3f}**, from "
            f"**{spread.low:.3f}** to **{spread.high:.3f}**."
        )


def spreads_by_run(runs: list[LabRun]) -> dict[str, SeedSpread]:
    """Each run's seed spread: the spread of the same plan and data, whatever its seed."""
    spreads: list[tuple[FinetuneConfig, SeedRuns]] = st.session_state.get("lab_spreads", [])
    found = {}
    for run in runs:
        for config, seed_runs in spreads:
            if same_but_seed(config, run.config):
                found[run.label] = seed_runs.accuracy
    return found


@st.cache_data(show_spinner="Fitting the pixel baselines…", max_entries=32)
def cached_baseline(
    kind: BaselineKind, task: TaskKind, train_size: int, seed: int
) -> BaselineResult:
    return fit_baseline(kind, task, train_size, seed)


def baselines_for(runs: list[LabRun]) -> list[BaselineResult]:
    """Both baselines on the data of the latest run (its task, size and seed)."""
    if not runs:
        return []
    config = runs[-1].config
    return [
        cached_baseline(kind, TaskKind(config.task), config.train_size, config.seed)
        for kind in BaselineKind
    ]


CURVE_PRESETS = (Preset.LINEAR_PROBE, Preset.PARTIAL, Preset.SCRATCH)


def learning_curve_section(checkpoint: Pretrained, owner: str, past: list[LabRun]) -> None:
    """Validation accuracy against training-set size: pretrained vs scratch vs the SVM,
    each preset at its tuned rates and budget, trained through the lab's executor."""
    configs = {
        PRESET_LABELS[preset]: FinetuneConfig(
            tuned_plan(preset),
            epochs=SWEEP_EPOCHS,
            patience=SWEEP_PATIENCE,
            measure_retention=False,
        )
        for preset in CURVE_PRESETS
    }
    seconds = sum(
        estimate_cost(dataclasses.replace(c, train_size=size), past, 1).seconds
        for c in configs.values()
        for size in TRAIN_SIZES
    )
    st.markdown(
        "Does pretraining pay? Train each strategy, at its own tuned rates, on "
        f"{', '.join(map(str, TRAIN_SIZES))} images and compare with an RBF SVM on the raw "
        "pixels. Pretrained features matter most when labelled data is scarce; with enough "
        "data the gap to a simple model or to training from scratch narrows."
    )
    st.caption(
        f"{len(configs) * len(TRAIN_SIZES)} runs and {len(TRAIN_SIZES)} SVM fits: at most "
        f"about **{seconds:.0f} s** on this server (early stopping ends most runs sooner; "
        "runs already stored are replayed)."
    )
    if st.button("Draw the learning curve", key="lab_curve"):
        bar = st.progress(0.0, text="Starting…")

        def network(config: FinetuneConfig) -> Callable[[int], float]:
            def train(size: int) -> float:
                request = RunRequest(
                    dataclasses.replace(config, train_size=size), checkpoint, owner
                )
                return lab_executor().run(request).result.val_accuracy

            return train

        def on_point(done: int, total: int) -> None:
            bar.progress(done / total, text=f"{done} of {total}")

        st.session_state["lab_curve"] = learning_curve(
            TRAIN_SIZES,
            {name: network(config) for name, config in configs.items()},
            on_point=on_point,
        )
    curve = st.session_state.get("lab_curve")
    if curve:
        frame = pd.DataFrame([dataclasses.asdict(p) for p in curve])
        st.altair_chart(
            alt.Chart(frame, title="Validation accuracy against training images")
            .mark_line(point=True)
            .encode(
                x=alt.X("train_size:Q", scale=alt.Scale(type="log"), title="training images"),
                y=alt.Y("val_accuracy:Q", scale=alt.Scale(zero=False), title="validation accuracy"),
                color=alt.Color("model:N", scale=series_colours()),
                strokeDash="model:N",
                tooltip=["model", "train_size", alt.Tooltip("val_accuracy:Q", format=".3f")],
            )
        )
        with st.expander("Show the learning curve as a table"):
            st.dataframe(frame.round(3), hide_index=True)


def schedule_chart(config: FinetuneConfig) -> None:
    """The learning rate of each optimizer group at every planned step, and the rule."""
    frame = pd.DataFrame([dataclasses.asdict(r) for r in learning_rates(config)])
    st.markdown("**The learning rate at every step of this plan**")
    st.caption(schedule_summary(config))
    if frame.empty:
        return
    st.altair_chart(
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=alt.X("step:Q", title="optimizer step"),
            y=alt.Y("learning_rate:Q", title="learning rate"),
            color=alt.Color("group:N", scale=series_colours(["head", "backbone"])),
            strokeDash="group:N",
            tooltip=["step", "epoch", "group", alt.Tooltip("learning_rate:Q", format=".2e")],
        )
        .properties(height=180)
    )
    st.caption(
        "With PyTorch's own schedulers this is `LinearLR(optimizer, start_factor=1 / warmup_steps, "
        "total_iters=warmup_steps - 1)` for the warm-up times `CosineAnnealingLR(optimizer, "
        "T_max=total_steps)`, stepped after every batch. Other common shapes: `StepLR` "
        "multiplies the rate by `gamma` every `step_size` epochs; `ExponentialLR` multiplies "
        "it by `gamma` every epoch."
    )


def tune_section(
    config: FinetuneConfig, checkpoint: Pretrained, owner: str, past: list[LabRun]
) -> None:
    """Sweep the plan on screen over its rates one step down, as set and one step up, judge
    on validation only, and offer the chosen rates back to the sliders."""
    weights = sum(p.numel() for p in checkpoint.model.parameters())
    st.markdown(
        "Strategies are compared **each at its own best**. A linear probe trains a single "
        f"layer and wants a large rate; full fine-tuning moves all {weights:,} pretrained "
        "weights and wants a small one. Give both one rate and the comparison ranks the "
        "rate, not the strategy. So tune each on validation first; the test set stays "
        "untouched until you have chosen."
    )
    candidates = sweep_configs(config)
    seconds = sum(estimate_cost(c, past, 1).seconds for c in candidates)
    st.caption(
        f"{len(candidates)} runs (rates ×⅓, as set, ×3, their ratio kept): at most about "
        f"**{seconds:.0f} s**."
    )
    if st.button("Tune the learning rate on validation", key="lab_tune", disabled=not candidates):
        bar = st.progress(0.0, text="Starting…")

        def train(candidate: FinetuneConfig) -> RunResult:
            return lab_executor().run(RunRequest(candidate, checkpoint, owner)).result

        def on_run(done: int, total: int) -> None:
            bar.progress(done / total, text=f"{done} of {total} runs")

        st.session_state["lab_sweep"] = (
            config.plan.preset,
            sweep_learning_rate(config, train, on_run=on_run),
        )
    stored = st.session_state.get("lab_sweep")
    if stored is None or stored[0] != config.plan.preset:
        return
    sweep: Sweep = stored[1]
    st.dataframe(pd.DataFrame(sweep.rows()), hide_index=True)
    best = sweep.chosen
    st.markdown(
        f"Chosen on validation: head **{best.head_lr}**, backbone **{best.backbone_lr}** "
        f"(validation accuracy {best.val_accuracy:.3f}). Points within a validation item or "
        "two of each other are a tie in all but name; the seed spread tells you how much."
    )
    preset = config.plan.preset

    def use_chosen() -> None:
        st.session_state[f"lab_head_lr_{preset}"] = best.head_lr
        st.session_state[f"lab_bb_lr_{preset}"] = best.backbone_lr

    st.button("Use these rates", key="lab_use_tuned", on_click=use_chosen)


def scheduler_shapes() -> None:
    """StepLR, ExponentialLR and CosineAnnealingLR side by side, from PyTorch itself."""
    st.markdown(
        "Three schedulers you will meet in PyTorch code, stepped once per epoch "
        "(`scheduler.step()` after each epoch's batches). Each multiplies the base rate: "
        "StepLR by `gamma` every `step_size` epochs, ExponentialLR by `gamma` every epoch, "
        "CosineAnnealingLR along half a cosine to 0 at `T_max`. The lab itself steps its "
        "cosine per batch, which is the same curve in finer steps."
    )
    a, b, c = st.columns(3)
    step_size = a.slider("StepLR step_size (epochs)", 1, 15, 10, key="lab_sched_step")
    step_gamma = b.select_slider("StepLR gamma", [0.1, 0.3, 0.5], 0.1, key="lab_sched_sg")
    exp_gamma = c.select_slider("ExponentialLR gamma", [0.8, 0.9, 0.95], 0.9, key="lab_sched_eg")
    curves = scheduler_curves(0.01, 30, step_size, step_gamma, exp_gamma)
    frame = pd.DataFrame(
        [
            {"epoch": epoch, "scheduler": name, "learning rate": value}
            for name, values in curves.items()
            for epoch, value in enumerate(values)
        ]
    )
    st.altair_chart(
        alt.Chart(frame, title="Learning rate per epoch from a base rate of 0.01")
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("learning rate:Q"),
            color=alt.Color("scheduler:N", scale=series_colours()),
            strokeDash="scheduler:N",
            tooltip=["scheduler", "epoch", alt.Tooltip("learning rate:Q", format=".2e")],
        )
        .properties(height=220)
    )
    with st.expander("Show the schedulers as a table"):
        st.dataframe(frame.pivot(index="epoch", columns="scheduler", values="learning rate"))
