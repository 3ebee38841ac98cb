"""A fast path for plain, well-formed banks: rapidyaml parses, PyYAML's rules type scalars.

PyYAML needs ~1.5 s just to tokenise a 4 MB bank (10 000 questions), even with libyaml;
rapidyaml parses it in ~0.1 s. The fast path only accepts documents that are plain data
(no tags, anchors, aliases, merge keys, duplicate keys, odd characters or deep nesting)
and types plain scalars with PyYAML's own YAML 1.1 resolver, so its result equals the
safe path's. Anything else returns None and the safe path in safe_yaml.py decides,
with line numbers, as it does for every bank that turns out to have errors.
"""

from __future__ import annotations

import re
from typing import Any

import ryml
import yaml
from ryml import _ryml
from yaml.nodes import ScalarNode

_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_CONSTRUCT = yaml.SafeLoader("")
_BUILD = {
    "tag:yaml.org,2002:int": yaml.SafeLoader.construct_yaml_int,
    "tag:yaml.org,2002:float": yaml.SafeLoader.construct_yaml_float,
    "tag:yaml.org,2002:bool": yaml.SafeLoader.construct_yaml_bool,
    "tag:yaml.org,2002:null": yaml.SafeLoader.construct_yaml_null,
}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# Where rapidyaml is more lenient than PyYAML (tabs, directives, "..." markers, a second
# byte-order mark), the safe path decides: found by fuzzing both against each other.
# A "---" opening any line but the first (even inside a flow collection, where rapidyaml
# reads it as text and libyaml refuses it) also goes to the safe path.
_LENIENT = re.compile(rb"\t|^%|^\.\.\.|\n---", re.MULTILINE)
_BOM = "\ufeff".encode()


class TooLarge(ValueError):
    """The document has more nodes than any bank may have: refuse it outright."""


class _NotPlain(Exception):
    """The document uses something only the safe path handles."""


def _plain_scalar(text: str) -> Any:
    """Type an unquoted scalar exactly as PyYAML's SafeLoader would (YAML 1.1)."""
    candidates = _RESOLVERS.get(text[0] if text else "", [])
    for tag, pattern in [*candidates, *_RESOLVERS.get(None, [])]:
        if pattern.match(text):
            if tag == _TIMESTAMP:
                return text  # dates stay text, as in the safe path
            build = _BUILD.get(tag)
            if build is None:  # merge "<<", value "=", ... : the safe path explains
                raise _NotPlain(tag)
            return build(_CONSTRUCT, ScalarNode(tag, text))
    return text


# One flag word per node says everything the fast path must refuse.
_REFUSED = ryml.KEYREF | ryml.VALREF | ryml.KEYANCH | ryml.VALANCH | ryml.KEYTAG | ryml.VALTAG
_KEYNIL, _VALNIL = ryml.KEYNIL, ryml.VALNIL


def fast_parse(data: bytes, *, max_depth: int, max_nodes: int) -> Any:
    """Plain data for a plain document, or raise _NotPlain / ValueError for the safe path.

    One flat pass over rapidyaml's node array (ids follow document order, so a parent
    always precedes its children and siblings come in order), calling the raw SWIG
    functions: per-node Python method calls were 6x slower than the parse itself.
    """
    if _LENIENT.search(data) or data.find(_BOM, 1) >= 0:
        raise _NotPlain("tab, directive, document end marker or BOM")
    try:
        tree = ryml.parse_in_arena(data)
    except Exception as exc:  # rapidyaml's own exception types; the safe path explains
        raise _NotPlain("parse") from exc
    size = tree.size()
    if size > max_nodes:
        # Definitive, not a reason to try the careful path: rapidyaml counts a key and its
        # value as one node where the careful path counts two, so that path would refuse
        # it too, after seconds of work instead of this millisecond.
        raise TooLarge(
            f"document is too large to be a bank ({size:,} nodes; at most {max_nodes:,})"
        )
    flags_of, parent_of = _ryml.Tree_type, _ryml.Tree_parent
    key_of, val_of = _ryml.Tree_key, _ryml.Tree_val
    is_map, is_seq, has_key, has_val = ryml.MAP, ryml.SEQ, ryml.KEY, ryml.VAL
    quoted_key, quoted_val = ryml.KEYQUO, ryml.VALQUO
    stream, doc = ryml.STREAM, ryml.DOC

    nodes: list[Any] = [None] * size
    depth = [0] * size
    docs = 0
    for node in range(size):
        flags = int(flags_of(tree, node))
        if flags & _REFUSED:
            raise _NotPlain("tag/anchor/alias")
        if flags & (is_map | is_seq | stream):
            value: Any = {} if flags & is_map else []
        elif flags & has_val and not flags & _VALNIL:
            text = str(val_of(tree, node), "utf-8")
            if not flags & quoted_val and text.startswith("?"):
                raise _NotPlain("'?' is an indicator to PyYAML")
            value = text if flags & quoted_val else _plain_scalar(text)
        else:
            value = None
        nodes[node] = value
        if node == 0:
            continue
        parent = parent_of(tree, node)
        if parent >= node:
            raise _NotPlain("order")
        depth[node] = depth[parent] + 1
        if depth[node] > max_depth:
            raise _NotPlain("depth")
        container = nodes[parent]
        if flags & doc and int(flags_of(tree, parent)) & stream:
            docs += 1
        if flags & has_key:
            if flags & _KEYNIL or not isinstance(container, dict):
                raise _NotPlain("null or misplaced key")
            key = str(key_of(tree, node), "utf-8")
            if key in container or (key == "<<" and not flags & quoted_key):
                raise _NotPlain("duplicate or merge key")
            container[key] = value
        else:
            if not isinstance(container, list):
                raise _NotPlain("value without a key")
            container.append(value)
    if int(flags_of(tree, 0)) & stream:
        if docs != 1:
            raise _NotPlain("stream")
        return nodes[0][0]
    return nodes[0]


def try_fast_parse(data: bytes, *, max_depth: int, max_nodes: int) -> tuple[bool, Any]:
    """(True, data) when the fast path applies, (False, None) when the safe path must."""
    try:
        return True, fast_parse(data, max_depth=max_depth, max_nodes=max_nodes)
    except TooLarge:
        raise
    except Exception:  # anything odd: the safe path decides, and places it on a line
        return False, None
