"""JUEL with Camunda 7's (EL 2.2's) meaning: precedence, keyword operators, coercions; parsed, never eval'd."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.camunda import juel
from engine.determinism import deterministic

DATA = {"amount": 1200, "approved": False, "clarified": True, "category": "Misc", "empty_text": "",
        "items": [1, 2], "invoice": {"creditor": {"name": "ACME"}, "lines": []}, "nothing": None, "count": "7"}


@pytest.mark.parametrize(("expression", "expected"), [
    # precedence: * before +, + before comparison, comparison before ==, == before &&, && before ||, ?: last
    ("${1 + 2 * 3}", 7),
    ("${(1 + 2) * 3}", 9),
    ("${10 - 4 - 3}", 3),  # left-associative
    ("${1 + 2 == 3}", True),
    ("${1 < 2 == true}", True),  # relational binds tighter than equality
    ("${true || false && false}", True),  # && before ||
    ("${(true || false) && false}", False),
    ("${!approved && clarified}", True),  # ! binds tighter than &&
    ("${!(approved || clarified)}", False),
    ("${not approved and clarified}", True),
    ("${approved or clarified ? 'yes' : 'no'}", "yes"),  # ?: is lowest
    ("${-2 * -3}", 6),
    ("${7 / 2}", 3.5),  # EL division is never integer division
    ("${7 div 2}", 3.5),
    ("${7 % 4}", 3),
    ("${7 mod 4}", 3),
    ("${amount > 1000}", True),
    ("${amount gt 1000 and amount le 1200}", True),
    ("${amount lt 1000}", False),
    ("${amount ge 1200 && amount ne 1300}", True),
    ("${category == 'Misc'}", True),  # == on strings compares values
    ("${category eq \"Misc\"}", True),
    ("${category != 'Travel'}", True),
    ("${count == 7}", True),  # a string beside a number is coerced to a number
    ("${count + 1}", 8),
    ("${nothing == null}", True),
    ("${nothing != 0}", True),  # null equals only null
    ("${empty nothing}", True),
    ("${empty empty_text}", True),
    ("${empty items}", False),
    ("${empty invoice.lines}", True),
    ("${not empty items}", True),
    ("${invoice.creditor.name}", "ACME"),
    ("${invoice['creditor']['name']}", "ACME"),
    ("${invoice.missing}", None),  # a missing map key reads as null, as EL's map resolver does
    ("${items[1]}", 2),
    ("${items[5]}", None),
    ("${clarified}", True),
    ("#{clarified}", True),
    ("${'it\\'s'}", "it's"),
    ("Invoice ${category} of ${amount}", "Invoice Misc of 1200"),  # composite text is a string
    ("accounting", "accounting"),  # no ${...}: a literal
])
def test_values(expression: str, expected: object) -> None:
    assert juel.evaluate(expression, DATA) == expected


def test_boolean_coercion_of_strings_and_null() -> None:
    assert juel.evaluate("${!flag}", {"flag": "false"}) is True
    assert juel.evaluate("${!flag}", {"flag": "TRUE"}) is False
    assert juel.evaluate("${!flag}", {"flag": None}) is True


def test_date_methods_read_the_commands_clock() -> None:
    at = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    with deterministic("seed", at):
        assert juel.evaluate("${dateTime().plusWeeks(1).toDate()}", {}) == "2026-02-07T12:00:00+00:00"
        assert juel.evaluate("${dateTime().plusMonths(1).toDate()}", {}) == "2026-02-28T12:00:00+00:00"
        assert juel.evaluate("${dateTime().minusDays(2).plusHours(3).toDate()}", {}) == "2026-01-29T15:00:00+00:00"
        assert juel.evaluate("${now()}", {}) == "2026-01-31T12:00:00+00:00"


@pytest.mark.parametrize(("expression", "reason"), [
    ("${execution.getVariable('x')}", "method calls are not supported"),
    ("${myBean.archive(invoice)}", "method calls are not supported"),
    ("${''.__class__.__mro__}", None),  # parses (member access) but cannot reach anything: see below
    ("${amount >}", "unexpected the end"),
    ("${amount instanceof Foo}", "not supported"),
    ("${System.exit(1)}", "method calls are not supported"),
    ("${exec('import os')}", "unknown function exec()"),
    ("${amount", "without its closing"),
    ("${a ; b}", "unexpected character"),
    ("${" + "(" * 100 + "1" + ")" * 100 + "}", "nested deeper"),
])
def test_outside_the_grammar_is_refused(expression: str, reason: str | None) -> None:
    found = juel.check(expression)
    if reason is None:
        assert found is None
        with pytest.raises(juel.JuelError, match="cannot read property"):
            juel.evaluate(expression, {})
    else:
        assert found is not None and reason in found, found


def test_an_unknown_variable_fails_as_in_camunda() -> None:
    with pytest.raises(juel.JuelError, match="Cannot resolve identifier 'missing'"):
        juel.evaluate("${missing > 1}", {})


def test_short_circuit_does_not_evaluate_the_right_side() -> None:
    assert juel.evaluate("${false && missing}", {}) is False
    assert juel.evaluate("${true || missing}", {}) is True


def test_a_date_method_on_data_is_refused_at_run_time() -> None:
    with pytest.raises(juel.JuelError, match="only available on dateTime"):
        juel.evaluate("${text.plusDays(1)}", {"text": "2026-01-01"})


def test_is_juel_tells_camunda_expressions_from_python() -> None:
    assert juel.is_juel("${approved}") and juel.is_juel("  #{x}  ")
    assert not juel.is_juel("approved") and not juel.is_juel("'${x}'")


def test_a_long_chain_is_refused_before_it_could_exhaust_the_stack() -> None:
    assert "longer than" in (juel.check("${" + " + ".join(["1"] * 400) + "}") or "")
    assert juel.evaluate("${" + " + ".join(["1"] * 200) + "}", {}) == 200
