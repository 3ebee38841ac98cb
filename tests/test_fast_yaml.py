"""The fast path gives exactly what the safe path gives, or steps aside."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from builders import bank_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.quiz.fast_yaml import try_fast_parse
from engine.quiz.safe_yaml import MAX_DEPTH, MAX_NODES, YamlProblem, lines_of, parse_yaml

ROOT = Path(__file__).resolve().parents[1]


def fast(text: str) -> tuple[bool, object]:
    return try_fast_parse(text.encode(), max_depth=MAX_DEPTH, max_nodes=MAX_NODES)


@pytest.mark.parametrize("path", sorted((ROOT / "quizzes").glob("*.yaml")), ids=lambda p: p.name)
def test_the_shipped_banks_take_the_fast_path_and_match_the_safe_one(path: Path):
    text = path.read_text()
    ok, data = fast(text)
    assert ok
    assert data == parse_yaml(text).data
    assert lines_of(text) == parse_yaml(text).lines


def test_a_generated_bank_takes_the_fast_path():
    ok, data = fast(bank_yaml())
    assert ok and data == parse_yaml(bank_yaml()).data


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object:os.system x\n",
        "a: &x [1]\nb: *x\n",
        "a: 1\na: 2\n",
        "<<: {a: 1}\n",
        "---\na: 1\n---\nb: 2\n",
        "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5),
        "? [complex, key]\n: v\n",
        "a: [1, 2\n",
        "a: {b: 1,\n---\n  c: 2}\n",
    ],
    ids=[
        "tag",
        "alias",
        "duplicate",
        "merge",
        "two-documents",
        "deep",
        "complex-key",
        "broken",
        "document-marker-in-flow",
    ],
)
def test_anything_beyond_plain_data_is_left_to_the_safe_path(text: str):
    assert fast(text) == (False, None)


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
_docs = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_scalar_text, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _docs,
    st.sampled_from([None, True, False]),
    st.sampled_from([None, '"', "'", "|"]),
    st.integers(20, 120),
)
def test_whenever_the_fast_path_applies_it_agrees_with_the_safe_path(doc, flow, style, width):
    text = yaml.safe_dump(
        doc, default_flow_style=flow, default_style=style, width=width, allow_unicode=True
    )
    ok, data = fast(text)
    if ok:
        careful = parse_yaml(text)
        assert data == careful.data
        assert lines_of(text) == careful.lines  # the lines an error report would use


def test_a_document_with_more_nodes_than_any_bank_is_refused_at_once_by_the_fast_path():
    text = "x: [" + "1," * MAX_NODES + "1]\n"
    with pytest.raises(YamlProblem, match="document is too large to be a bank"):
        parse_yaml(text, need_lines=False)
