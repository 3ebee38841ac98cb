"""Parse untrusted YAML into plain data plus a line number for every path in it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import ScalarNode

# Limits sized beyond any real bank (a 10 000-question bank is 5.4 MB, ~340 000 nodes) yet
# small enough that the careful parse of a hostile file ends in an error within ~2 s
# (bench/bank_scale.py measures the worst cases).
MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 600_000
MAX_ALIAS_EXPANSION = 10_000
_TYPED_MEMO_SIZE = 50_000  # distinct scalars remembered: bounded memory whatever the file

# Only the plain data tags. Everything else (!!python/object, !!binary, !!set, custom
# tags) is refused: a bank is data, and nothing in it may ever be constructed as code.
_STR, _INT, _FLOAT, _BOOL, _NULL = (
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL}

# Where a value sits in a document: keys and list indexes from the root, e.g.
# ("questions", 3, "answer"). Not a file path: a place inside one file.
KeyPath = tuple[str | int, ...]


class YamlProblem(Exception):
    """The document is not acceptable YAML; `line` is 1-based (0 when unknown)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class ParsedYaml:
    """Plain data (dict/list/str/int/float/bool/None) and where each path starts."""

    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    # Keys written twice in one mapping: (path, line, message). The first value is kept so
    # that validation can go on and report everything else in the same run.
    duplicates: list[tuple[KeyPath, int, str]] = field(default_factory=list)
    # A plain number's text as written: `version: 1.10` means "1.10", not the float 1.1.
    number_text: dict[KeyPath, str] = field(default_factory=dict)

    def line_of(self, path: KeyPath) -> int:
        """Line of the deepest known prefix of `path` (a missing key reports its parent)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1


# YAML 1.1 (PyYAML's resolver) reads `no`, `yes`, `on` and `off` as booleans, even as a
# choice id or an answer, and `6e-5` as text (a float needs a dot). Instructors mean the
# opposite, as YAML 1.2 does: only true/false are booleans, and 6e-5 is a number.
BANK_IMPLICIT_RESOLVERS: dict[Any, list[tuple[str, re.Pattern[str]]]] = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    BANK_IMPLICIT_RESOLVERS[_first].append(
        (_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"))
    )
for _first in "-+0123456789":
    BANK_IMPLICIT_RESOLVERS.setdefault(_first, []).append(
        (_FLOAT, re.compile(r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$"))
    )


class _BankLoader(yaml.SafeLoader):
    yaml_implicit_resolvers = BANK_IMPLICIT_RESOLVERS


# libyaml's parser emits events ~15x faster than PyYAML's pure-Python one; composing its
# events into PyYAML node objects is what is slow (5 s for a 5 MB bank), so we build plain
# data from the events ourselves, limits and line numbers included.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_resolver = _BankLoader("")  # resolves "1.5", "true", "null" (see BANK_IMPLICIT_RESOLVERS)
_ALLOWED_COLLECTION_TAGS = {None, "!", _SEQ, _MAP}


@dataclass
class _Frame:
    """A sequence or mapping being built, and (for an anchored one) where its size began."""

    container: list[Any] | dict[str, Any]
    path: KeyPath
    anchor: str | None
    size_at_start: int
    key: str | None = None  # a mapping's key waiting for its value
    key_expected: bool = True
    discard: bool = False  # the waiting key was written twice: drop its second value


class _EventBuilder:
    """Plain data from parser events, recording lines, refusing tags, bombs and depth."""

    def __init__(self) -> None:
        self.lines: dict[KeyPath, int] = {}
        self.stack: list[_Frame] = []
        self.nodes = 0  # counted as if every alias were written out in full
        self.alias_nodes = 0
        self.anchors: dict[str, tuple[Any, int]] = {}  # name -> (value, expanded size)
        self.result: Any = None
        self.documents = 0
        self.duplicates: list[tuple[KeyPath, int, str]] = []
        self.number_text: dict[KeyPath, str] = {}
        # Typing a scalar costs more than parsing it; banks repeat most values (easy,
        # single_choice, true) and a hostile file repeats one, so equal scalars are typed
        # once. Values are immutable (str, int, float, bool, None), so sharing is safe.
        self.typed: dict[tuple[Any, ...], tuple[str, Any]] = {}

    def feed(self, event: yaml.Event) -> None:
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.ScalarEvent):  # most events: test for them first
            self._scalar(event, line)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise YamlProblem(line, "a bank is one YAML document; remove the second '---'")
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event, line)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            self._open(event, line)
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            self._close()

    def _count(self, line: int, expanded: int = 1) -> None:
        self.nodes += expanded
        if self.nodes > MAX_NODES:
            raise YamlProblem(line, "document is too large to be a bank")

    def _path_for_value(self) -> KeyPath | None:
        """The path of the node starting now; None when it is a mapping key."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.container, list):
            return (*top.path, len(top.container))
        if top.key_expected:
            return None
        assert top.key is not None  # a value follows its key
        return (*top.path, top.key)

    def _place(self, value: Any) -> None:
        if not self.stack:
            self.result = value
            return
        top = self.stack[-1]
        if isinstance(top.container, list):
            top.container.append(value)
        else:
            if not top.discard:
                assert top.key is not None  # a value follows its key
                top.container[top.key] = value
            top.key, top.key_expected, top.discard = None, True, False

    def _key(self, event: yaml.ScalarEvent, line: int) -> None:
        top = self.stack[-1]
        if event.value == "<<" and event.implicit[0] and event.tag in (None, "!"):
            raise YamlProblem(line, "merge keys (<<) are not supported; write keys out")
        key = event.value
        assert isinstance(top.container, dict)
        if key in top.container:
            first = self.lines.get((*top.path, key), line)
            message = f"key '{key}' appears twice in one mapping (first on line {first})"
            self.duplicates.append(((*top.path, key), line, message))
            top.key, top.key_expected, top.discard = key, False, True
            return
        self.lines[(*top.path, key)] = line
        top.key, top.key_expected = key, False

    def _scalar(self, event: yaml.ScalarEvent, line: int) -> None:
        self._count(line)
        path = self._path_for_value()
        if path is None:
            self._key(event, line)
            return
        self.lines.setdefault(path, line)
        memo_key = (event.value, event.tag, event.implicit, event.style)
        typed = self.typed.get(memo_key)
        if typed is None:
            typed = self._typed(event, line)
            if len(self.typed) < _TYPED_MEMO_SIZE:
                self.typed[memo_key] = typed
        tag, value = typed
        if tag in (_INT, _FLOAT):
            self.number_text[path] = event.value
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)
        self._place(value)

    @staticmethod
    def _typed(event: yaml.ScalarEvent, line: int) -> tuple[str, Any]:
        """The scalar's tag and plain value; YamlProblem for a tag a bank may not use."""
        tag = event.tag
        if tag is None or tag == "!":
            tag = _resolver.resolve(ScalarNode, event.value, event.implicit)
        if tag in (_STR, _TIMESTAMP):  # a date (version: 2026-11-24) stays text
            return tag, event.value
        if tag not in _SCALAR_TAGS:
            raise YamlProblem(line, _tag_refused(tag))
        # No marks: the constructors for these plain tags never read them.
        node = ScalarNode(tag, event.value, style=event.style)
        return tag, _resolver.yaml_constructors[tag](_resolver, node)

    def _alias(self, event: yaml.AliasEvent, line: int) -> None:
        if self._path_for_value() is None:
            raise YamlProblem(line, "a key must be a plain word, not an alias")
        if event.anchor not in self.anchors:
            raise YamlProblem(line, f"alias *{event.anchor} names no anchor (&{event.anchor})")
        value, size = self.anchors[event.anchor]
        # Every alias stands for its whole anchored content: a "billion laughs" bomb is
        # aliases of aliases, so expansions get a budget of their own.
        self.alias_nodes += size
        if self.alias_nodes > MAX_ALIAS_EXPANSION:
            raise YamlProblem(
                line, "aliases (*name) expand to too much data; write the content out instead"
            )
        self._count(line, size)
        self._place(value)

    def _open(self, event: yaml.CollectionStartEvent, line: int) -> None:
        self._count(line)
        path = self._path_for_value()
        if path is None:
            raise YamlProblem(line, "a key must be a plain word, not a list or mapping")
        if event.tag not in _ALLOWED_COLLECTION_TAGS:
            raise YamlProblem(line, _tag_refused(event.tag))
        if len(self.stack) >= MAX_DEPTH:
            raise YamlProblem(
                line, f"nesting is deeper than {MAX_DEPTH} levels; a bank never needs that"
            )
        self.lines.setdefault(path, line)
        container: list[Any] | dict[str, Any] = (
            [] if isinstance(event, yaml.SequenceStartEvent) else {}
        )
        self.stack.append(_Frame(container, path, event.anchor, self.nodes - 1))

    def _close(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.container, self.nodes - frame.size_at_start)
        self._place(frame.container)


