"""Design checks a designer runs on a draft, beyond what deployment itself requires.

* every user task has a form (`camunda:formData` or `camunda:formKey`) and someone to do it: a
  lane, or Camunda's `candidateGroups`, `candidateUsers` or `assignee` (deployment checks that
  a lane names a known role);
* no flow out of a branching exclusive gateway is left without a condition (except its default);
* every flow node and sequence flow is laid out on a diagram (BPMN DI), so it can be drawn.

Each problem has file, line and element id, like the engine's own validation.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from engine.errors import Problem
from engine.types import SourceFile

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN, "camunda": "http://camunda.org/schema/1.0/bpmn",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
FLOW_NODES = ("task", "userTask", "serviceTask", "scriptTask", "businessRuleTask", "manualTask", "sendTask",
              "receiveTask", "callActivity", "subProcess", "startEvent", "endEvent", "intermediateCatchEvent",
              "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway", "parallelGateway",
              "inclusiveGateway", "eventBasedGateway", "sequenceFlow")


def _problem(file: str, element: etree._Element, message: str) -> Problem:
    return Problem(file, element.sourceline, element.get("id"), message)


def check_design(files: Sequence[SourceFile]) -> list[Problem]:
    """The design problems of a bundle's .bpmn files (malformed files are left to validation)."""
    problems: list[Problem] = []
    for f in files:
        if not f.name.endswith(".bpmn"):
            continue
        try:
            tree = etree.fromstring(f.content, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            continue
        problems += _check_tree(f.name, tree)
    return problems


def _check_tree(file: str, tree: etree._Element) -> list[Problem]:
    problems: list[Problem] = []
    x = tree.xpath
    in_lane = {ref.text.strip() for ref in x("//bpmn:lane/bpmn:flowNodeRef", namespaces=NS) if ref.text}
    for task in x("//bpmn:userTask", namespaces=NS):
        has_form = task.get(f"{{{NS['camunda']}}}formKey") or task.xpath(
            "bpmn:extensionElements/camunda:formData/camunda:formField", namespaces=NS)
        if not has_form:
            problems.append(_problem(file, task, "user task has no form (camunda:formData or camunda:formKey)"))
        in_a_lane = any(a.get("id") in in_lane for a in [task, *task.iterancestors()])
        assigned = any(task.get(f"{{{NS['camunda']}}}{a}") for a in ("candidateGroups", "candidateUsers", "assignee"))
        if not in_a_lane and not assigned:
            problems.append(_problem(file, task, "user task has no lane, camunda:candidateGroups, candidateUsers or "
                                                 "assignee: nobody would do it"))

    flows = {flow.get("id"): flow for flow in x("//bpmn:sequenceFlow", namespaces=NS)}
    for gateway in x("//bpmn:exclusiveGateway", namespaces=NS):
        outgoing = [f for f in flows.values() if f.get("sourceRef") == gateway.get("id")]
        if len(outgoing) < 2:
            continue  # a merging gateway: one way on, nothing to decide
        for flow in outgoing:
            if flow.get("id") != gateway.get("default") and not flow.xpath("bpmn:conditionExpression",
                                                                            namespaces=NS):
                problems.append(_problem(file, flow, f"flow out of the exclusive gateway {gateway.get('id')!r} "
                                                     "has no condition and is not its default"))

    laid_out = {shape.get("bpmnElement") for shape in x("//bpmndi:BPMNShape | //bpmndi:BPMNEdge", namespaces=NS)}
    for kind in FLOW_NODES:
        for element in x(f"//bpmn:{kind}", namespaces=NS):
            if element.get("id") not in laid_out:
                problems.append(_problem(file, element, f"{kind} is not laid out on any diagram (no BPMN DI shape)"))
    return problems
