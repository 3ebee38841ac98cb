"""Lesson 5: five ways metrics mislead, each with a live experiment to poke at."""

import altair as alt
import pandas as pd
import streamlit as st

from engine.metrics.classification import BinaryCounts, Metric, always_negative_counts, outcome_at
from engine.metrics.demos import (
    CurveConfig,
    leakage_demo,
    learning_curves,
    rare_class_scores,
)
from engine.metrics.training_curves import best_epoch
from lessons.components.charts import VERMILLION, series_colours


def line_chart(frame: pd.DataFrame, x: str, y: str, series: str, rule_at: float | None = None):
    """Lines per series (colour and dash both differ), optionally a rule at one x value."""
    chart = (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=f"{x}:Q",
            y=f"{y}:Q",
            color=alt.Color(f"{series}:N", scale=series_colours()),
            strokeDash=f"{series}:N",
            tooltip=[x, series, alt.Tooltip(f"{y}:Q", format=".3f")],
        )
    )
    if rule_at is not None:
        chart += alt.Chart(pd.DataFrame({x: [rule_at]})).mark_rule(color=VERMILLION).encode(x=x)
    st.altair_chart(chart.properties(height=280), width="stretch")
    with st.expander("Show as table"):
        st.dataframe(frame.pivot(index=x, columns=series, values=y).round(4))


def metric_tile(column, counts: BinaryCounts, metric: Metric) -> None:
    """The value, or "0 / 0" marked undefined where the denominator is zero (never a silent 0)."""
    if metric in counts.undefined():
        column.metric(metric.value, "0 / 0", "undefined", delta_color="off", delta_arrow="off")
    else:
        column.metric(metric.value, f"{counts.value(metric):.3f}")


def curves_frame(history, fields: dict[str, str], value: str) -> pd.DataFrame:
    rows = [(r.epoch, name, getattr(r, f)) for r in history for name, f in fields.items()]
    return pd.DataFrame(rows, columns=["epoch", "split", value])


st.title("Pitfalls")
st.markdown(
    "Five traps that make a fine-tuned model look better than it is. "
    "Each tab runs a small real experiment."
)
paradox, leakage, overfitting, tradeoffs, monitoring = st.tabs(
    [
        "Accuracy paradox",
        "Data leakage",
        "Overfitting",
        "Ignoring trade-offs",
        "Not monitoring validation",
    ]
)

with paradox:
    total = 10_000
    st.markdown(f'A "model" that answers *not fraud* for every one of {total:,} transactions:')
    rate = st.slider("Fraud rate (%)", 0.5, 50.0, 2.0, 0.5, key="pit_fraud_rate")
    counts = always_negative_counts(total=total, positive_rate=rate / 100)
    for column, metric in zip(st.columns(4), Metric, strict=True):
        metric_tile(column, counts, metric)
    st.markdown(
        f"It is right on all {counts.tn} honest transactions and catches none of the "
        f"{counts.fn} frauds: accuracy {counts.accuracy:.1%}, recall {counts.recall:.0%}. "
        "Precision is 0 / 0, *undefined*: the model flagged nothing, so there is no share of "
        "its flags to be right (scikit-learn reports it as 0 with a warning). "
        "The rarer the positive class, the better doing nothing looks. Judge rare classes "
        "by recall, precision and F1."
    )

