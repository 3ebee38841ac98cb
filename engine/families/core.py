"""What every generator shares: parameter specs, the Variant it returns, and the registry."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
import sklearn

# Attempts at a draw whose choices all read differently before a generator gives up.
MAX_REDRAWS = 100
# Named mistakes shown beside the key: a generator offers more, in order of preference, so
# that one coinciding with the key (FP = FN makes "swapped" equal the key) is skipped.
MISTAKES_SHOWN = 3
Number = TypeVar("Number", int, float)
# A key read to three decimals: a typed answer may miss it by half the last digit.
THREE_DECIMALS = 0.0005
# Two choices at least this far apart: rounding a hand computation's steps to three
# decimals moves the result by up to ~0.001, so closer choices are a coin toss.
HAND_ROUNDING_GAP = 0.002


def variant_seed(plan_seed: int, question_id: str) -> int:
    """The seed of one question's variant in an attempt: stable across processes and
    machines (unlike hash()), different per question, so two families in one test do not
    move in step."""
    digest = hashlib.sha256(f"{plan_seed}:{question_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # 63 bits: fits a signed SQL BIGINT


class FamilyError(ValueError):
    """A bank asks something of a generator that it cannot do; the message says the fix."""


@dataclass(frozen=True)
class _Range(Generic[Number]):
    """A number drawn uniformly from an instructor's [low, high], inside hard limits."""

    name: str
    default: tuple[Number, Number]
    limits: tuple[Number, Number]
    description: str
    whole: ClassVar[bool]  # only whole numbers may bound the range

    def number(self, value: float) -> Number:
        """`value` as the kind of number this range draws."""
        raise NotImplementedError

    def validate(self, value: Any) -> tuple[Number, Number]:
        low, high = _pair(self.name, value, integer=self.whole)
        _inside(self.name, low, high, self.limits)
        return self.number(low), self.number(high)


@dataclass(frozen=True)
class IntRange(_Range[int]):
    """An integer drawn uniformly from an instructor's [low, high], inside hard limits."""

    whole = True

    def number(self, value: float) -> int:
        return int(value)

    def draw(self, rng: np.random.Generator, bounds: Any) -> int:
        low, high = bounds
        return int(rng.integers(low, high, endpoint=True))


@dataclass(frozen=True)
class FloatRange(_Range[float]):
    """A float drawn uniformly from [low, high], rounded to `digits` so it reads cleanly."""

    digits: int = 2
    whole = False

    def number(self, value: float) -> float:
        return float(value)

    def draw(self, rng: np.random.Generator, bounds: Any) -> float:
        low, high = bounds
        return round(float(rng.uniform(low, high)), self.digits)


@dataclass(frozen=True)
class OneOf:
    """One option drawn from the instructor's subset of `options` (a single one fixes it)."""

    name: str
    options: tuple[str, ...]
    description: str
    default: tuple[str, ...] = ()

    def validate(self, value: Any) -> tuple[str, ...]:
        chosen = (value,) if isinstance(value, str | int | float) else value
        if not isinstance(chosen, list | tuple) or not chosen:
            raise FamilyError(
                f"{self.name}: give one of {', '.join(self.options)} or a list of them"
            )
        unknown = [str(c) for c in chosen if str(c) not in self.options]
        if unknown:
            raise FamilyError(
                f"{self.name}: {', '.join(unknown)} is not offered; "
                f"allowed: {', '.join(self.options)}"
            )
        return tuple(str(c) for c in chosen)

    def draw(self, rng: np.random.Generator, bounds: Any) -> str:
        return str(bounds[int(rng.integers(len(bounds)))])

    def __post_init__(self) -> None:
        if not self.default:
            object.__setattr__(self, "default", self.options)


ParamSpec = IntRange | FloatRange | OneOf


def _pair(name: str, value: Any, *, integer: bool) -> tuple[float, float]:
    kind = "whole numbers" if integer else "numbers"
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = [value, value]  # a single number fixes the parameter
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or any(isinstance(v, bool) or not isinstance(v, int | float) for v in value)
        or (integer and any(float(v) != int(v) for v in value))
    ):
        raise FamilyError(f"{name}: write a range as [low, high] of {kind}, not {value!r}")
    low, high = value
    if low > high:
        raise FamilyError(f"{name}: the range [{low}, {high}] is empty; write [{high}, {low}]")
    return low, high


def _inside(name: str, low: float, high: float, limits: tuple[float, float]) -> None:
    if low < limits[0] or high > limits[1]:
        raise FamilyError(
            f"{name}: the range [{low}, {high}] leaves what the generator can honour, "
            f"[{limits[0]}, {limits[1]}]"
        )


@dataclass(frozen=True)
class Option:
    """One answer a learner can pick: the key, or a named mistake with its own feedback."""

    id: str  # "correct", or the mistake's name ("used-accuracy")
    text: str
    feedback: str
    correct: bool = False


@dataclass(frozen=True)
class NumericKey:
    """The computed value and the absolute error a numeric answer may have."""

    value: float
    tolerance: float


@dataclass(frozen=True)
class Chart:
    """Data for a figure the page draws: one list of y values per named series."""

    title: str
    x_label: str
    y_label: str
    x: tuple[float, ...]
    series: Mapping[str, tuple[float, ...]]
    mark_x: float | None = None  # a vertical rule the figure may show (after answering)


