"""HTML forms generated from `camunda:formData` fields, and their submissions.

Validation is not done here: the submitted strings go to `workflows.forms.validate_form`, the
same marshmallow schema the engine and the API use. This module only turns fields into inputs,
a POSTed form into the data to validate, and marshmallow's English messages into sentences in
the viewer's language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict

from engine import FormField
from engine.attachments import Upload, accepted_types, is_file_field, max_size
from web.choices import SEPARATOR, multiple, outside
from web.formats import dates_in_text
from web.i18n import in_language, localized
from workflows.forms import max_length

TRUE = "true"
FALSE = "false"


@dataclass(frozen=True)
class FieldView:
    """One input as the template draws it."""

    field: FormField
    label: str
    help: str
    widget: str  # text | textarea | number | date | checkbox | yesno | select | radio | checkboxes | file | readonly
    value: str
    errors: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        return self.field.id

    @property
    def chosen(self) -> list[str]:
        """The values ticked in a checkbox group ("a, b")."""
        return [part.strip() for part in self.value.split(",") if part.strip()]

    @property
    def html_id(self) -> str:
        return "field-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.field.id)

    @property
    def step(self) -> str:
        return "1" if self.field.type == "long" else "any"

    @property
    def accept(self) -> str:
        return ",".join(accepted_types(self.field))

    @property
    def multiple(self) -> bool:
        return self.field.properties.get("multiple", "").lower() == "true"

    @property
    def max_size(self) -> str:
        size = max_size(self.field)
        return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} kB"

    @property
    def minimum(self) -> str:
        return _number(self.field.minimum)

    @property
    def maximum(self) -> str:
        return _number(self.field.maximum)


def _widget(form_field: FormField) -> str:
    if form_field.readonly:  # shown, not sent: whatever its type, a read-only text
        return "readonly"
    if is_file_field(form_field):
        return "file"
    if form_field.type == "boolean":  # a required yes/no is asked explicitly: an unticked box is no answer
        return "yesno" if form_field.required else "checkbox"
    if form_field.type == "enum":
        return "radio" if len(form_field.options) <= 4 else "select"
    if form_field.type in ("long", "double"):
        return "number"
    if form_field.type == "date":
        return "date"
    if form_field.properties.get("multiline", "").lower() == "true":
        return "textarea"
    return "text"


def _initial(form_field: FormField, data: Mapping[str, Any]) -> str:
    if form_field.readonly and form_field.id in data:  # Camunda shows a read-only field's variable
        value = data[form_field.id]
        if isinstance(value, bool):
            return TRUE if value else FALSE
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    default = form_field.default
    if default is None or "${" in default or "#{" in default:  # an expression, not a value
        return ""
    return default


def field_views(form: Sequence[FormField], values: Mapping[str, str] | None = None,
                errors: Mapping[str, Sequence[str]] | None = None,
                choices: Mapping[str, Sequence[tuple[str, str]]] | None = None,
                data: Mapping[str, Any] | None = None) -> list[FieldView]:
    """The inputs of a form; a field with `choices` (web.choices) is a select, or checkboxes when multiple.
    `data`: the task's variables, which a read-only field shows."""
    views = []
    for form_field in form:
        value = _initial(form_field, data or {})
        if values is not None and not form_field.readonly:
            value = values.get(form_field.id, "")
        chosen_from = (choices or {}).get(form_field.id)
        widget = _widget(form_field)
        if chosen_from is not None:
            widget = "checkboxes" if multiple(form_field) else "select"
        views.append(FieldView(
            field=form_field,
            label=localized(form_field.properties, "label", form_field.label),
            help=localized(form_field.properties, "help", form_field.properties.get("help", "")),
            widget=widget,
            value=value,
            errors=tuple(explain(form_field, message) for message in (errors or {}).get(form_field.id, ())),
            options=tuple(chosen_from) if chosen_from is not None else form_field.options,
        ))
    return views