with leakage:
    st.markdown(
        "A decision tree learns handwritten digits. Part of the test set is copied into its "
        "training data by mistake, and we also keep a second hold-out nobody touched."
    )
    leak = st.slider(
        "Share of the test set leaked into training (%)", 0, 100, 50, 10, key="pit_leak"
    )
    cached_leakage = st.cache_data(leakage_demo)
    result = cached_leakage(leak / 100)
    holdouts = [cached_leakage(step / 10).clean_holdout_accuracy for step in range(11)]
    gap = result.leaky_test_accuracy - result.clean_holdout_accuracy
    clean = cached_leakage(0.0)
    no_leak_gap = clean.leaky_test_accuracy - clean.clean_holdout_accuracy
    left, right = st.columns(2)
    left.metric(
        "Accuracy on the leaky test set",
        f"{result.leaky_test_accuracy:.3f}",
        f"{gap:+.3f} vs the hold-out",
    )
    right.metric("Accuracy on the untouched hold-out", f"{result.clean_holdout_accuracy:.3f}")
    st.markdown(
        f"{result.leaked_rows} test rows were seen in training. The tree remembers them, so "
        "the test score climbs with the leak, while the honest hold-out score barely moves "
        f"(between {min(holdouts):.3f} and {max(holdouts):.3f} across the slider). The gap "
        f"between the two, {gap:+.3f} here, is mostly the part of the test score that is "
        f"memory: even with no leak the two sets differ by {no_leak_gap:+.3f} by chance, and "
        "leaked "
        "rows are also extra training data, which nudges the hold-out too. "
        "Keep test data out of every step of fine-tuning, including choosing hyperparameters."
    )

config = CurveConfig()
history = st.cache_data(learning_curves, show_spinner="Training a small network…")(config)
best = best_epoch(history)

with overfitting:
    last = history[-1]
    st.markdown(
        f"A small network trained on {config.train_size} digits, {config.relabelled} of them "
        f"given random labels. By epoch {last.epoch} it gets {last.train_accuracy:.1%} of its "
        f"training set right but only {last.val_accuracy:.1%} of validation, down from "
        f"{best.val_accuracy:.1%} at epoch {best.epoch}: it learned the noise, not the digits."
    )
    fields = {"training": "train_accuracy", "validation": "val_accuracy"}
    line_chart(curves_frame(history, fields, "accuracy"), "epoch", "accuracy", "split", best.epoch)

with tradeoffs:
    st.markdown(
        "A classifier for the rare digit 8 outputs a score; the threshold turns it into yes "
        "or no. Move it and watch precision and recall pull against each other."
    )
    y_true, scores = st.cache_data(rare_class_scores)()
    threshold = st.slider("Decision threshold", 0.05, 0.95, 0.5, 0.05, key="pit_threshold")
    chosen = outcome_at(y_true, scores, threshold)
    for column, metric in zip(st.columns(4), Metric, strict=True):
        metric_tile(column, chosen, metric)
    sweep = [round(0.05 * i, 2) for i in range(1, 20)]
    accuracies = [outcome_at(y_true, scores, t).accuracy for t in sweep]
    st.markdown(
        f"Accuracy moves too, from {min(accuracies):.3f} to {max(accuracies):.3f} across the "
        "slider, but it cannot say *which* errors changed: the digits that are not 8 outweigh "
        "the eights about nine to one, so a threshold can miss most eights and still look "
        "accurate."
    )
    rows = [(t, m.value, outcome_at(y_true, scores, t).value(m)) for t in sweep for m in Metric]
    line_chart(
        pd.DataFrame(rows, columns=["threshold", "metric", "value"]),
        "threshold",
        "value",
        "metric",
        threshold,
    )
    silent = [t for t in sweep if Metric.PRECISION in outcome_at(y_true, scores, t).undefined()]
    if silent:
        st.caption(
            f"From threshold {min(silent):.2f} up the model flags nothing, so precision is "
            "0 / 0, undefined. The tiles say so; like scikit-learn with `zero_division=0`, "
            "the chart has to draw it somewhere and draws it as 0."
        )

with monitoring:
    st.markdown(
        "Here is the same run's loss as a training log would show it. Nothing looks wrong: "
        "it falls every epoch. Now turn on the validation curve."
    )
    show_val = st.checkbox("Show validation loss", key="pit_show_val")
    fields = {"training": "train_loss"} | ({"validation": "val_loss"} if show_val else {})
    line_chart(
        curves_frame(history, fields, "loss"),
        "epoch",
        "loss",
        "split",
        best.epoch if show_val else None,
    )
    if show_val:
        st.warning(
            f"Validation loss was lowest at epoch {best.epoch} ({best.val_loss:.3f}) and ends "
            f"at {history[-1].val_loss:.3f}. Only validation metrics reveal that."
        )
