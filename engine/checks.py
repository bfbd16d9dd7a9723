"""Our own checks on a BPMN document, beyond the XML schema and SpiffWorkflow's.

SpiffWorkflow compiles conditions only when they run and never asks whether a
user task has a lane (SPIFFWORKFLOW.md trap 7); a designer should learn about
such mistakes when deploying, not in the middle of a procurement.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

from engine.camunda.checks import has_assignment
from engine.camunda.timers import is_literal
from engine.errors import Problem
from engine.sandbox import check_source

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
FIELD_TYPES = frozenset({"string", "long", "double", "boolean", "date", "enum", "file"})
CONSTRAINTS = frozenset({"required", "min", "max", "minlength", "maxlength", "readonly"})
EXPRESSION_PROPERTIES = frozenset({"dueDate"})


def _ancestor_ids(element: Any) -> list[str]:
    ids = []
    node = element
    while node is not None:
        if node.get("id"):
            ids.append(node.get("id"))
        node = node.getparent()
    return ids


def _problem(file: str, element: Any, message: str) -> Problem:
    owner = element  # the nearest BPMN element with an id (a form field's id is not one)
    while owner is not None and not (owner.get("id") and str(owner.tag).startswith(f"{{{NS['bpmn']}}}")):
        owner = owner.getparent()
    return Problem(file, element.sourceline, owner.get("id") if owner is not None else None, message)


def _check_code(file: str, element: Any, source: str | None, mode: Literal["exec", "eval"], what: str) -> list[Problem]:
    if source is None or not source.strip():
        return [] if mode == "exec" else [_problem(file, element, f"{what} is empty")]
    reason = check_source(source.strip(), mode)
    return [] if reason is None else [_problem(file, element, f"{what} does not compile in the sandbox: {reason}")]


def check_document(file: str, tree: Any, roles: Collection[str] | None = None) -> list[Problem]:
    """`roles`: the role ids lanes may name (from the resolver), or None when any name will do."""
    problems: list[Problem] = []
    x = lambda path, node=tree: node.xpath(path, namespaces=NS)  # noqa: E731

    lane_of = {ref.text.strip(): ref.getparent() for ref in x("//bpmn:lane/bpmn:flowNodeRef") if ref.text}
    for task in x("//bpmn:userTask"):
        if has_assignment(task):
            continue  # Camunda 7's assignee / candidates say who does it; a lane is then only drawing
        lanes = [lane_of[i] for i in _ancestor_ids(task) if i in lane_of]
        if not lanes:
            problems.append(_problem(file, task, "user task is not in a lane (the lane names the role that does it)"))
        elif roles is not None and (lanes[0].get("name") or "") not in roles:
            problems.append(_problem(file, task, f"the lane {lanes[0].get('name')!r} names no known role "
                                                 f"(known: {', '.join(sorted(roles))})"))

    for script in x("//bpmn:scriptTask/bpmn:script"):
        problems += _check_code(file, script, script.text, "exec", "script")
    for condition in x("//bpmn:sequenceFlow/bpmn:conditionExpression"):
        problems += _check_code(file, condition, condition.text, "eval", "condition")
    for tag in ("timeDate", "timeDuration", "timeCycle"):
        for timer in x(f"//bpmn:timerEventDefinition/bpmn:{tag}"):
            if is_literal(timer.text):
                continue  # Camunda 7 reads `P14D`, `R3/PT1H`, a date or a cron text as it stands
            problems += _check_code(file, timer, timer.text, "eval", f"timer {tag}")
    for tag in ("loopCardinality", "completionCondition"):
        for expression in x(f"//bpmn:multiInstanceLoopCharacteristics/bpmn:{tag}"):
            problems += _check_code(file, expression, expression.text, "eval", tag)
    for prop in x("//camunda:properties/camunda:property[@name]"):
        if prop.get("name") in EXPRESSION_PROPERTIES:
            problems += _check_code(file, prop, prop.get("value"), "eval", f"property {prop.get('name')}")
    for task in x("//bpmn:businessRuleTask"):
        if not task.get(f"{{{NS['camunda']}}}decisionRef"):
            problems.append(_problem(file, task, "business rule task has no camunda:decisionRef"))

    for field in x("//camunda:formField"):
        if field.get("type") not in FIELD_TYPES:
            problems.append(_problem(file, field, f"form field {field.get('id')!r} has unknown type "
                                                  f"{field.get('type')!r} (known: {', '.join(sorted(FIELD_TYPES))})"))
        if not field.get("id"):
            problems.append(_problem(file, field, "form field has no id"))
        for constraint in x("camunda:validation/camunda:constraint", field):
            name, config = constraint.get("name"), constraint.get("config")
            if name not in CONSTRAINTS:
                problems.append(_problem(file, constraint, f"unknown constraint {name!r} on field {field.get('id')!r}"))
            elif name in ("min", "max", "minlength", "maxlength"):
                try:
                    float(config or "")
                except ValueError:
                    problems.append(_problem(file, constraint, f"constraint {name} of {field.get('id')!r} "
                                                               f"needs a number, not {config!r}"))
    return problems
