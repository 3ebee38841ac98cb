"""Item statistics from recorded test responses: facility, discrimination, choices, flags.

A code question's "choice" counts are how often each of its checks failed
(``failed: <check name>``), read from the recorded outcome.

Input: a DataFrame with one row per answer (``engine.store.reports.responses_frame``):
columns ``attempt_id``, ``question_id``, ``score``, ``max_score``, ``response`` (chosen choice ids
as a list, or a number) and, optionally, ``question_fingerprint``. An item is a question id
*and* fingerprint, so an edited question starts fresh statistics.

Definitions (as Moodle's quiz statistics report, with fractions instead of percentages):

* facility index: mean of score / max_score over the attempts that answered the item.
* discrimination index: Pearson correlation, across the attempts that answered the item,
  between the item's score and the *rest of the test* (the attempt's total minus this item),
  so an item does not correlate with itself. Undefined (NaN) when either varies not at all.
* test mean and standard deviation: of attempt totals (sum of raw scores); sample SD (n-1).
* Cronbach's alpha: k/(k-1) · (1 - Σ var(item) / var(total)) over the attempts that answered
  every item (sample variances); NaN with fewer than 2 items or 2 such attempts.

Flags (see FlagThresholds; none before ``min_attempts``): negative discrimination (likely a
wrong key); discrimination below 0.10 (Moodle's guide calls below ~0.20 weak, we flag only
near-zero so weak-but-working items are not cried wolf); facility above 0.95 (everyone gets
it) or below 0.10 (nobody does); a wrong choice that nobody picked (a distractor that does
not distract: needs the bank's choices).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

REQUIRED_COLUMNS = ("attempt_id", "question_id", "score", "max_score", "response")


class ItemFlag(StrEnum):
    """Why an item looks broken; the value is the sentence an instructor reads."""

    NEGATIVE_DISCRIMINATION = (
        "negative discrimination: learners who do well elsewhere do worse here (check the key)"
    )
    NEAR_ZERO_DISCRIMINATION = "near-zero discrimination: the item does not separate learners"
    TOO_EASY = "facility above 0.95: almost everyone gets it right"
    TOO_HARD = "facility below 0.10: almost nobody gets it right"
    UNPICKED_DISTRACTOR = "a wrong choice nobody picked: it does not distract"


@dataclass(frozen=True)
class FlagThresholds:
    min_attempts: int = 5  # fewer answers than this: too little evidence to flag anything
    facility_high: float = 0.95
    facility_low: float = 0.10
    near_zero_discrimination: float = 0.10


@dataclass(frozen=True)
class ItemStatistics:
    question_id: str
    question_fingerprint: str | None
    attempts: int
    facility: float
    discrimination: float  # NaN when undefined
    choice_counts: dict[str, int] = field(default_factory=dict)
    unpicked_distractors: tuple[str, ...] = ()
    flags: tuple[ItemFlag, ...] = ()


@dataclass(frozen=True)
class OverallStatistics:
    """Whole-test figures (named so pytest never mistakes it for a test class)."""

    attempts: int
    mean: float
    standard_deviation: float
    cronbach_alpha: float
    items_in_alpha: int
    attempts_in_alpha: int


def _check_columns(frame: pd.DataFrame) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in frame.columns]
    if missing:
        raise ValueError(
            f"Responses frame lacks column(s) {', '.join(missing)}; "
            f"expected {', '.join(REQUIRED_COLUMNS)} (as store.reports.responses_frame gives)."
        )


def _item_codes(frame: pd.DataFrame) -> tuple[np.ndarray, list[tuple[str, str | None]]]:
    """An integer code per row for its item, and the (question id, fingerprint) per code."""
    fingerprints = (
        list(frame["question_fingerprint"])
        if "question_fingerprint" in frame
        else [None] * len(frame)
    )
    keys = list(zip(frame["question_id"], fingerprints, strict=True))
    labels = sorted(set(keys), key=lambda key: (str(key[0]), str(key[1] or "")))
    code_of = {key: code for code, key in enumerate(labels)}
    return np.array([code_of[key] for key in keys], dtype=int), labels


def _coded_matrix(frame: pd.DataFrame, codes: np.ndarray, items: int) -> pd.DataFrame:
    data = pd.DataFrame(
        {"attempt_id": frame["attempt_id"].to_numpy(), "item": codes, "score": frame["score"]}
    )
    # A test takes one answer per question; should a frame hold more, the last one counts.
    matrix = data.groupby(["attempt_id", "item"], sort=True)["score"].last().unstack("item")
    return matrix.reindex(columns=range(items)).astype(float)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2:
        return math.nan
    dx, dy = x - x.mean(), y - y.mean()
    denominator = math.sqrt(float((dx * dx).sum()) * float((dy * dy).sum()))
    # Exact zero spread (everyone scored alike) leaves the correlation undefined.
    return math.nan if denominator == 0 else float((dx * dy).sum()) / denominator


def item_statistics(
    frame: pd.DataFrame,
    *,
    choices: Mapping[str, Mapping[str, bool]] | None = None,
    thresholds: FlagThresholds = FlagThresholds(),
) -> list[ItemStatistics]:
    """Statistics for every item in ``frame``, in question id order.

    ``choices`` maps a question id to its choices ``{choice_id: is_correct}`` (from the
    bank): unpicked choices then count as 0 and unpicked wrong ones are flagged.
    """
    _check_columns(frame)
    codes, labels = _item_codes(frame)
    matrix = _coded_matrix(frame, codes, len(labels))
    totals = matrix.sum(axis=1, skipna=True)
    known_choices = choices or {}
    results = []
    for code, (question_id, fingerprint) in enumerate(labels):
        rows = frame[codes == code]
        answered = matrix[code].notna()
        scores = matrix.loc[answered, code]
        rest = totals[answered] - scores
        facility = float((rows["score"] / rows["max_score"]).mean())
        discrimination = _pearson(scores.to_numpy(), rest.to_numpy())
        key = known_choices.get(question_id, {})
        counts = _choice_counts(rows["response"], key)
        unpicked = tuple(c for c, correct in key.items() if not correct and counts[c] == 0)
        attempts = int(answered.sum())
        results.append(
            ItemStatistics(
                question_id=question_id,
                question_fingerprint=fingerprint,
                attempts=attempts,
                facility=facility,
                discrimination=discrimination,
                choice_counts=counts,
                unpicked_distractors=unpicked,
                flags=_flags(attempts, facility, discrimination, unpicked, thresholds),
            )
        )
    return results


def _failed_checks(response: Mapping[str, Any]) -> list[str]:
    result = response.get("result")
    tests = result.get("tests", []) if isinstance(result, dict) else []
    return [str(t.get("name")) for t in tests if isinstance(t, dict) and not t.get("passed")]


def _choice_counts(responses: pd.Series, known: Mapping[str, bool]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for response in responses:
        match response:
            case list() | tuple():
                counts.update(str(choice) for choice in response)
            case dict():  # a code answer: which of its checks failed
                counts.update(f"failed: {name}" for name in _failed_checks(response))
            case int() | float():  # a number has no choices to count
                pass
            case _:  # a recorded shape this function does not know: say so, never skip it
                raise TypeError(f"no choice counts for a recorded response {response!r}")
    ordered = {choice: counts.get(choice, 0) for choice in known}
    ordered.update({choice: n for choice, n in sorted(counts.items()) if choice not in ordered})
    return ordered


def _flags(
    attempts: int,
    facility: float,
    discrimination: float,
    unpicked: tuple[str, ...],
    limits: FlagThresholds,
) -> tuple[ItemFlag, ...]:
    if attempts < limits.min_attempts:
        return ()
    flags = []
    if not math.isnan(discrimination):
        if discrimination < 0:
            flags.append(ItemFlag.NEGATIVE_DISCRIMINATION)
        elif discrimination < limits.near_zero_discrimination:
            flags.append(ItemFlag.NEAR_ZERO_DISCRIMINATION)
    if facility > limits.facility_high:
        flags.append(ItemFlag.TOO_EASY)
    if facility < limits.facility_low:
        flags.append(ItemFlag.TOO_HARD)
    if unpicked:
        flags.append(ItemFlag.UNPICKED_DISTRACTOR)
    return tuple(flags)


def overall_statistics(frame: pd.DataFrame) -> OverallStatistics:
    """Whole-test figures: attempts, mean and SD of totals, Cronbach's alpha."""
    _check_columns(frame)
    codes, labels = _item_codes(frame)
    matrix = _coded_matrix(frame, codes, len(labels))
    totals = matrix.sum(axis=1, skipna=True).to_numpy()
    attempts = len(totals)
    mean = float(totals.mean()) if attempts else math.nan
    sd = float(totals.std(ddof=1)) if attempts >= 2 else math.nan
    complete = matrix.dropna(axis=0, how="any")
    k, n = complete.shape[1], complete.shape[0]
    alpha = math.nan
    if k >= 2 and n >= 2:
        total_variance = float(complete.sum(axis=1).var(ddof=1))
        item_variance = float(complete.var(axis=0, ddof=1).sum())
        if total_variance > 0:
            alpha = k / (k - 1) * (1 - item_variance / total_variance)
    return OverallStatistics(
        attempts=attempts,
        mean=mean,
        standard_deviation=sd,
        cronbach_alpha=alpha,
        items_in_alpha=k if n else 0,
        attempts_in_alpha=n,
    )


def items_frame(items: list[ItemStatistics]) -> pd.DataFrame:
    """A table for pages and CSV: one row per item, flags as readable text."""
    return pd.DataFrame(
        [
            {
                "question_id": item.question_id,
                "fingerprint": item.question_fingerprint,
                "attempts": item.attempts,
                "facility": item.facility,
                "discrimination": item.discrimination,
                "choice_counts": ", ".join(f"{c}: {n}" for c, n in item.choice_counts.items()),
                "flags": "; ".join(flag.value for flag in item.flags),
            }
            for item in items
        ],
        columns=[
            "question_id",
            "fingerprint",
            "attempts",
            "facility",
            "discrimination",
            "choice_counts",
            "flags",
        ],
    )
