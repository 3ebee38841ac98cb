"""Judging runs honestly: an interval beside every validation score, a paired test when two
runs are compared on the same validation items, and the seed spread beside a run's score.

200 validation digits cannot tell 0.975 from 0.985: the Wilson interval of either is about
±0.02 wide. Two runs scored on the *same* items are compared item by item (McNemar's exact
test): only the items one got right and the other wrong carry evidence. Neither counts the
training seed; the seed spread does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.lab.baselines import BaselineResult
from engine.lab.results import LabRun, RunResult, runs_table
from engine.lab.seeds import SeedSpread
from engine.metrics.uncertainty import (
    Interval,
    McNemarResult,
    bootstrap_macro_f1,
    mcnemar_exact,
    paired_bootstrap_difference,
    wilson_interval,
)

NOISE_LEVEL = 0.05  # p at or above this: the gap is within what item luck alone produces
INTERVAL_RESAMPLES = 2000


@dataclass(frozen=True)
class ValidationIntervals:
    """95 % intervals of a run's validation accuracy (Wilson) and macro-F1 (bootstrap)."""

    n_items: int
    accuracy: Interval
    macro_f1: Interval


def validation_correct(result: RunResult) -> np.ndarray:
    """One bool per validation item: did the run's chosen weights get it right?"""
    return result.val_probabilities.argmax(1) == result.val_labels


def validation_intervals(result: RunResult, confidence: float = 0.95) -> ValidationIntervals | None:
    """None when the run kept no validation predictions (stopped before its first epoch)."""
    n = len(result.val_labels)
    if n == 0 or result.val_probabilities.shape[0] != n:
        return None
    predicted = result.val_probabilities.argmax(1)
    correct = int(np.sum(predicted == result.val_labels))
    return ValidationIntervals(
        n,
        wilson_interval(correct, n, confidence),
        bootstrap_macro_f1(
            result.val_labels,
            predicted,
            result.val_probabilities.shape[1],
            confidence,
            resamples=INTERVAL_RESAMPLES,
        ),
    )


def interval_text(interval: Interval | None) -> str | None:
    return None if interval is None else f"{interval.low:.3f}–{interval.high:.3f}"


@dataclass(frozen=True)
class PairedComparison:
    """Two runs on the same validation items: who won which items, and what that is worth."""

    first: str
    second: str
    n_items: int
    mcnemar: McNemarResult
    difference: Interval  # accuracy of the second minus the first, paired bootstrap

    @property
    def within_noise(self) -> bool:
        return self.mcnemar.p_value >= NOISE_LEVEL

    def verdict(self) -> str:
        m = self.mcnemar
        first, second = self.first.split()[0], self.second.split()[0]
        counts = (
            f"On the same {self.n_items} validation items, {second} got {m.only_b_right} right "
            f"that {first} missed, and {first} got {m.only_a_right} right that {second} missed "
            f"(accuracy gap {self.difference.estimate:+.3f}, 95 % interval "
            f"{self.difference.low:+.3f} to {self.difference.high:+.3f}). "
        )
        if self.within_noise:
            return counts + (
                f"If the two were equally good, a split at least this uneven would happen "
                f"with probability {m.p_value:.2f}: **the gap is within noise**; do not crown "
                "either. This counts only the luck of which items are in validation, not the "
                "training seed: train both over seeds before choosing."
            )
        return counts + (
            f"A split this uneven would be unlikely if the two were equally good "
            f"(p = {m.p_value:.3g}). That says these two trained models differ on these items; "
            "it does not count the training seed, so check the seed spread of both before "
            "calling one strategy better."
        )


def compare_runs(first: LabRun, second: LabRun) -> PairedComparison:
    """McNemar's exact test and a paired bootstrap of the accuracy gap, on validation."""
    a, b = first.result, second.result
    if len(a.val_labels) == 0 or len(b.val_labels) == 0:
        raise ValueError("both runs need validation predictions; one stopped before an epoch")
    if a.val_labels.shape != b.val_labels.shape or not np.array_equal(a.val_labels, b.val_labels):
        raise ValueError(
            f"{first.label} and {second.label} were scored on different validation items "
            "(different tasks): a paired comparison needs the same items"
        )
    correct_a, correct_b = validation_correct(a), validation_correct(b)
    return PairedComparison(
        first.label,
        second.label,
        len(correct_a),
        mcnemar_exact(correct_a, correct_b),
        paired_bootstrap_difference(correct_a, correct_b, resamples=INTERVAL_RESAMPLES),
    )


