"""The bounded operator layer: sizes a script may make, checked before the work is done.

`'a' * 10**10` or `7 ** 10**8` is one operator and one call into C: nothing between bytecodes
can stop it once it runs. So the operators and builtins that can make something much larger
than their operands (`*`, `**`, `<<`, `+`, `%` formatting, `pow`, `sum`, and the string methods
that pad, repeat or join) are routed through the checks below, which compute the size of the
result from the operands and refuse it when it is over the limit. The same checks run at
validation on constant expressions, so `'a' * (10 ** 10)` in a diagram is refused at deploy.

What these checks do not foresee, the per-command ceiling on memory and time in
`engine.sandbox` still stops.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from RestrictedPython import RestrictingNodeTransformer


class TooLarge(Exception):
    """The result would be larger than the sandbox allows; nothing was computed."""


@dataclass(frozen=True)
class SandboxLimits:
    """Limits of diagram code; pass your own to `Engine(sandbox_limits=...)`."""

    max_string: int = 1_000_000  # characters (or bytes) in one string made by an operator or method
    max_items: int = 1_000_000  # items in one list or tuple made by an operator
    max_int_bits: int = 100_000  # bits of one integer (about 30,000 digits)
    time_seconds: float = 5.0  # wall-clock time of one script or expression
    memory_mb: int = 512  # memory one script or expression may add to the process
    isolate: bool = True  # run code that loops or calls in a forked child with hard limits (POSIX)


DEFAULT_LIMITS = SandboxLimits()

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "//": operator.floordiv,
    "%": operator.mod, "**": operator.pow, "<<": operator.lshift, ">>": operator.rshift, "&": operator.and_,
    "|": operator.or_, "^": operator.xor,
}
BOUNDED = {ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%"}
_TEXT = (str, bytes, bytearray)
_SEQUENCES = (list, tuple)
_FORMAT_WIDTH = re.compile(r"%[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE_WIDTH = re.compile(r"\{[^{}]*:[^{}]*?(\d+)")


def _bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _size_limit(value: Any, limits: SandboxLimits) -> tuple[int, str]:
    return (limits.max_string, "characters") if isinstance(value, _TEXT) else (limits.max_items, "items")


def check_binop(symbol: str, a: Any, b: Any, limits: SandboxLimits) -> None:
    """Raise TooLarge if `a <symbol> b` would be over a limit; cost is independent of the result's size."""
    if symbol == "*":
        for seq, count in ((a, b), (b, a)):
            if isinstance(seq, _TEXT + _SEQUENCES) and isinstance(count, int) and not isinstance(count, bool):
                limit, unit = _size_limit(seq, limits)
                if len(seq) * max(count, 0) > limit:
                    raise TooLarge(f"this would make {len(seq) * count:,} {unit} (the limit is {limit:,})")
        if isinstance(a, int) and isinstance(b, int) and _bits(a) + _bits(b) > limits.max_int_bits:
            raise TooLarge(f"this would make an integer of about {_bits(a) + _bits(b):,} bits "
                           f"(the limit is {limits.max_int_bits:,})")
    elif symbol == "**":
        if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
            bits = b * math.log2(abs(a))
            if bits > limits.max_int_bits:
                raise TooLarge(f"this would make an integer of about {bits:,.0f} bits "
                               f"(the limit is {limits.max_int_bits:,})")
    elif symbol == "<<":
        if isinstance(a, int) and isinstance(b, int) and a and _bits(a) + b > limits.max_int_bits:
            raise TooLarge(f"this would make an integer of about {_bits(a) + b:,} bits "
                           f"(the limit is {limits.max_int_bits:,})")
    elif symbol == "+":
        if isinstance(a, _TEXT + _SEQUENCES) and isinstance(b, _TEXT + _SEQUENCES):
            limit, unit = _size_limit(a, limits)
            if len(a) + len(b) > limit:
                raise TooLarge(f"this would make {len(a) + len(b):,} {unit} (the limit is {limit:,})")
    elif symbol == "%" and isinstance(a, _TEXT):
        check_format(a if isinstance(a, str) else a.decode("latin-1"), b if isinstance(b, tuple) else (b,), limits)


def check_format(template: str, args: Iterable[Any], limits: SandboxLimits) -> None:
    """A `%` or `{}` template whose width or precision alone would pass the string limit."""
    numbers = [int(n) for match in _FORMAT_WIDTH.finditer(template) for n in match.groups() if n and n != "*"]
    numbers += [int(n) for n in _BRACE_WIDTH.findall(template)]
    if "*" in template:
        numbers += [a for a in args if isinstance(a, int)]
    if any(n > limits.max_string for n in numbers):
        raise TooLarge(f"a width or precision over {limits.max_string:,} characters")


