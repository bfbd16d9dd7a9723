"""BPMN diagram interchange (BPMNDI) → SVG, drawn on the server.

A pure function of the BPMN XML and the element states: no JavaScript is needed
to see where a procurement is. Every shape gets the classes `bpmn-<kind>` and,
when the engine reports one, `state-completed|state-active|state-waiting`; the
page's stylesheet colours them, and a small badge in each marked shape repeats
the state as a symbol so colour is never the only signal. Text is escaped by
building the SVG with lxml, never by string concatenation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from web.diagram_canvas import NS, STATE_WORDS, Canvas, local_name, wrap

__all__ = ["NS", "Diagram", "DiagramError", "diagrams_in", "draw", "element_names", "wrap"]


class DiagramError(ValueError):
    """The XML has no drawable diagram for the requested process."""


@dataclass(frozen=True)
class Diagram:
    """One drawable plane: the process (or collapsed subprocess) it shows and its title."""

    root_id: str
    name: str


def _parse(xml: str | bytes) -> etree._Element:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise DiagramError(f"malformed BPMN XML: {error.msg}") from None


def diagrams_in(xml: str | bytes) -> list[Diagram]:
    """Every process with a diagram in the document, then every collapsed subprocess drawn on its own plane."""
    root = _parse(xml)
    found: list[Diagram] = []
    for process in root.iterfind("bpmn:process", NS):
        if _plane_for(root, process.get("id", "")) is not None:
            found.append(Diagram(process.get("id", ""), process.get("name") or process.get("id", "")))
    for sub in root.iterfind(".//bpmn:subProcess", NS):
        planes = root.xpath("bpmndi:BPMNDiagram/bpmndi:BPMNPlane[@bpmnElement=$id]", namespaces=NS,
                            id=sub.get("id", ""))
        if planes:
            found.append(Diagram(sub.get("id", ""), sub.get("name") or sub.get("id", "")))
    return found


def _plane_for(root: etree._Element, root_id: str) -> etree._Element | None:
    """The plane drawing `root_id`: its own plane, or a collaboration plane holding its pool."""
    for plane in root.iterfind("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS):
        element = plane.get("bpmnElement")
        if element == root_id:
            return plane
        for participant in root.iterfind("bpmn:collaboration/bpmn:participant", NS):
            if participant.get("processRef") == root_id and element == _parent_id(participant):
                return plane
    return None


def _parent_id(element: etree._Element) -> str | None:
    parent = element.getparent()
    return parent.get("id") if parent is not None else None


def _members(root: etree._Element, root_id: str) -> dict[str, etree._Element]:
    """The semantic elements drawn for `root_id`: its descendants and the pool that holds it."""
    found = root.xpath(".//*[@id=$id]", id=root_id)
    owner = found[0] if found else None
    if owner is None:
        raise DiagramError(f"no process or subprocess {root_id!r} in the document")
    members = {el.get("id"): el for el in owner.iter() if isinstance(el.tag, str) and el.get("id")}
    for participant in root.iterfind("bpmn:collaboration/bpmn:participant", NS):
        if participant.get("processRef") == root_id:
            members[participant.get("id")] = participant
    members.pop(root_id, None)
    return {k: v for k, v in members.items() if k}


def draw(xml: str | bytes, root_id: str, states: Mapping[str, str] | None = None, *,
         names: Mapping[str, str] | None = None, title: str | None = None, id_prefix: str = "bpmn",
         state_labels: Mapping[str, str] | None = None) -> str:
    """The SVG (a string, no XML declaration) of one process or collapsed subprocess.

    states: element id → completed | active | waiting. names: element id → the name to show
    (for another language); elements not in it show their own `name`. state_labels: state → the
    word added to an element's tooltip (for another language).
    """
    root = _parse(xml)
    plane = _plane_for(root, root_id)
    if plane is None:
        raise DiagramError(f"no diagram for {root_id!r} in the document")
    members = _members(root, root_id)
    canvas = Canvas(states or {}, names or {}, id_prefix, state_labels or STATE_WORDS)
    shapes = [s for s in plane.iterfind("bpmndi:BPMNShape", NS) if s.get("bpmnElement") in members]
    edges = [e for e in plane.iterfind("bpmndi:BPMNEdge", NS) if e.get("bpmnElement") in members]
    order = {"participant": 0, "lane": 1}
    shapes.sort(key=lambda s: order.get(local_name(members[s.get("bpmnElement")].tag), 2))
    for shape in shapes:
        canvas.shape(members[shape.get("bpmnElement")], shape)
    for edge in edges:
        canvas.edge(members[edge.get("bpmnElement")], edge)
    for shape in shapes:
        canvas.shape_label(members[shape.get("bpmnElement")], shape)
    return canvas.svg(title or _name_of(root, root_id))


def _name_of(root: etree._Element, element_id: str) -> str:
    found = root.xpath(".//*[@id=$id]", id=element_id)
    return (found[0].get("name") if found else None) or element_id


def element_names(xml: str | bytes, ids: Iterable[str]) -> dict[str, str]:
    """The `name` of each element id found in the document."""
    root = _parse(xml)
    wanted = set(ids)
    return {el.get("id"): el.get("name") or el.get("id") for el in root.iter()
            if isinstance(el.tag, str) and el.get("id") in wanted}
