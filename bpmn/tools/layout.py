"""A small builder that writes Camunda 7 BPMN files with a readable left-to-right layout.

A process is described as lanes (role ids), nodes placed on a grid (column, lane, row inside
the lane) and sequence flows; the builder computes shape bounds and orthogonal edge waypoints
and writes BPMN 2.0 XML with BPMNDI for every lane, shape and edge. It is a scaffold for the
first version of the diagrams: the committed .bpmn files are the source of truth afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "camunda": CAMUNDA, "xsi": XSI}

COL_W = 150          # width of a grid column in the process
ROW_MIN_H = 140      # minimum height of a row inside a lane
INNER_COL_W = 135    # grid inside an expanded subprocess
INNER_ROW_H = 115
POOL_X, POOL_Y = 120, 60
POOL_HEADER = 30
LANE_HEADER = 30
FIRST_X = POOL_X + POOL_HEADER + LANE_HEADER + 70   # centre of column 0

SIZES = {
    "start": (36, 36), "end": (36, 36), "catch": (36, 36), "boundary": (36, 36),
    "xgw": (50, 50), "pgw": (50, 50), "egw": (50, 50),
    "user": (110, 80), "script": (110, 80), "rule": (110, 80), "call": (120, 80),
}
TAGS = {
    "start": "startEvent", "end": "endEvent", "catch": "intermediateCatchEvent",
    "boundary": "boundaryEvent", "xgw": "exclusiveGateway", "pgw": "parallelGateway",
    "egw": "eventBasedGateway", "user": "userTask", "script": "scriptTask",
    "rule": "businessRuleTask", "call": "callActivity", "sub": "subProcess",
}


def q(prefix: str, tag: str) -> str:
    return f"{{{NSMAP[prefix]}}}{tag}"


@dataclass
class Field:
    """A `camunda:formField`."""

    id: str
    type: str
    label: str
    label_en: str
    required: bool = False
    values: tuple[tuple[str, str], ...] = ()
    min: float | None = None
    max: float | None = None
    multiline: bool = False
    help: str | None = None
    help_en: str | None = None
    default: str | None = None


@dataclass
class Node:
    id: str
    kind: str
    name: str = ""
    lane: str | None = None
    col: float = 0
    row: int = 0
    name_en: str | None = None
    doc: str | None = None
    doc_en: str | None = None
    phase: str | None = None
    due: str | None = None
    form: list[Field] = field(default_factory=list)
    script: str | None = None
    decision: str | None = None
    called: str | None = None
    mi: tuple[str, str] | None = None            # (collection, elementVariable)
    timer: str | None = None                     # timeDate expression
    message: str | None = None                   # message name
    result_var: str | None = None                # data key a caught message's payload lands in
    sender_role: str | None = None               # role allowed to deliver the message
    attached_to: str | None = None
    cancel: bool = True
    offset: float = 0.7                          # boundary position along the host's bottom edge
    default: str | None = None                   # default flow id of a gateway
    terminate: bool = False
    span: int = 1                                # columns an expanded subprocess covers
    children: list[Node] = field(default_factory=list)
    inner_flows: list[Flow] = field(default_factory=list)
    props: dict[str, str] = field(default_factory=dict)
    # computed
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None
    route: str | None = None      # None (automatic), "below", "above"
    channel: float = 0            # extra distance for "below"/"above" routes


@dataclass
class Process:
    id: str
    name: str
    lanes: list[tuple[str, str]]          # (role id, description)
    nodes: list[Node]
    flows: list[Flow]
    doc: str | None = None
    messages: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- layout

def _inner_layout(sub: Node) -> None:
    rows = max((c.row for c in sub.children if c.kind != "boundary"), default=0) + 1
    cols = max((c.col for c in sub.children), default=0) + 1
    sub.w = max(sub.span * COL_W - 30, cols * INNER_COL_W + 40)
    sub.h = rows * INNER_ROW_H + 50


def _place_inner(sub: Node) -> None:
    by_id = {c.id: c for c in sub.children}
    for c in sub.children:
        if c.kind == "boundary":
            continue
        c.w, c.h = SIZES[c.kind]
        cx = sub.x + 60 + c.col * INNER_COL_W
        cy = sub.y + 25 + INNER_ROW_H / 2 + c.row * INNER_ROW_H
        c.x, c.y = cx - c.w / 2, cy - c.h / 2
    for c in sub.children:
        if c.kind == "boundary":
            _place_boundary(c, by_id[c.attached_to or ""])


def _place_boundary(b: Node, host: Node) -> None:
    b.w, b.h = SIZES["boundary"]
    b.x = host.x + host.w * b.offset - b.w / 2
    b.y = host.y + host.h - b.h / 2


def layout(p: Process) -> dict[str, Any]:
    """Compute bounds of every node and lane; returns the lane and pool geometry."""
    lane_ids = [lane for lane, _ in p.lanes]
    for n in p.nodes:
        if n.kind == "sub":
            _inner_layout(n)
        elif n.kind != "boundary":
            n.w, n.h = SIZES[n.kind]
    # row heights per lane
    row_h: dict[tuple[str, int], float] = {}
    for n in p.nodes:
        if n.kind == "boundary" or n.lane is None:
            continue
        key = (n.lane, n.row)
        row_h[key] = max(row_h.get(key, ROW_MIN_H), n.h + (110 if n.kind == "sub" else 70))
    lanes: list[dict[str, Any]] = []
    y = POOL_Y
    max_col = max(n.col + (n.span if n.kind == "sub" else 1) for n in p.nodes)
    width = (FIRST_X - POOL_X) + max_col * COL_W + 40
    for lane in lane_ids:
        rows = sorted(r for (ln, r) in row_h if ln == lane) or [0]
        heights = [row_h.get((lane, r), ROW_MIN_H) for r in range(max(rows) + 1)]
        top = y
        centres = []
        for h in heights:
            centres.append(y + h / 2)
            y += h
        lanes.append({"id": lane, "y": top, "h": y - top, "centres": centres})
    geometry = {"lanes": lanes, "x": POOL_X, "y": POOL_Y, "w": width, "h": y - POOL_Y}
    lane_by_id = {ln["id"]: ln for ln in lanes}
    for n in p.nodes:
        if n.kind == "boundary":
            continue
        lane = lane_by_id[n.lane or lane_ids[0]]
        cy = lane["centres"][n.row]
        if n.kind == "sub":
            left = FIRST_X + n.col * COL_W - 55
            n.x, n.y = left, cy - n.h / 2
            _place_inner(n)
        else:
            cx = FIRST_X + n.col * COL_W
            n.x, n.y = cx - n.w / 2, cy - n.h / 2
    by_id = {n.id: n for n in p.nodes}
    for n in p.nodes:
        if n.kind == "boundary":
            _place_boundary(n, by_id[n.attached_to or ""])
            n.lane = by_id[n.attached_to or ""].lane
    return geometry


def _is_gateway(n: Node) -> bool:
    return n.kind in ("xgw", "pgw", "egw")


def waypoints(f: Flow, s: Node, t: Node) -> list[tuple[float, float]]:
    if f.route == "below":
        y = max(s.y + s.h, t.y + t.h) + 22 + f.channel
        return [(s.cx, s.y + s.h), (s.cx, y), (t.cx, y), (t.cx, t.y + t.h)]
    if f.route == "above":
        y = min(s.y, t.y) - 22 - f.channel
        return [(s.cx, s.y), (s.cx, y), (t.cx, y), (t.cx, t.y)]
    if s.kind == "boundary":
        if abs(t.cy - s.cy) < 1:
            return [(s.x + s.w, s.cy), (t.x, t.cy)]
        return [(s.cx, s.y + s.h), (s.cx, t.cy), (t.x, t.cy)]
    if abs(s.cy - t.cy) < 1:
        return [(s.x + s.w, s.cy), (t.x, t.cy)]
    if _is_gateway(t) and (_is_gateway(s) and t.cx > s.cx + s.w):
        end = (t.cx, t.y) if s.cy < t.cy else (t.cx, t.y + t.h)
        return [(s.x + s.w, s.cy), (t.cx, s.cy), end]
    if _is_gateway(s):
        start = (s.cx, s.y) if t.cy < s.cy else (s.cx, s.y + s.h)
        return [start, (s.cx, t.cy), (t.x, t.cy)]
    if _is_gateway(t):
        end = (t.cx, t.y) if s.cy < t.cy else (t.cx, t.y + t.h)
        return [(s.x + s.w, s.cy), (t.cx, s.cy), end]
    mx = (s.x + s.w + t.x) / 2
    return [(s.x + s.w, s.cy), (mx, s.cy), (mx, t.cy), (t.x, t.cy)]


# ---------------------------------------------------------------- XML

def _text(parent: etree._Element, tag: str, text: str, **attrib: str) -> etree._Element:
    el = etree.SubElement(parent, q("bpmn", tag), attrib)
    el.text = text
    return el


def _expr(parent: etree._Element, tag: str, text: str) -> etree._Element:
    el = etree.SubElement(parent, q("bpmn", tag), {q("xsi", "type"): "bpmn:tFormalExpression"})
    el.text = text
    return el


def _properties(parent: etree._Element, items: list[tuple[str, str]], key: str = "name") -> None:
    if not items:
        return
    props = etree.SubElement(parent, q("camunda", "properties"))
    for name, value in items:
        etree.SubElement(props, q("camunda", "property"), {key: name, "value": value})


def _form(ext: etree._Element, fields: list[Field]) -> None:
    data = etree.SubElement(ext, q("camunda", "formData"))
    for f in fields:
        attrib = {"id": f.id, "label": f.label, "type": f.type}
        if f.default is not None:
            attrib["defaultValue"] = f.default
        el = etree.SubElement(data, q("camunda", "formField"), attrib)
        props = [("label_en", f.label_en)]
        if f.help:
            props.append(("help", f.help))
        if f.help_en:
            props.append(("help_en", f.help_en))
        if f.multiline:
            props.append(("multiline", "true"))
        _properties(el, props, key="id")
        constraints: list[tuple[str, str | None]] = []
        if f.required:
            constraints.append(("required", None))
        if f.min is not None:
            constraints.append(("min", _num(f.min)))
        if f.max is not None:
            constraints.append(("max", _num(f.max)))
        if constraints:
            val = etree.SubElement(el, q("camunda", "validation"))
            for name, config in constraints:
                c = etree.SubElement(val, q("camunda", "constraint"), {"name": name})
                if config is not None:
                    c.set("config", config)
        for value_id, value_name in f.values:
            etree.SubElement(el, q("camunda", "value"), {"id": value_id, "name": value_name})


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _node_xml(parent: etree._Element, n: Node, flows: list[Flow], messages: dict[str, str]) -> None:
    attrib: dict[str, str] = {"id": n.id}
    if n.name:
        attrib["name"] = n.name
    if n.kind == "call":
        attrib["calledElement"] = n.called or ""
    if n.kind == "rule":
        attrib[q("camunda", "decisionRef")] = n.decision or ""
    if n.kind == "script":
        attrib["scriptFormat"] = "python"
    if n.kind == "boundary":
        attrib["attachedToRef"] = n.attached_to or ""
        if not n.cancel:
            attrib["cancelActivity"] = "false"
    if n.kind in ("xgw",) and n.default:
        attrib["default"] = n.default
    if n.kind == "sub" and n.mi:
        pass
    el = etree.SubElement(parent, q("bpmn", TAGS[n.kind]), attrib)
    if n.doc:
        _text(el, "documentation", n.doc)
    props: list[tuple[str, str]] = []
    if n.name_en:
        props.append(("name_en", n.name_en))
    if n.doc_en:
        props.append(("documentation_en", n.doc_en))
    if n.phase:
        props.append(("phase", n.phase))
    if n.due:
        props.append(("dueDate", n.due))
    if n.sender_role:
        props.append(("sender_role", n.sender_role))
    props.extend(n.props.items())
    if props or n.form:  # start events may carry a form too (the web's start form)
        ext = etree.SubElement(el, q("bpmn", "extensionElements"))
        if n.form:
            _form(ext, n.form)
        _properties(ext, props)
    for f in flows:
        if f.target == n.id:
            _text(el, "incoming", f.id)
    for f in flows:
        if f.source == n.id:
            _text(el, "outgoing", f.id)
    if n.mi:
        etree.SubElement(el, q("bpmn", "multiInstanceLoopCharacteristics"),
                         {q("camunda", "collection"): n.mi[0], q("camunda", "elementVariable"): n.mi[1]})
    if n.kind == "sub":
        _container_xml(el, n.children, n.inner_flows, messages)
    if n.kind == "script":
        _text(el, "script", n.script or "")
    if n.timer:
        ted = etree.SubElement(el, q("bpmn", "timerEventDefinition"), {"id": f"{n.id}_timer"})
        _expr(ted, "timeDate", n.timer)
    if n.message:
        med = etree.SubElement(el, q("bpmn", "messageEventDefinition"),
                               {"id": f"{n.id}_message", "messageRef": messages[n.message]})
        if n.result_var:
            med.set(q("camunda", "resultVariable"), n.result_var)
    if n.terminate:
        etree.SubElement(el, q("bpmn", "terminateEventDefinition"), {"id": f"{n.id}_terminate"})


def _container_xml(parent: etree._Element, nodes: list[Node], flows: list[Flow],
                   messages: dict[str, str]) -> None:
    for n in nodes:
        _node_xml(parent, n, flows, messages)
    for f in flows:
        el = etree.SubElement(parent, q("bpmn", "sequenceFlow"),
                              {"id": f.id, "sourceRef": f.source, "targetRef": f.target})
        if f.name:
            el.set("name", f.name)
        if f.condition:
            _expr(el, "conditionExpression", f.condition)


def _bounds(parent: etree._Element, x: float, y: float, w: float, h: float) -> None:
    etree.SubElement(parent, q("dc", "Bounds"),
                     {"x": _num(round(x)), "y": _num(round(y)), "width": _num(round(w)),
                      "height": _num(round(h))})


def _shape(plane: etree._Element, n: Node) -> None:
    attrib = {"id": f"{n.id}_di", "bpmnElement": n.id}
    if n.kind == "sub":
        attrib["isExpanded"] = "true"
    if n.kind == "xgw":
        attrib["isMarkerVisible"] = "true"
    sh = etree.SubElement(plane, q("bpmndi", "BPMNShape"), attrib)
    _bounds(sh, n.x, n.y, n.w, n.h)
    if n.kind in ("start", "end", "catch", "boundary", "xgw", "pgw", "egw") and n.name:
        label = etree.SubElement(sh, q("bpmndi", "BPMNLabel"))
        lw = 100
        _bounds(label, n.cx - lw / 2, n.y + n.h + 5, lw, 40)


def _edge(plane: etree._Element, f: Flow, s: Node, t: Node) -> None:
    e = etree.SubElement(plane, q("bpmndi", "BPMNEdge"), {"id": f"{f.id}_di", "bpmnElement": f.id})
    pts = waypoints(f, s, t)
    for x, y in pts:
        etree.SubElement(e, q("di", "waypoint"), {"x": _num(round(x)), "y": _num(round(y))})
    if f.name:
        (x1, y1), (_, y2) = pts[0], pts[1]
        width = min(110, 6 * len(f.name))
        label = etree.SubElement(e, q("bpmndi", "BPMNLabel"))
        if abs(y1 - y2) < 1:      # horizontal: above the line, just after the source
            _bounds(label, x1 + 6, y1 - 20, width, 14)
        else:                     # vertical: beside the line, half way
            _bounds(label, x1 + 6, (y1 + y2) / 2 - 7, width, 14)


def _all_nodes(nodes: list[Node]) -> list[Node]:
    out: list[Node] = []
    for n in nodes:
        out.append(n)
        out.extend(_all_nodes(n.children))
    return out


def build(processes: list[Process], *, target_namespace: str, definitions_id: str) -> bytes:
    """Write one .bpmn document holding the given processes, each in its own pool."""
    root = etree.Element(q("bpmn", "definitions"), nsmap=NSMAP, attrib={
        "id": definitions_id, "targetNamespace": target_namespace,
        "exporter": "allianssi bpmn/tools", "exporterVersion": "1.0",
    })
    message_names = sorted({n.message for p in processes for n in _all_nodes(p.nodes) if n.message})
    messages = {name: f"Message_{name}" for name in message_names}
    collab = etree.SubElement(root, q("bpmn", "collaboration"), {"id": f"{definitions_id}_collaboration"})
    geometries = []
    for p in processes:
        geometries.append(layout(p))
        etree.SubElement(collab, q("bpmn", "participant"),
                         {"id": f"{p.id}_pool", "name": p.name, "processRef": p.id})
    for p in processes:
        proc = etree.SubElement(root, q("bpmn", "process"), {"id": p.id, "name": p.name, "isExecutable": "true"})
        if p.doc:
            _text(proc, "documentation", p.doc)
        lane_set = etree.SubElement(proc, q("bpmn", "laneSet"), {"id": f"{p.id}_lanes"})
        for role, description in p.lanes:
            lane = etree.SubElement(lane_set, q("bpmn", "lane"), {"id": f"{p.id}_lane_{role}", "name": role})
            _text(lane, "documentation", description)
            for n in p.nodes:
                if n.lane == role:
                    _text(lane, "flowNodeRef", n.id)
        _container_xml(proc, p.nodes, p.flows, messages)
    for name, mid in messages.items():
        etree.SubElement(root, q("bpmn", "message"), {"id": mid, "name": name})
    diagram = etree.SubElement(root, q("bpmndi", "BPMNDiagram"), {"id": f"{definitions_id}_diagram"})
    plane = etree.SubElement(diagram, q("bpmndi", "BPMNPlane"),
                             {"id": f"{definitions_id}_plane", "bpmnElement": f"{definitions_id}_collaboration"})
    offset_y = 0.0
    for p, g in zip(processes, geometries, strict=True):
        _shift(p, g, offset_y)
        pool = etree.SubElement(plane, q("bpmndi", "BPMNShape"),
                                {"id": f"{p.id}_pool_di", "bpmnElement": f"{p.id}_pool", "isHorizontal": "true"})
        _bounds(pool, g["x"], g["y"], g["w"], g["h"])
        for ln in g["lanes"]:
            sh = etree.SubElement(plane, q("bpmndi", "BPMNShape"),
                                  {"id": f"{p.id}_lane_{ln['id']}_di", "bpmnElement": f"{p.id}_lane_{ln['id']}",
                                   "isHorizontal": "true"})
            _bounds(sh, g["x"] + POOL_HEADER, ln["y"], g["w"] - POOL_HEADER, ln["h"])
        everything = _all_nodes(p.nodes)
        for n in everything:
            _shape(plane, n)
        by_id = {n.id: n for n in everything}
        for f in p.flows + [f for n in everything for f in n.inner_flows]:
            _edge(plane, f, by_id[f.source], by_id[f.target])
        offset_y += g["h"] + 60
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _shift(p: Process, g: dict[str, Any], dy: float) -> None:
    if not dy:
        return
    g["y"] += dy
    for ln in g["lanes"]:
        ln["y"] += dy
    for n in _all_nodes(p.nodes):
        n.y += dy
