"""Sampling many seeds of a family and reporting every variant a learner should not see."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.families.core import FamilyError, Generator, Variant
from engine.families.templating import TemplateError, fill


@dataclass(frozen=True)
class FamilyProblem:
    """One problem with one seed of one family; `field` names the bank text (or "key")."""

    generator: str
    seed: int | None  # None: the problem holds for every seed (a bad range, a bad name)
    field: str
    message: str

    def __str__(self) -> str:
        where = f"seed {self.seed}" if self.seed is not None else "every seed"
        return f"{self.generator} ({where}) {self.field}: {self.message}"


def variant_problems(variant: Variant) -> list[tuple[str, str]]:
    """(field, message) for each rule a variant breaks, whatever text the bank wraps it in."""
    problems: list[tuple[str, str]] = []
    correct = [o for o in variant.options if o.correct]
    if len(correct) != 1:
        problems.append(("key", f"{len(correct)} correct options; exactly one is needed"))
    texts = [o.text for o in variant.options]
    if len(set(texts)) != len(texts):
        problems.append(("key", f"options read the same: {', '.join(texts)}"))
    ids = [o.id for o in variant.options]
    if len(set(ids)) != len(ids):
        problems.append(("key", f"option ids repeat: {', '.join(ids)}"))
    numbers = dict(variant.numbers)
    if variant.numeric is not None:
        numbers |= {
            "numeric.value": variant.numeric.value,
            "numeric.tolerance": variant.numeric.tolerance,
        }
    for name, number in numbers.items():
        if not math.isfinite(float(number)):
            problems.append(("key", f"{name} is {number}, not a finite number"))
    if variant.chart is not None:
        series = [variant.chart.x, *variant.chart.series.values()]
        if any(not math.isfinite(float(v)) for values in series for v in values):
            problems.append(("chart", "holds a value that is not a finite number"))
    return problems


def check_family(
    family_or_name: str | Generator,
    params: Mapping[str, Any] | None,
    text_fields: Mapping[str, str],
    seeds: Iterable[int] = range(200),
) -> list[FamilyProblem]:
    """Problems over `seeds`: a broken key, non-finite numbers, a text that will not fill.

    `text_fields` maps a field's name in the bank (``prompt``, ``choices[2].feedback``) to
    its text, so a problem names what to fix. The same problem is reported once, with the
    first seed that shows it. A family is named (a reviewed generator) or given (a bank's
    formula).
    """
    from engine.families.registry import generator

    generator_name = family_or_name if isinstance(family_or_name, str) else family_or_name.name
    try:
        family = generator(family_or_name) if isinstance(family_or_name, str) else family_or_name
        family.resolve(params)
    except FamilyError as error:
        return [FamilyProblem(generator_name, None, "params", str(error))]
    problems: list[FamilyProblem] = []
    seen: set[tuple[str, str]] = set()

    def report(seed: int, field: str, message: str) -> None:
        if (field, message) not in seen:
            seen.add((field, message))
            problems.append(FamilyProblem(generator_name, seed, field, message))

    for seed in seeds:
        try:
            variant = family.generate(seed, params)
        except FamilyError as error:
            report(seed, "params", str(error))
            continue
        for field, message in variant_problems(variant):
            report(seed, field, message)
        for field, text in text_fields.items():
            try:
                fill(text, variant.values)
            except TemplateError as error:
                report(seed, field, str(error))
    return problems
