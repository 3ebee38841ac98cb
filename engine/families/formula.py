"""A family an instructor writes in the bank itself: variables drawn from ranges or lists,
values derived from them, an answer and named mistakes — all safe expressions
(engine/families/expressions.py), turned into a Generator like the reviewed ones, so
drawing, checking at many seeds, preview, statistics and export treat it the same.

    spec = FormulaSpec(
        variables={"p": Variable(low=0.1, high=0.5, step=0.05)},
        derived={"scale": "1 / (1 - p)"},
        answer="scale",
        mistakes={"multiplied-by-p": "1 - p"},
    )
    problems = spec_problems(spec)   # [(where, message)], each naming the key to fix
    family = formula_generator(spec) # a Generator: family.generate(seed) is pure
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from engine.families.core import (
    MISTAKES_SHOWN,
    Draft,
    FamilyError,
    Generator,
    NumericKey,
    fixed,
    redraw,
)
from engine.families.expressions import (
    CONSTANTS,
    FUNCTIONS,
    LIST,
    MAX_LIST,
    NUMBER,
    EvaluationError,
    Expression,
    ExpressionError,
    Kind,
    Value,
    compile_expression,
    is_whole,
)

FORMULA = "formula"  # the generator name a formula family's variants carry
MAX_STEPS = 1_000_000  # values one range may offer: bounds what a typo'd step costs
MAX_DIGITS = 10
RESERVED = frozenset({"answer"})  # a placeholder the family fills itself


@dataclass(frozen=True)
class Variable:
    """A number drawn per variant: from [low, high] in steps (whole numbers by default), or
    one of `options`; `count` draws that many into a list (losses over epochs)."""

    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple[float, ...] = ()
    count: int | None = None

    @property
    def whole(self) -> bool:
        """Whether every value it draws is a whole number."""
        if self.options:
            return all(v == int(v) for v in self.options)
        return self.decimals == 0

    @property
    def decimals(self) -> int:
        """How many decimals the value is written with: those of its step or options."""
        written = [self.step] if self.step is not None else [self.low, self.high, *self.options]
        return max((_decimals(v) for v in written if v is not None), default=0)

    def display(self, value: Value) -> str:
        """The value as a prompt shows it: a range's with its step's decimals, a chosen
        option as the bank wrote it."""
        if isinstance(value, tuple):
            return ", ".join(self.display(v) for v in value)
        return display(value, _decimals(value) if self.options else self.decimals)

    def draw(self, rng: np.random.Generator) -> Value:
        if self.count is None:
            return self._one(rng)
        return tuple(self._one(rng) for _ in range(self.count))

    def _one(self, rng: np.random.Generator) -> float:
        if self.options:
            return float(self.options[int(rng.integers(len(self.options)))])
        assert self.low is not None and self.high is not None
        step = self.step if self.step is not None else 1.0
        steps = round((self.high - self.low) / step)
        value = self.low + step * int(rng.integers(0, steps, endpoint=True))
        return round(value, self.decimals)

    def problems(self) -> Iterator[str]:
        if self.options:
            if self.low is not None or self.high is not None or self.step is not None:
                yield "give either 'range' or 'choose', not both"
            return
        if self.low is None or self.high is None:
            yield "give 'range: [low, high]' (whole numbers, or add 'step') or 'choose: [a, b]'"
            return
        if self.low > self.high:
            yield f"the range [{self.low:g}, {self.high:g}] is empty; write it low first"
        step = 1.0 if self.step is None else self.step
        if step <= 0:
            yield f"step must be above 0, not {step:g}"
            return
        if self.step is None and (self.low != int(self.low) or self.high != int(self.high)):
            yield "a range of decimals needs a 'step', e.g. step: 0.05"
            return
        steps = (self.high - self.low) / step
        if steps > MAX_STEPS:
            yield f"the range holds {steps:.0f} steps; at most {MAX_STEPS}: use a larger step"
        elif not math.isclose(steps, round(steps), abs_tol=1e-9):
            yield (
                f"the range [{self.low:g}, {self.high:g}] is not a whole number of steps "
                f"of {step:g}"
            )
        if self.count is not None and not 1 <= self.count <= MAX_LIST:
            yield f"count must be between 1 and {MAX_LIST}"


def _decimals(value: float) -> int:
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@dataclass(frozen=True)
class FormulaSpec:
    """What a bank's `formula:` says, as plain data (engine/quiz/formula_spec.py reads it)."""

    variables: Mapping[str, Variable]
    answer: str
    derived: Mapping[str, str] = field(default_factory=dict)
    mistakes: Mapping[str, str] = field(default_factory=dict)
    conditions: tuple[str, ...] = ()
    digits: int = 3
    tolerance: float | None = None
    relative_tolerance: float | None = None
    mistakes_shown: int = MISTAKES_SHOWN


# (where, message): where is ("variables", "p"), ("derived", "f1"), ("conditions", 0) ...
Where = tuple[str | int, ...]


@dataclass(frozen=True)
class _Compiled:
    derived: tuple[tuple[str, Expression], ...]
    whole: frozenset[str]  # derived names whose every value is a whole number
    answer: Expression
    mistakes: tuple[tuple[str, Expression], ...]
    conditions: tuple[Expression, ...]


