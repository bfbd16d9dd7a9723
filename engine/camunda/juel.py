"""JUEL, the expression language of Camunda 7 (`${amount > 1000}`), parsed to an AST and evaluated.

Never `eval` of text: the source is tokenised and parsed by the grammar below, and the AST is walked
over the task's data. What is outside the grammar is a `JuelError` at deployment. Method calls are
limited to Camunda's date helpers (`dateTime().plusWeeks(1).toDate()`, `now()`), because a method
on an arbitrary object is an open door; `execution.getVariable(...)` and beans are not supported.

Grammar (EL 2.2 precedence, lowest first):
    ternary   or ('?' ternary ':' ternary)?
    or        and (('||' | 'or') and)*
    and       equal (('&&' | 'and') equal)*
    equal     compare (('==' | 'eq' | '!=' | 'ne') compare)*
    compare   add (('<' | 'lt' | '>' | 'gt' | '<=' | 'le' | '>=' | 'ge') add)*
    add       mul (('+' | '-') mul)*
    mul       unary (('*' | '/' | 'div' | '%' | 'mod') unary)*
    unary     ('!' | 'not' | '-' | 'empty') unary | value
    value     primary ('.' name | '[' ternary ']' | '.' name '(' args ')')*
    primary   literal | name | name '(' args ')' | '(' ternary ')'
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from engine.camunda.syntax import Cursor, Node, Token, literal, scan, shown
from engine.determinism import current_time


class JuelError(ValueError):
    """An expression outside the supported grammar, or one that cannot be evaluated on this data."""


# Node kinds: literal | name | unary | binary | ternary | member | index | call | method | text


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<op>&&|\|\||==|!=|<=|>=|[-+*/%!<>?:.,()\[\]])
""", re.VERBOSE)
_KEYWORD_OPS = {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "gt": ">",
                "le": "<=", "ge": ">=", "div": "/", "mod": "%"}
_RESERVED = {"instanceof"}

# Camunda's built-in functions and the methods of the date values they return
FUNCTIONS = frozenset({"dateTime", "now"})
_UNITS = {"Years": "years", "Months": "months", "Weeks": "weeks", "Days": "days", "Hours": "hours",
          "Minutes": "minutes", "Seconds": "seconds", "Millis": "milliseconds"}
METHODS = frozenset({f"{sign}{unit}" for sign in ("plus", "minus") for unit in _UNITS} | {"toDate"})


def _tokens(source: str) -> list[Token]:
    out: list[Token] = []
    for kind, text in scan(_TOKEN, source, JuelError):
        known = literal(kind, text)
        if known is not None:
            out.append(known)
        elif kind == "number":
            out.append(("literal", float(text) if any(c in text for c in ".eE") else int(text)))
        elif kind == "name" and text in _KEYWORD_OPS:
            out.append(("op", _KEYWORD_OPS[text]))
        elif kind == "name" and text == "empty":
            out.append(("op", "empty"))
        elif kind == "name" and text in _RESERVED:
            raise JuelError(f"{text!r} is not supported")
        else:
            out.append((kind, text))
    return out


