"""camunda:inputOutput: input parameters are local variables of one activity, output parameters
copy values out when it completes — as in Camunda 7.

They ride on SpiffWorkflow's data associations, which every BPMN task runs: the input side when
the task becomes ready, the output side when it completes. Inputs shadow a variable of the same
name only for the activity; afterwards the variable is back as it was (or gone if it was not there).
Values are JUEL composites (`${amount * 2}`, `fixed text`), `camunda:list` or `camunda:map`.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn.serializer.helpers.spec import BpmnDataSpecificationConverter
from SpiffWorkflow.bpmn.specs.data_spec import BpmnDataSpecification

from engine.camunda import juel

CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
_LOCALS = "camunda_locals"  # internal data: the variables the inputs shadowed, to restore on completion


def read_value(element: Any) -> dict[str, Any]:
    """A parameter's value as plain data: {"text": …} | {"list": […]} | {"map": {…}} | {"script": lang}."""
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        return {"text": element.text or ""}
    child = children[0]
    kind = str(child.tag).removeprefix(CAMUNDA)
    if kind == "list":
        return {"list": [read_value(v) for v in child if isinstance(v.tag, str)]}
    if kind == "map":
        return {"map": {e.get("key"): read_value(e) for e in child if isinstance(e.tag, str)}}
    if kind == "script":
        return {"script": child.get("scriptFormat") or ""}
    return {"unknown": kind}


def read_parameters(node: Any, kind: str) -> list[dict[str, Any]]:
    return [{"name": p.get("name"), "value": read_value(p)}
            for p in node.findall(f"./{{*}}extensionElements/{CAMUNDA}inputOutput/{CAMUNDA}{kind}Parameter")]


def expressions(value: dict[str, Any]) -> list[str]:
    """Every JUEL text of a value, for validation."""
    if "text" in value:
        return [value["text"]]
    if "list" in value:
        return [t for v in value["list"] for t in expressions(v)]
    if "map" in value:
        return [t for v in value["map"].values() for t in expressions(v)]
    return []


def evaluate(value: dict[str, Any], data: dict[str, Any]) -> Any:
    if "text" in value:
        text = value["text"]
        return juel.evaluate(text, data) if text.strip() else None  # an empty parameter is null
    if "list" in value:
        return [evaluate(v, data) for v in value["list"]]
    if "map" in value:
        return {k: evaluate(v, data) for k, v in value["map"].items()}
    raise juel.JuelError(f"unsupported parameter value {value!r}")


class InputParameters(BpmnDataSpecification):
    """Run by SpiffWorkflow when the task becomes ready (a data input association)."""

    def __init__(self, parameters: list[dict[str, Any]], bpmn_id: str = "camunda:inputParameters",
                 bpmn_name: str | None = None):
        super().__init__(bpmn_id, bpmn_name)
        self.parameters = parameters

    def get(self, my_task: Any) -> None:
        if _LOCALS in my_task.internal_data:
            return  # already set for this task
        shadowed = {p["name"]: deepcopy(my_task.data[p["name"]]) for p in self.parameters if p["name"] in my_task.data}
        values = {p["name"]: evaluate(p["value"], my_task.data) for p in self.parameters}
        my_task.internal_data[_LOCALS] = {"names": [p["name"] for p in self.parameters], "shadowed": shadowed}
        my_task.data.update(values)


class OutputParameters(BpmnDataSpecification):
    """Run by SpiffWorkflow when the task completes (a data output association): outputs are computed
    with the locals visible, then the locals go and the outputs are set."""

    def __init__(self, parameters: list[dict[str, Any]], bpmn_id: str = "camunda:outputParameters",
                 bpmn_name: str | None = None):
        super().__init__(bpmn_id, bpmn_name)
        self.parameters = parameters

    def set(self, my_task: Any) -> None:
        values = {p["name"]: evaluate(p["value"], my_task.data) for p in self.parameters}
        restore_locals(my_task)
        my_task.data.update(values)


def restore_locals(my_task: Any) -> None:
    local = my_task.internal_data.pop(_LOCALS, None)
    if local is None:
        return
    for name in local["names"]:
        my_task.data.pop(name, None)
    my_task.data.update(local["shadowed"])


class ParametersConverter(BpmnDataSpecificationConverter):
    def to_dict(self, data_spec: Any) -> dict[str, Any]:
        return {"bpmn_id": data_spec.bpmn_id, "bpmn_name": data_spec.bpmn_name, "parameters": data_spec.parameters}

    def from_dict(self, dct: dict[str, Any]) -> Any:
        return self.target_class(**dct)


def attach(task: Any, node: Any) -> None:
    """Give a parsed task spec its camunda:inputOutput (called for every task the parser builds)."""
    inputs, outputs = read_parameters(node, "input"), read_parameters(node, "output")
    if inputs:
        task.data_input_associations.append(InputParameters(inputs))
    if inputs or outputs:
        # outputs (or, without any, just the cleanup of the locals) run when the task completes
        task.data_output_associations.append(OutputParameters(outputs))


CONVERTERS: dict[type, type] = {InputParameters: ParametersConverter, OutputParameters: ParametersConverter}
