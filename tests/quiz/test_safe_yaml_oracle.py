"""The one YAML loader reads plain data exactly as PyYAML's own safe loader does (the
oracle, given the loader's YAML 1.2 reading of yes/no and 6e-5), and refuses, with a
line, everything beyond plain data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from builders import bank_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.quiz.safe_yaml import (
    BANK_IMPLICIT_RESOLVERS,
    MAX_DEPTH,
    MAX_NODES,
    YamlProblem,
    parse_yaml,
)

ROOT = Path(__file__).resolve().parents[2]


class ORACLE(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same libyaml parser the loader reads events from, composed by PyYAML itself."""

    yaml_implicit_resolvers = BANK_IMPLICIT_RESOLVERS


def oracle(text: str) -> Any:
    return yaml.load(text, Loader=ORACLE)


@pytest.mark.parametrize("path", sorted((ROOT / "quizzes").glob("*.yaml")), ids=lambda p: p.name)
def test_the_shipped_banks_read_as_pyyaml_reads_them_with_a_line_for_every_key(path: Path):
    text = path.read_text()
    parsed = parse_yaml(text)
    assert parsed.data == oracle(text)
    # Keys of a question are on its lines, in the order written (what error reports cite).
    for index, question in enumerate(parsed.data["questions"]):
        lines = [parsed.lines[("questions", index, key)] for key in question]
        assert lines[0] == parsed.lines[("questions", index)]
        assert lines == sorted(lines) and len(set(lines)) == len(lines)


def test_a_generated_bank_reads_as_pyyaml_reads_it():
    assert parse_yaml(bank_yaml()).data == oracle(bank_yaml())


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: !!python/object:os.system x\n", 1, "tag !!python/object:os.system is not allowed"),
        ("<<: {a: 1}\n", 1, r"merge keys \(<<\) are not supported"),
        ("---\na: 1\n---\nb: 2\n", 3, "a bank is one YAML document"),
        ("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5), 1, "nesting is deeper than"),
        ("? [complex, key]\n: v\n", 1, "a key must be a plain word"),
        ("a: [1, 2\n", 2, "not valid YAML"),
        ("a: {b: 1,\n---\n  c: 2}\n", 2, "not valid YAML"),
    ],
    ids=["tag", "merge", "two-documents", "deep", "complex-key", "broken", "marker-in-flow"],
)
def test_anything_beyond_plain_data_is_refused_with_its_line(text: str, line: int, message: str):
    with pytest.raises(YamlProblem, match=message) as info:
        parse_yaml(text)
    assert info.value.line == line


def test_an_alias_reads_as_its_anchor_and_a_duplicate_key_keeps_the_first_value():
    assert parse_yaml("a: &x [1]\nb: *x\n").data == {"a": [1], "b": [1]}
    assert parse_yaml("a: 1\na: 2\n").data == {"a": 1}


_scalar_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=30
)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | _scalar_text
    | st.sampled_from(["yes", "No", "on", "~", "0x1F", "1e3", "1_000", ".5", "2026-11-24", "="])
)
# Keys are always text to the loader (a bank's keys are words); a 1.1 dumper leaves an
# exponent key such as 0E0 unquoted, which the oracle would read as a number.
_keys = _scalar_text.filter(lambda key: not re.fullmatch(r"[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+", key))
_docs = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _docs,
    st.sampled_from([None, True, False]),
    st.sampled_from([None, '"', "'", "|"]),
    st.integers(20, 120),
)
def test_any_plain_document_reads_as_pyyaml_reads_it(doc, flow, style, width):
    text = yaml.safe_dump(
        doc, default_flow_style=flow, default_style=style, width=width, allow_unicode=True
    )
    assert parse_yaml(text).data == oracle(text)


def test_a_document_with_more_nodes_than_any_bank_is_refused():
    text = "x: [" + "1," * MAX_NODES + "1]\n"
    with pytest.raises(YamlProblem, match="document is too large to be a bank"):
        parse_yaml(text)
