"""Whether code can be graded at all, decided in the app without running it: it compiles, and
its module defines the function the exercise asks for. The learner's process is never asked
(a reply saying "not gradable" would be a free retry for a failing answer)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

MAX_CODE_CHARS = 100_000
LEARNER_FILE = "<your code>"


@dataclass(frozen=True)
class NotGradable:
    """Why code is not graded (no attempt spent), and the line to look at. A module without
    the function is still run: an error its own code raises first is graded (as before any
    check ran) — the run can only make the result worse for the learner, never gradable."""

    message: str
    line: int | None = None
    missing_function: bool = False


def _bound_names(statements: list[ast.stmt]) -> set[str]:
    """Names the module's top level binds (defs, classes, assignments, imports), looking
    inside if/try/with blocks but never inside a function or class body."""
    names: set[str] = set()
    for statement in statements:
        match statement:
            case (
                ast.FunctionDef(name=name)
                | ast.AsyncFunctionDef(name=name)
                | ast.ClassDef(name=name)
            ):
                names.add(name)
            case ast.Assign(targets=targets):
                names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
            case ast.AnnAssign(target=ast.Name(id=name)) | ast.AugAssign(target=ast.Name(id=name)):
                names.add(name)
            case ast.Import(names=aliases) | ast.ImportFrom(names=aliases):
                names.update((a.asname or a.name).split(".")[0] for a in aliases)
            case (
                ast.If(body=body, orelse=orelse)
                | ast.For(body=body, orelse=orelse)
                | ast.While(body=body, orelse=orelse)
            ):
                names |= _bound_names(body) | _bound_names(orelse)
            case ast.With(body=body):
                names |= _bound_names(body)
            case ast.Try(body=body, orelse=orelse, finalbody=final, handlers=handlers):
                names |= _bound_names(body) | _bound_names(orelse) | _bound_names(final)
                for handler in handlers:
                    names |= _bound_names(handler.body)
    return names


def why_not_gradable(code: str, function: str) -> NotGradable | None:
    """None when ``code`` compiles and defines ``function``; else what to fix."""
    if len(code) > MAX_CODE_CHARS:
        return NotGradable(
            f"Your code is longer than {MAX_CODE_CHARS:,} characters. Not graded; shorten it "
            "and run again."
        )
    try:
        tree = ast.parse(code, LEARNER_FILE)
        compile(tree, LEARNER_FILE, "exec")
    except SyntaxError as error:
        return NotGradable(
            f"Syntax error on line {error.lineno}: {error.msg}. Not graded; fix it and run again.",
            line=error.lineno,
        )
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, nesting too deep
        return NotGradable(
            f"Python could not read your code ({type(error).__name__}). Not graded; fix it "
            "and run again."
        )
    if function not in _bound_names(tree.body):
        return NotGradable(
            f"No function named `{function}` found: define `def {function}(model):`. Not graded.",
            missing_function=True,
        )
    return None
