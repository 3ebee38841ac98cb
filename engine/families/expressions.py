"""A small, safe evaluator for the expressions a formula family writes: numbers, lists of
numbers, arithmetic, comparisons and a whitelist of functions — never Python's `eval`.

An expression is parsed with `ast` and every node checked against a whitelist before it is
ever evaluated: attribute access, calls to unknown names, lambdas, comprehensions, text and
anything else Python offers are refused with a message an instructor can act on. Sizes are
bounded (length, nodes, nesting, list length, exponents), so no expression a bank writes
can hang the server or exhaust its memory. Evaluation walks the checked tree in floats.

    known = {"tp": NUMBER, "errors": LIST}
    expression = compile_expression("2 * tp / (2 * tp + fp + fn)", known)  # ExpressionError
    value = expression.evaluate({"tp": 40.0, ...})  # EvaluationError: 0/0, sqrt(-1), overflow
"""

from __future__ import annotations

import ast
import math
import operator
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

MAX_LENGTH = 400  # characters of one expression
MAX_NODES = 200  # parsed nodes of one expression
MAX_DEPTH = 30  # nesting of operations
MAX_LIST = 100  # elements of a list
MAX_EXPONENT = 1000  # |b| in a ** b: beyond it a float overflows anyway
MAX_COMB = 1000  # n in comb(n, k)

Value = float | tuple[float, ...]


class Kind(StrEnum):
    NUMBER = "number"
    LIST = "list"


NUMBER = Kind.NUMBER
LIST = Kind.LIST


class ExpressionError(ValueError):
    """An expression a bank may not use; the message says what to write instead."""


class EvaluationError(ArithmeticError):
    """An expression with no value for these numbers (0/0, sqrt(-1), an overflow)."""


CONSTANTS: dict[str, float] = {"pi": math.pi}


def _mean(values: tuple[float, ...]) -> float:
    if not values:
        raise EvaluationError("mean of an empty list")
    return math.fsum(values) / len(values)


def _sqrt(x: float) -> float:
    if x < 0:
        raise EvaluationError(f"sqrt({x:g}) of a negative number")
    return math.sqrt(x)


def _log(x: float, base: float | None = None) -> float:
    if x <= 0 or (base is not None and (base <= 0 or base == 1)):
        raise EvaluationError(f"log of {x:g}" + ("" if base is None else f" to base {base:g}"))
    return math.log(x) if base is None else math.log(x, base)


def _positive_log(log: Callable[[float], float]) -> Callable[[float], float]:
    def of(x: float) -> float:
        if x <= 0:
            raise EvaluationError(f"log of {x:g}")
        return log(x)

    return of


def _round(x: float, digits: float = 0) -> float:
    return float(round(x, _whole(digits, "round's digits")))


def _comb(n: float, k: float) -> float:
    n_, k_ = _whole(n, "comb's n"), _whole(k, "comb's k")
    if not 0 <= n_ <= MAX_COMB or k_ < 0:
        raise EvaluationError(f"comb({n_}, {k_}) needs 0 <= k and 0 <= n <= {MAX_COMB}")
    return float(math.comb(n_, k_))


def _whole(x: float, what: str) -> int:
    if x != int(x):
        raise EvaluationError(f"{what} must be a whole number, not {x:g}")
    return int(x)


def _extreme(pick: Callable[..., float]) -> Callable[..., float]:
    def of(*args: Value) -> float:
        values = args[0] if len(args) == 1 else args
        if not values:
            raise EvaluationError("min or max of an empty list")
        return float(pick(values))

    return of


@dataclass(frozen=True)
class _Function:
    call: Callable[..., float]
    takes: tuple[tuple[Kind, ...], ...]  # each signature it accepts
    variadic: bool = False  # min(a, b, c, ...): any number (2 or more) of numbers
    usage: str = ""


