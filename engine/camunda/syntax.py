"""What the JUEL and FEEL parsers share: the AST node, the tokeniser's loop and the token cursor.

Each language keeps its own token pattern, grammar and error class; the cursor raises that class,
so a JUEL text is refused with a `JuelError` and a FEEL cell with a `FeelError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 64  # nesting deeper than any real model; keeps the recursive parsers and walkers bounded
MAX_TOKENS = 500  # a left-deep chain (1 + 1 + ...) is walked recursively: keep it far from Python's limit

Token = tuple[str, Any]  # (kind, value): kind is "literal", "name", "op" or "end"
LITERALS = {"true": True, "false": False, "null": None}


@dataclass(frozen=True)
class Node:
    kind: str
    value: Any = None
    args: tuple[Node, ...] = ()


def scan(pattern: re.Pattern[str], source: str, error: type[ValueError]) -> Iterator[tuple[str, str]]:
    """(group name, text) of each token the pattern finds, white space (group `space`) left out; a
    character the pattern does not know, or more than MAX_TOKENS tokens, raises `error`."""
    pos = count = 0
    while pos < len(source):
        match = pattern.match(source, pos)
        if match is None:
            raise error(f"unexpected character {source[pos]!r} at {pos + 1}")
        pos = match.end()
        if match.lastgroup == "space":
            continue
        count += 1
        if count > MAX_TOKENS:
            raise error(f"longer than {MAX_TOKENS} tokens")
        yield str(match.lastgroup), match.group()


def literal(kind: str, text: str) -> Token | None:
    """The token of a quoted string (backslash escapes a character) or of true/false/null, else None."""
    if kind == "string":
        return "literal", re.sub(r"\\(.)", r"\1", text[1:-1])
    if kind == "name" and text in LITERALS:
        return "literal", LITERALS[text]
    return None


def shown(token: Token) -> str:
    """A token as an error message names it."""
    kind, value = token
    if kind == "end":
        return "the end"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return repr(value) if isinstance(value, str) else str(value)


class Cursor:
    """A position in a list of tokens (to which it adds ("end", None)), with the nesting depth so far."""

    def __init__(self, tokens: list[Token], error: type[ValueError]):
        self.tokens = [*tokens, ("end", None)]
        self.error = error
        self.at = 0
        self.depth = 0

    def peek(self, *ops: str) -> bool:
        kind, value = self.tokens[self.at]
        return kind == "op" and value in ops

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expect(self, op: str) -> None:
        if not self.peek(op):
            raise self.error(f"expected {op!r}, found {self._shown()}")
        self.at += 1

    def _shown(self) -> str:
        return shown(self.tokens[self.at])

    def at_end(self) -> bool:
        return self.tokens[self.at][0] == "end"

    def done(self) -> None:
        if not self.at_end():
            raise self.error(f"unexpected {self._shown()}")

    def sequence(self, close: str, item: Callable[[], Node]) -> tuple[Node, ...]:
        """Items separated by commas up to `close` (taken too): a call's arguments, a list's items."""
        items: list[Node] = []
        while not self.peek(close):
            if items:
                self.expect(",")
            items.append(item())
        self.expect(close)
        return tuple(items)

    def _deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nested deeper than {MAX_DEPTH} levels")