def _name_problem(name: str) -> str | None:
    if not name.isidentifier() or not name.isascii():
        return f"'{name}' is not a name: use letters, digits and _, starting with a letter"
    if name in FUNCTIONS or name in CONSTANTS or name in RESERVED:
        return f"'{name}' is taken (a function, a constant or the answer); choose another name"
    return None


def _compiled(spec: FormulaSpec) -> tuple[_Compiled | None, list[tuple[Where, str]]]:
    problems: list[tuple[Where, str]] = []
    known: dict[str, Kind] = {}
    for name, variable in spec.variables.items():
        bad = _name_problem(name)
        problems += [(("variables", name), m) for m in ([bad] if bad else [])]
        problems += [(("variables", name), m) for m in variable.problems()]
        known[name] = NUMBER if variable.count is None else LIST

    def compile_at(where: Where, text: str, want: Kind | None = NUMBER) -> Expression | None:
        try:
            expression = compile_expression(text, known)
        except ExpressionError as error:
            problems.append((where, str(error)))
            return None
        if want is not None and expression.kind is not want:
            problems.append((where, "must be a number, not a list; use sum(...), mean(...) ..."))
            return None
        return expression

    derived: list[tuple[str, Expression]] = []
    for name, text in spec.derived.items():
        if name in known:
            problems.append((("derived", name), f"'{name}' is already a variable"))
            continue
        bad = _name_problem(name)
        if bad:
            problems.append((("derived", name), bad))
            continue
        expression = compile_at(("derived", name), text, want=None)
        # A refused value still counts as defined: the expressions below it are judged on
        # their own, not blamed for its problem.
        known[name] = NUMBER if expression is None else expression.kind
        if expression is not None:
            derived.append((name, expression))
    answer = compile_at(("answer",), spec.answer)
    mistakes = [
        (name, expression)
        for name, text in spec.mistakes.items()
        if (expression := compile_at(("mistakes", name), text)) is not None
    ]
    conditions = [
        expression
        for index, text in enumerate(spec.conditions)
        if (expression := compile_at(("conditions", index), text)) is not None
    ]
    if not 0 <= spec.digits <= MAX_DIGITS:
        problems.append((("digits",), f"digits must be between 0 and {MAX_DIGITS}"))
    if problems or answer is None:
        return None, problems
    whole = {name for name, variable in spec.variables.items() if variable.whole}
    for name, expression in derived:
        if is_whole(expression, whole):
            whole.add(name)
    whole_derived = frozenset(whole - set(spec.variables))
    return _Compiled(tuple(derived), whole_derived, answer, tuple(mistakes), tuple(conditions)), []


def spec_problems(spec: FormulaSpec) -> list[tuple[Where, str]]:
    """Every key of `spec` that cannot be honoured, without drawing anything."""
    return _compiled(spec)[1]


def display(value: Value, decimals: int) -> str:
    """A value as a prompt shows it, to `decimals` places (0: a whole number)."""
    if isinstance(value, tuple):
        return ", ".join(display(v, decimals) for v in value)
    return fixed(value, decimals)


def formula_generator(spec: FormulaSpec) -> Generator:
    """The Generator for `spec`; FamilyError when `spec_problems` would name a problem."""
    compiled, problems = _compiled(spec)
    if compiled is None:
        where, message = problems[0]
        raise FamilyError(f"formula.{'.'.join(str(w) for w in where)}: {message}")
    value_names = frozenset({*spec.variables, *spec.derived, "answer"})

    def compute(_drawn: dict[str, Any], rng: np.random.Generator) -> Draft:
        env: dict[str, Value] = {name: v.draw(rng) for name, v in spec.variables.items()}
        values = {name: variable.display(env[name]) for name, variable in spec.variables.items()}
        try:
            for name, expression in compiled.derived:
                env[name] = expression.evaluate(env)
                values[name] = display(env[name], 0 if name in compiled.whole else spec.digits)
            if not all(condition.number(env) for condition in compiled.conditions):
                raise redraw()
            key = compiled.answer.number(env)
            wrong = [(name, expression.number(env)) for name, expression in compiled.mistakes]
        except EvaluationError:
            raise redraw() from None  # 0/0, sqrt(-1) ...: this draw makes no fair question
        shown = round(key, spec.digits)
        values["answer"] = fixed(shown, spec.digits)
        numbers = {
            name: float(value)
            for name, value in env.items()
            if not isinstance(value, tuple)  # a list has no one number for statistics
        }
        return Draft(
            values=values,
            numbers=numbers,
            answer=fixed(shown, spec.digits),
            answer_feedback="Right.",
            mistakes=[
                (
                    name,
                    fixed(value, spec.digits),
                    f"That comes from a mistake: {name.replace('-', ' ')}.",
                )
                for name, value in wrong
            ],
            numeric=NumericKey(shown, _tolerance(spec, shown)),
        )

    return Generator(
        name=FORMULA,
        summary="a family written in the bank: variables, derived values and an answer",
        lessons=(),
        params=(),
        compute=compute,
        library="formula",
        value_names=value_names,
        mistake_names=frozenset(spec.mistakes),
        mistakes_shown=min(spec.mistakes_shown, len(spec.mistakes)),
    )


def _tolerance(spec: FormulaSpec, key: float) -> float:
    if spec.tolerance is not None:
        return spec.tolerance
    if spec.relative_tolerance is not None:
        return spec.relative_tolerance * abs(key)
    return 0.5 * 10.0**-spec.digits  # any answer that rounds to the key at `digits`
