"""Task forms as marshmallow schemas: one schema validates the web form and the JSON API alike.

The engine hands a task's `camunda:formData` fields over as `engine.FormField`s;
this module turns them into a marshmallow schema and returns plain JSON data
(dates as ISO strings) or raises `engine.FormInvalid` with messages per field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, validate
from marshmallow import fields as ma

from engine import FormField, FormInvalid

# A text field without its own `maxlength` constraint takes at most this many characters: every
# answer is kept in the workflow state and the audit log for good, so no field is unlimited.
# A field that needs more says so in the diagram (camunda:constraint name="maxlength").
DEFAULT_MAX_LENGTH = 10_000


def max_length(field: FormField) -> int:
    return field.max_length if field.max_length is not None else DEFAULT_MAX_LENGTH


def _length(field: FormField) -> list[validate.Validator]:
    return [validate.Length(min=field.min_length, max=max_length(field))]


def _range(field: FormField) -> list[validate.Validator]:
    if field.minimum is None and field.maximum is None:
        return []
    return [validate.Range(min=field.minimum, max=field.maximum)]


def _marshmallow_field(field: FormField) -> ma.Field:
    common: dict[str, Any] = {"required": field.required}
    if field.type == "long":
        return ma.Integer(strict=False, validate=_range(field), **common)
    if field.type == "double":
        return ma.Float(allow_nan=False, validate=_range(field), **common)
    if field.type == "boolean":
        return ma.Boolean(**common)
    if field.type == "date":
        return ma.Date(**common)
    if field.type == "enum":
        return ma.String(validate=[validate.OneOf([key for key, _ in field.options])], **common)
    return ma.String(validate=_length(field), **common)


def schema_for(form: Sequence[FormField]) -> Schema:
    return _schema(tuple((f.id, f.type, f.required, f.minimum, f.maximum, f.min_length, f.max_length, f.options)
                         for f in form))


@lru_cache(maxsize=512)
def _schema(key: tuple[tuple[Any, ...], ...]) -> Schema:
    """One schema per distinct form, built from the constraints that matter for validation."""
    declared = {
        id_: _marshmallow_field(FormField(id_, id_, type_, required, minimum, maximum, min_length, max_length, options))
        for id_, type_, required, minimum, maximum, min_length, max_length, options in key
    }
    return Schema.from_dict(declared, name="TaskForm")(unknown=EXCLUDE)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def validate_form(fields: Sequence[FormField], data: Mapping[str, Any]) -> dict[str, Any]:
    """Clean data for the task, or FormInvalid naming each wrong field.

    An empty string counts as not given, so an empty optional web field is simply absent.
    """
    given = {k: v for k, v in data.items() if not (isinstance(v, str) and v.strip() == "")}
    try:
        loaded = schema_for(fields).load(given)
    except ValidationError as error:
        messages = error.normalized_messages()
        raise FormInvalid({key: _as_list(value) for key, value in messages.items()}) from None
    return {key: _plain(value) for key, value in loaded.items()}


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, dict):
        return [str(v) for values in value.values() for v in _as_list(values)]
    return [str(value)]
