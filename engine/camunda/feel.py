"""FEEL as Camunda 7's DMN engine reads it: unary tests in input cells, simple expressions elsewhere.

Parsed to an AST and walked; nothing is evaluated as Python. Unary tests (an input cell):
    -   or an empty cell          any value
    "Misc", "Travel"              one of the values
    < 250   <= x   > 1000  >= 1   comparisons with the input
    [250..1000]  ]1..5[  (1..5)  [1..5)   closed and open ranges (`]`/`(` open)
    not("Misc", < 10)             none of them
    date("2026-01-31"), true, null, a variable name or path
Expressions (input expressions, output cells): literals, names and paths (`invoice.amount`),
`+ - * / **`, `= != < > <= >=`, `and`, `or`, `not(x)`, `if a then b else c`, lists, and the
functions date(), date and time(), time(), duration().
FEEL's rule for mixed types holds: comparing a string with a number is no match, never an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from engine.camunda.syntax import Cursor, Node, Token, literal, scan, shown


class FeelError(ValueError):
    """A cell outside the supported FEEL, or one that cannot be evaluated."""


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<name>date\s+and\s+time|[A-Za-z_][\w]*)
  | (?P<op>\.\.|\*\*|<=|>=|!=|[-+*/=<>()\[\],.?])
""", re.VERBOSE)
_FUNCTIONS = {"date", "date and time", "time", "duration", "not", "string", "number"}
_KEYWORDS = {"and", "or", "if", "then", "else", "in", "between", "instance", "for", "some", "every", "function"}


def _tokens(source: str) -> list[Token]:
    out: list[Token] = []
    for kind, text in scan(_TOKEN, source, FeelError):
        known = literal(kind, text)
        if known is not None:
            out.append(known)
        elif kind == "number":
            out.append(("literal", Decimal(text)))
        elif kind == "name" and text in _KEYWORDS:
            out.append(("op", text))
        elif kind == "name":
            out.append(("name", re.sub(r"\s+", " ", text)))
        else:
            out.append(("op", text))
    return out


class _Parser(Cursor):
    def __init__(self, source: str):
        super().__init__(_tokens(source), FeelError)

    # --- unary tests ---------------------------------------------------------------------------
    def unary_tests(self) -> Node:
        if self.at_end() or (self.peek("-") and self.tokens[self.at + 1][0] == "end"):
            self.at = len(self.tokens) - 1
            return Node("any")
        if self.tokens[self.at] == ("name", "not") and self.tokens[self.at + 1] == ("op", "("):
            self.at += 2
            tests = self.positive_tests(")")
            self.expect(")")
            self.done()
            return Node("not", None, tests)
        tests = self.positive_tests(None)
        self.done()
        return Node("tests", None, tests)

    def positive_tests(self, until: str | None) -> tuple[Node, ...]:
        tests = [self.positive_test()]
        while self.peek(","):
            self.at += 1
            tests.append(self.positive_test())
        return tuple(tests)

    def positive_test(self) -> Node:
        if self.peek("<", "<=", ">", ">=", "=", "!="):
            op = self.take()[1]
            return Node("compare", op, (self.endpoint(),))
        if self.peek("[", "]", "("):
            opener = self.take()[1]
            low = self.endpoint()
            self.expect("..")
            high = self.endpoint()
            if not self.peek("]", "[", ")"):
                raise FeelError(f"a range ends with ']', '[' or ')', found {self._shown()}")
            closer = self.take()[1]
            return Node("range", (opener == "[", closer == "]"), (low, high))
        return Node("equal", None, (self.expression(),))

    def endpoint(self) -> Node:
        return self.additive()

    # --- expressions ---------------------------------------------------------------------------
    def expression(self) -> Node:
        self._deeper()
        if self.peek("if"):
            self.at += 1
            condition = self.expression()
            self.expect("then")
            then = self.expression()
            self.expect("else")
            node = Node("if", None, (condition, then, self.expression()))
        else:
            node = self.disjunction()
        self.depth -= 1
        return node

    # each level loops itself (no shared helper): a helper's frame per level would bring the 64 levels of
    # nesting allowed close to Python's recursion limit
    def disjunction(self) -> Node:
        node = self.conjunction()
        while self.peek("or"):
            self.at += 1
            node = Node("or", None, (node, self.conjunction()))
        return node

    def conjunction(self) -> Node:
        node = self.comparison()
        while self.peek("and"):
            self.at += 1
            node = Node("and", None, (node, self.comparison()))
        return node

    def comparison(self) -> Node:
        node = self.additive()
        if self.peek("=", "!=", "<", ">", "<=", ">="):
            op = self.take()[1]
            node = Node("binary", op, (node, self.additive()))
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.peek("+", "-"):
            op = self.take()[1]
            node = Node("binary", op, (node, self.multiplicative()))
        return node

    def multiplicative(self) -> Node:
        node = self.power()
        while self.peek("*", "/"):
            op = self.take()[1]
            node = Node("binary", op, (node, self.power()))
        return node

    def power(self) -> Node:
        node = self.unary()
        while self.peek("**"):
            self.at += 1
            node = Node("binary", "**", (node, self.unary()))
        return node

    def unary(self) -> Node:
        if self.peek("-"):
            self.at += 1
            self._deeper()
            node = Node("negate", None, (self.unary(),))
            self.depth -= 1
            return node
        return self.path()

    def path(self) -> Node:
        node = self.primary()
        while self.peek("."):
            self.at += 1
            kind, name = self.take()
            if kind != "name":
                raise FeelError(f"expected a name after '.', found {shown((kind, name))}")
            node = Node("path", name, (node,))
        return node

    def primary(self) -> Node:
        token = self.take()
        kind, value = token
        if kind == "literal":
            return Node("literal", value)
        if kind == "name":
            if self.peek("("):
                if value not in _FUNCTIONS:
                    raise FeelError(f"unknown function {value}() (supported: {', '.join(sorted(_FUNCTIONS))})")
                self.at += 1
                return Node("call", value, self.sequence(")", self.expression))
            return Node("name", value)
        if kind == "op" and value == "?":
            return Node("input")
        if kind == "op" and value == "(":
            node = self.expression()
            self.expect(")")
            return node
        if kind == "op" and value == "[":
            return Node("list", None, self.sequence("]", self.expression))
        raise FeelError(f"unexpected {shown(token)}")


