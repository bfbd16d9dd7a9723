"""Camunda 7's generic form: what a user task with a `camunda:formKey` and no form fields shows.

The form lives in Camunda's own web app (`embedded:app:forms/approve-invoice.html`), which does
not exist here, so the task gets Camunda Tasklist's generic form with the variables loaded (its
"Load variables"): one field per variable of the task, typed by the variable's value (text, whole
number, number, yes/no, date), prefilled with that value, and the means to add new variables.
Lists and maps are shown read-only. A submitted value is converted back to the variable's type (by the engine's form
validator, as any form field) and an emptied field leaves the variable as it was.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from engine.types import FormField

NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")  # no leading `_`: scripts may not read such names
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
MAX_TEXT = 10_000  # a new text variable, as any text field without its own limit
TYPES = ("string", "boolean", "long", "double", "date")  # what a new variable may be


def is_generic(task_spec: Any) -> bool:
    """A Camunda user task with a form key and no form fields."""
    form = getattr(task_spec, "form", None)
    return form is not None and bool(getattr(form, "key", None)) and not form.fields


def value_type(value: Any) -> str | None:
    """The form type of a variable's value; None for what cannot be edited in a field (lists, maps)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "date" if ISO_DATE.match(value) else "string"
    return "string" if value is None else None


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def variables_form(data: Mapping[str, Any]) -> tuple[FormField, ...]:
    """One field per variable, in name order: editable for a scalar, read-only for a list or map."""
    fields = []
    for name in sorted(data):
        if not NAME.match(name):
            continue
        value = data[name]
        type_ = value_type(value)
        longest = max(MAX_TEXT, len(value)) if isinstance(value, str) else None  # never refuse what it holds
        fields.append(FormField(id=name, label=name, type=type_ or "string", default=_shown(value),
                                max_length=longest, readonly=type_ is None, properties={"variable": "true"}))
    return tuple(fields)


def new_variables(given: Mapping[str, Any], known: set[str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(the variables to add, errors by name) among submitted values that are not the form's fields.
    A new variable has a plain name and a typed JSON value: text, number, true/false (a date is text)."""
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in given.items():
        if name in known:
            continue
        if not NAME.match(name):
            errors[name] = ["A variable name starts with a letter and has only letters, digits and _."]
        elif isinstance(value, float) and not math.isfinite(value):
            errors[name] = ["Special numeric values (nan or infinity) are not permitted."]
        elif not isinstance(value, str | int | float | bool):
            errors[name] = ["A new variable is text, a number or true/false."]
        elif isinstance(value, str) and len(value) > MAX_TEXT:
            errors[name] = [f"Longer than maximum length {MAX_TEXT}."]
        else:
            clean[name] = value
    return clean, errors
