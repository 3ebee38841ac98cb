"""Fuzzing the bank loader: generated and mutated documents, only BankInvalid escapes.

Half are bank-shaped documents with structural mutations (wrong types, missing and extra
keys, deep nesting, huge strings, odd unicode) plus text-level ones (duplicate keys,
anchors and aliases, tags, merge keys, directives); half are byte and text mutations of
the shipped bank (flips, cuts, YAML punctuation). Hypothesis is derandomized, so every run
sees the same documents: 2 000 in the suite, 10 000 with `python -m bench.fuzz_loader`
(which sets TUNELAB_FUZZ_DOCUMENTS).
"""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from builders import bank_dict, standard_questions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.quiz.bank import BankInvalid, load_bank_text
from engine.quiz.models import QuestionBank
from engine.quiz.safe_yaml import YamlProblem, parse_yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "quizzes" / "fine_tuning_metrics.yaml").read_bytes()
FILENAME = "fuzz.yaml"
HANG_LIMIT_S = 5.0  # generous: catches hangs and blow-ups, not slowness
# Four tests share the documents; the raw ones are cheaper, so they get 60 % of them.
DOCUMENTS = int(os.environ.get("TUNELAB_FUZZ_DOCUMENTS", "2000"))
STRUCTURED, RAW = DOCUMENTS // 5, DOCUMENTS * 3 // 10

# libyaml's emitter: the pure-Python one spent more time writing documents than the loader
# spent reading them.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

_slowest: dict[str, float] = {}
_total: dict[str, float] = {}


def check_loader(text: str | bytes, label: str) -> None:
    """The loader's contract on one document: a bank, or BankInvalid with placed errors."""
    started = time.perf_counter()
    try:
        bank = load_bank_text(text, filename=FILENAME)
    except BankInvalid as invalid:
        errors = invalid.errors
        assert errors, "BankInvalid without any error"
        decoded = text if isinstance(text, str) else text.decode("utf-8", "replace")
        last_line = len(decoded.splitlines()) + 2  # YAML's marks may sit past the end
        for error in errors:
            assert error.file == FILENAME
            assert isinstance(error.line, int) and 0 <= error.line <= last_line, error
            assert isinstance(error.message, str) and error.message.strip(), error
        if any(error.line == 0 for error in errors):
            # Line 0 means "nowhere in particular": only for a document that never parsed.
            with pytest.raises(YamlProblem):
                parse_yaml(text)
    else:
        assert isinstance(bank, QuestionBank)
    elapsed = time.perf_counter() - started
    _slowest[label] = max(_slowest.get(label, 0.0), elapsed)
    _total[label] = _total.get(label, 0.0) + elapsed
    assert elapsed < HANG_LIMIT_S, f"{elapsed:.1f} s for one document"


@pytest.fixture(autouse=True)
def _report_slowest(request, record_property):
    yield
    label = request.node.name
    if label in _slowest:
        record_property("slowest_document_s", round(_slowest[label], 4))
        print(
            f"\n{label}: slowest document {_slowest[label] * 1000:.1f} ms, "
            f"{_total[label]:.1f} s in the loader"
        )


# ---------------------------------------------------------------- found by fuzzing


@pytest.mark.parametrize("text", ["[?", "x: [?", "questions:\n  - tags: [?"])
def test_an_unclosed_flow_sequence_after_a_question_mark_raises_bank_invalid(text):
    # Once found in a rapidyaml fast path (an AttributeError escaped); kept as a regression.
    with pytest.raises(BankInvalid, match=r"^fuzz.yaml:\d+: not valid YAML"):
        load_bank_text(text, filename=FILENAME)