@lru_cache(maxsize=4096)
def parse_unary_tests(text: str) -> Node:
    return _Parser(text or "").unary_tests()


@lru_cache(maxsize=4096)
def parse_expression(text: str) -> Node:
    parser = _Parser(text or "")
    if parser.at_end():
        return Node("literal", None)  # an empty output cell is null
    node = parser.expression()
    parser.done()
    return node


def check_unary_tests(text: str) -> str | None:
    try:
        parse_unary_tests(text.strip())
    except FeelError as error:
        return str(error)
    return None


def check_expression(text: str) -> str | None:
    try:
        parse_expression(text.strip())
    except FeelError as error:
        return str(error)
    return None


def matches(text: str, value: Any, data: Mapping[str, Any]) -> bool:
    """Whether an input cell's unary tests accept the input value."""
    node = parse_unary_tests((text or "").strip())
    scope = _Scope(data, _from_plain(value))
    if node.kind == "any":
        return True
    hit = any(scope.test(test) for test in node.args)
    return not hit if node.kind == "not" else hit


def evaluate(text: str, data: Mapping[str, Any]) -> Any:
    """An expression's value, as plain JSON (numbers as int or float, dates as ISO strings)."""
    return to_plain(_Scope(data, None).run(parse_expression((text or "").strip())))


def to_plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _iso_duration(value)
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


