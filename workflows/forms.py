"""Task forms as marshmallow schemas: one schema validates the web form and the JSON API alike.

The engine hands a task's `camunda:formData` fields over as `engine.FormField`s;
this module turns them into a marshmallow schema and returns plain JSON data
(dates as ISO strings) or raises `engine.FormInvalid` with messages per field.

Organisations are chosen, not typed. A string field with the property `choices` =
`organisations` or `organisations:<kind>` takes organisation ids from the directory (of that kind;
`organisations:orderers` is any of the directory's orderer kinds);
`data:<key>` and `participants` take ids the web offers from the procurement (the diagram's script
checks them in the same command). With `multiple` = `true` it takes a list (or "a, b" text) and
gives a list. The web draws such a field as a select (`web/choices.py`). A string field with `registers` =
`organisations` takes new organisations, one per line "Name, 1234567-8", each y-tunnus checked by
its check digit (`workflows/business_id.py`). A string field with `format` = `cpv`, `cpv-list`,
`nuts-fi` or `url` takes a coded value checked by its form (`Formatted`). A bad entry is refused at
its own field, so no later step can fail on it. An empty multiple choice or registration field is an empty list.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, validate
from marshmallow import fields as ma

from engine import FormField, FormInvalid, FormValidator
from engine.types import JSON
from workflows.business_id import parse_registrations
from workflows.directory import Directory, demo_directory
from workflows.errors import InvalidInput

_SEPARATORS = ",;\n"

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


def directory_kinds(field: FormField) -> tuple[str, ...] | None:
    """The organisation kinds a `choices="organisations[:kind]"` field offers (() for every kind), or
    None for a field whose choices do not come from the directory."""
    source, _, kind = field.properties.get("choices", "").strip().partition(":")
    if source != "organisations":
        return None
    return (kind,) if kind else ()


def is_multiple(field: FormField) -> bool:
    return field.properties.get("multiple", "").lower() == "true"


def choice_options(field: FormField, directory: Directory | None = None) -> tuple[tuple[str, str], ...]:
    """(id, name) of each organisation a directory choice field offers, in directory order."""
    kinds = directory_kinds(field)
    if kinds is None:
        return ()
    directory = directory or demo_directory()
    return tuple((o.id, o.name) for o in directory.organisations.values() if of_kinds(directory, o.id, kinds))


def of_kinds(directory: Directory, organisation: str, kinds: tuple[str, ...]) -> bool:
    """Is the (known) organisation one of `kinds`? () is every kind; `orderers` is any kind that may
    order (the directory's orderer kinds, as `web/choices.py` reads `organisations:orderers`)."""
    if not kinds:
        return True
    kind = directory.organisations[organisation].kind
    return kind in kinds or ("orderers" in kinds and directory.is_orderer(organisation))


class OrganisationChoice(ma.Field):
    """Organisation ids: one (a string) or several (a list; "a, b" text is split). From the directory
    when `directory` is given; otherwise the options come from the task's data (`choices="data:key"`)
    and the diagram's script checks them in the same command."""

    def __init__(self, directory: Directory | None, kinds: tuple[str, ...], multiple: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.directory, self.kinds, self.multiple = directory, kinds, multiple

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            raw = [value]
            for sep in _SEPARATORS:
                raw = [part for chunk in raw for part in chunk.split(sep)]
        elif isinstance(value, (list, tuple)):
            raw = [str(v) for v in value]
        else:
            raise ValidationError("Valitse organisaatio. / Choose an organisation.")
        chosen: list[str] = []
        for entry in (r.strip() for r in raw):
            if entry and entry not in chosen:
                chosen.append(entry)
        if self.directory is None:
            return chosen if self.multiple else (chosen[0] if len(chosen) == 1 else self._one())
        known = self.directory.organisations
        unknown = [c for c in chosen if c not in known]
        if unknown:
            raise ValidationError(f"Tuntematon organisaatio: {', '.join(unknown)}; valitse luettelosta tai "
                                  f"rekisteröi uusi y-tunnuksella. / Unknown organisation: {', '.join(unknown)}; "
                                  f"choose one from the list or register a new one with its business ID.")
        wrong = [c for c in chosen if not of_kinds(self.directory, c, self.kinds)]
        if wrong:
            raise ValidationError(f"Ei valittavissa tähän: {', '.join(wrong)}. / Not a choice here: "
                                  f"{', '.join(wrong)}.")
        if self.multiple:
            return chosen
        return chosen[0] if len(chosen) == 1 else self._one()

    @staticmethod
    def _one() -> str:
        raise ValidationError("Valitse yksi organisaatio. / Choose one organisation.")


class Formatted(ma.Field):
    """A coded value checked by its format (`format` property): `cpv` (12345678-9, check digit
    checked), `cpv-list` (several, separated by commas), `nuts-fi` (a NUTS 3 region of Finland from
    the eForms SDK's list) or `url` (http(s) address). The value is kept as the user wrote it,
    normalised (`79400000-8`, `FI1D8`)."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind = kind

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        from workflows.eforms import codes  # the eForms modules load the SDK lazily
        try:
            if self.kind == "cpv":
                return codes.with_check_digit(codes.cpv(str(value)))
            if self.kind == "cpv-list":
                return [codes.with_check_digit(c) for c in codes.cpv_list(value)]
            if self.kind == "nuts-fi":
                from workflows.eforms.sdk import SdkMissing, checks_off, sdk
                try:
                    regions = sdk().nuts_fi
                except SdkMissing as error:
                    if checks_off() and re.fullmatch(r"FI[0-9A-Z]{3}", str(value).strip().upper()):
                        return str(value).strip().upper()
                    raise ValidationError(str(error)) from None
                return codes.nuts_fi(str(value), regions)
            if self.kind == "url":
                return codes.url(str(value))
        except InvalidInput as error:
            raise ValidationError(str(error)) from None
        raise ValidationError(f"unknown format {self.kind!r}")


class OrganisationRegistrations(ma.Field):
    """New organisations, "Name, 1234567-8" per line: a list of {id, name, business_id}."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return parse_registrations(value)
        except InvalidInput as error:
            raise ValidationError(str(error)) from None


def _marshmallow_field(field: FormField, directory: Directory) -> ma.Field:
    common: dict[str, Any] = {"required": field.required}
    if not field.required:      # an empty list field is an empty list, so scripts may read it
        common["load_default"] = []
    kinds = directory_kinds(field)
    if kinds is not None or field.properties.get("choices", "").strip():
        if not is_multiple(field):
            common.pop("load_default", None)
        return OrganisationChoice(directory if kinds is not None else None, kinds or (), is_multiple(field),
                                  **common)
    if field.properties.get("registers") == "organisations":
        return OrganisationRegistrations(**common)
    if field.properties.get("format"):
        if field.properties["format"] != "cpv-list":
            common.pop("load_default", None)
        return Formatted(field.properties["format"], **common)
    common.pop("load_default", None)
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


_VALIDATING_PROPERTIES = ("choices", "multiple", "registers", "format")


def schema_for(form: Sequence[FormField], directory: Directory | None = None) -> Schema:
    return _schema(tuple((f.id, f.type, f.required, f.minimum, f.maximum, f.min_length, f.max_length, f.options,
                          tuple((p, f.properties[p]) for p in _VALIDATING_PROPERTIES if p in f.properties))
                         for f in form), directory or demo_directory())


@lru_cache(maxsize=512)
def _schema(key: tuple[tuple[Any, ...], ...], directory: Directory) -> Schema:
    """One schema per distinct form (and directory), built from the constraints that matter for validation."""
    declared = {
        id_: _marshmallow_field(FormField(id_, id_, type_, required, minimum, maximum, min_length, max_length,
                                          options, properties=dict(props)), directory)
        for id_, type_, required, minimum, maximum, min_length, max_length, options, props in key
    }
    return Schema.from_dict(declared, name="TaskForm")(unknown=EXCLUDE)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def validate_form(fields: Sequence[FormField], data: Mapping[str, Any],
                  directory: Directory | None = None) -> dict[str, Any]:
    """Clean data for the task, or FormInvalid naming each wrong field.

    An empty string counts as not given, so an empty optional web field is simply absent.
    Organisation choices are checked against `directory` (default: the demo directory).
    """
    given = {k: v for k, v in data.items() if not (isinstance(v, str) and v.strip() == "")}
    try:
        loaded = schema_for(fields, directory).load(given)
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


def form_validator_for(directory: Directory) -> FormValidator:
    """The engine's form validator, choosing organisations from `directory`."""

    def validate(fields: Sequence[FormField], data: Mapping[str, JSON]) -> dict[str, JSON]:
        return validate_form(fields, data, directory)

    return validate