FUNCTIONS: dict[str, _Function] = {
    "abs": _Function(abs, ((NUMBER,),), usage="abs(x)"),
    "sqrt": _Function(_sqrt, ((NUMBER,),), usage="sqrt(x)"),
    "exp": _Function(math.exp, ((NUMBER,),), usage="exp(x)"),
    "log": _Function(_log, ((NUMBER,), (NUMBER, NUMBER)), usage="log(x) or log(x, base)"),
    "log2": _Function(_positive_log(math.log2), ((NUMBER,),), usage="log2(x)"),
    "log10": _Function(_positive_log(math.log10), ((NUMBER,),), usage="log10(x)"),
    "floor": _Function(lambda x: float(math.floor(x)), ((NUMBER,),), usage="floor(x)"),
    "ceil": _Function(lambda x: float(math.ceil(x)), ((NUMBER,),), usage="ceil(x)"),
    "round": _Function(_round, ((NUMBER,), (NUMBER, NUMBER)), usage="round(x, digits)"),
    "comb": _Function(_comb, ((NUMBER, NUMBER),), usage="comb(n, k)"),
    "min": _Function(_extreme(min), ((LIST,),), variadic=True, usage="min(list) or min(a, b)"),
    "max": _Function(_extreme(max), ((LIST,),), variadic=True, usage="max(list) or max(a, b)"),
    "sum": _Function(math.fsum, ((LIST,),), usage="sum(list)"),
    "mean": _Function(_mean, ((LIST,),), usage="mean(list)"),
    "len": _Function(lambda xs: float(len(xs)), ((LIST,),), usage="len(list)"),
}

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type[ast.cmpop], Callable[[float, float], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
# What an instructor reads when the expression uses a Python feature the evaluator refuses.
_REFUSED: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access ('.') is not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed; use sum(...), mean(...), min(...) or max(...)",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed; use sum(...), mean(...) over a list",
    ast.Dict: "mappings are not allowed; only numbers and lists of numbers",
    ast.Set: "sets are not allowed; only numbers and lists of numbers",
    ast.JoinedStr: "text is not allowed; only numbers and lists of numbers",
    ast.NamedExpr: "':=' is not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.Slice: "slices are not allowed; index one element, e.g. losses[0]",
}


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, what it refers to, and the kind of value it has."""

    text: str
    tree: ast.expr
    names: frozenset[str]
    kind: Kind

    def evaluate(self, env: Mapping[str, Value]) -> Value:
        """The value for these numbers; EvaluationError when it has none."""
        try:
            value = _evaluate(self.tree, env)
        except (ZeroDivisionError, OverflowError) as error:
            raise EvaluationError(f"{self.text}: {error}") from None
        except (ValueError, TypeError, IndexError) as error:  # a math domain error
            raise EvaluationError(f"{self.text}: {error}") from None
        for number in value if isinstance(value, tuple) else (value,):
            if not math.isfinite(number):
                raise EvaluationError(f"{self.text} is {number}, not a finite number")
        return value

    def number(self, env: Mapping[str, Value]) -> float:
        value = self.evaluate(env)
        assert not isinstance(value, tuple), "compile_expression checked the kind"
        return value


def compile_expression(text: Any, known: Mapping[str, Kind]) -> Expression:
    """`text` parsed and checked against `known` (the names in scope, with their kinds).

    Raises ExpressionError naming what is refused; nothing is evaluated except constant
    parts (to refuse 9 ** 9 ** 9 before a learner ever meets it)."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ExpressionError(f"write an expression as text or a number, not {text!r}")
    source = str(text).strip()
    if not source:
        raise ExpressionError("the expression is empty")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    try:
        with warnings.catch_warnings():  # "1in x" parses with a SyntaxWarning on stderr
            warnings.simplefilter("ignore", SyntaxWarning)
            parsed = ast.parse(source, mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"{source!r} is not a valid expression: {error.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(f"{source!r} is nested too deeply") from None
    nodes = sum(1 for _ in ast.walk(parsed))
    if nodes > MAX_NODES:
        raise ExpressionError(f"the expression has {nodes} parts; at most {MAX_NODES}")
    checker = _Checker(known)
    kind = checker.kind(parsed.body, 0)
    return Expression(source, parsed.body, frozenset(checker.names), kind)


class _Checker:
    """Walks a parsed expression once: whitelisted nodes only, names in scope, kinds that
    fit (no arithmetic on a list), and constant exponents within bounds."""

    def __init__(self, known: Mapping[str, Kind]) -> None:
        self.known = known
        self.names: set[str] = set()

    def kind(self, node: ast.expr, depth: int) -> Kind:
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} deep")
        deeper = depth + 1
        match node:
            case ast.Constant(value=value):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    shown = "text" if isinstance(value, str) else repr(value)
                    raise ExpressionError(f"{shown} is not allowed; only numbers")
                return NUMBER
            case ast.Name(id=name):
                return self._name(name)
            case ast.BinOp(left=left, op=op, right=right):
                if type(op) not in _BINARY:
                    raise ExpressionError(f"the operator {_symbol(op)} is not allowed")
                self._numbers("arithmetic", [left, right], deeper)
                if isinstance(op, ast.Pow):
                    self._bounded_power(right)
                return NUMBER
            case ast.UnaryOp(op=ast.USub() | ast.UAdd() | ast.Not(), operand=operand):
                self._numbers("arithmetic", [operand], deeper)
                return NUMBER
            case ast.BoolOp(values=values):
                self._numbers("'and'/'or'", values, deeper)
                return NUMBER
            case ast.Compare(left=left, ops=ops, comparators=right):
                for comparison in ops:
                    if type(comparison) not in _COMPARE:
                        raise ExpressionError(
                            f"the comparison {_symbol(comparison)} is not allowed"
                        )
                self._numbers("a comparison", [left, *right], deeper)
                return NUMBER
            case ast.IfExp(test=test, body=body, orelse=orelse):
                self._numbers("a condition", [test], deeper)
                kinds = {self.kind(body, deeper), self.kind(orelse, deeper)}
                if len(kinds) > 1:
                    raise ExpressionError("both sides of 'if ... else' must be numbers, or lists")
                return kinds.pop()
            case ast.List(elts=elements) | ast.Tuple(elts=elements):
                if len(elements) > MAX_LIST:
                    raise ExpressionError(f"a list holds at most {MAX_LIST} numbers")
                self._numbers("a list", elements, deeper)
                return LIST
            case ast.Subscript(value=value, slice=index):
                if isinstance(index, ast.Slice):
                    raise ExpressionError(_REFUSED[ast.Slice])
                if self.kind(value, deeper) is not LIST:
                    raise ExpressionError("only a list can be indexed, e.g. losses[0]")
                self._numbers("an index", [index], deeper)
                return NUMBER
            case ast.Call():
                return self._call(node, deeper)
        for refused, message in _REFUSED.items():
            if isinstance(node, refused):
                raise ExpressionError(message)
        raise ExpressionError(f"{type(node).__name__} is not allowed in an expression")

    def _name(self, name: str) -> Kind:
        if name in self.known:
            self.names.add(name)
            return self.known[name]
        if name in CONSTANTS:
            return NUMBER
        if name in FUNCTIONS:
            raise ExpressionError(f"{name} is a function: call it, e.g. {FUNCTIONS[name].usage}")
        known = ", ".join(sorted(self.known)) or "none"
        raise ExpressionError(f"'{name}' names no variable; defined before this: {known}")

    def _numbers(self, what: str, nodes: Sequence[ast.expr], depth: int) -> None:
        for node in nodes:
            if self.kind(node, depth) is LIST:
                raise ExpressionError(
                    f"{what} needs numbers, not a list; use sum(...), mean(...), min(...), "
                    "max(...), len(...) or an index such as x[0]"
                )

    def _bounded_power(self, exponent: ast.expr) -> None:
        if _names_in(exponent):
            return  # bounded when evaluated
        value = _evaluate(exponent, {}) if self._foldable(exponent) else None
        if isinstance(value, float) and abs(value) > MAX_EXPONENT:
            raise ExpressionError(
                f"the exponent {value:g} is too large; exponents are limited to ±{MAX_EXPONENT}"
            )

    def _foldable(self, node: ast.expr) -> bool:
        try:
            _evaluate(node, {})
        except (ArithmeticError, ValueError, TypeError, IndexError) as error:
            raise ExpressionError(f"{ast.unparse(node)} has no value: {error}") from None
        return True

    def _call(self, node: ast.Call, depth: int) -> Kind:
        func = node.func
        if not isinstance(func, ast.Name):
            if isinstance(func, ast.Attribute):
                raise ExpressionError(_REFUSED[ast.Attribute])
            raise ExpressionError("only the listed functions can be called, by name")
        function = FUNCTIONS.get(func.id)
        if function is None:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise ExpressionError(f"unknown function '{func.id}'; functions are: {allowed}")
        if node.keywords:
            raise ExpressionError(f"{func.id}: write arguments by position, e.g. {function.usage}")
        kinds = tuple(self.kind(arg, depth) for arg in node.args)
        fits = kinds in function.takes or (
            function.variadic and len(kinds) >= 2 and set(kinds) == {NUMBER}
        )
        if not fits:
            raise ExpressionError(f"{func.id} takes {function.usage}")
        return NUMBER


