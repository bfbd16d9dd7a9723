"""Reads `camunda:formData` into the engine's FormField type: from a user task's spec, or from the
XML of a start event (SpiffWorkflow keeps no form on start events)."""

from __future__ import annotations

from typing import Any

from engine.types import FormField

_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}


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


def form_fields_of_element(element: Any) -> tuple[FormField, ...]:
    """The camunda:formData of an lxml element (a start event), read as form_fields reads a task's."""
    fields = []
    for raw in element.xpath("bpmn:extensionElements/camunda:formData/camunda:formField", namespaces=_NS):
        constraints = {c.get("name"): c.get("config") for c in
                       raw.xpath("camunda:validation/camunda:constraint", namespaces=_NS)}
        min_length, max_length = _number(constraints.get("minlength")), _number(constraints.get("maxlength"))
        fields.append(FormField(
            id=raw.get("id", ""),
            label=raw.get("label") or raw.get("id", ""),
            type=raw.get("type", "string"),
            required="required" in constraints and constraints["required"] not in ("false", "False"),
            minimum=_number(constraints.get("min")),
            maximum=_number(constraints.get("max")),
            min_length=int(min_length) if min_length is not None else None,
            max_length=int(max_length) if max_length is not None else None,
            options=tuple((v.get("id", ""), v.get("name") or v.get("id", ""))
                          for v in raw.xpath("camunda:value", namespaces=_NS)),
            default=raw.get("defaultValue"),
            properties={p.get("id"): p.get("value", "") for p in
                        raw.xpath("camunda:properties/camunda:property", namespaces=_NS) if p.get("id")},
        ))
    return tuple(fields)
