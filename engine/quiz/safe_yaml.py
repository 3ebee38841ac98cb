"""Parse untrusted YAML into plain data plus a line number for every path in it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.quiz.fast_yaml import try_fast_parse

# Limits sized far beyond any real bank (a 10 000-question bank is ~4 MB, ~400 000 nodes)
# yet small enough that a hostile file is refused in well under a second.
MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 2_000_000
MAX_ALIAS_EXPANSION = 10_000

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

Path = tuple[str | int, ...]


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
    lines: dict[Path, int] = field(default_factory=dict)
    has_lines: bool = True  # False when the fast path parsed it (no line numbers kept)

    def line_of(self, path: Path) -> int:
        """Line of the deepest known prefix of `path` (a missing key reports its parent)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1


class _DepthLimitedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses absurd nesting before Python's stack does."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlProblem(
                    mark.line + 1,
                    f"nesting is deeper than {MAX_DEPTH} levels; a bank never needs that",
                )
            return Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1


_scalar_constructor = yaml.SafeLoader(  # resolves "1.5", "true", "null" as YAML 1.1 does
    ""
)


class _Builder:
    """Turns a node tree into plain data, recording lines, refusing tags and bombs."""

    def __init__(self) -> None:
        self.lines: dict[Path, int] = {}
        self.nodes = 0
        self.alias_nodes = 0
        self.seen: set[int] = set()

    def build(self, node: Node, path: Path, in_alias: bool) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlProblem(node.start_mark.line + 1, "document is too large to be a bank")
        # PyYAML reuses the anchored node object for every alias: meeting one twice means
        # an alias is being expanded, and those expansions are what a "billion laughs"
        # bomb multiplies, so they get a budget of their own.
        if id(node) in self.seen:
            in_alias = True
        self.seen.add(id(node))
        if in_alias:
            self.alias_nodes += 1
            if self.alias_nodes > MAX_ALIAS_EXPANSION:
                raise YamlProblem(
                    node.start_mark.line + 1,
                    "aliases (*name) expand to too much data; write the content out instead",
                )
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        if isinstance(node, SequenceNode):
            self._check_tag(node, _SEQ)
            return [self.build(item, (*path, i), in_alias) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            self._check_tag(node, _MAP)
            return self._mapping(node, path, in_alias)
        raise YamlProblem(node.start_mark.line + 1, "unsupported YAML node")  # pragma: no cover

    def _mapping(self, node: MappingNode, path: Path, in_alias: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem(line, "a key must be a plain word, not a list or mapping")
            if key_node.value == "<<" and key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(line, "merge keys (<<) are not supported; write keys out")
            key = key_node.value
            if key in out:
                first = self.lines.get((*path, key), line)
                raise YamlProblem(
                    line, f"key '{key}' appears twice in one mapping (first on line {first})"
                )
            self.lines[(*path, key)] = line
            out[key] = self.build(value_node, (*path, key), in_alias)
        return out

    def _check_tag(self, node: Node, expected: str) -> None:
        if node.tag != expected:
            raise YamlProblem(
                node.start_mark.line + 1,
                f"tag {_short(node.tag)} is not allowed; banks hold plain text, numbers and lists",
            )

    def _scalar(self, node: ScalarNode) -> Any:
        if node.tag == _TIMESTAMP:
            # An unquoted date (version: 2026-11-24) is meant as text, not a datetime.
            return node.value
        if node.tag not in _SCALAR_TAGS:
            raise YamlProblem(
                node.start_mark.line + 1,
                f"tag {_short(node.tag)} is not allowed; banks hold plain text, numbers and lists",
            )
        constructor = _scalar_constructor.yaml_constructors[node.tag]
        return constructor(_scalar_constructor, node)


def _short(tag: str) -> str:
    return re.sub(r"^tag:yaml\.org,2002:", "!!", tag)


def _line_at(text: str, position: int) -> int:
    return text.count("\n", 0, max(position, 0)) + 1


def parse_yaml(text: str | bytes, *, need_lines: bool = True) -> ParsedYaml:
    """Parse one YAML document safely. Raises YamlProblem with a line and a plain message.

    With need_lines=False a plain document may take the fast path (no line numbers);
    callers re-parse with lines when they find something to report.
    """
    if len(text) > MAX_BYTES:
        raise YamlProblem(0, f"file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise YamlProblem(0, f"file is not UTF-8 text (byte {exc.start})") from None
    if not need_lines and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        ok, data = try_fast_parse(text.encode("utf-8"), max_depth=MAX_DEPTH, max_nodes=MAX_NODES)
        if ok:
            return ParsedYaml(data=data, has_lines=False)
    loader = None
    try:
        # The reader checks for unprintable characters already in the constructor.
        loader = _DepthLimitedLoader(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        detail = " ".join(filter(None, [exc.context, exc.problem]))
        raise YamlProblem(line, f"not valid YAML: {detail}") from None
    except yaml.reader.ReaderError as exc:
        raise YamlProblem(
            _line_at(text, exc.position), f"character #x{exc.character:04x} is not allowed in YAML"
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(0, f"not valid YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        return ParsedYaml(data=None)
    builder = _Builder()
    data = builder.build(node, (), in_alias=False)
    return ParsedYaml(data=data, lines=builder.lines)