def _outcome(text: str) -> tuple[str, object]:
    try:
        return "data", parse_yaml(text).data
    except YamlProblem as problem:
        return "problem", problem.line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tags: [?, b]", ("problem", 1)),
        ("%TAG ! tag:x,2000:\n%TAG ! tag:x,2000:\n---\na: 1\n", ("problem", 2)),
        ("...\na: 1\n", ("problem", 1)),
        ("{a: 1,\n\t b: 2}\n", ("data", {"a": 1, "b": 2})),
        ("\ufeff\ufeff{a: 1}\n", ("data", {"a": 1})),
        ("a:\t1\n", ("data", {"a": 1})),
    ],
)
def test_documents_a_second_parser_once_read_differently_read_as_libyaml_reads_them(text, expected):
    # Found by fuzzing a former rapidyaml fast path against this loader: each reads one
    # way only, libyaml's, which is also what PyYAML's CSafeLoader composes.
    assert _outcome(text) == expected
    oracle = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    if expected[0] == "data":
        assert yaml.load(text, Loader=oracle) == expected[1]


# ---------------------------------------------------------------- structured documents

ODD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=()),  # controls, bidi, BOMs...
    max_size=40,
) | st.sampled_from(
    ["\ufeff", "\u202e", "\u2028", "\x85", "\x00", "\t", "é", "😀", "a: b", "- x", "#", "''"]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | ODD_TEXT
    | st.sampled_from(
        ["easy", "hard", "numeric", "true_false", "a", "b", "yes", "1.5", "2026-11-24"]
    )
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ODD_TEXT, inner, max_size=4),
    max_leaves=12,
)


def _containers(node: Any, path: tuple = ()) -> list[tuple]:
    """Paths of every dict and list inside `node`, the root included."""
    out = []
    if isinstance(node, dict | list):
        out.append(path)
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            out += _containers(value, (*path, key))
    return out


def _at(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


def _slots(container: dict | list) -> list:
    return list(container) if isinstance(container, dict) else list(range(len(container)))


@st.composite
def bank_like_documents(draw) -> str:
    """A valid bank, structurally mutated, dumped to YAML, maybe mutated as text."""
    # Mostly a one-question bank: the safe path (which every broken document takes) is pure
    # Python, and small documents keep 10 000 of them within a minute.
    questions = standard_questions()
    picked = draw(st.sampled_from([*[[q] for q in questions], questions]))
    doc: Any = copy.deepcopy(bank_dict(picked))
    for _ in range(draw(st.integers(0, 4))):
        paths = _containers(doc)
        target = _at(doc, draw(st.sampled_from(paths)))
        slots = _slots(target)
        op = draw(st.sampled_from(["delete", "replace", "extra", "nest", "huge", "odd"]))
        if op == "extra" or not slots:
            key = draw(ODD_TEXT | st.sampled_from(["anwser", "hint", "hints", "id", "type"]))
            if isinstance(target, dict):
                target[key] = draw(JUNK)
            else:
                target.append(draw(JUNK))
            continue
        slot = draw(st.sampled_from(slots))
        if op == "delete":
            del target[slot]
        elif op == "replace":
            target[slot] = draw(JUNK)
        elif op == "nest":
            value = target[slot]
            for _ in range(draw(st.integers(1, 60))):
                value = [value] if draw(st.booleans()) else {"k": value}
            target[slot] = value
        elif op == "huge":
            target[slot] = draw(st.sampled_from(["x", "é", "ab\n", "😀"])) * draw(
                st.integers(1_000, 20_000)
            )
        else:
            target[slot] = draw(ODD_TEXT)
    text = yaml.dump(
        doc,
        Dumper=DUMPER,
        sort_keys=False,
        allow_unicode=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([False, None, True])),
        width=draw(st.sampled_from([80, 20, 10_000])),
    )
    for _ in range(draw(st.integers(0, 2))):
        text = draw(text_mutation(text))
    return text


TAGS = ["!!python/object:os.system", "!!python/name:os.system", "!!binary", "!!set", "!x", "!!str"]
BOMB = "b0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"b{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 7)
)