class _Parser(Cursor):
    def __init__(self, source: str):
        super().__init__(_tokens(source), JuelError)

    def parse(self) -> Node:
        node = self.ternary()
        self.done()
        return node

    def ternary(self) -> Node:
        self._deeper()
        node = self.binary(0)
        if self.peek("?"):
            self.at += 1
            then = self.ternary()
            self.expect(":")
            node = Node("ternary", None, (node, then, self.ternary()))
        self.depth -= 1
        return node

    _LEVELS: tuple[tuple[str, ...], ...] = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"),
                                            ("*", "/", "%"))

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while self.peek(*self._LEVELS[level]):
            op = self.take()[1]
            node = Node("binary", op, (node, self.binary(level + 1)))
        return node

    def unary(self) -> Node:
        if self.peek("!", "-", "empty"):
            op = self.take()[1]
            self._deeper()
            node = Node("unary", op, (self.unary(),))
            self.depth -= 1
            return node
        return self.value()

    def value(self) -> Node:
        node = self.primary()
        while True:
            if self.peek("."):
                self.at += 1
                kind, name = self.take()
                if kind != "name":
                    raise JuelError(f"expected a property name after '.', found {shown((kind, name))}")
                if self.peek("("):
                    if name not in METHODS:
                        raise JuelError(f"method calls are not supported ({name}(); only Camunda's date methods "
                                        f"such as plusDays() and toDate())")
                    self.at += 1
                    node = Node("method", name, (node, *self.sequence(")", self.ternary)))
                else:
                    node = Node("member", name, (node,))
            elif self.peek("["):
                self.at += 1
                index = self.ternary()
                self.expect("]")
                node = Node("index", None, (node, index))
            else:
                return node

    def primary(self) -> Node:
        token = self.take()
        kind, value = token
        if kind == "literal":
            return Node("literal", value)
        if kind == "name":
            if self.peek("("):
                if value not in FUNCTIONS:
                    raise JuelError(f"unknown function {value}() (supported: {', '.join(sorted(FUNCTIONS))})")
                self.at += 1
                return Node("call", value, self.sequence(")", self.ternary))
            return Node("name", value)
        if kind == "op" and value == "(":
            node = self.ternary()
            self.expect(")")
            return node
        raise JuelError(f"unexpected {shown(token)}")


_PART = re.compile(r"[$#]\{")


def is_juel(text: str | None) -> bool:
    """Whether a whole text is one JUEL expression (as Camunda writes conditions): `${...}` or `#{...}`."""
    stripped = (text or "").strip()
    return bool(_PART.match(stripped)) and stripped.endswith("}")


@lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """A composite text: literal parts and `${...}` parts; one part alone keeps its value's type."""
    parts: list[Node] = []
    pos = 0
    while pos < len(text):
        found = _PART.search(text, pos)
        if found is None:
            parts.append(Node("literal", text[pos:]))
            break
        if found.start() > pos:
            parts.append(Node("literal", text[pos:found.start()]))
        end = _closing_brace(text, found.end())
        parts.append(_Parser(text[found.end():end]).parse())
        pos = end + 1
    if len(parts) == 1:
        return parts[0]
    return Node("text", None, tuple(parts)) if parts else Node("literal", "")


def _closing_brace(text: str, start: int) -> int:
    quote = None
    pos = start
    while pos < len(text):
        char = text[pos]
        if quote:
            if char == "\\":
                pos += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "}":
            return pos
        pos += 1
    raise JuelError("'${' without its closing '}'")


def check(text: str) -> str | None:
    """The reason an expression would be refused, or None."""
    try:
        parse(text.strip())
    except JuelError as error:
        return str(error)
    return None


def names(text: str) -> set[str]:
    """The variables an expression reads (its top-level names)."""
    found: set[str] = set()

    def walk(node: Node) -> None:
        if node.kind == "name":
            found.add(node.value)
        for child in node.args:
            walk(child)
    walk(parse(text.strip()))
    return found


def evaluate(text: str, data: Mapping[str, Any]) -> Any:
    """The value of an expression over the data; dates come back as ISO strings (data is plain JSON)."""
    value = _Evaluator(data).run(parse(text.strip()))
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, DateTime):
        value = value.moment
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


@dataclass(frozen=True)
class DateTime:
    """What Camunda's `dateTime()` returns (a Joda DateTime): only the plus/minus methods and toDate()."""

    moment: datetime

    def call(self, method: str, args: list[Any]) -> Any:
        if method == "toDate":
            return self.moment
        amount = args[0] if args else None
        if len(args) != 1 or isinstance(amount, bool) or not isinstance(amount, int):
            raise JuelError(f"{method}() takes one whole number")
        sign = 1 if method.startswith("plus") else -1
        unit = _UNITS[method.removeprefix("plus").removeprefix("minus")]
        if unit in ("years", "months"):
            months = sign * amount * (12 if unit == "years" else 1)
            return DateTime(_add_months(self.moment, months))
        return DateTime(self.moment + sign * timedelta(**{unit: amount}))


def _add_months(moment: datetime, months: int) -> datetime:
    """Joda's plusMonths: the same day of the month, or the month's last day if it has fewer."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def _to_bool(value: Any) -> bool:
    """EL coercion to boolean: null is false, a string is true only when it says "true"."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() == "true"
    raise JuelError(f"cannot use {value!r} as a boolean")