def spread_text(spread: SeedSpread | None) -> tuple[str | None, str | None]:
    """("mean ± sd", "low–high") of a seed spread, or Nones when there is none."""
    if spread is None:
        return None, None
    return (
        f"{spread.mean:.3f} ± {spread.std:.3f}",
        f"{spread.low:.3f}–{spread.high:.3f}",
    )


def judged_runs_table(
    runs: Sequence[LabRun],
    revealed: Collection[str] = (),
    spreads: Mapping[str, SeedSpread] | None = None,
    intervals: Mapping[str, ValidationIntervals | None] | None = None,
) -> list[dict[str, str | int | float | None]]:
    """The runs table with a 95 % interval beside each validation score and, for runs
    trained over seeds, the validation accuracy's mean ± sd and range across seeds."""
    spreads, intervals = spreads or {}, intervals or {}
    rows = []
    for run, row in zip(runs, runs_table(runs, revealed), strict=True):
        judged = intervals.get(run.label) or validation_intervals(run.result)
        accuracy = interval_text(judged.accuracy) if judged else None
        macro_f1 = interval_text(judged.macro_f1) if judged else None
        mean_sd, value_range = spread_text(spreads.get(run.label))
        ordered: dict[str, str | int | float | None] = {}
        for key, value in row.items():
            ordered[key] = value
            if key == "validation accuracy":
                ordered["validation accuracy 95% interval"] = accuracy
            elif key == "validation macro-F1":
                ordered["validation macro-F1 95% interval"] = macro_f1
        ordered["validation accuracy over seeds (mean ± sd)"] = mean_sd
        ordered["over seeds (range)"] = value_range
        rows.append(ordered)
    return rows


def accuracy_intervals(
    runs: Sequence[LabRun], intervals: Mapping[str, ValidationIntervals | None] | None = None
) -> list[dict[str, str | float]]:
    """Each run's validation accuracy with its interval, for the comparison chart."""
    out: list[dict[str, str | float]] = []
    for run in runs:
        judged = (intervals or {}).get(run.label) or validation_intervals(run.result)
        if judged is None:
            continue
        out.append(
            {
                "run": run.label,
                "validation accuracy": judged.accuracy.estimate,
                "low": judged.accuracy.low,
                "high": judged.accuracy.high,
            }
        )
    return out


def baseline_intervals(baseline: BaselineResult) -> ValidationIntervals:
    n = len(baseline.val_labels)
    n_classes = int(max(baseline.val_labels.max(), baseline.val_predictions.max())) + 1
    return ValidationIntervals(
        n,
        wilson_interval(int(np.sum(baseline.val_predictions == baseline.val_labels)), n),
        bootstrap_macro_f1(
            baseline.val_labels, baseline.val_predictions, n_classes, resamples=INTERVAL_RESAMPLES
        ),
    )


def baseline_row(
    baseline: BaselineResult, revealed: Collection[str] = ()
) -> dict[str, str | int | float | None]:
    """A baseline in the judged runs table's columns (its setting where a run names its
    weights), network-only columns left empty: the page puts these rows right under the
    runs, in a table of their own so that the runs table holds runs only."""
    judged = baseline_intervals(baseline)
    return {
        "run": baseline.label,
        "task": baseline.task.value,
        "train images": baseline.train_size,
        "epochs": None,
        "setting": f"C = {baseline.c:g}, chosen on validation",
        "trainable": None,
        "validation accuracy": round(baseline.val_accuracy, 3),
        "validation accuracy 95% interval": interval_text(judged.accuracy),
        "validation macro-F1": round(baseline.val_macro_f1, 3),
        "validation macro-F1 95% interval": interval_text(judged.macro_f1),
        "validation recall (rare)": None,
        "validation AP (rare)": None,
        "glyphs (original head)": None,
        "glyphs (re-fitted probe)": None,
        "s/epoch": None,
        "test accuracy": (round(baseline.test_accuracy, 3) if baseline.label in revealed else None),
        "validation accuracy over seeds (mean ± sd)": None,
        "over seeds (range)": None,
    }
