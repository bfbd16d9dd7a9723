"""New variables on Camunda's generic form (a task with a `camunda:formKey` and no form fields).

As in Camunda's Tasklist, the person doing the task may add variables beside the ones shown: a
name, a type and a value. The value is converted to its type by the same validation as any form
field (`workflows.forms.validate_form`), so "12,5" as a number is refused at its row, not stored
as text. The engine checks the names and values again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from engine import FormField, FormInvalid
from engine.camunda.generic_form import NAME, TYPES
from web.i18n import N_
from web.tasks.forms import explain
from workflows.directory import Directory
from workflows.forms import validate_form

ROWS = 3  # empty rows offered at a time; more are added by completing in steps (Camunda adds one per click)
TYPE_LABELS = {"string": N_("Text"), "boolean": N_("Yes or no (true/false)"), "long": N_("Whole number"),
               "double": N_("Number"), "date": N_("Date (YYYY-MM-DD)")}  # N_: extracted, said in type_options


@dataclass(frozen=True)
class NewVariable:
    """One row of the form's "add a variable" part, as posted (all text) and with its errors."""

    index: int
    name: str = ""
    type: str = "string"
    value: str = ""
    errors: tuple[str, ...] = ()
    widget: str = "text"  # for the error summary's link

    @property
    def html_id(self) -> str:
        return f"new-variable-{self.index}"

    @property
    def label(self) -> str:
        return _("New variable %(number)d", number=self.index)

    @property
    def empty(self) -> bool:
        return not (self.name.strip() or self.value.strip())


def type_options() -> list[tuple[str, str]]:
    return [(key, _(TYPE_LABELS[key])) for key in TYPES]


def blank_rows() -> list[NewVariable]:
    return [NewVariable(i) for i in range(1, ROWS + 1)]


def posted_rows(posted: MultiDict[str, str]) -> list[NewVariable]:
    return [NewVariable(i, posted.get(f"new_name_{i}", "").strip(), posted.get(f"new_type_{i}", "string"),
                        posted.get(f"new_value_{i}", "")) for i in range(1, ROWS + 1)]


def read_rows(rows: Sequence[NewVariable], known: set[str]) -> tuple[dict[str, Any], list[NewVariable]]:
    """(typed values by name, the rows with their errors). An empty row is no variable."""
    values: dict[str, Any] = {}
    checked = []
    for row in rows:
        errors: list[str] = []
        if row.empty:
            checked.append(row)
            continue
        if not NAME.match(row.name):
            errors.append(_("A name starts with a letter and has only letters, digits and _ (for example "
                            "approved)."))
        elif row.name in known or row.name in values:
            errors.append(_("There is a variable %(name)s already: change it above.", name=row.name))
        elif row.type not in TYPES:
            errors.append(_("Choose one of the options."))
        else:
            field = FormField(row.name, row.name, row.type, required=True)
            try:
                values.update(validate_form([field], {row.name: row.value}))
            except FormInvalid as error:
                errors.extend(explain(field, message) for message in error.errors.get(row.name, ()))
        checked.append(replace(row, errors=tuple(errors)))
    return values, checked


def with_engine_errors(rows: Sequence[NewVariable], errors: Mapping[str, Sequence[str]]) -> list[NewVariable]:
    """The engine's errors about new variables (by name) put on their rows."""
    return [replace(row, errors=(*row.errors, *errors.get(row.name, ()))) if row.name in errors else row
            for row in rows]


def field_errors(form: Sequence[FormField], data: Mapping[str, Any], directory: Directory) -> dict[str, list[str]]:
    """The errors the engine would find in the shown fields, for a page refused already for its rows."""
    try:
        validate_form([f for f in form if not f.readonly], data, directory)
    except FormInvalid as error:
        return error.errors
    return {}
