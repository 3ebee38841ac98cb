"""The generators a bank may name, written out for an instructor: what each asks, the
parameters a bank may set with their ranges, the {placeholders} it fills and the named
mistakes a `mistake_feedback` may address (`python -m engine generators`)."""

from __future__ import annotations

from collections.abc import Iterable

from engine.families.core import FloatRange, Generator, IntRange, OneOf, ParamSpec


def _param_line(spec: ParamSpec) -> str:
    match spec:
        case IntRange():
            low, high = spec.default
            kind = (
                f"whole number: a range [low, high] inside [{spec.limits[0]}, {spec.limits[1]}], "
                f"or one value; default [{low}, {high}]"
            )
        case FloatRange():
            kind = (
                f"number: a range [low, high] inside [{spec.limits[0]:g}, {spec.limits[1]:g}], "
                f"or one value; default [{spec.default[0]:g}, {spec.default[1]:g}]"
            )
        case OneOf():
            default = "any" if spec.default == spec.options else ", ".join(spec.default)
            kind = f"one of {', '.join(spec.options)}, or a list of them; default {default}"
    return f"    {spec.name}: {spec.description} — {kind}"


def describe(generator: Generator) -> str:
    """One generator as a block of plain text."""
    lines = [
        f"{generator.name}",
        f"  {generator.summary}",
        f"  key computed by: {generator.library}",
        f"  lessons: {', '.join(generator.lessons) or 'none'}",
        "  params:" if generator.params else "  params: none",
        *(_param_line(spec) for spec in generator.params),
        f"  variables ({{placeholders}}): {', '.join(sorted(generator.value_names))}",
        f"  named mistakes (mistake_feedback ids): {', '.join(sorted(generator.mistake_names))}",
    ]
    return "\n".join(lines)


FORMULA_NOTE = (
    "formula\n"
    "  A family written in the bank itself, on any topic: variables, derived values, an\n"
    "  answer and named mistakes as expressions. See the formula family in\n"
    "  quizzes/_example.yaml."
)


def reference(generators: Iterable[Generator]) -> str:
    """Every generator, one block each, then how to write a family of one's own."""
    blocks = [describe(g) for g in sorted(generators, key=lambda g: g.name)]
    return "\n\n".join([*blocks, FORMULA_NOTE]) + "\n"
