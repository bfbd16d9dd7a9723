"""What differs between two bundles, element by element: added, removed and changed elements.

An element is matched by its id across the bundle's files. For a changed one we say what
changed: its name, condition, form, script, timer, called element, decision, lane, properties,
documentation, or its flows. Diagram layout (BPMN DI) is not a change of the process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}
SKIPPED_KINDS = frozenset({"definitions", "flowNodeRef", "incoming", "outgoing"})


@dataclass(frozen=True)
class ElementChange:
    element_id: str
    kind: str  # the BPMN tag without namespace: userTask, sequenceFlow, …
    name: str
    file: str
    change: str  # added | removed | changed
    details: tuple[str, ...] = ()  # for changed: what changed, e.g. "name: 'A' → 'B'"


def _text(element: Any, path: str) -> str:
    return " ".join(" ".join(str(t) for t in found.itertext()).strip() for found in element.xpath(path, namespaces=NS))


def _serialized(element: Any, path: str) -> str:
    return "".join(etree.tostring(found, encoding="unicode", with_tail=False)
                   for found in element.xpath(path, namespaces=NS))


def _aspects(element: Any, lane_of: Mapping[str, str]) -> dict[str, str]:
    """The parts of an element a designer cares about, as comparable strings."""
    own = element.get("id", "")
    return {
        "name": element.get("name") or "",
        "condition": _text(element, "bpmn:conditionExpression"),
        "form": _serialized(element, "bpmn:extensionElements/camunda:formData"),
        "script": _text(element, "bpmn:script"),
        "timer": _text(element, ".//bpmn:timerEventDefinition/*"),
        "message": ",".join(d.get("messageRef", "") for d in element.xpath(".//bpmn:messageEventDefinition",
                                                                            namespaces=NS)),
        "called element": element.get("calledElement") or "",
        "decision": element.get(f"{{{CAMUNDA}}}decisionRef") or "",
        "lane": lane_of.get(own, ""),
        "properties": _serialized(element, "bpmn:extensionElements/camunda:properties"),
        "documentation": _text(element, "bpmn:documentation"),
        "flow": f"{element.get('sourceRef', '')}→{element.get('targetRef', '')}"
                if element.get("sourceRef") else "",
        "default flow": element.get("default") or "",
        "loop": _serialized(element, "bpmn:multiInstanceLoopCharacteristics"),
    }


@dataclass(frozen=True)
class _Found:
    kind: str
    name: str
    file: str
    aspects: Mapping[str, str]


def _elements(files: Mapping[str, str]) -> dict[str, _Found]:
    found: dict[str, _Found] = {}
    for file, text in sorted(files.items()):
        try:
            tree = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            continue  # a malformed file has no elements to compare; validation reports it
        lane_of = {ref.text.strip(): lane.get("name") or lane.get("id", "")
                   for lane in tree.iter(f"{{{BPMN}}}lane") for ref in lane.iterfind("bpmn:flowNodeRef", NS)
                   if ref.text}
        for element in tree.iter():
            tag = element.tag if isinstance(element.tag, str) else ""
            if not tag.startswith(f"{{{BPMN}}}") or not element.get("id"):
                continue
            kind = tag.rsplit("}", 1)[-1]
            if kind in SKIPPED_KINDS:
                continue
            found[element.get("id")] = _Found(kind, element.get("name") or "", file, _aspects(element, lane_of))
    return found


def _short(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def diff_bundles(old: Mapping[str, str], new: Mapping[str, str]) -> list[ElementChange]:
    """Elements added, removed and changed from `old` to `new` (both {file name: XML text})."""
    before, after = _elements(old), _elements(new)
    changes = []
    for element_id in sorted(before.keys() | after.keys()):
        was, now = before.get(element_id), after.get(element_id)
        if was is None and now is not None:
            changes.append(ElementChange(element_id, now.kind, now.name, now.file, "added"))
        elif now is None and was is not None:
            changes.append(ElementChange(element_id, was.kind, was.name, was.file, "removed"))
        elif was is not None and now is not None:
            details = [f"kind: {was.kind} → {now.kind}"] if was.kind != now.kind else []
            for aspect, value in now.aspects.items():
                if was.aspects.get(aspect, "") != value:
                    details.append(f"{aspect}: {_short(was.aspects.get(aspect, '')) or '—'} → {_short(value) or '—'}")
            if details:
                changes.append(ElementChange(element_id, now.kind, now.name, now.file, "changed", tuple(details)))
    return changes