@st.composite
def text_mutation(draw, text: str) -> str:
    """One text-level mutation: what a YAML editor (or an attacker) could type."""
    lines = text.split("\n")
    index = draw(st.integers(0, max(0, len(lines) - 1)))
    line = lines[index]
    kind = draw(
        st.sampled_from(
            ["duplicate", "anchor", "tag", "merge", "bomb", "directive", "documents", "bom", "tab"]
        )
    )
    if kind == "duplicate" and ":" in line:
        lines.insert(index + 1, line)  # the same key twice in one mapping
    elif kind == "anchor" and ": " in line:
        key, _, value = line.partition(": ")
        lines[index] = f"{key}: &anchor {value}"
        lines.append(f"alias_{index}: *anchor")
    elif kind == "tag" and ": " in line:
        key, _, value = line.partition(": ")
        lines[index] = f"{key}: {draw(st.sampled_from(TAGS))} {value}"
    elif kind == "merge":
        lines[index:index] = ["base: &base {id: x, title: y}", "<<: *base"]
    elif kind == "bomb":
        lines.insert(0, BOMB)
    elif kind == "directive":
        lines[0:0] = [
            draw(st.sampled_from(["%YAML 1.1", "%YAML 1.3", "%TAG ! tag:x,2000:"])),
            "---",
        ]
    elif kind == "documents":
        lines.insert(index, draw(st.sampled_from(["---", "...", "--- |", "--- !!map"])))
    elif kind == "bom":
        lines[0] = "\ufeff" + lines[0]
    else:
        lines[index] = line.replace("  ", "\t", 1)
    return "\n".join(lines)


@settings(FUZZ, max_examples=STRUCTURED)
@given(bank_like_documents())
def test_mutated_bank_documents_raise_only_bank_invalid(text):
    check_loader(text, "test_mutated_bank_documents_raise_only_bank_invalid")


@settings(FUZZ, max_examples=STRUCTURED)
@given(st.data())
def test_mutated_documents_given_as_bytes_raise_only_bank_invalid(data):
    text = data.draw(bank_like_documents())
    encoding = data.draw(st.sampled_from(["utf-8", "utf-16", "latin-1"]))
    check_loader(
        text.encode(encoding, "replace"),
        "test_mutated_documents_given_as_bytes_raise_only_bank_invalid",
    )


# ---------------------------------------------------------------- raw mutations

PUNCTUATION = [
    b":", b": ", b"- ", b"[", b"]", b"{", b"}", b",", b"&a ", b"*a", b"!!", b"!", b"|", b">",
    b"#", b"'", b'"', b"\t", b"\n", b"\r", b"? ", b"%", b"@", b"`", b"---", b"...", b"<<: ",
    b"\x00", b"\xff", b"\xef\xbb\xbf", b"\\", b"  ", b"\n  - ", b"\n- id: x\n",
]  # fmt: skip


@st.composite
def shipped_bank_mutations(draw) -> bytes:
    """The shipped bank, or a window of it (the safe path is slow on big broken files),
    with byte flips, cuts, insertions of YAML punctuation and duplicated lines."""
    data = SHIPPED
    if draw(st.integers(0, 49)):  # 49 in 50: a window of up to 2 KB, starting anywhere
        start = draw(st.integers(0, len(data) - 1))
        if draw(st.booleans()):  # ...often at a line start, keeping YAML's structure
            start = data.rfind(b"\n", 0, start) + 1
        data = data[start : start + draw(st.integers(0, 2048))]
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(buf)))
        op = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "dupline"]))
        if op == "flip" and pos < len(buf):
            buf[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "delete":
            del buf[pos : pos + draw(st.integers(1, 64))]
        elif op == "insert":
            buf[pos:pos] = draw(st.sampled_from(PUNCTUATION))
        elif op == "truncate":
            del buf[pos:]
        else:
            start = buf.rfind(b"\n", 0, pos) + 1
            end = buf.find(b"\n", pos)
            end = len(buf) if end < 0 else end + 1
            buf[end:end] = buf[start:end]
    return bytes(buf)


@settings(FUZZ, max_examples=RAW)
@given(shipped_bank_mutations())
def test_byte_mutations_of_the_shipped_bank_raise_only_bank_invalid(raw):
    check_loader(raw, "test_byte_mutations_of_the_shipped_bank_raise_only_bank_invalid")


@settings(FUZZ, max_examples=RAW)
@given(shipped_bank_mutations())
def test_text_mutations_of_the_shipped_bank_raise_only_bank_invalid(raw):
    # The same mutations handed over as text (the instructor page pastes text).
    text = raw.decode("utf-8", "replace")
    check_loader(text, "test_text_mutations_of_the_shipped_bank_raise_only_bank_invalid")
