"""The `formula:` key of a bank question: a family written in the bank, as pydantic models.

    formula:
      variables:
        p: {range: [0.1, 0.5], step: 0.05}   # 0.10, 0.15, ... 0.50
        n: {range: [2, 8]}                    # whole numbers 2 to 8
        k: {choose: [1, 2, 4]}                # one of these
        losses: {range: [0.2, 0.9], step: 0.01, count: 5}   # a list of five
      derived:                                # in order; each may use those above it
        scale: 1 / (1 - p)
      answer: scale
      mistakes:                               # wrong answers, named after the mistake
        multiplied-by-p: 1 - p
      conditions: [p != 0.5]                  # a draw that breaks one is drawn again
      digits: 3                               # decimals of the answer and derived values
      tolerance: 0.0005                       # default: half the last digit

Shapes are checked here; whether the expressions are allowed, and refer to names defined
above them, is checked by engine/families/formula.py (variants.py reports it with a line).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.families.formula import FormulaSpec, Variable


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class FormulaVariable(_Strict):
    """A number drawn per variant (shorthand: a bare number fixes it)."""

    range: list[float] | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="[low, high]: whole numbers, or any numbers with a step.",
    )
    step: float | None = Field(
        default=None, description="Spacing of the values in the range, e.g. 0.05."
    )
    choose: list[float] = Field(
        default_factory=list, description="Draw one of these numbers instead of a range."
    )
    count: int | None = Field(
        default=None, description="Draw this many values into a list (use sum, mean, x[0])."
    )

    @model_validator(mode="before")
    @classmethod
    def _a_number_fixes_it(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return {"choose": [data]}
        if isinstance(data, list):
            return {"choose": data}
        return data

    def variable(self) -> Variable:
        low, high = self.range if self.range else (None, None)
        return Variable(
            low=low, high=high, step=self.step, options=tuple(self.choose), count=self.count
        )


def _as_text(value: Any) -> Any:
    # `answer: 0.5` or `- 1` in YAML is a number; an expression is kept as text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    return value


class Formula(_Strict):
    """A family computed from the bank's own expressions (see quizzes/_example.yaml)."""

    variables: dict[str, FormulaVariable] = Field(
        min_length=1, description="Numbers drawn per variant, by name."
    )
    derived: dict[str, str] = Field(
        default_factory=dict, description="Values computed in order, by name: {name: expression}."
    )
    answer: str = Field(min_length=1, description="The expression whose value is the key.")
    mistakes: dict[str, str] = Field(
        default_factory=dict,
        description="Wrong answers named after the mistake they model: {used-p: p}.",
    )
    conditions: list[str] = Field(
        default_factory=list,
        description="Expressions every variant must satisfy; a draw that breaks one is redrawn.",
    )
    digits: int = Field(default=3, description="Decimals of the answer and derived values.")
    tolerance: float | None = Field(
        default=None, ge=0, description="Accepted absolute error (default: half the last digit)."
    )
    relative_tolerance: float | None = Field(
        default=None, ge=0, description="Accepted relative error, e.g. 0.01 for 1 %."
    )

    @field_validator("answer", mode="before")
    @classmethod
    def _answer_as_text(cls, value: Any) -> Any:
        return _as_text(value)

    @field_validator("derived", "mistakes", mode="before")
    @classmethod
    def _values_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _as_text(v) for k, v in value.items()}
        return value

    @field_validator("conditions", mode="before")
    @classmethod
    def _conditions_as_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [_as_text(v) for v in value]
        return value

    def spec(self) -> FormulaSpec:
        return FormulaSpec(
            variables={name: v.variable() for name, v in self.variables.items()},
            derived=dict(self.derived),
            answer=self.answer,
            mistakes=dict(self.mistakes),
            conditions=tuple(self.conditions),
            digits=self.digits,
            tolerance=self.tolerance,
            relative_tolerance=self.relative_tolerance,
        )