def _tag_refused(tag: str | None) -> str:
    return f"tag {_short(tag or '!')} is not allowed; banks hold plain text, numbers and lists"


def _short(tag: str) -> str:
    return re.sub(r"^tag:yaml\.org,2002:", "!!", tag)


def _line_at(text: str, position: int) -> int:
    return text.count("\n", 0, max(position, 0)) + 1


def parse_yaml(text: str | bytes) -> ParsedYaml:
    """Parse one YAML document safely. Raises YamlProblem with a line and a plain message."""
    if len(text) > MAX_BYTES:
        raise YamlProblem(0, f"file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise YamlProblem(0, f"file is not UTF-8 text (byte {exc.start})") from None
    unprintable = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if unprintable:
        raise YamlProblem(
            _line_at(text, unprintable.start()),
            f"character #x{ord(unprintable.group()):04x} is not allowed in YAML",
        )
    builder = _EventBuilder()
    for event in _events(text):
        builder.feed(event)
    return ParsedYaml(
        data=builder.result,
        lines=builder.lines,
        duplicates=builder.duplicates,
        number_text=builder.number_text,
    )


# libyaml's wording for the mistakes people make most, and what to do about each.
_ADVICE = (
    (
        "tab character",
        "a tab is used for indentation here; YAML indents with spaces only, "
        "so replace the tab with spaces",
    ),
    (
        "mapping values are not allowed",
        "a ': ' inside a value reads as a new key; put the whole value in quotes, "
        'e.g. text: "Note: the loss rises"',
    ),
    (
        "did not find expected",
        "the indentation is off on this line or the one before: line it up with the "
        "other keys (or '- ' items) of the same list or mapping",
    ),
    (
        "could not find expected ':'",
        "a key has no ':' after it, or a quoted value is not closed; check this line "
        "and the one before",
    ),
)


def _plain_words(detail: str) -> str:
    """What to do about a syntax error, then libyaml's own words for the record."""
    advice = next((fix for words, fix in _ADVICE if words in detail), None)
    return f"{advice} (the YAML parser says: {detail})" if advice else detail


def _events(text: str) -> Iterator[yaml.Event]:
    """libyaml's events for `text`; its errors become YamlProblems with a line."""
    try:
        yield from yaml.parse(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        detail = " ".join(filter(None, [exc.context, exc.problem]))
        source = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
        indent = source[: len(source) - len(source.lstrip())]
        if "\t" in indent and "tab" not in detail:
            detail = f"{detail} (a tab character)"  # libyaml often words it otherwise
        raise YamlProblem(line, f"not valid YAML: {_plain_words(detail)}") from None
    except yaml.reader.ReaderError as exc:
        raise YamlProblem(
            _line_at(text, exc.position), f"character #x{exc.character:04x} is not allowed in YAML"
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(0, f"not valid YAML: {exc}") from None
