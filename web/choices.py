"""Choices, not ids: a form field whose `choices` property names where its values come from is drawn as
a select (or, with `multiple=true`, as checkboxes whose values are joined "a, b"), and a value outside the
choices is refused at the field.

    choices="organisations"            every organisation in the directory
    choices="organisations:municipality"   those of one kind (region, municipality, producer, …)
    choices="organisations:orderers"   those whose kind may order (the directory's orderer kinds)
    choices="data:orderers"            the organisation ids listed in the procurement's data under a key
    choices="participants"             the organisations taking part in the procurement
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from engine import FormField
from workflows.directory import Directory

SEPARATOR = ", "


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [str(v["organisation"]) if isinstance(v, Mapping) and "organisation" in v else str(v) for v in value]
    return []


def options(form_field: FormField, data: Mapping[str, Any], directory: Directory, participants: Sequence[str],
            name: Callable[[str], str]) -> tuple[tuple[str, str], ...] | None:
    """(id, name) of the field's choices, or None when the field has none (a free text field)."""
    spec = form_field.properties.get("choices", "").strip()
    if not spec:
        return None
    source, _sep, argument = spec.partition(":")
    if source == "organisations":
        ids = [o.id for o in directory.organisations.values()
               if not argument or o.kind == argument or (argument == "orderers" and directory.is_orderer(o.id))]
    elif source == "data":
        ids = _ids(data.get(argument))
    elif source == "participants":
        ids = list(participants)
    else:
        return None
    return tuple(sorted(((i, name(i)) for i in dict.fromkeys(ids)), key=lambda pair: pair[1].casefold()))


def needs_participants(form: Sequence[FormField]) -> bool:
    """Whether any field of the form offers the procurement's participants (they are read only then)."""
    return any(form_field.properties.get("choices", "").strip().partition(":")[0] == "participants"
               for form_field in form)


def multiple(form_field: FormField) -> bool:
    return form_field.properties.get("multiple", "").lower() == "true"


def outside(form_field: FormField, value: str, allowed: Sequence[tuple[str, str]]) -> bool:
    """True when a submitted value names something that is not among the choices."""
    known = {key for key, _name in allowed}
    chosen = _ids(value) if multiple(form_field) else ([value] if value else [])
    return any(c not in known for c in chosen)


def field_choices(form: Sequence[FormField], data: Mapping[str, Any],
                  participants: Sequence[str] = ()) -> dict[str, tuple[tuple[str, str], ...]]:
    """Field id → its choices, for every field of `form` that has them, names in the viewer's language."""
    from web.names import org_name
    from web.state import services

    found = {}
    for form_field in form:
        chosen = options(form_field, data, services().directory, participants, org_name)
        if chosen is not None:
            found[form_field.id] = chosen
    return found
