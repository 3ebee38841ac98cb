"""Parse untrusted YAML into plain data plus a line number for every path in it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import ScalarNode

from engine.quiz.syntax_advice import advice

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
    # Keys written twice in one mapping: (path, line, message). The first value is kept so
    # that validation can go on and report everything else in the same run.
    duplicates: list[tuple[KeyPath, int, str]] = field(default_factory=list)
    # A plain number's text as written: `version: 1.10` means "1.10", not the float 1.1.
    number_text: dict[KeyPath, str] = field(default_factory=dict)
    known_lines: dict[KeyPath, int] | None = None
    # Lines are wanted only to point at a mistake, and recording one per path is ~40 % of
    # building a big bank, so a clean parse keeps its text and finds lines when first asked.
    source: str | None = None

    @property
    def lines(self) -> dict[KeyPath, int]:
        if self.known_lines is None:
            assert self.source is not None  # a parse without lines keeps its text
            self.known_lines = _build(self.source, record_lines=True).lines
        return self.known_lines

    def line_of(self, path: KeyPath) -> int:
        """Line of the deepest known prefix of `path` (a missing key reports its parent)."""
        lines = self.lines
        for end in range(len(path), -1, -1):
            line = lines.get(tuple(path[:end]))
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


class _Frame:
    """A sequence or mapping being built, and (for an anchored one) where its size began."""

    __slots__ = ("anchor", "container", "discard", "key", "path", "size_at_start")

    def __init__(
        self, container: list[Any] | dict[str, Any], path: KeyPath, anchor: str | None, size: int
    ) -> None:
        self.container = container
        self.path = path
        self.anchor = anchor
        self.size_at_start = size
        self.key: str | None = None  # a mapping's key waiting for its value
        self.discard = False  # the waiting key was written twice: drop its second value


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


class _WrittenTwice(Exception):
    """A key repeats in a mapping: parse again, recording lines, to say where both are."""


class _Builder:
    """Plain data from parser events, refusing tags, bombs and depth; with `record_lines`,
    the line of every path and every key written twice.

    One loop over ~340 000 events for a 10 000-question bank, so it is written for speed:
    dispatch on the event's exact type, and no path or line bookkeeping for a mapping's
    value, whose path and line its key has already recorded."""

    def __init__(self, record_lines: bool) -> None:
        self.record_lines = record_lines
        self.lines: dict[KeyPath, int] = {}
        self.duplicates: list[tuple[KeyPath, int, str]] = []
        self.number_text: dict[KeyPath, str] = {}
        self.result: Any = None
        self.stack: list[_Frame] = []
        self.nodes = 0  # counted as if every alias were written out in full
        self.alias_nodes = 0
        self.anchors: dict[str, tuple[Any, int]] = {}  # name -> (value, expanded size)
        # Typing a scalar costs more than parsing it; banks repeat most values (easy,
        # single_choice, true) and a hostile file repeats one, so equal plain scalars are
        # typed once. Values are immutable (str, int, float, bool, None): sharing is safe.
        self.typed: dict[tuple[Any, ...], tuple[str, Any]] = {}

    def build(self, next_event: Callable[[], yaml.Event | None]) -> None:
        """Consume events until the parser has none left (get_event returns None)."""
        documents = 0
        while (event := next_event()) is not None:
            if type(event) is yaml.ScalarEvent:  # most events: test for them first
                self._scalar(event)
            elif isinstance(event, yaml.CollectionEndEvent):
                self._close()
            elif isinstance(event, yaml.CollectionStartEvent):
                self._open(event)
            elif isinstance(event, yaml.AliasEvent):
                self._alias(event)
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise YamlProblem(
                        _line(event), "a bank is one YAML document; remove the second '---'"
                    )

    def _count(self, event: yaml.Event, expanded: int = 1) -> None:
        self.nodes += expanded
        if self.nodes > MAX_NODES:
            raise YamlProblem(_line(event), "document is too large to be a bank")

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlProblem(_line(event), "document is too large to be a bank")
        stack = self.stack
        top = stack[-1] if stack else None
        if top is not None and top.key is None and type(top.container) is dict:
            self._key(top, event)
            return
        if event.tag is None and not event.implicit[0]:
            value: Any = event.value  # quoted or block text: always a string
            tag = _STR
        else:
            memo_key = (event.value, event.tag, event.implicit, event.style)
            typed = self.typed.get(memo_key)
            if typed is None:
                typed = _typed(event, _line(event))
                if len(self.typed) < _TYPED_MEMO_SIZE:
                    self.typed[memo_key] = typed
            tag, value = typed
        if tag in (_INT, _FLOAT):
            self.number_text[self._value_path(top)] = event.value
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)
        self._place(top, value, event)

    def _value_path(self, top: _Frame | None) -> KeyPath:
        if top is None:
            return ()
        if type(top.container) is list:
            return (*top.path, len(top.container))
        assert top.key is not None  # a value follows its key
        return (*top.path, top.key)

    def _place(self, top: _Frame | None, value: Any, event: yaml.Event) -> None:
        """Put `value` where it belongs; a list item's (or the root's) line is recorded
        here, a mapping value's line was recorded with its key."""
        if top is None:
            if self.record_lines:
                self.lines.setdefault((), _line(event))
            self.result = value
            return
        container = top.container
        if isinstance(container, list):
            if self.record_lines:
                self.lines[(*top.path, len(container))] = _line(event)
            container.append(value)
        else:
            if not top.discard:
                assert top.key is not None  # a value follows its key
                container[top.key] = value
            top.key, top.discard = None, False

    def _key(self, top: _Frame, event: yaml.ScalarEvent) -> None:
        key = event.value
        if key == "<<" and event.implicit[0] and event.tag in (None, "!"):
            raise YamlProblem(_line(event), "merge keys (<<) are not supported; write keys out")
        if not self.record_lines:
            if key in top.container:
                raise _WrittenTwice
            top.key = key
            return
        line = _line(event)
        path = (*top.path, key)
        if key in top.container:
            first = self.lines.get(path, line)
            message = f"key '{key}' appears twice in one mapping (first on line {first})"
            if top.path and isinstance(top.path[-1], int) and next(iter(top.container)) == key:
                # the first key of a list item again: most often a new item without its dash
                message += (
                    f"; if this line starts the next item of the list, write '- ' before it: "
                    f"- {key}: ..."
                )
            self.duplicates.append((path, line, message))
            top.key, top.discard = key, True
            return
        self.lines[path] = line
        top.key = key

    def _alias(self, event: yaml.AliasEvent) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and top.key is None and type(top.container) is dict:
            raise YamlProblem(_line(event), "a key must be a plain word, not an alias")
        if event.anchor not in self.anchors:
            raise YamlProblem(
                _line(event), f"alias *{event.anchor} names no anchor (&{event.anchor})"
            )
        value, size = self.anchors[event.anchor]
        # Every alias stands for its whole anchored content: a "billion laughs" bomb is
        # aliases of aliases, so expansions get a budget of their own.
        self.alias_nodes += size
        if self.alias_nodes > MAX_ALIAS_EXPANSION:
            raise YamlProblem(
                _line(event),
                "aliases (*name) expand to too much data; write the content out instead",
            )
        self._count(event, size)
        self._place(top, value, event)

    def _open(self, event: yaml.CollectionStartEvent) -> None:
        self._count(event)
        top = self.stack[-1] if self.stack else None
        if top is not None and top.key is None and type(top.container) is dict:
            raise YamlProblem(_line(event), "a key must be a plain word, not a list or mapping")
        if event.tag not in _ALLOWED_COLLECTION_TAGS:
            raise YamlProblem(_line(event), _tag_refused(event.tag))
        if len(self.stack) >= MAX_DEPTH:
            raise YamlProblem(
                _line(event), f"nesting is deeper than {MAX_DEPTH} levels; a bank never needs that"
            )
        path = self._value_path(top)
        if self.record_lines and (top is None or type(top.container) is list):
            self.lines.setdefault(path, _line(event))
        container: list[Any] | dict[str, Any] = [] if type(event) is yaml.SequenceStartEvent else {}
        self.stack.append(_Frame(container, path, event.anchor, self.nodes - 1))

    def _close(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.container, self.nodes - frame.size_at_start)
        top = self.stack[-1] if self.stack else None
        if top is None:
            self.result = frame.container  # its line was recorded when it opened
            return
        container = top.container
        if isinstance(container, list):
            container.append(frame.container)  # its line was recorded when it opened
        else:
            if not top.discard:
                assert top.key is not None  # a value follows its key
                container[top.key] = frame.container
            top.key, top.discard = None, False


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark else 0


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
    try:
        built = _build(text, record_lines=False)
    except _WrittenTwice:
        built = _build(text, record_lines=True)
        return ParsedYaml(
            built.result, built.duplicates, built.number_text, known_lines=built.lines
        )
    return ParsedYaml(built.result, built.duplicates, built.number_text, source=text)