def _to_number(value: Any) -> int | float:
    """EL coercion to a number: null and "" are 0, strings are parsed, booleans are refused."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise JuelError(f"cannot use {value!r} as a number")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                raise JuelError(f"cannot use {value!r} as a number") from None
    raise JuelError(f"cannot use {value!r} as a number")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(left, DateTime):
        left = left.moment
    if isinstance(right, DateTime):
        right = right.moment
    if _is_number(left) or _is_number(right):
        return _to_number(left), _to_number(right)
    return left, right


def _equal(left: Any, right: Any) -> bool:
    """EL equality: null equals only null; numbers compare as numbers, booleans as booleans."""
    if left is None or right is None:
        return left is right
    if isinstance(left, bool) or isinstance(right, bool):
        return _to_bool(left) == _to_bool(right)
    left, right = _comparable(left, right)
    return bool(left == right)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict | tuple) and len(value) == 0)


class _Evaluator:
    def __init__(self, data: Mapping[str, Any]):
        self.data = data

    def run(self, node: Node) -> Any:
        return getattr(self, f"_{node.kind}")(node)

    def _literal(self, node: Node) -> Any:
        return node.value

    def _text(self, node: Node) -> str:
        return "".join(_as_text(_plain(self.run(part))) for part in node.args)

    def _name(self, node: Node) -> Any:
        if node.value not in self.data:
            raise JuelError(f"Cannot resolve identifier '{node.value}'")
        return self.data[node.value]

    def _member(self, node: Node) -> Any:
        return _property(self.run(node.args[0]), node.value)

    def _index(self, node: Node) -> Any:
        target, key = self.run(node.args[0]), self.run(node.args[1])
        if isinstance(target, list | tuple):
            try:
                return target[int(_to_number(key))]
            except IndexError:
                return None  # EL: an index out of range reads as null
        return _property(target, key)

    def _call(self, node: Node) -> Any:
        if node.args:
            raise JuelError(f"{node.value}() takes no arguments")
        now = current_time().astimezone(UTC)
        return DateTime(now) if node.value == "dateTime" else now

    def _method(self, node: Node) -> Any:
        target = self.run(node.args[0])
        if not isinstance(target, DateTime):
            raise JuelError(f"{node.value}() is only available on dateTime()")
        return target.call(node.value, [self.run(arg) for arg in node.args[1:]])

    def _ternary(self, node: Node) -> Any:
        condition, then, otherwise = node.args
        return self.run(then) if _to_bool(self.run(condition)) else self.run(otherwise)

    def _unary(self, node: Node) -> Any:
        operand = self.run(node.args[0])
        if node.value == "!":
            return not _to_bool(operand)
        if node.value == "empty":
            return _empty(operand)
        return -_to_number(operand)

    def _binary(self, node: Node) -> Any:
        op = node.value
        left = self.run(node.args[0])
        if op == "&&":  # short-circuit, as EL does
            return _to_bool(left) and _to_bool(self.run(node.args[1]))
        if op == "||":
            return _to_bool(left) or _to_bool(self.run(node.args[1]))
        right = self.run(node.args[1])
        if op == "==":
            return _equal(left, right)
        if op == "!=":
            return not _equal(left, right)
        if op in ("<", ">", "<=", ">="):
            if left is None or right is None:
                return False
            a, b = _comparable(left, right)
            try:
                return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
            except TypeError:
                raise JuelError(f"cannot compare {left!r} and {right!r}") from None
        a, b = _to_number(left), _to_number(right)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            raise JuelError("division by zero")
        if op == "/":
            return a / b
        return a % b if isinstance(a, int) and isinstance(b, int) else float(Decimal(str(a)) % Decimal(str(b)))


def _property(target: Any, key: Any) -> Any:
    if isinstance(target, Mapping):
        return target.get(str(key))  # EL's map resolver: a missing key reads as null
    if target is None:
        raise JuelError(f"cannot read {key!r} of null")
    raise JuelError(f"cannot read property {key!r} of {type(target).__name__}")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
