"""FEEL unary tests and expressions as Camunda 7's DMN engine reads input and output cells."""

from __future__ import annotations

import pytest

from engine.camunda import feel


@pytest.mark.parametrize(("cell", "value", "expected"), [
    # empty cell and "-" match anything, null included
    ("", 5, True), ("-", None, True), ("  -  ", "x", True),
    # comparisons
    ("< 250", 249.99, True), ("< 250", 250, False), ("<= 250", 250, True), ("> 1000", 1000, False),
    (">= 1000", 1000.0, True), ("= 3", 3, True), ("!= 3", 3, False),
    # closed, open and half-open ranges: [ and ] include the end, ] and [ (or ( and )) leave it out
    ("[250..1000]", 250, True), ("[250..1000]", 1000, True), ("[250..1000]", 1000.01, False),
    ("]250..1000[", 250, False), ("]250..1000[", 1000, False), ("]250..1000[", 251, True),
    ("(250..1000)", 250, False), ("[250..1000)", 1000, False), ("]250..1000]", 1000, True),
    ("[250..1000]", None, False), ("[250..1000]", "500", False),  # a string is not a number in FEEL
    # strings and lists
    ('"Misc"', "Misc", True), ('"Misc"', "misc", False), ('"budget", "exceptional"', "exceptional", True),
    ('"budget", "exceptional"', "day-to-day expense", False), ('"Misc"', 5, False),
    # negation
    ('not("Misc")', "Travel Expenses", True), ('not("Misc")', "Misc", False),
    ('not("a", "b")', "b", False), ("not([1..5])", 6, True), ("not(< 10)", 3, False),
    # booleans and null
    ("true", True, True), ("true", False, False), ("false", False, True), ("null", None, True),
    ("null", 0, False), ("true", "true", False),
    # numbers compare by value, whole or not
    ("0.3", 0.3, True), ("250", 250.0, True),
    # dates
    ('date("2026-01-31")', "2026-01-31", False),  # a text is not a date
    ('[date("2026-01-01")..date("2026-12-31")]', None, False),
    # variables and the input itself
    ("< limit", 10, True), ("> limit", 10, False), ("? > 10 and ? < 20", 15, True), ("? > 10 and ? < 20", 25, False),
])
def test_unary_tests(cell: str, value: object, expected: bool) -> None:
    assert feel.matches(cell, value, {"limit": 20}) is expected


def test_a_date_input_against_date_ranges() -> None:
    data = {"due": "2026-06-01"}
    due = feel.evaluate('date(due)', data)
    assert due == "2026-06-01"
    # an input expression `date(due)` gives a date the cells can compare
    from datetime import date

    value = date(2026, 6, 1)
    assert feel._Scope({}, value).test(feel.parse_unary_tests('[date("2026-01-01")..date("2026-12-31")]').args[0])
    assert not feel._Scope({}, value).test(feel.parse_unary_tests('< date("2026-06-01")').args[0])


@pytest.mark.parametrize(("expression", "expected"), [
    ('"accounting"', "accounting"), ("250", 250), ("2.5", 2.5), ("true", True), ("null", None), ("", None),
    ("amount * 2", 60), ("amount / 4", 7.5), ("amount / 0", None), ("1 + 2 * 3", 7), ("2 ** 3", 8),
    ('"a" + "b"', "ab"), ('"a" + 1', None), ("invoice.creditor", "ACME"), ("invoice.missing", None),
    ("unknown", None), ("amount > 20 and amount < 40", True), ("amount > 40 or null", None),
    ('if amount > 20 then "big" else "small"', "big"), ("[1, 2, 3]", [1, 2, 3]), ("-amount", -30),
    ('date("2026-01-31")', "2026-01-31"), ('date and time("2026-01-31T10:00:00")', "2026-01-31T10:00:00"),
    ('duration("P1DT2H")', "P1DT2H"), ('not(true)', False), ('number("12.5")', 12.5), ("string(5)", "5"),
])
def test_expressions(expression: str, expected: object) -> None:
    assert feel.evaluate(expression, {"amount": 30, "invoice": {"creditor": "ACME"}}) == expected


@pytest.mark.parametrize("cell", ["[1..", "> ", '"open', "foo(1)", "[1..2", "a ; b", "not(1"])
def test_broken_cells_are_refused(cell: str) -> None:
    assert feel.check_unary_tests(cell) is not None


def test_a_long_chain_is_refused() -> None:
    assert "longer than" in (feel.check_expression(" + ".join(["1"] * 400)) or "")
    assert "longer than" in (feel.check_unary_tests(", ".join(['"a"'] * 400)) or "")
