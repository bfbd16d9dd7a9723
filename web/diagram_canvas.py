"""Drawing BPMN shapes and edges as SVG: the canvas behind web.diagram.draw.

Shapes follow BPMN's notation (tasks with their type icon, events by kind, gateways
with their marker); every element carries `bpmn-<kind>` and its state class.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SVG = "http://www.w3.org/2000/svg"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}

STATES = ("completed", "active", "waiting")
STATE_WORDS = {"completed": "completed", "active": "active", "waiting": "waiting"}
TASKS = {"task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask",
         "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
EDGES = {"sequenceFlow": "sequence", "messageFlow": "message", "association": "association",
         "dataInputAssociation": "association", "dataOutputAssociation": "association"}
MARGIN = 12
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"
CHAR_WIDTH = 6.6  # a generous average glyph width at 11px, for wrapping
LINE_HEIGHT = 13


def local_name(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def bounds_of(shape: etree._Element) -> tuple[float, float, float, float] | None:
    bounds = shape.find("dc:Bounds", NS)
    if bounds is None:
        return None
    try:
        return tuple(float(bounds.get(k, "0")) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]
    except ValueError:
        return None


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def wrap(text: str, width: float) -> list[str]:
    """Greedy word wrap for a box `width` pixels wide, at word boundaries and after hyphens only: a word
    longer than the box stays whole on its own line (the canvas squeezes it), never "Allianssimall-in"."""
    limit = max(4, int(width / CHAR_WIDTH))
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            parts = [p + "-" for p in word.split("-")[:-1] if p] + [word.rsplit("-", 1)[-1]] if len(word) > limit \
                else [word]
            for part in (p for p in parts if p):
                joiner = "" if line.endswith("-") and part is not parts[0] else " "
                candidate = f"{line}{joiner}{part}".strip() if line else part
                if len(candidate) <= limit or not line:
                    line = candidate
                else:
                    lines.append(line)
                    line = part
        if line:
            lines.append(line)
    return lines


class Canvas:
    def __init__(self, states: Mapping[str, str], names: Mapping[str, str], prefix: str,
                 state_labels: Mapping[str, str]):
        self.states = states
        self.state_labels = state_labels
        self.names = names
        self.prefix = prefix
        self.root = etree.Element(f"{{{SVG}}}svg", nsmap={None: SVG})
        self.defs = etree.SubElement(self.root, f"{{{SVG}}}defs")
        self.layers = {name: etree.SubElement(self.root, f"{{{SVG}}}g", {"class": f"bpmn-layer-{name}"})
                       for name in ("pools", "shapes", "edges", "labels")}
        self.box = [math.inf, math.inf, -math.inf, -math.inf]
        self._markers()

    # --- plumbing ------------------------------------------------------------------------------
    def _el(self, parent: etree._Element, tag: str, **attrib: str | float) -> etree._Element:
        values = {k.rstrip("_").replace("_", "-"): _fmt(v) if isinstance(v, float | int) else v
                  for k, v in attrib.items()}
        return etree.SubElement(parent, f"{{{SVG}}}{tag}", values)

    def _grow(self, x: float, y: float, w: float = 0, h: float = 0) -> None:
        self.box = [min(self.box[0], x), min(self.box[1], y), max(self.box[2], x + w), max(self.box[3], y + h)]

    def _markers(self) -> None:
        for name, path, fill in (("arrow", "M0,0 L10,5 L0,10 z", "#1f1f1f"),
                                 ("open-arrow", "M0,0 L10,5 L0,10", "none"),
                                 ("circle", "", "#ffffff")):
            marker = self._el(self.defs, "marker", id=f"{self.prefix}-{name}", viewBox="0 0 10 10", refX=9.0,
                              refY=5.0, markerWidth=8.0, markerHeight=8.0, orient="auto-start-reverse")
            if name == "circle":
                marker.set("refX", "5")
                self._el(marker, "circle", cx=5.0, cy=5.0, r=3.5, fill=fill, stroke="#1f1f1f")
            else:
                self._el(marker, "path", d=path, fill=fill, stroke="#1f1f1f")

    def _text(self, parent: etree._Element, lines: list[str], x: float, y: float, css: str,
              anchor: str = "middle", width: float | None = None) -> None:
        if not lines:
            return
        size = "10" if "bpmn-flow-label" in css else "11"
        text = self._el(parent, "text", x=x, y=y, class_=css, text_anchor=anchor, font_size=size,
                        font_family=FONT)
        for index, line in enumerate(lines):
            span = self._el(text, "tspan", x=x, dy=0.0 if index == 0 else float(LINE_HEIGHT))
            if width and len(line) * CHAR_WIDTH > width:  # one long word: squeezed to the box, not cut
                span.set("textLength", _fmt(width))
                span.set("lengthAdjust", "spacingAndGlyphs")
            span.text = line

    def name(self, element: etree._Element) -> str:
        return self.names.get(element.get("id", ""), element.get("name") or "")

    def _group(self, layer: str, element: etree._Element, kind: str) -> etree._Element:
        element_id = element.get("id", "")
        state = self.states.get(element_id)
        css = f"bpmn-element bpmn-{kind}" + (f" state-{state}" if state in STATES else "")
        group = self._el(self.layers[layer], "g", class_=css)
        group.set("data-element-id", element_id)
        title = self._el(group, "title")
        word = self.state_labels.get(state or "")
        title.text = (self.name(element) or element_id) + (f" ({word})" if word else "")
        return group

    # --- shapes --------------------------------------------------------------------------------
    def shape(self, element: etree._Element, shape: etree._Element) -> None:
        bounds = bounds_of(shape)
        if bounds is None:
            return
        x, y, w, h = bounds
        kind = local_name(element.tag)
        self._grow(x, y, w, h)
        if kind in ("participant", "lane"):
            self._pool(element, kind, x, y, w, h)
        elif kind in TASKS:
            expanded = shape.get("isExpanded") == "true"
            self._task(element, kind, x, y, w, h, expanded)
        elif kind in EVENTS:
            self._event(element, kind, x, y, w, h)
        elif kind in GATEWAYS:
            self._gateway(element, kind, x, y, w, h)
        elif kind == "textAnnotation":
            group = self._group("shapes", element, "annotation")
            self._el(group, "path", d=f"M{_fmt(x + 15)},{_fmt(y)} L{_fmt(x)},{_fmt(y)} L{_fmt(x)},{_fmt(y + h)} "
                                      f"L{_fmt(x + 15)},{_fmt(y + h)}", fill="none", stroke="#1f1f1f")
            text = element.findtext("bpmn:text", "", NS)
            self._text(group, wrap(text, w - 8), x + 5, y + 15, "bpmn-label", anchor="start", width=w - 8)
        elif kind in ("dataObjectReference", "dataStoreReference"):
            group = self._group("shapes", element, "data")
            fold = min(12.0, w / 3)
            self._el(group, "path", d=f"M{_fmt(x)},{_fmt(y)} h{_fmt(w - fold)} l{_fmt(fold)},{_fmt(fold)} "
                                      f"v{_fmt(h - fold)} h{_fmt(-w)} z", fill="#ffffff", stroke="#1f1f1f")

    def shape_label(self, element: etree._Element, shape: etree._Element) -> None:
        """Labels outside the shape (events, gateways, data) are drawn last, above the flows."""
        kind = local_name(element.tag)
        if kind not in EVENTS | GATEWAYS | {"dataObjectReference", "dataStoreReference"}:
            return
        name = self.name(element)
        bounds = bounds_of(shape)
        if not name or bounds is None:
            return
        x, y, w, h = bounds
        label = bounds_of(shape.find("bpmndi:BPMNLabel", NS)) if shape.find("bpmndi:BPMNLabel", NS) is not None \
            else None
        lx, ly, lw = (label[0], label[1], max(label[2], 90)) if label else (x + w / 2 - 50, y + h + 4, 100)
        lines = wrap(name, lw)
        self._grow(lx + label[2] / 2 - lw / 2 if label else lx, ly, lw, len(lines) * LINE_HEIGHT + 4)
        cx = (label[0] + label[2] / 2) if label else x + w / 2
        self._text(self.layers["labels"], lines, cx, ly + 10, "bpmn-label", width=lw)

    def _pool(self, element: etree._Element, kind: str, x: float, y: float, w: float, h: float) -> None:
        group = self._group("pools", element, kind)
        self._el(group, "rect", x=x, y=y, width=w, height=h, fill="#ffffff" if kind == "participant" else "none",
                 stroke="#1f1f1f")
        header = 30.0
        self._el(group, "line", x1=x + header, y1=y, x2=x + header, y2=y + h, stroke="#1f1f1f")
        name = self.name(element)
        if name:
            cx, cy = x + header / 2, y + h / 2
            lines = wrap(name, h - 10)[:2]
            text = self._el(group, "text", x=cx, y=cy, class_="bpmn-lane-label", text_anchor="middle",
                            transform=f"rotate(-90 {_fmt(cx)} {_fmt(cy)})", font_size="12", font_weight="600",
                            font_family=FONT)
            for index, line in enumerate(lines):
                span = self._el(text, "tspan", x=cx, dy=float(4 - (len(lines) - 1) * 6) if index == 0
                                else float(LINE_HEIGHT))
                span.text = line

    def _badge(self, group: etree._Element, element: etree._Element, x: float, y: float) -> None:
        """A symbol repeating the state: a tick (completed), a play sign (active), a clock (waiting)."""
        state = self.states.get(element.get("id", ""))
        if state not in STATES:
            return
        badge = self._el(group, "g", class_=f"bpmn-badge badge-{state}")
        self._el(badge, "circle", cx=x, cy=y, r=8.0, fill="#ffffff", stroke="#1f1f1f", class_="bpmn-badge-disc")
        if state == "completed":
            self._el(badge, "path", d=f"M{_fmt(x - 4)},{_fmt(y)} l3,3.5 l5,-7", fill="none", stroke="#1f1f1f",
                     stroke_width="2", class_="bpmn-badge-mark")
        elif state == "active":
            self._el(badge, "path", d=f"M{_fmt(x - 2.5)},{_fmt(y - 4.5)} l6.5,4.5 l-6.5,4.5 z", fill="#1f1f1f",
                     class_="bpmn-badge-mark")
        else:
            self._el(badge, "path", d=f"M{_fmt(x)},{_fmt(y - 5)} v5 h3.5", fill="none", stroke="#1f1f1f",
                     stroke_width="1.8", class_="bpmn-badge-mark")

    def _task(self, element: etree._Element, kind: str, x: float, y: float, w: float, h: float,
              expanded: bool) -> None:
        group = self._group("shapes", element, "task" if kind not in ("subProcess", "transaction") else "subprocess")
        group.set("class", group.get("class", "") + f" bpmn-{kind}")
        width = "3" if kind == "callActivity" else "1.5"
        self._el(group, "rect", x=x, y=y, width=w, height=h, rx=10.0, ry=10.0, fill="#ffffff", stroke="#1f1f1f",
                 stroke_width=width, class_="bpmn-body")
        if kind == "transaction":
            self._el(group, "rect", x=x + 3, y=y + 3, width=w - 6, height=h - 6, rx=8.0, fill="none",
                     stroke="#1f1f1f")
        self._task_icon(group, kind, x + 6, y + 6)
        name = self.name(element)
        if expanded:
            self._text(group, wrap(name, w - 20)[:2], x + 10, y + 16, "bpmn-label", anchor="start", width=w - 20)
        else:
            lines = wrap(name, w - 16)[: max(1, int((h - 10) // LINE_HEIGHT))]
            top = y + h / 2 - (len(lines) - 1) * LINE_HEIGHT / 2 + 4
            self._text(group, lines, x + w / 2, top, "bpmn-label", width=w - 16)
        markers = []
        loop = element.find("bpmn:multiInstanceLoopCharacteristics", NS)
        if loop is not None:
            markers.append("sequential" if loop.get("isSequential") == "true" else "parallel")
        if element.find("bpmn:standardLoopCharacteristics", NS) is not None:
            markers.append("loop")
        if kind in ("subProcess", "callActivity") and not expanded:
            markers.append("collapsed")
        self._task_markers(group, markers, x + w / 2, y + h - 14)
        self._badge(group, element, x + w - 4, y + 4)

    def _task_icon(self, group: etree._Element, kind: str, x: float, y: float) -> None:
        icon = self._el(group, "g", class_="bpmn-icon")
        if kind == "userTask":
            self._el(icon, "circle", cx=x + 7, cy=y + 5, r=4.0, fill="none", stroke="#1f1f1f")
            self._el(icon, "path", d=f"M{_fmt(x)},{_fmt(y + 16)} q7,-10 14,0", fill="none", stroke="#1f1f1f")
        elif kind == "scriptTask":
            self._el(icon, "path", d=f"M{_fmt(x + 3)},{_fmt(y)} h10 q-5,8 0,16 h-10 q-5,-8 0,-16 z "
                                     f"M{_fmt(x + 4)},{_fmt(y + 5)} h6 M{_fmt(x + 4)},{_fmt(y + 10)} h6",
                     fill="none", stroke="#1f1f1f")
        elif kind == "businessRuleTask":
            self._el(icon, "rect", x=x, y=y, width=16.0, height=12.0, fill="none", stroke="#1f1f1f")
            self._el(icon, "path", d=f"M{_fmt(x)},{_fmt(y + 4)} h16 M{_fmt(x + 5)},{_fmt(y + 4)} v8",
                     fill="none", stroke="#1f1f1f")
        elif kind == "serviceTask":
            self._el(icon, "circle", cx=x + 7, cy=y + 7, r=6.0, fill="none", stroke="#1f1f1f",
                     stroke_dasharray="3 2", stroke_width="3")
        elif kind in ("sendTask", "receiveTask"):
            fill = "#1f1f1f" if kind == "sendTask" else "none"
            self._el(icon, "rect", x=x, y=y + 2, width=16.0, height=11.0, fill=fill, stroke="#1f1f1f")
            self._el(icon, "path", d=f"M{_fmt(x)},{_fmt(y + 2)} l8,6 l8,-6", fill="none",
                     stroke="#ffffff" if kind == "sendTask" else "#1f1f1f")
        elif kind == "manualTask":
            self._el(icon, "path", d=f"M{_fmt(x)},{_fmt(y + 8)} h12 v6 h-12 z", fill="none", stroke="#1f1f1f")

    def _task_markers(self, group: etree._Element, markers: list[str], cx: float, y: float) -> None:
        left = cx - (len(markers) * 14) / 2
        for index, marker in enumerate(markers):
            mx = left + index * 14
            if marker == "parallel":
                self._el(group, "path", d=" ".join(f"M{_fmt(mx + dx)},{_fmt(y)} v10" for dx in (2, 6, 10)),
                         stroke="#1f1f1f", stroke_width="1.5")
            elif marker == "sequential":
                self._el(group, "path", d=" ".join(f"M{_fmt(mx)},{_fmt(y + dy)} h12" for dy in (1, 5, 9)),
                         stroke="#1f1f1f", stroke_width="1.5")
            elif marker == "loop":
                self._el(group, "path", d=f"M{_fmt(mx + 3)},{_fmt(y + 9)} a5,5 0 1,1 6,0", fill="none",
                         stroke="#1f1f1f")
            elif marker == "collapsed":
                self._el(group, "rect", x=mx, y=y, width=12.0, height=12.0, fill="#ffffff", stroke="#1f1f1f")
                self._el(group, "path", d=f"M{_fmt(mx + 6)},{_fmt(y + 3)} v6 M{_fmt(mx + 3)},{_fmt(y + 6)} h6",
                         stroke="#1f1f1f")

    def _event(self, element: etree._Element, kind: str, x: float, y: float, w: float, h: float) -> None:
        group = self._group("shapes", element, "event")
        group.set("class", group.get("class", "") + f" bpmn-{kind}")
        cx, cy, r = x + w / 2, y + h / 2, min(w, h) / 2
        throwing = kind in ("endEvent", "intermediateThrowEvent")
        dashed = kind == "boundaryEvent" and element.get("cancelActivity") == "false"
        outline = {"stroke_dasharray": "4 2"} if dashed else {}
        self._el(group, "circle", cx=cx, cy=cy, r=r, fill="#ffffff", stroke="#1f1f1f",
                 stroke_width="3.5" if kind == "endEvent" else "1.5", class_="bpmn-body", **outline)
        if kind in ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"):
            self._el(group, "circle", cx=cx, cy=cy, r=r - 3, fill="none", stroke="#1f1f1f", **outline)
        definitions = [local_name(d.tag) for d in element if local_name(d.tag).endswith("EventDefinition")]
        if definitions:
            self._event_symbol(group, definitions[0], cx, cy, r, throwing)
        self._badge(group, element, x + w, y)

    def _event_symbol(self, group: etree._Element, definition: str, cx: float, cy: float, r: float,
                      filled: bool) -> None:
        fill = "#1f1f1f" if filled else "none"
        if definition == "timerEventDefinition":
            self._el(group, "circle", cx=cx, cy=cy, r=r * 0.55, fill="#ffffff", stroke="#1f1f1f")
            self._el(group, "path", d=f"M{_fmt(cx)},{_fmt(cy - r * 0.4)} L{_fmt(cx)},{_fmt(cy)} "
                                      f"L{_fmt(cx + r * 0.3)},{_fmt(cy)}", fill="none", stroke="#1f1f1f")
        elif definition == "messageEventDefinition":
            w, h = r * 0.9, r * 0.6
            self._el(group, "rect", x=cx - w / 2, y=cy - h / 2, width=w, height=h, fill=fill, stroke="#1f1f1f")
            self._el(group, "path", d=f"M{_fmt(cx - w / 2)},{_fmt(cy - h / 2)} L{_fmt(cx)},{_fmt(cy + h / 6)} "
                                      f"L{_fmt(cx + w / 2)},{_fmt(cy - h / 2)}", fill="none",
                     stroke="#ffffff" if filled else "#1f1f1f")
        elif definition == "terminateEventDefinition":
            self._el(group, "circle", cx=cx, cy=cy, r=r * 0.55, fill="#1f1f1f")
        elif definition == "signalEventDefinition":
            s = r * 0.55
            self._el(group, "path", d=f"M{_fmt(cx)},{_fmt(cy - s)} L{_fmt(cx + s)},{_fmt(cy + s * 0.7)} "
                                      f"L{_fmt(cx - s)},{_fmt(cy + s * 0.7)} z", fill=fill, stroke="#1f1f1f")
        elif definition in ("errorEventDefinition", "escalationEventDefinition", "cancelEventDefinition",
                            "conditionalEventDefinition", "compensateEventDefinition"):
            s = r * 0.5
            self._el(group, "path", d=f"M{_fmt(cx - s)},{_fmt(cy + s)} L{_fmt(cx - s / 3)},{_fmt(cy - s)} "
                                      f"L{_fmt(cx + s / 3)},{_fmt(cy + s / 3)} L{_fmt(cx + s)},{_fmt(cy - s)}",
                     fill="none", stroke="#1f1f1f", stroke_width="1.5")

    def _gateway(self, element: etree._Element, kind: str, x: float, y: float, w: float, h: float) -> None:
        group = self._group("shapes", element, "gateway")
        group.set("class", group.get("class", "") + f" bpmn-{kind}")
        cx, cy = x + w / 2, y + h / 2
        self._el(group, "path", d=f"M{_fmt(cx)},{_fmt(y)} L{_fmt(x + w)},{_fmt(cy)} L{_fmt(cx)},{_fmt(y + h)} "
                                  f"L{_fmt(x)},{_fmt(cy)} z", fill="#ffffff", stroke="#1f1f1f", stroke_width="1.5",
                 class_="bpmn-body")
        s = min(w, h) * 0.22
        if kind == "exclusiveGateway":
            self._el(group, "path", d=f"M{_fmt(cx - s)},{_fmt(cy - s)} L{_fmt(cx + s)},{_fmt(cy + s)} "
                                      f"M{_fmt(cx + s)},{_fmt(cy - s)} L{_fmt(cx - s)},{_fmt(cy + s)}",
                     stroke="#1f1f1f", stroke_width="3")
        elif kind == "parallelGateway":
            self._el(group, "path", d=f"M{_fmt(cx)},{_fmt(cy - s * 1.2)} v{_fmt(s * 2.4)} "
                                      f"M{_fmt(cx - s * 1.2)},{_fmt(cy)} h{_fmt(s * 2.4)}",
                     stroke="#1f1f1f", stroke_width="3")
        elif kind == "inclusiveGateway":
            self._el(group, "circle", cx=cx, cy=cy, r=s, fill="none", stroke="#1f1f1f", stroke_width="2.5")
        elif kind == "eventBasedGateway":
            self._el(group, "circle", cx=cx, cy=cy, r=s * 1.3, fill="none", stroke="#1f1f1f")
            self._el(group, "circle", cx=cx, cy=cy, r=s * 1.05, fill="none", stroke="#1f1f1f")
            p = s * 0.7
            self._el(group, "path", d=f"M{_fmt(cx)},{_fmt(cy - p)} L{_fmt(cx + p)},{_fmt(cy - p / 4)} "
                                      f"L{_fmt(cx + p * 0.6)},{_fmt(cy + p)} L{_fmt(cx - p * 0.6)},{_fmt(cy + p)} "
                                      f"L{_fmt(cx - p)},{_fmt(cy - p / 4)} z", fill="none", stroke="#1f1f1f")
        elif kind == "complexGateway":
            self._el(group, "path", d=f"M{_fmt(cx)},{_fmt(cy - s)} v{_fmt(2 * s)} M{_fmt(cx - s)},{_fmt(cy)} "
                                      f"h{_fmt(2 * s)} M{_fmt(cx - s * .7)},{_fmt(cy - s * .7)} "
                                      f"l{_fmt(s * 1.4)},{_fmt(s * 1.4)} M{_fmt(cx + s * .7)},{_fmt(cy - s * .7)} "
                                      f"l{_fmt(-s * 1.4)},{_fmt(s * 1.4)}", stroke="#1f1f1f", stroke_width="2.5")
        self._badge(group, element, x + w - 6, y + 6)

    # --- edges ---------------------------------------------------------------------------------
    def edge(self, element: etree._Element, edge: etree._Element) -> None:
        kind = EDGES.get(local_name(element.tag))
        points = []
        for point in edge.iterfind("di:waypoint", NS):
            try:
                points.append((float(point.get("x", "0")), float(point.get("y", "0"))))
            except ValueError:
                continue
        if kind is None or len(points) < 2:
            return
        for px, py in points:
            self._grow(px, py)
        group = self._group("edges", element, f"flow-{kind}")
        d = "M" + " L".join(f"{_fmt(px)},{_fmt(py)}" for px, py in points)
        attrib: dict[str, str] = {"fill": "none", "stroke": "#1f1f1f", "stroke-width": "1.5"}
        if kind == "sequence":
            attrib["marker-end"] = f"url(#{self.prefix}-arrow)"
            parent = element.getparent()
            if parent is not None and parent.xpath("*[@default=$id]", id=element.get("id", "")):
                self._default_slash(group, points)
        elif kind == "message":
            attrib.update({"stroke-dasharray": "8 5", "marker-end": f"url(#{self.prefix}-open-arrow)",
                           "marker-start": f"url(#{self.prefix}-circle)"})
        else:
            attrib.update({"stroke-dasharray": "2 4"})
        path = etree.SubElement(group, f"{{{SVG}}}path", {"d": d, **attrib, "class": "bpmn-body"})
        del path  # only added to the group
        name = self.name(element)
        if name:
            label = edge.find("bpmndi:BPMNLabel", NS)
            bounds = bounds_of(label) if label is not None else None
            if bounds:
                lx, ly = bounds[0], bounds[1] + 10
            else:
                (x1, y1), (x2, y2) = points[0], points[1]
                lx, ly = (x1 + x2) / 2 + 4, (y1 + y2) / 2 - 6
            lines = wrap(name, 100)
            self._grow(lx, ly - 10, 100, len(lines) * LINE_HEIGHT)
            self._text(self.layers["labels"], lines, lx, ly, "bpmn-label bpmn-flow-label", anchor="start", width=100)

    def _default_slash(self, group: etree._Element, points: list[tuple[float, float]]) -> None:
        (x1, y1), (x2, y2) = points[0], points[1]
        length = math.hypot(x2 - x1, y2 - y1) or 1
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        mx, my = x1 + ux * 10, y1 + uy * 10
        nx, ny = -uy, ux
        self._el(group, "path", d=f"M{_fmt(mx - nx * 5 - ux * 3)},{_fmt(my - ny * 5 - uy * 3)} "
                                  f"L{_fmt(mx + nx * 5 + ux * 3)},{_fmt(my + ny * 5 + uy * 3)}",
                 stroke="#1f1f1f", stroke_width="1.5")

    # --- output --------------------------------------------------------------------------------
    def svg(self, title: str) -> str:
        if self.box[0] == math.inf:
            self.box = [0, 0, 100, 50]
        x, y = self.box[0] - MARGIN, self.box[1] - MARGIN
        w, h = self.box[2] - self.box[0] + 2 * MARGIN, self.box[3] - self.box[1] + 2 * MARGIN
        self.root.set("viewBox", f"{_fmt(x)} {_fmt(y)} {_fmt(w)} {_fmt(h)}")
        self.root.set("width", _fmt(w))
        self.root.set("height", _fmt(h))
        self.root.set("class", "bpmn-diagram")
        self.root.set("role", "img")
        self.root.set("aria-labelledby", f"{self.prefix}-title")
        heading = etree.Element(f"{{{SVG}}}title", {"id": f"{self.prefix}-title"})
        heading.text = title
        self.root.insert(0, heading)
        return etree.tostring(self.root, encoding="unicode")
