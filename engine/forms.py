"""Reads a Camunda user task's form into the engine's FormField type."""

from __future__ import annotations

from typing import Any

from engine.types import FormField


def _number(value: str | None) -> float | None:
    return None if value is None or value == "" else float(value)


def form_fields(task_spec: Any) -> tuple[FormField, ...]:
    form = getattr(task_spec, "form", None)
    if form is None:
        return ()
    fields = []
    for raw in form.fields:
        minimum, maximum = _number(raw.get_validation("min")), _number(raw.get_validation("max"))
        min_length, max_length = _number(raw.get_validation("minlength")), _number(raw.get_validation("maxlength"))
        fields.append(FormField(
            id=raw.id,
            label=raw.label or raw.id,
            type=raw.type,
            # a bare <constraint name="required"/> has no config, so look at the names
            required=any(v.name == "required" and v.config not in ("false", "False") for v in raw.validation),
            minimum=minimum,
            maximum=maximum,
            min_length=int(min_length) if min_length is not None else None,
            max_length=int(max_length) if max_length is not None else None,
            options=tuple((o.id, o.name) for o in getattr(raw, "options", [])),
            default=raw.default_value,
            properties={p.id: p.value for p in raw.properties},
        ))
    return tuple(fields)
