"""The YAML layer refuses what a bank must never contain, with a line number."""

from __future__ import annotations

import pytest

from engine.quiz.safe_yaml import MAX_BYTES, MAX_DEPTH, YamlProblem, parse_yaml


def test_python_object_tags_are_refused_and_never_constructed():
    text = "id: x\nprompt: !!python/object/apply:os.system ['echo pwned']\n"
    with pytest.raises(YamlProblem, match=r"tag !!python/object/apply:os.system is not allowed"):
        parse_yaml(text)


def test_a_key_written_twice_is_reported_naming_both_lines_and_the_first_value_kept():
    parsed = parse_yaml("id: a\ntitle: t\nid: b\n")
    assert parsed.duplicates == [
        (("id",), 3, "key 'id' appears twice in one mapping (first on line 1)")
    ]
    assert parsed.data == {"id": "a", "title": "t"}


def test_an_alias_bomb_is_refused():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    with pytest.raises(YamlProblem, match="aliases"):
        parse_yaml("\n".join(lines))


def test_a_few_aliases_are_fine():
    parsed = parse_yaml("shared: &fb Look again.\nx: *fb\ny: *fb\n")
    assert parsed.data == {"shared": "Look again.", "x": "Look again.", "y": "Look again."}


def test_absurd_nesting_is_refused_before_the_stack_overflows():
    with pytest.raises(YamlProblem, match=f"nesting is deeper than {MAX_DEPTH} levels"):
        parse_yaml("[" * 100_000 + "]" * 100_000)


def test_oversized_documents_are_refused_without_parsing():
    with pytest.raises(YamlProblem, match="file is larger than 8 MB"):
        parse_yaml("a" * (MAX_BYTES + 1))


def test_bytes_that_are_not_utf8_get_a_clear_error():
    with pytest.raises(YamlProblem, match="not UTF-8"):
        parse_yaml(b"id: \xff\xfe")


def test_syntax_errors_carry_the_line():
    with pytest.raises(YamlProblem) as info:
        parse_yaml("id: a\nchoices: [a, b\nanswer: a\n")
    assert info.value.line == 3  # libyaml notices the unclosed list at the next key
    assert info.value.message.startswith("not valid YAML")


def test_unquoted_dates_stay_text():
    assert parse_yaml("version: 2026-11-24\n").data == {"version": "2026-11-24"}


def test_every_key_and_item_has_its_line():
    parsed = parse_yaml("questions:\n  - id: a\n    answer: b\n  - id: c\n")
    assert parsed.lines[("questions", 0, "answer")] == 3
    assert parsed.lines[("questions", 1)] == 4
    assert parsed.line_of(("questions", 1, "missing_key")) == 4


def test_only_true_and_false_are_booleans_and_an_exponent_is_a_number():
    # YAML 1.1 would read no/yes/on/off as booleans and 6e-5 as text: never what is meant.
    parsed = parse_yaml("a: no\nb: Yes\nc: off\nd: true\ne: False\nf: 6e-5\ng: -1E3\n")
    assert parsed.data == {
        "a": "no", "b": "Yes", "c": "off", "d": True, "e": False, "f": 6e-5, "g": -1000.0
    }  # fmt: skip


def test_a_plain_numbers_text_is_kept_as_written():
    assert parse_yaml("version: 1.10\nn: 3\n").number_text == {("version",): "1.10", ("n",): "3"}