def _from_plain(value: Any) -> Any:
    """Data values in FEEL's types: numbers are decimals (so 0.1 + 0.2 = 0.3 and 250 = 250.0)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, list):
        return [_from_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _from_plain(v) for k, v in value.items()}
    return value


def _iso_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return f"{sign}P{f'{days}D' if days else ''}{'T' + clock if clock else ''}" if days or clock else "PT0S"


_DURATION = re.compile(r"^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def _duration(text: str) -> timedelta:
    match = _DURATION.match(text)
    if not match or text in ("P", "-P") or text.endswith("T"):
        raise FeelError(f"not a days-and-time duration: {text!r}")
    sign, days, hours, minutes, seconds = match.groups()
    value = timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
                      seconds=float(seconds or 0))
    return -value if sign else value


def _same_kind(left: Any, right: Any) -> bool:
    kinds = (bool, Decimal, str, datetime, date, time, timedelta, list, dict)
    for kind in kinds:
        if isinstance(left, kind) or isinstance(right, kind):
            return isinstance(left, kind) and isinstance(right, kind) and (
                kind is not date or isinstance(left, datetime) == isinstance(right, datetime))
    return False


def _compare(op: str, left: Any, right: Any) -> bool | None:
    """FEEL comparison: null when the types differ (which a cell treats as no match)."""
    if op in ("=", "!="):
        if left is None or right is None:
            equal = left is None and right is None
        elif not _same_kind(left, right):
            return None
        else:
            equal = left == right
        return equal if op == "=" else not equal
    if left is None or right is None or not _same_kind(left, right) or isinstance(left, bool | list | dict):
        return None
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]


class _Scope:
    def __init__(self, data: Mapping[str, Any], value: Any):
        self.data = data
        self.value = value

    def test(self, node: Node) -> bool:
        if node.kind == "compare":
            return _compare(node.value, self.value, self.run(node.args[0])) is True
        if node.kind == "range":
            low, high = self.run(node.args[0]), self.run(node.args[1])
            low_ok = _compare(">=" if node.value[0] else ">", self.value, low)
            high_ok = _compare("<=" if node.value[1] else "<", self.value, high)
            return low_ok is True and high_ok is True
        expected = self.run(node.args[0])
        if isinstance(expected, bool) and node.args[0].kind != "literal" and not isinstance(self.value, bool):
            return expected  # a boolean expression over `?` (`? > 10 and ? < 20`)
        if isinstance(expected, list):
            return any(_compare("=", self.value, item) is True for item in expected)
        return _compare("=", self.value, expected) is True

    def run(self, node: Node) -> Any:
        return getattr(self, f"_{node.kind}")(node)

    def _literal(self, node: Node) -> Any:
        return node.value

    def _input(self, node: Node) -> Any:
        return self.value

    def _name(self, node: Node) -> Any:
        if node.value not in self.data:
            return None  # FEEL: an unknown name is null
        return _from_plain(self.data[node.value])

    def _path(self, node: Node) -> Any:
        target = self.run(node.args[0])
        return target.get(node.value) if isinstance(target, dict) else None

    def _list(self, node: Node) -> Any:
        return [self.run(item) for item in node.args]

    def _negate(self, node: Node) -> Any:
        value = self.run(node.args[0])
        return -value if isinstance(value, Decimal | timedelta) else None

    def _if(self, node: Node) -> Any:
        condition, then, otherwise = node.args
        return self.run(then) if self.run(condition) is True else self.run(otherwise)

    def _and(self, node: Node) -> Any:
        left, right = self.run(node.args[0]), self.run(node.args[1])
        if left is False or right is False:
            return False
        return True if left is True and right is True else None

    def _or(self, node: Node) -> Any:
        left, right = self.run(node.args[0]), self.run(node.args[1])
        if left is True or right is True:
            return True
        return False if left is False and right is False else None

    def _binary(self, node: Node) -> Any:
        op = node.value
        left, right = self.run(node.args[0]), self.run(node.args[1])
        if op in ("=", "!=", "<", ">", "<=", ">="):
            return _compare(op, left, right)
        if left is None or right is None:
            return None
        try:
            if op == "+":
                if isinstance(left, str) and isinstance(right, str):
                    return left + right
                return left + right if not isinstance(left, str | bool) and not isinstance(right, str | bool) else None
            if isinstance(left, bool) or isinstance(right, bool) or isinstance(left, str) or isinstance(right, str):
                return None
            if op == "-":
                return left - right
            if op == "*":
                return left * right
            if op == "/":
                return None if right == 0 else left / right
            return left**right
        except (TypeError, InvalidOperation, OverflowError):
            return None

    def _call(self, node: Node) -> Any:
        args = [self.run(arg) for arg in node.args]
        name = node.value
        if name == "not":
            return (not args[0]) if len(args) == 1 and isinstance(args[0], bool) else None
        if len(args) != 1:
            raise FeelError(f"{name}() takes one argument")
        value = args[0]
        if name == "string":
            return None if value is None else str(to_plain(value))
        if not isinstance(value, str):
            return None
        try:
            if name == "number":
                return Decimal(value)
            if name == "date":
                return date.fromisoformat(value)
            if name == "date and time":
                return datetime.fromisoformat(value)
            if name == "time":
                return time.fromisoformat(value)
            return _duration(value)
        except (ValueError, InvalidOperation):
            return None