def bounded_binop(limits: SandboxLimits) -> Callable[[str, Any, Any], Any]:
    def binop(symbol: str, a: Any, b: Any) -> Any:
        check_binop(symbol, a, b, limits)
        return _OPERATORS[symbol](a, b)
    return binop


def bounded_inplace(limits: SandboxLimits) -> Callable[[str, Any, Any], Any]:
    """RestrictedPython's `_inplacevar_`: `x += y` and friends, checked like their operators."""
    def inplace(op: str, a: Any, b: Any) -> Any:
        symbol = op.removesuffix("=")
        check_binop(symbol, a, b, limits)
        return _OPERATORS[symbol](a, b)
    return inplace


def bounded_builtins(limits: SandboxLimits) -> dict[str, Any]:
    """`pow` and `sum`, which can make large values from small arguments."""
    def bounded_pow(base: Any, exp: Any, mod: Any = None) -> Any:
        if mod is None:
            check_binop("**", base, exp, limits)
            return pow(base, exp)
        return pow(base, exp, mod)

    def bounded_sum(items: Iterable[Any], start: Any = 0) -> Any:
        total = start
        for item in items:
            check_binop("+", total, item, limits)
            total = total + item
        return total

    return {"pow": bounded_pow, "sum": bounded_sum}


_STRING_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs", "replace", "join", "format"})


def bounded_method(obj: Any, name: str, method: Any, limits: SandboxLimits) -> Any:
    """A string method that could make a much longer string, with its result's length checked first."""
    if not isinstance(obj, str) or name not in _STRING_METHODS:
        return method

    def checked(*args: Any, **kwargs: Any) -> Any:
        if name in ("ljust", "rjust", "center", "zfill") and args and isinstance(args[0], int):
            length = args[0]
        elif name == "expandtabs":
            length = len(obj) * (args[0] if args and isinstance(args[0], int) else 8)
        elif name == "replace" and len(args) >= 2:
            count = obj.count(args[0]) if args[0] else len(obj) + 1
            if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
                count = min(count, args[2])
            length = len(obj) + count * max(len(args[1]) - len(args[0]), 0)
        elif name == "join" and args:
            parts = list(args[0])
            length = sum(len(p) for p in parts if isinstance(p, str)) + len(obj) * max(len(parts) - 1, 0)
            args = (parts, *args[1:])
        elif name == "format":
            check_format(obj, [*args, *kwargs.values()], limits)
            length = 0
        else:
            length = 0
        if length > limits.max_string:
            raise TooLarge(f"this would make {length:,} characters (the limit is {limits.max_string:,})")
        return method(*args, **kwargs)
    return checked


class BoundedTransformer(RestrictingNodeTransformer):
    """RestrictedPython's rules plus: the operators that can grow a value call `_binop_`, and a
    constant f-string width over the limit is refused when compiling."""

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        symbol = BOUNDED.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(func=ast.Name("_binop_", ast.Load()), args=[ast.Constant(symbol), node.left, node.right],
                        keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        spec = node.format_spec
        if isinstance(spec, ast.JoinedStr):
            for part in spec.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    try:
                        check_format("{:" + part.value + "}", (), DEFAULT_LIMITS)
                    except TooLarge as error:
                        self.error(node, str(error))
        return self.node_contents_visit(node)


def constant_problem(tree: ast.AST, limits: SandboxLimits = DEFAULT_LIMITS) -> str | None:
    """What is over a limit in an expression made of constants only (`'a' * (10 ** 10)`), if anything:
    such code would fail every time it runs, so validation says so."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp):
            try:
                _constant(node, limits)
            except TooLarge as error:
                return f"{ast.unparse(node)}: {error}"
            except _NotConstant:
                continue
            except (ArithmeticError, TypeError, ValueError):  # e.g. 1 / 0: left to fail at run time
                continue
    return None


class _NotConstant(Exception):
    pass


def _constant(node: ast.AST, limits: SandboxLimits) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _constant(node.operand, limits)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        symbol = BOUNDED.get(type(node.op)) or next((s for s, f in _AST_OPS.items() if isinstance(node.op, f)), None)
        if symbol is None:
            raise _NotConstant
        left, right = _constant(node.left, limits), _constant(node.right, limits)
        check_binop(symbol, left, right, limits)
        return _OPERATORS[symbol](left, right)
    raise _NotConstant


_AST_OPS: dict[str, type[ast.operator]] = {"-": ast.Sub, "/": ast.Div, "//": ast.FloorDiv, ">>": ast.RShift,
                                           "&": ast.BitAnd, "|": ast.BitOr, "^": ast.BitXor}
