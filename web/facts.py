"""The facts beside a decision: the data a diagram element names in its `show` property, drawn generically.

A designer writes on a user task (or on the process, for the procurement page)

    <camunda:property name="show" value="assessment.organisation; round_tenders[organisation=assessment.organisation]"/>
    <camunda:property name="show_labels" value="Tarjoaja; Tarjous"/>
    <camunda:property name="show_labels_en" value="Tenderer; Tender"/>

Each entry is a path into the data: `a.b` follows keys, `list[key=path]` picks the item of a list whose
`key` equals the value at `path` (read from the whole data). An entry whose data is missing is left out.
No per-task code: what a page shows is said in the diagram.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from web.definitions import ProcessModel
from web.formats import show_value
from web.i18n import english, localized

MISSING = object()
_SPLIT = re.compile(r"\.(?![^\[]*\])")  # dots outside brackets
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_STEP = re.compile(rf"^(?P<key>{_NAME})(?:\[(?P<field>{_NAME})=(?P<ref>[A-Za-z0-9_.]+)\])?$")


class ShowError(ValueError):
    """A `show` entry that is not a path."""


@dataclass(frozen=True)
class Fact:
    label: str
    path: str
    value: Any


def resolve(data: Mapping[str, Any], path: str) -> Any:
    """The value at `path` in `data`, or MISSING."""
    current: Any = data
    for step in _SPLIT.split(path):
        match = _STEP.match(step.strip())
        if match is None:
            raise ShowError(f"not a data path: {path!r}")
        if not isinstance(current, Mapping) or match["key"] not in current:
            return MISSING
        current = current[match["key"]]
        if match["field"]:
            wanted = resolve(data, match["ref"])
            if wanted is MISSING or not isinstance(current, list):
                return MISSING
            current = next((item for item in current
                            if isinstance(item, Mapping) and item.get(match["field"]) == wanted), MISSING)
            if current is MISSING:
                return MISSING
    return current


def entries(properties: Mapping[str, str]) -> list[tuple[str, str]]:
    """(path, label) of each `show` entry, labels in the viewer's language (the path's last key if none)."""
    paths = [p.strip() for p in properties.get("show", "").split(";") if p.strip()]
    labels = [label.strip() for label in localized(properties, "show_labels", properties.get("show_labels", ""))
              .split(";")]
    found = []
    for index, path in enumerate(paths):
        label = labels[index] if index < len(labels) and labels[index] else ""
        found.append((path, label or path.rsplit(".", 1)[-1].split("[")[0].replace("_", " ").capitalize()))
    return found


def facts(properties: Mapping[str, str], data: Mapping[str, Any]) -> list[Fact]:
    """The facts an element's `show` property names, in its order; missing or empty data is left out."""
    shown = []
    for path, label in entries(properties):
        try:
            value = resolve(data, path)
        except ShowError:
            continue  # deploy-time validation names the bad path; a page never fails on it
        if value is MISSING or value is None or value in ("", [], {}):
            continue
        shown.append(Fact(label, path, value))
    return shown


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class ShownFact:
    label: str
    kind: str  # text | record | table
    content: Any


def shown(properties: Mapping[str, str], data: Mapping[str, Any], labels: Mapping[str, str],
          units: Mapping[str, str], text: Callable[[Any, str | None], str]) -> list[ShownFact]:
    """The facts ready for a template: each value as a text, a record of (label, text) or a table.
    `labels` and `units` come from the form fields that asked for each key; `text(value, unit)` formats."""
    def key_label(key: str) -> str:
        return labels.get(key) or key.replace("_", " ").capitalize()

    drawn = []
    for fact in facts(properties, data):
        key = fact.path.rsplit(".", 1)[-1].split("[")[0]
        if isinstance(fact.value, Mapping):
            drawn.append(ShownFact(fact.label, "record",
                                   [(key_label(k), text(v, units.get(k))) for k, v in fact.value.items()]))
        elif isinstance(fact.value, list) and all(isinstance(v, Mapping) for v in fact.value):
            keys: list[str] = []
            for item in fact.value:
                keys += [k for k in item if k not in keys]
            rows = [[text(item.get(k), units.get(k)) for k in keys] for item in fact.value]
            drawn.append(ShownFact(fact.label, "table", Table([key_label(k) for k in keys], rows)))
        else:
            drawn.append(ShownFact(fact.label, "text", text(fact.value, units.get(key))))
    return drawn


def field_labels(model: ProcessModel) -> dict[str, str]:
    """Data key → the label of the form field that asks for it, in the viewer's language; data a script
    computes is labelled on the process: `label.<key>` (Finnish) and `label_en.<key>` properties."""
    labels: dict[str, str] = {}
    in_english = english()
    for name, value in model.properties.items():
        if name.startswith("label.") and value:
            key = name.removeprefix("label.")
            labels[key] = (model.properties.get(f"label_en.{key}") or value) if in_english else value
    for form_field in [*model.start_form, *(f for e in model.elements.values() for f in e.form)]:
        labels.setdefault(form_field.id, localized(form_field.properties, "label", form_field.label))
    return labels


def field_units(model: ProcessModel) -> dict[str, str]:
    """Data key → the `unit` property of the form field that asks for it (EUR: shown as euros); data a
    script computes has its unit on the process (`unit.<key>`)."""
    units: dict[str, str] = {name.removeprefix("unit."): value for name, value in model.properties.items()
                             if name.startswith("unit.") and value}
    for form_field in [*model.start_form, *(f for e in model.elements.values() for f in e.form)]:
        if form_field.properties.get("unit"):
            units.setdefault(form_field.id, form_field.properties["unit"])
    return units


def for_page(properties: Mapping[str, str], data: Mapping[str, Any], model: ProcessModel,
             organisation_names: Mapping[str, str]) -> list[ShownFact]:
    """What an element of `model` says to show from `data`, formatted for the viewer."""
    return shown(properties, data, field_labels(model), field_units(model),
                 lambda value, unit: show_value(value, unit, organisation_names))


def public(properties: Mapping[str, str]) -> dict[str, str]:
    """The `show_public` entries (with `show_public_labels[_en]`) as `show` ones: what the procurement page
    shows to outside participants such as tenderers (information every tenderer is sent anyway)."""
    return {"show": properties.get("show_public", ""), "show_labels": properties.get("show_public_labels", ""),
            "show_labels_en": properties.get("show_public_labels_en", "")}