@dataclass(frozen=True)
class Variant:
    """One drawn question: display values for `{placeholders}`, the key, and what explains it.

    `values` are already formatted for display; `numbers` keeps the raw values that made
    them (for finiteness checks and statistics by variant).
    """

    generator: str
    seed: int
    values: Mapping[str, str]
    numbers: Mapping[str, float]
    options: tuple[Option, ...]
    numeric: NumericKey | None
    chart: Chart | None = None

    @property
    def correct(self) -> Option:
        return next(o for o in self.options if o.correct)

    @property
    def mistakes(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if not o.correct)


@dataclass(frozen=True)
class Draft:
    """What a generator's compute step returns, before the registry stamps name and seed."""

    values: dict[str, str]
    numbers: dict[str, float]
    answer: str  # display text of the correct option
    answer_feedback: str
    mistakes: Sequence[tuple[str, str, str]]  # (name, display text, feedback), preferred first
    numeric: NumericKey | None = None
    chart: Chart | None = None


Compute = Callable[[dict[str, Any], np.random.Generator], Draft]


@dataclass(frozen=True)
class Generator:
    """A reviewed, pure engine function a bank names; `params` are what a bank may set."""

    name: str
    summary: str
    lessons: tuple[str, ...]
    params: tuple[ParamSpec, ...]
    compute: Compute
    library: str  # what computes the key: shown to reviewers, checked by the tests
    # Declared so that a bank loads and checks its placeholders and mistake ids without drawing
    # a variant (drawing imports torch for some families); a test keeps both true over seeds.
    value_names: frozenset[str]
    mistake_names: frozenset[str]
    # Distinct mistakes a variant must show; a formula family with fewer mistakes asks fewer.
    mistakes_shown: int = MISTAKES_SHOWN

    def spec(self, name: str) -> ParamSpec:
        found = next((p for p in self.params if p.name == name), None)
        if found is None:
            raise FamilyError(
                f"{self.name} has no parameter {name!r}; "
                f"it takes {', '.join(p.name for p in self.params)}"
            )
        return found

    def resolve(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The bank's ranges checked against the spec, defaults for what it leaves out."""
        given = dict(params or {})
        for name in given:
            self.spec(name)
        return {
            p.name: p.validate(given[p.name]) if p.name in given else p.default for p in self.params
        }

    def generate(self, seed: int, params: Mapping[str, Any] | None = None) -> Variant:
        """The variant for `seed`: same seed and params, same variant, on every machine."""
        bounds = self.resolve(params)
        rng = np.random.default_rng(seed)
        # Inputs are drawn here, finite and well-typed: scikit-learn's per-call checks of
        # them cost more than the metric itself. The computation is the same.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            for _ in range(MAX_REDRAWS):
                drawn = {p.name: p.draw(rng, bounds[p.name]) for p in self.params}
                try:
                    draft = self.compute(drawn, rng)
                except _Redraw:
                    continue
                shown = _distinct_mistakes(draft, self.mistakes_shown)
                if len(shown) == self.mistakes_shown:
                    return self._variant(seed, draft, shown)
        raise FamilyError(
            f"{self.name}: no draw in {MAX_REDRAWS} gave a key and {self.mistakes_shown} "
            "distinct mistakes"
            + (" that meets every condition" if self.name == "formula" else "")
            + "; widen the ranges"
        )

    def _variant(self, seed: int, draft: Draft, shown: list[Option]) -> Variant:
        options = (Option("correct", draft.answer, draft.answer_feedback, correct=True), *shown)
        return Variant(
            self.name, seed, draft.values, draft.numbers, options, draft.numeric, draft.chart
        )


def _distinct_mistakes(draft: Draft, wanted: int = MISTAKES_SHOWN) -> list[Option]:
    """The first `wanted` mistakes that read differently from the key and each other."""
    texts = {draft.answer}
    shown: list[Option] = []
    for name, text, feedback in draft.mistakes:
        if text not in texts and len(shown) < wanted:
            texts.add(text)
            shown.append(Option(name, text, feedback))
    return shown


class _Redraw(Exception):
    """Raised by a compute step when this draw cannot make a fair question (a tie, 0/0)."""


def redraw() -> _Redraw:
    return _Redraw()


def fixed(value: float, digits: int = 3) -> str:
    """A number as the learner reads it: fixed decimals, a true minus sign never needed."""
    if not math.isfinite(value):
        raise _Redraw()
    text = f"{value:.{digits}f}"
    return "0." + "0" * digits if text == "-0." + "0" * digits else text


def keyed_draft(
    *,
    values: dict[str, str],
    numbers: dict[str, float],
    key: float,
    feedback: str,
    mistakes: Iterable[tuple[str, float, str]],
    write: Callable[[float], str] = fixed,
    tolerance: float = THREE_DECIMALS,
    chart: Chart | None = None,
    min_gap: float = 0.0,
) -> Draft:
    """The Draft of a question whose key is a number: the key and each named mistake
    (name, value, why) are written alike by `write`, so a choice never reads differently
    from the number it stands for, and a typed answer within `tolerance` of the key is right.

    A mistake closer to the key than `min_gap` is not offered: a learner who rounds a step
    along the way could land on it while following the right method.
    """
    return Draft(
        values=values,
        numbers=numbers,
        answer=write(key),
        answer_feedback=feedback,
        mistakes=[
            (name, write(value), why)
            for name, value, why in mistakes
            # "not <": a NaN mistake is kept, so that `write` asks for another draw.
            if not abs(value - key) < min_gap
        ],
        numeric=NumericKey(float(key), tolerance),
        chart=chart,
    )
