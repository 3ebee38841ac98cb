"""Every generator draws, for a given seed, exactly the variant it drew when the golden file
was written: learners' answers record the variant seed, and a review re-creates what they saw
from it, so a refactor of a family must not move a single number, option or chart point.

The golden file was written by the generators themselves (their keys are held to the
libraries by tests/families/test_families.py). After a change that is *meant* to alter variants,
rewrite it with ``.venv/bin/python -m tests.test_family_variants_golden`` and say why in
the commit.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from engine.families import GENERATORS
from engine.families.core import OneOf

GOLDEN = Path(__file__).parents[1] / "fixtures" / "family_variants.json"
DEFAULT_SEEDS = (0, 1, 2)


def settings() -> list[tuple[str, str, int, dict[str, str]]]:
    """(key, generator, seed, params): a few seeds with the bank defaults, and one seed with
    each option of every choice parameter fixed, so every branch of a family is drawn."""
    cases = []
    for name, generator in sorted(GENERATORS.items()):
        cases += [(f"{name} seed {seed}", name, seed, {}) for seed in DEFAULT_SEEDS]
        for spec in generator.params:
            if isinstance(spec, OneOf):
                cases += [
                    (f"{name} {spec.name}={option}", name, 0, {spec.name: option})
                    for option in spec.options
                ]
    return cases


def as_json(name: str, seed: int, params: dict[str, str]) -> Any:
    """The variant as JSON data: exact floats (repr round-trips), numpy scalars as numbers."""
    variant = GENERATORS[name].generate(seed, params)
    text = json.dumps(dataclasses.asdict(variant), default=lambda value: value.item())
    return json.loads(text)


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text())


def test_the_golden_file_covers_every_generator_and_choice(golden):
    assert sorted(golden) == sorted(key for key, *_ in settings())


@pytest.mark.parametrize(
    ("key", "name", "seed", "params"), [pytest.param(*case, id=case[0]) for case in settings()]
)
def test_a_seed_draws_the_same_variant_as_when_the_golden_file_was_written(
    golden, key, name, seed, params
):
    # Compared as text: an int where a float was (5 for 5.0) is a change too.
    assert canonical(as_json(name, seed, params)) == canonical(golden[key])


if __name__ == "__main__":
    data = {key: as_json(name, seed, params) for key, name, seed, params in settings()}
    GOLDEN.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(data)} variants to {GOLDEN}")
