"""What the pages need from a deployed definition's BPMN files: names in both languages, the start
form, the diagrams to draw. Read from the stored XML and cached by content hash.

The start event's `camunda:formData` is read here because SpiffWorkflow's Camunda parser keeps
forms of user tasks only; it becomes the same `engine.FormField`s as a task's form, so the same
marshmallow schema validates it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from threading import Lock

from lxml import etree

from engine import Engine, FormField, form_fields_of_element
from web.diagram import NS as DI_NS
from web.diagram import diagrams_in

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {**DI_NS, "camunda": CAMUNDA}


FORM_KINDS = ("userTask", "startEvent", "intermediateCatchEvent", "boundaryEvent")
CATCH_KINDS = ("intermediateCatchEvent", "boundaryEvent", "receiveTask")


@dataclass(frozen=True)
class Element:
    id: str
    kind: str
    name: str
    properties: Mapping[str, str]
    documentation: str | None
    file: str
    form: tuple[FormField, ...] = ()
    ref: str | None = None  # a pool's processRef, a call activity's calledElement
    message: str | None = None  # the message a catch event waits for (its form, if any, is the payload's)


@dataclass(frozen=True)
class DrawableDiagram:
    file: str
    root_id: str
    name: str


@dataclass(frozen=True)
class ProcessModel:
    process_id: str
    name: str
    properties: Mapping[str, str]
    files: Mapping[str, str]
    elements: Mapping[str, Element]
    lanes: Mapping[str, str]  # lane element id -> lane name (a role id)
    start_form: tuple[FormField, ...]
    diagrams: tuple[DrawableDiagram, ...] = field(default=())


def _properties(element: etree._Element, key: str) -> dict[str, str]:
    found = element.xpath("bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS)
    return {p.get(key): p.get("value", "") for p in found if p.get(key)}


def _parse(text: str) -> etree._Element:
    return etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))


def build_model(process_id: str, files: Mapping[str, str]) -> ProcessModel:
    trees = {name: _parse(text) for name, text in files.items()}
    elements: dict[str, Element] = {}
    lanes: dict[str, str] = {}
    processes: dict[str, tuple[str, etree._Element]] = {}
    for name, tree in trees.items():
        messages = {m.get("id"): m.get("name") or m.get("id") for m in tree.iterfind("bpmn:message", NS)}
        for process in tree.iterfind("bpmn:process", NS):
            processes[process.get("id", "")] = (name, process)
        for element in tree.iter():
            if not isinstance(element.tag, str) or not element.get("id"):
                continue
            kind = element.tag.rsplit("}", 1)[-1]
            if kind == "lane":
                lanes[element.get("id", "")] = element.get("name", "")
            doc = element.findtext("bpmn:documentation", None, NS)
            form = form_fields_of_element(element) if kind in FORM_KINDS else ()
            ref = element.get("processRef") or element.get("calledElement")
            definition = element.find("bpmn:messageEventDefinition", NS) if kind in CATCH_KINDS else None
            message = messages.get(definition.get("messageRef")) if definition is not None else None
            elements[element.get("id", "")] = Element(element.get("id", ""), kind, element.get("name") or "",
                                                      _properties(element, "name"), doc, name, form, ref, message)
    if process_id not in processes:
        raise LookupError(f"process {process_id!r} is not in its stored files")
    file_name, process = processes[process_id]
    start_events = process.xpath("bpmn:startEvent", namespaces=NS)
    start_form = form_fields_of_element(start_events[0]) if start_events else ()
    return ProcessModel(process_id, process.get("name") or process_id, _properties(process, "name"), files,
                        elements, lanes, start_form, _drawable(process_id, processes, trees, files))


def _drawable(process_id: str, processes: Mapping[str, tuple[str, etree._Element]],
              trees: Mapping[str, etree._Element], files: Mapping[str, str]) -> tuple[DrawableDiagram, ...]:
    """The process's own diagram, then those of the processes it calls (in call order), then collapsed subprocesses."""
    order: list[str] = []
    pending = [process_id]
    while pending:
        current = pending.pop(0)
        if current in order or current not in processes:
            continue
        order.append(current)
        _file, element = processes[current]
        pending += [c.get("calledElement", "") for c in element.iter(f"{{{NS['bpmn']}}}callActivity")]
    found: list[DrawableDiagram] = []
    by_file = {name: {d.root_id: d for d in diagrams_in(files[name])} for name in trees}
    for current in order:
        name, _element = processes[current]
        drawable = by_file[name].get(current)
        if drawable:
            found.append(DrawableDiagram(name, current, drawable.name))
        for diagram in by_file[name].values():
            subprocess = trees[name].xpath("//bpmn:subProcess[@id=$id]", namespaces=NS, id=diagram.root_id)
            if subprocess and any(a.get("id") == current for a in subprocess[0].iterancestors()):
                found.append(DrawableDiagram(name, diagram.root_id, diagram.name))
    return tuple(found)


_cache: dict[str, ProcessModel] = {}
_by_version: dict[tuple[str, str, int], ProcessModel] = {}
_lock = Lock()


def process_model(engine: Engine, process_id: str, version: int) -> ProcessModel:
    """The model of one deployed version. A deployed version never changes, so it is cached by (database,
    process, version) and its files are read and hashed only on the first request of a worker; the
    model itself is shared by content hash."""
    version_key = (engine.db.url, process_id, version)
    with _lock:
        hit = _by_version.get(version_key)
    if hit is not None:
        return hit
    files = engine.definition_files(process_id, version)
    key = hashlib.sha256(json.dumps([process_id, files], sort_keys=True).encode()).hexdigest()
    with _lock:
        hit = _cache.get(key)
    if hit is None:
        hit = build_model(process_id, files)
    with _lock:
        if len(_cache) > 256:
            _cache.clear()
            _by_version.clear()
        _cache[key] = hit
        _by_version[version_key] = hit
    return hit


def latest_versions(engine: Engine) -> dict[str, int]:
    """process id → its newest deployed version."""
    latest: dict[str, int] = {}
    for deployed in engine.definitions():
        latest[deployed.process_id] = max(latest.get(deployed.process_id, 0), deployed.version)
    return latest