_WHOLE_FUNCTIONS = frozenset({"abs", "min", "max", "floor", "ceil", "len", "sum", "comb"})


def is_whole(expression: Expression, whole_names: frozenset[str] | set[str]) -> bool:
    """Whether every value of `expression` is a whole number when the names in
    `whole_names` are: sums, differences, products and whole powers of whole numbers, counts
    and roundings. A prompt writes such a value as 150, not 150.000."""
    return _whole_tree(expression.tree, whole_names)


def _whole_tree(node: ast.expr, whole: frozenset[str] | set[str]) -> bool:
    match node:
        case ast.Constant(value=int()):
            return True
        case ast.Name(id=name):
            return name in whole
        case ast.BinOp(
            left=left, op=ast.Add() | ast.Sub() | ast.Mult() | ast.FloorDiv(), right=right
        ):
            return _whole_tree(left, whole) and _whole_tree(right, whole)
        case ast.BinOp(left=left, op=ast.Pow(), right=ast.Constant(value=int(exponent))):
            return exponent >= 0 and _whole_tree(left, whole)
        case ast.UnaryOp(op=ast.USub() | ast.UAdd(), operand=operand):
            return _whole_tree(operand, whole)
        case ast.Compare() | ast.UnaryOp(op=ast.Not()):
            return True
        case ast.IfExp(body=body, orelse=orelse):
            return _whole_tree(body, whole) and _whole_tree(orelse, whole)
        case ast.List(elts=elements) | ast.Tuple(elts=elements):
            return all(_whole_tree(e, whole) for e in elements)
        case ast.Subscript(value=value):
            return _whole_tree(value, whole)
        case ast.Call(func=ast.Name(id="round"), args=[_]):
            return True
        case ast.Call(func=ast.Name(id="floor" | "ceil" | "len" | "comb")):
            return True
        case ast.Call(func=ast.Name(id=name), args=args) if name in _WHOLE_FUNCTIONS:
            return all(_whole_tree(a, whole) for a in args)
    return False


