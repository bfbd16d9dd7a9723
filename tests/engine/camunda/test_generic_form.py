"""Camunda's generic form (a user task with a camunda:formKey and no form fields): the task's variables
as fields typed by their values, and what may be added beside them."""

from __future__ import annotations

from engine.camunda.generic_form import new_variables, variables_form


def test_each_variable_is_a_field_typed_by_its_value() -> None:
    form = variables_form({"amount": 30, "rate": 0.5, "approved": False, "due": "2026-03-02",
                           "creditor": "ACME", "groups": ["sales"], "reviewer": None, "_private": 1})
    by_id = {f.id: f for f in form}
    assert [f.id for f in form] == ["amount", "approved", "creditor", "due", "groups", "rate", "reviewer"]
    assert {i: (f.type, f.default, f.readonly) for i, f in by_id.items()} == {
        "amount": ("long", "30", False), "approved": ("boolean", "false", False), "creditor": ("string", "ACME", False),
        "due": ("date", "2026-03-02", False), "groups": ("string", '["sales"]', True),
        "rate": ("double", "0.5", False), "reviewer": ("string", "", False)}
    assert not any(f.required for f in form)  # an emptied field keeps the variable as it was
    assert variables_form({"note": "x" * 20_000})[0].max_length == 20_000  # what it holds is never refused


def test_new_variables_are_plain_names_with_plain_values() -> None:
    added, errors = new_variables({"amount": "31", "approved": True, "count": 2, "note": "ok", "bad name": 1,
                                   "_x": 1, "lines": [1], "big": "x" * 10_001, "ratio": float("nan")},
                                  known={"amount"})
    assert added == {"approved": True, "count": 2, "note": "ok"}  # "amount" is the form's own field
    assert set(errors) == {"bad name", "_x", "lines", "big", "ratio"}
