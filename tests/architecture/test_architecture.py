"""The code stays on the map in architecture.toml: parts, allowed arrows, nevers, no cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from layout import render

ROOT = Path(__file__).resolve().parents[2]
MAP = tomllib.loads((ROOT / "architecture.toml").read_text())
PARTS: dict[str, dict] = MAP["parts"]


def _modules() -> dict[str, Path]:
    files = [*(ROOT / "engine").rglob("*.py"), *(ROOT / "lessons").rglob("*.py"), ROOT / "app.py"]
    found = {}
    for path in files:
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def part_of(module: str) -> str | None:
    """The part whose path is the longest prefix of the module's file."""
    rel = MODULES[module].relative_to(ROOT).as_posix()
    best, length = None, -1
    for name, spec in PARTS.items():
        for prefix in spec["paths"]:
            if (rel == prefix or rel.startswith(prefix.rstrip("/") + "/")) and len(prefix) > length:
                best, length = name, len(prefix)
    return best


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[str]:
    """Every module named by an import, lazy ones included, TYPE_CHECKING blocks skipped."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield sub if sub in MODULES else node.module
        stack.extend(ast.iter_child_nodes(node))


@cache
def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in MODULES.items():
        for target in _imports(ast.parse(path.read_text())):
            graph[module].add(target)
    return graph


def _expand(names: list[str]) -> set[str]:
    out = set()
    for name in names:
        if name == "*engine":
            out |= {p for p, s in PARTS.items() if all(x.startswith("engine") for x in s["paths"])}
        elif name == "*notstore":
            out |= set(PARTS) - {"store"}
        else:
            out.add(name)
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(MODULES):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()) & MODULES.keys())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ()) & MODULES.keys()))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_every_module_belongs_to_a_part():
    assert [m for m in MODULES if part_of(m) is None] == []


def test_every_part_names_paths_that_exist_and_parts_that_exist():
    for name, spec in PARTS.items():
        for path in spec["paths"]:
            assert (ROOT / path).exists(), f"part {name}: {path} does not exist"
        assert set(spec["uses"]) <= PARTS.keys(), f"part {name} uses an unknown part"


def test_there_are_no_import_cycles():
    assert _cycles(import_graph()) == []


def _arrows() -> set[tuple[str, str, str, str]]:
    arrows = set()
    for module, targets in import_graph().items():
        for target in targets & MODULES.keys():
            a, b = part_of(module), part_of(target)
            if a != b:
                arrows.add((a, b, module, target))
    return arrows


def test_every_import_between_parts_is_an_allowed_arrow():
    bad = [
        f"{m} -> {t} ({a} -> {b})" for a, b, m, t in sorted(_arrows()) if b not in PARTS[a]["uses"]
    ]
    assert bad == []


def test_no_never_arrow_appears():
    bad = []
    for rule in MAP["never"]:
        sources, targets = _expand([rule["from"]]), _expand(rule["to"])
        bad += [
            f"{m} -> {t}: {rule['why']}"
            for a, b, m, t in _arrows()
            if a in sources and b in targets
        ]
    assert bad == []


def test_no_never_arrow_is_also_allowed():
    for rule in MAP["never"]:
        for source in _expand([rule["from"]]):
            assert not (_expand(rule["to"]) & set(PARTS[source]["uses"])), source


def test_no_part_imports_what_the_map_forbids_it():
    bad = []
    for forbidden_in, names in MAP["forbidden_imports"].items():
        parts = _expand([forbidden_in])
        for module, targets in import_graph().items():
            if part_of(module) in parts:
                bad += [f"{module} imports {t}" for t in targets if t.split(".")[0] in names]
    assert bad == []


def test_the_engine_root_holds_at_most_three_modules():
    root_modules = sorted(p.name for p in (ROOT / "engine").glob("*.py"))
    assert len(root_modules) <= 3, root_modules


def test_the_readme_layout_is_drawn_from_the_map():
    assert render() in (ROOT / "README.md").read_text(), (
        "README's Layout table differs from architecture.toml: "
        "run python tests/architecture/layout.py"
    )


@pytest.mark.slow
def test_validating_the_shipped_banks_imports_no_torch():
    probe = (
        "import sys, runpy; sys.argv = ['engine', 'validate', 'quizzes/', '--seeds', '0'];"
        "\ntry:\n    runpy.run_module('engine', run_name='__main__')\nexcept SystemExit as e:\n"
        "    code = e.code\nprint('TORCH' if 'torch' in sys.modules else 'NO-TORCH', code)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.stdout.strip().splitlines()[-1] == "NO-TORCH 0", out.stdout + out.stderr
