"""The diagrams as data: they deploy, every element has diagram coordinates, and they follow the
conventions (docs/diagram-conventions.md) that the engine and the domain rely on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine import Database, read_bundle
from tests.workflows.driver import DIAGRAMS, Clock
from workflows.directory import demo_directory
from workflows.resolver import LANES
from workflows.service import build_engine

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI",
      "camunda": "http://camunda.org/schema/1.0/bpmn",
      "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/", "dmndi": "https://www.omg.org/spec/DMN/20191111/DMNDI/"}
BPMN_FILES = [f for f in DIAGRAMS if f.suffix == ".bpmn"]
FLOW_NODES = ("startEvent", "endEvent", "intermediateCatchEvent", "boundaryEvent", "exclusiveGateway",
              "parallelGateway", "eventBasedGateway", "userTask", "scriptTask", "businessRuleTask", "callActivity",
              "subProcess")
PROCESSES = {"alliance_procurement", "alliance_strategy", "alliance_procurement_unit", "alliance_negotiation",
             "alliance_decision", "alliance_development", "alliance_implementation", "alliance_joint_decision"}


def tree(path: Path) -> Any:
    return etree.parse(str(path))


def x(node: Any, path: str) -> list[Any]:
    return list(node.xpath(path, namespaces=NS))


def properties(element: Any) -> dict[str, str]:
    return {p.get("name"): p.get("value") for p in x(element, "bpmn:extensionElements/camunda:properties/"
                                                                "camunda:property")}


def test_the_diagrams_deploy_without_problems(sqlite_database: Database) -> None:
    engine = build_engine(sqlite_database, demo_directory(), Clock())
    infos = engine.validate(read_bundle(DIAGRAMS))
    assert {i.process_id for i in infos} == PROCESSES
    deployed = engine.deploy(read_bundle(DIAGRAMS), "designer")
    assert all(d.created for d in deployed)
    assert not any(d.created for d in engine.deploy(read_bundle(DIAGRAMS), "designer"))     # unchanged: no-op


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_every_element_has_diagram_coordinates(path: Path) -> None:
    doc = tree(path)
    shapes = {s.get("bpmnElement"): s for s in x(doc, "//bpmndi:BPMNShape")}
    edges = {e.get("bpmnElement"): e for e in x(doc, "//bpmndi:BPMNEdge")}
    elements = [e.get("id") for tag in FLOW_NODES for e in x(doc, f"//bpmn:{tag}")]
    elements += [e.get("id") for e in x(doc, "//bpmn:lane | //bpmn:participant")]
    assert elements and not [e for e in elements if e not in shapes]
    for shape in shapes.values():
        [bounds] = x(shape, "dc:Bounds")
        assert float(bounds.get("width")) > 0 and float(bounds.get("height")) > 0
    flows = [f.get("id") for f in x(doc, "//bpmn:sequenceFlow")]
    assert flows and not [f for f in flows if f not in edges]
    for edge in edges.values():
        assert len(x(edge, "di:waypoint")) >= 2
    [plane] = x(doc, "//bpmndi:BPMNPlane")
    assert plane.get("bpmnElement") == x(doc, "//bpmn:collaboration")[0].get("id")


def _box(shape: Any) -> tuple[float, float, float, float]:
    [b] = x(shape, "dc:Bounds")
    return float(b.get("x")), float(b.get("y")), float(b.get("width")), float(b.get("height"))


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_the_layout_is_readable(path: Path) -> None:
    """Each node is drawn inside its lane, left to right, and no two nodes overlap."""
    doc = tree(path)
    shapes = {s.get("bpmnElement"): _box(s) for s in x(doc, "//bpmndi:BPMNShape")}
    for lane in x(doc, "//bpmn:lane"):
        lx, ly, lw, lh = shapes[lane.get("id")]
        for ref in x(lane, "bpmn:flowNodeRef"):
            nx, ny, nw, nh = shapes[ref.text]
            assert lx <= nx and nx + nw <= lx + lw and ly <= ny and ny + nh <= ly + lh, ref.text
    process = x(doc, "//bpmn:process")[0]
    top = [e.get("id") for tag in FLOW_NODES if tag != "boundaryEvent" for e in x(process, f"bpmn:{tag}")]
    for i, a in enumerate(top):
        ax, ay, aw, ah = shapes[a]
        for b in top[i + 1:]:
            bx, by, bw, bh = shapes[b]
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a, b)
    [start] = x(process, "bpmn:startEvent")
    assert shapes[start.get("id")][0] == min(shapes[n][0] for n in top)          # it begins on the left


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_user_tasks_follow_the_conventions(path: Path) -> None:
    doc = tree(path)
    lane_of = {ref.text: lane.get("name") for lane in x(doc, "//bpmn:lane") for ref in x(lane, "bpmn:flowNodeRef")}
    for task in x(doc, "//bpmn:userTask"):
        owner = task
        while owner.get("id") not in lane_of:          # a task inside a subprocess is in its subprocess's lane
            owner = owner.getparent()
        assert lane_of[owner.get("id")] in LANES, task.get("id")
        props = properties(task)
        assert {"name_en", "documentation_en", "phase"} <= set(props), task.get("id")
        assert task.get("name") and x(task, "bpmn:documentation"), task.get("id")
        fields = x(task, "bpmn:extensionElements/camunda:formData/camunda:formField")
        assert fields, task.get("id")
        for field in fields:
            field_props = {p.get("id") for p in x(field, "camunda:properties/camunda:property")}
            assert "label_en" in field_props and field.get("label"), (task.get("id"), field.get("id"))


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_messages_land_under_their_own_name_and_name_who_may_send_them(path: Path) -> None:
    doc = tree(path)
    names = {m.get("id"): m.get("name") for m in x(doc, "//bpmn:message")}
    for definition in x(doc, "//bpmn:messageEventDefinition"):
        event = definition.getparent()
        assert definition.get(f"{{{NS['camunda']}}}resultVariable") == names[definition.get("messageRef")]
        assert properties(event).get("sender_role") in LANES, event.get("id")


def test_the_decision_table_has_its_diagram_shape() -> None:
    doc = tree(DIAGRAMS[-1])
    decisions = [d.get("id") for d in x(doc, "//dmn:decision")]
    shapes = [s.get("dmnElementRef") for s in x(doc, "//dmndi:DMNShape")]
    assert decisions == ["alliance_rules"] and shapes == decisions


def test_every_name_the_scripts_call_is_a_helper_or_a_builtin() -> None:
    import ast
    import builtins

    from workflows.helpers import HELPERS

    called: set[str] = set()
    for path in BPMN_FILES:
        doc = tree(path)
        sources = [s.text for s in x(doc, "//bpmn:script")]
        sources += [c.text for c in x(doc, "//bpmn:conditionExpression")]
        for source in sources:
            for node in ast.walk(ast.parse(source.strip())):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    called.add(node.func.id)
    unknown = {n for n in called if n not in HELPERS and n != "now" and not hasattr(builtins, n)}
    assert not unknown
    assert {"check_period", "serve_decision", "record_orderer_exit", "settle", "decide_jointly"} <= called
