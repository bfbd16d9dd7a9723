"""Parser classes that build `engine.camunda.specs` from Camunda 7 attributes.

`engine.definitions.DiagramParser` merges `PARSER_CLASSES` into SpiffWorkflow's CamundaParser map.
A construct that has no Camunda 7 attribute is parsed as SpiffWorkflow does (the project's own
diagrams: Python DMN cells, call activities that pass all data).
"""

from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn.parser.task_parsers import SubprocessParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    CallActivity,
    IntermediateCatchEvent,
    ServiceTask,
    StartEvent,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser,
    CamundaIntermediateCatchEventParser,
    CamundaStartEventParser,
)
from SpiffWorkflow.camunda.parser.task_spec import (
    CAMUNDA_MODEL_NS,
    BusinessRuleTaskParser,
    CallActivityParser,
    CamundaTaskParser,
)
from SpiffWorkflow.camunda.specs.business_rule_task import BusinessRuleTask

from engine.camunda import dmn, io_parameters, timers
from engine.camunda.specs import CamundaCycleTimer, DecisionTask, HandledServiceTask, MappedCallActivity

CAMUNDA = f"{{{CAMUNDA_MODEL_NS}}}"


class DecisionTaskParser(BusinessRuleTaskParser):
    def create_task(self) -> Any:
        ref = self.get_decision_ref(self.node)
        dmn_parser = self.process_parser.parser.dmn_parsers.get(ref)
        if dmn_parser is None or dmn.is_python(dmn_parser.node):
            return super().create_task()  # SpiffWorkflow's own DMN (Python cells), or its error
        decisions = dmn.read_decisions(dmn_parser.node)
        needed, stack = {}, [ref]
        while stack:  # only the decision and those it requires travel with the instance
            decision_id = stack.pop()
            if decision_id in decisions and decision_id not in needed:
                needed[decision_id] = decisions[decision_id]
                stack += decisions[decision_id]["requires"]
        return DecisionTask(self.spec, self.bpmn_id, decision_ref=ref, decisions=needed,
                            result_variable=self.node.get(f"{CAMUNDA}resultVariable"),
                            map_decision_result=self.node.get(f"{CAMUNDA}mapDecisionResult"), **self.bpmn_attributes)


def _mappings(node: Any, tag: str) -> list[dict[str, Any]]:
    found = []
    for mapping in node.findall(f"./{{*}}extensionElements/{CAMUNDA}{tag}"):
        if mapping.get("businessKey") is not None:
            continue  # the business key of a called instance: not kept apart from its data here
        found.append({"source": mapping.get("source"), "source_expression": mapping.get("sourceExpression"),
                      "variables": mapping.get("variables"), "target": mapping.get("target"),
                      "local": mapping.get("local") == "true"})
    return found


class MappedCallActivityParser(CallActivityParser):
    def create_task(self) -> Any:
        ins, outs = _mappings(self.node, "in"), _mappings(self.node, "out")
        if not ins and not outs:
            return super().create_task()
        return MappedCallActivity(self.spec, self.bpmn_id, SubprocessParser.get_call_activity_spec(self),
                                  in_mappings=ins, out_mappings=outs, **self.bpmn_attributes)


class HandledServiceTaskParser(CamundaTaskParser):
    def create_task(self) -> Any:
        attribute = lambda name: self.node.get(f"{CAMUNDA}{name}")  # noqa: E731
        handler = attribute("class") or attribute("delegateExpression") or attribute("expression")
        if handler is None:  # camunda:type="external" (fetched by workers) or nothing at all
            return ServiceTask(self.spec, self.bpmn_id, **self.bpmn_attributes)
        return HandledServiceTask(self.spec, self.bpmn_id, handler=handler, expression=attribute("expression"),
                                  result_variable=attribute("resultVariable"), **self.bpmn_attributes)


class _TimerLiterals:
    """Camunda reads a timer's text as a literal (`P14D`, `R3/PT1H`, `0 0 9 * * ?`) unless it is `${...}`."""

    def parse_timer_event(self, event: Any) -> Any:
        definition = super().parse_timer_event(event)  # type: ignore[misc]
        if timers.is_literal(definition.expression):
            definition.expression = json.dumps(definition.expression.strip())  # a Python string literal
        if type(definition) is CycleTimerEventDefinition:
            definition = CamundaCycleTimer(definition.name, definition.expression,
                                           description=definition.description)
        return definition


class TimerStartEventParser(_TimerLiterals, CamundaStartEventParser):
    pass


class TimerCatchEventParser(_TimerLiterals, CamundaIntermediateCatchEventParser):
    pass


class TimerBoundaryEventParser(_TimerLiterals, CamundaBoundaryEventParser):
    pass


PARSER_CLASSES: dict[str, tuple[type, type]] = {
    full_tag("businessRuleTask"): (DecisionTaskParser, BusinessRuleTask),
    full_tag("callActivity"): (MappedCallActivityParser, CallActivity),
    full_tag("serviceTask"): (HandledServiceTaskParser, ServiceTask),
    full_tag("startEvent"): (TimerStartEventParser, StartEvent),
    full_tag("intermediateCatchEvent"): (TimerCatchEventParser, IntermediateCatchEvent),
    full_tag("boundaryEvent"): (TimerBoundaryEventParser, BoundaryEvent),
}

class InputOutputMixin:
    """Gives every task spec its camunda:inputOutput parameters (see engine.camunda.io_parameters)."""

    node: Any
    task: Any

    def parse_node(self) -> Any:
        returned = super().parse_node()  # type: ignore[misc]
        io_parameters.attach(self.task, self.node)  # the task itself (a boundary event's parent is returned)
        return returned


ASSIGNMENT_ATTRIBUTES = ("assignee", "candidateGroups", "candidateUsers")


def user_task_properties(node: Any) -> dict[str, str]:
    """A user task's Camunda 7 assignment and due date, kept with its properties (`camunda:assignee`, …)."""
    if not str(node.tag).endswith("}userTask"):
        return {}
    found = {f"camunda:{name}": node.get(f"{CAMUNDA}{name}") for name in ASSIGNMENT_ATTRIBUTES}
    properties = {key: value for key, value in found.items() if value is not None}
    if node.get(f"{CAMUNDA}dueDate"):
        properties["camunda:dueDate"] = node.get(f"{CAMUNDA}dueDate")
    return properties