def _names_in(node: ast.expr) -> bool:
    return any(isinstance(n, ast.Name) and n.id not in CONSTANTS for n in ast.walk(node))


def _symbol(op: ast.AST) -> str:
    symbols: dict[type[ast.AST], str] = {
        ast.MatMult: "'@'",
        ast.BitAnd: "'&'",
        ast.BitOr: "'|'",
        ast.BitXor: "'^'",
        ast.LShift: "'<<'",
        ast.RShift: "'>>'",
        ast.Is: "'is'",
        ast.IsNot: "'is not'",
        ast.In: "'in'",
        ast.NotIn: "'not in'",
        ast.Invert: "'~'",
    }
    return symbols.get(type(op), f"'{type(op).__name__}'")


def _power(base: float, exponent: float) -> float:
    if abs(exponent) > MAX_EXPONENT:
        raise OverflowError(f"the exponent {exponent:g} is beyond ±{MAX_EXPONENT}")
    result: Any = base**exponent
    if isinstance(result, complex):
        raise ValueError(f"{base:g} ** {exponent:g} is not a real number")
    return float(result)


def _evaluate(node: ast.expr, env: Mapping[str, Value]) -> Value:
    """The value of a tree `_Checker` accepted (it never sees another node)."""
    match node:
        case ast.Constant(value=int() | float() as value):
            return float(value)
        case ast.Name(id=name):
            return env[name] if name in env else CONSTANTS[name]
        case ast.BinOp(left=left, op=op, right=right):
            a, b = _num(left, env), _num(right, env)
            if isinstance(op, ast.Pow):
                return _power(a, b)
            return float(_BINARY[type(op)](a, b))
        case ast.UnaryOp(op=op, operand=operand):
            x = _num(operand, env)
            return (
                -x if isinstance(op, ast.USub) else (float(not x) if isinstance(op, ast.Not) else x)
            )
        case ast.BoolOp(op=op, values=values):
            result = 0.0
            for value_node in values:  # short-circuits as Python does, returning the operand
                result = _num(value_node, env)
                if (isinstance(op, ast.And) and not result) or (isinstance(op, ast.Or) and result):
                    break
            return result
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            a = _num(left, env)
            for comparison, right in zip(ops, comparators, strict=True):
                b = _num(right, env)
                if not _COMPARE[type(comparison)](a, b):
                    return 0.0
                a = b
            return 1.0
        case ast.IfExp(test=test, body=body, orelse=orelse):
            return _evaluate(body if _num(test, env) else orelse, env)
        case ast.List(elts=elements) | ast.Tuple(elts=elements):
            return tuple(_num(e, env) for e in elements)
        case ast.Subscript(value=value, slice=index):
            items = _evaluate(value, env)
            assert isinstance(items, tuple)
            position = _num(index, env)
            if position != int(position) or not -len(items) <= position < len(items):
                raise IndexError(f"index {position:g} is outside a list of {len(items)}")
            return items[int(position)]
        case ast.Call(func=ast.Name(id=name), args=args):
            return float(FUNCTIONS[name].call(*(_evaluate(a, env) for a in args)))
    raise TypeError(f"unchecked node {type(node).__name__}")  # pragma: no cover


def _num(node: ast.expr, env: Mapping[str, Value]) -> float:
    value = _evaluate(node, env)
    assert not isinstance(value, tuple), "the checker refuses arithmetic on lists"
    return value