def outside_choices(form: Sequence[FormField], data: Mapping[str, str],
                    choices: Mapping[str, Sequence[tuple[str, str]]]) -> dict[str, list[str]]:
    """Field id → its error, for every value that is not among the field's choices (said at the field)."""
    return {f.id: [_("Choose one of the options.")] for f in form
            if f.id in choices and outside(f, data.get(f.id, ""), choices[f.id])}


def submitted(form: Sequence[FormField], posted: MultiDict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(data to validate, values to show again). An unticked checkbox is `false`; an unanswered yes/no is
    missing."""
    data: dict[str, str] = {}
    shown: dict[str, str] = {}
    for form_field in form:
        if is_file_field(form_field) or form_field.readonly:
            continue  # files come separately (uploads) and are never shown back; a read-only field is not sent
        if form_field.type == "boolean" and not form_field.required:
            ticked = posted.get(form_field.id) in (TRUE, "on", "1")
            data[form_field.id] = TRUE if ticked else FALSE
            shown[form_field.id] = TRUE if ticked else ""
        elif multiple(form_field):  # a checkbox group: the ticked values, "a, b"
            value = SEPARATOR.join(v for v in posted.getlist(form_field.id) if v)
            data[form_field.id] = value
            shown[form_field.id] = value
        else:
            value = posted.get(form_field.id, "")
            data[form_field.id] = value
            shown[form_field.id] = value
    return data, shown


def uploads(form: Sequence[FormField], files: MultiDict[str, FileStorage]) -> dict[str, list[Upload]]:
    """The files posted for the form's file fields, read into memory (the request size is capped by
    MAX_CONTENT_LENGTH; each field's own limit is checked by the engine)."""
    found: dict[str, list[Upload]] = {}
    for form_field in form:
        if is_file_field(form_field):
            posted = [Upload(f.filename or "", f.read()) for f in files.getlist(form_field.id)]
            found[form_field.id] = [u for u in posted if u.name or u.content]
    return found


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def explain(form_field: FormField, message: str) -> str:
    """marshmallow's message about one field, said in the viewer's language from the field's own limits."""
    if message.startswith("Missing data for required field") or message == "Field may not be null.":
        return _("This field is required.")
    if message == "Not a valid integer.":
        return _("Enter a whole number, for example 12.")
    if message in ("Not a valid number.", "Special numeric values (nan or infinity) are not permitted."):
        return _("Enter a number, for example 12.5.")
    if message == "Not a valid date.":
        return _("Enter a date as YYYY-MM-DD, for example 2026-03-31.")
    if message == "Not a valid boolean.":
        return _("Choose yes or no.")
    if message.startswith("Must be one of"):
        return _("Choose one of the options.")
    if message.startswith(("Must be greater", "Must be less")):
        low, high = _number(form_field.minimum), _number(form_field.maximum)
        if low and high:
            return _("Enter a number from %(low)s to %(high)s.", low=low, high=high)
        if low:
            return _("Enter a number of at least %(low)s.", low=low)
        return _("Enter a number of at most %(high)s.", high=high)
    if message.startswith(("Shorter than", "Longer than", "Length must")):
        shortest, longest = form_field.min_length, max_length(form_field)
        if shortest and longest:
            return _("Enter %(low)d to %(high)d characters.", low=shortest, high=longest)
        if longest:
            return _("Enter at most %(high)d characters.", high=longest)
        return _("Enter at least %(low)d characters.", low=shortest or 0)
    if message == "This field is read only.":
        return _("This field is read only: it cannot be changed here.")
    if message == "Not a valid string.":
        return _("Enter text.")
    if message.startswith("File too large"):
        return _("The file is too large: at most %(size)s is allowed. Nothing was saved.",
                 size=f"{max_size(form_field) / 1024 / 1024:.0f} MB")
    if message.startswith("File type not accepted"):
        return _("This type of file is not accepted (its content was checked, not its name). Nothing was "
                 "saved.")
    if message.startswith("File name does not match its content"):
        return _("The file's name does not match its content: it looks disguised. Nothing was saved.")
    if message.startswith("File is empty"):
        return _("The file is empty.")
    if message == "Attach one file only.":
        return _("Attach one file only.")
    return dates_in_text(in_language(message))