def _build(text: str, record_lines: bool) -> _Builder:
    builder = _Builder(record_lines)
    loader = _LOADER(text)
    try:
        # The parser's own get_event, not yaml.parse(): that generator wraps each of a big
        # bank's 340 000 events in two more calls.
        builder.build(loader.get_event)
    except yaml.YAMLError as exc:
        raise _syntax_problem(text, exc) from None
    finally:
        loader.dispose()
    return builder


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


def _syntax_problem(text: str, exc: yaml.YAMLError) -> YamlProblem:
    """libyaml's error for `text` as a YamlProblem with a line and plain words."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        detail = " ".join(filter(None, [exc.context, exc.problem]))
        lines = text.splitlines()
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        indent = source[: len(source) - len(source.lstrip())]
        if "\t" in indent and "tab" not in detail:
            detail = f"{detail} (a tab character)"  # libyaml often words it otherwise
        elif (found := advice(lines, line, detail)) is not None:
            at, fix = found
            return YamlProblem(at, f"not valid YAML: {fix} (the YAML parser says: {detail})")
        return YamlProblem(line, f"not valid YAML: {_plain_words(detail)}")
    if isinstance(exc, yaml.reader.ReaderError):
        return YamlProblem(
            _line_at(text, exc.position), f"character #x{exc.character:04x} is not allowed in YAML"
        )
    return YamlProblem(0, f"not valid YAML: {exc}")
