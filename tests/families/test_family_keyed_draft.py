"""keyed_draft: the key and every named mistake of a numeric family are written alike."""

from __future__ import annotations

import math

import pytest

from engine.families.core import NumericKey, keyed_draft, redraw


def draft(**overrides):
    given = dict(
        values={},
        numbers={},
        key=2 / 3,
        feedback="Right.",
        mistakes=[("used-recall", 0.5, "That is recall."), ("swapped", 1 / 3, "Swapped.")],
    )
    return keyed_draft(**(given | overrides))


def test_key_and_mistakes_read_to_three_decimals_and_typed_answers_may_miss_by_half_a_digit():
    made = draft()
    assert made.answer == "0.667"
    assert list(made.mistakes) == [
        ("used-recall", "0.500", "That is recall."),
        ("swapped", "0.333", "Swapped."),
    ]
    assert made.numeric == NumericKey(2 / 3, 0.0005)
    assert abs(float(made.answer) - made.numeric.value) <= made.numeric.tolerance


def test_a_family_with_its_own_writer_writes_key_and_mistakes_with_it():
    made = draft(key=12, mistakes=[("off-by-one", 13, "One too many.")], write=str, tolerance=0.0)
    assert (made.answer, made.mistakes[0][1]) == ("12", "13")
    assert made.numeric == NumericKey(12.0, 0.0)
    assert isinstance(made.numeric.value, float)


def test_a_mistake_that_is_not_a_number_asks_for_another_draw():
    with pytest.raises(type(redraw())):
        draft(mistakes=[("divided-by-zero", math.nan, "0/0.")])
