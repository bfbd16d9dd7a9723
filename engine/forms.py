"""Reads `camunda:formData` into the engine's FormField type: from a user task's spec, or from the
XML of a start event (SpiffWorkflow keeps no form on start events)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.camunda import generic_form
from engine.types import FormField

_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}


def _number(value: str | None) -> float | None:
    return None if value is None or value == "" else float(value)


def _whole(value: str | None) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _field(id_: str, label: str | None, type_: str, constraints: Mapping[str, str | None],
           options: tuple[tuple[str, str], ...], default: str | None, properties: dict[str, str]) -> FormField:
    """One FormField from a formField's parts; `constraints` maps camunda:constraint names to configs."""
    return FormField(
        id=id_, label=label or id_, type=type_,
        # a bare <constraint name="required"/> has no config: its presence is what counts
        required="required" in constraints and constraints["required"] not in ("false", "False"),
        minimum=_number(constraints.get("min")), maximum=_number(constraints.get("max")),
        min_length=_whole(constraints.get("minlength")), max_length=_whole(constraints.get("maxlength")),
        options=options, default=default, properties=properties,
        readonly="readonly" in constraints and constraints["readonly"] not in ("false", "False"))


def form_fields(task_spec: Any) -> tuple[FormField, ...]:
    form = getattr(task_spec, "form", None)
    if form is None:
        return ()
    return tuple(
        _field(raw.id, raw.label, raw.type, {v.name: v.config for v in raw.validation},
               tuple((o.id, o.name) for o in getattr(raw, "options", [])), raw.default_value,
               {p.id: p.value for p in raw.properties})
        for raw in form.fields)


def task_form(task_spec: Any, data: Mapping[str, Any]) -> tuple[FormField, ...]:
    """The fields a user task asks for: its camunda:formData, or for a camunda:formKey without fields
    Camunda's generic form of the task's variables (engine.camunda.generic_form)."""
    if generic_form.is_generic(task_spec):
        return generic_form.variables_form(data)
    return form_fields(task_spec)


def form_fields_of_element(element: Any) -> tuple[FormField, ...]:
    """The camunda:formData of an lxml element (a start event), read as form_fields reads a task's."""
    def xpath(node: Any, path: str) -> list[Any]:
        return list(node.xpath(path, namespaces=_NS))

    return tuple(
        _field(raw.get("id", ""), raw.get("label"), raw.get("type", "string"),
               {c.get("name"): c.get("config") for c in xpath(raw, "camunda:validation/camunda:constraint")},
               tuple((v.get("id", ""), v.get("name") or v.get("id", "")) for v in xpath(raw, "camunda:value")),
               raw.get("defaultValue"),
               {p.get("id"): p.get("value", "") for p in xpath(raw, "camunda:properties/camunda:property")
                if p.get("id")})
        for raw in xpath(element, "bpmn:extensionElements/camunda:formData/camunda:formField"))
