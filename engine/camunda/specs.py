"""The SpiffWorkflow task specs that run Camunda 7 constructs, with their serializer converters.

Each spec carries what it needs as plain data (a decision's rules, a call's variable mappings, a
handler's name), so a stored instance keeps running on what it started with.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter, SubWorkflowConverter
from SpiffWorkflow.bpmn.specs.defaults import CallActivity, ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins import BpmnSpecMixin

from engine.camunda import dmn, io_parameters, juel
from engine.camunda.timers import is_cron, next_cron
from engine.determinism import current_time


def _failed(task: Any, message: str) -> WorkflowTaskException:
    return WorkflowTaskException(message, task=task)


class DecisionTask(BpmnSpecMixin):
    """A business rule task on a FEEL decision: camunda:resultVariable and camunda:mapDecisionResult."""

    def __init__(self, wf_spec: Any, bpmn_id: str, decision_ref: str, decisions: dict[str, Any],
                 result_variable: str | None = None, map_decision_result: str | None = None, **kwargs: Any):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.decision_ref = decision_ref
        self.decisions = decisions
        self.result_variable = result_variable
        self.map_decision_result = map_decision_result

    def _run_hook(self, my_task: Any) -> bool:
        try:
            results = dmn.decide(self.decisions, self.decision_ref, my_task.data)
            value = dmn.map_result(results, self.map_decision_result)
        except dmn.DecisionFailed as error:
            raise _failed(my_task, f"decision {self.decision_ref!r}: {error}") from None
        if self.result_variable:  # Camunda 7 keeps a decision's result only in the result variable
            my_task.data[self.result_variable] = value
        return True


class DecisionTaskConverter(BpmnTaskSpecConverter):
    def to_dict(self, spec: DecisionTask) -> dict[str, Any]:
        dct = super().to_dict(spec)
        dct.update(decision_ref=spec.decision_ref, decisions=spec.decisions, result_variable=spec.result_variable,
                   map_decision_result=spec.map_decision_result)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> Any:
        return self.task_spec_from_dict(dct)


class MappedCallActivity(CallActivity):
    """A call activity with camunda:in / camunda:out: only the mapped variables cross, as in Camunda 7.

    Each mapping is {"source" | "source_expression" | "variables": "all", "target", "local"}.
    """

    def __init__(self, wf_spec: Any, bpmn_id: str, subworkflow_spec: Any, in_mappings: list[dict[str, Any]],
                 out_mappings: list[dict[str, Any]], **kwargs: Any):
        super().__init__(wf_spec, bpmn_id, subworkflow_spec, **kwargs)
        self.in_mappings = in_mappings
        self.out_mappings = out_mappings

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True, spec_name="Start")
        start.set_data(**_mapped(my_task, self.in_mappings, my_task.data))

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        my_task.data = deepcopy(my_task.data)
        my_task.data.update(_mapped(my_task, self.out_mappings, subworkflow.last_task.data))


def _mapped(task: Any, mappings: list[dict[str, Any]], source: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mapping in mappings:
        if mapping.get("variables") == "all":
            out.update(deepcopy(source))
        elif mapping.get("source_expression"):
            try:
                out[mapping["target"]] = juel.evaluate(mapping["source_expression"], source)
            except juel.JuelError as error:
                raise _failed(task, f"camunda mapping to {mapping['target']!r}: {error}") from None
        elif mapping.get("source"):
            out[mapping["target"]] = deepcopy(source.get(mapping["source"]))  # Camunda: a missing one is null
    return out


class MappedCallActivityConverter(SubWorkflowConverter):
    def to_dict(self, spec: MappedCallActivity) -> dict[str, Any]:
        dct = super().to_dict(spec)
        dct.update(in_mappings=spec.in_mappings, out_mappings=spec.out_mappings)
        return dct


class HandledServiceTask(ServiceTask):
    """A service task run by a registered Python handler, or by a method-free JUEL camunda:expression."""

    def __init__(self, wf_spec: Any, bpmn_id: str, handler: str | None = None, expression: str | None = None,
                 result_variable: str | None = None, **kwargs: Any):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.handler = handler
        self.expression = expression
        self.result_variable = result_variable

    def _execute(self, my_task: Any) -> bool:
        environment = my_task.workflow.script_engine.environment
        if environment.has_handler(self.handler):
            try:
                result = environment.call_handler(self.handler, my_task.data)
            except Exception as error:  # noqa: BLE001 - any failure of the deployment's code fails the command
                raise _failed(my_task, f"service handler {self.handler!r} failed: {type(error).__name__}: "
                                       f"{error}") from None
            if self.result_variable:
                my_task.data[self.result_variable] = result
            elif isinstance(result, dict):
                my_task.data.update(result)
            return True
        if self.expression is None:
            raise _failed(my_task, f"no service handler is registered for {self.handler!r}")
        try:
            value = juel.evaluate(self.expression, my_task.data)
        except juel.JuelError as error:
            raise _failed(my_task, f"camunda:expression: {error}") from None
        if self.result_variable:
            my_task.data[self.result_variable] = value
        return True


class HandledServiceTaskConverter(BpmnTaskSpecConverter):
    def to_dict(self, spec: HandledServiceTask) -> dict[str, Any]:
        dct = super().to_dict(spec)
        dct.update(handler=spec.handler, expression=spec.expression, result_variable=spec.result_variable)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> Any:
        return self.task_spec_from_dict(dct)


class CamundaCycleTimer(CycleTimerEventDefinition):
    """A timeCycle that may also be a Quartz cron expression; it repeats until the event leaves."""

    def cycle_complete(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            if not is_cron(expression):
                return bool(super().cycle_complete(my_task))
            event_value = {"cycles": -1, "cron": expression,
                           "next": next_cron(expression, current_time()).isoformat(), "duration": 0}
        elif "cron" not in event_value:
            return bool(super().cycle_complete(my_task))
        ready = False
        now = current_time()
        if datetime.fromisoformat(event_value["next"]) < now:
            event_value["next"] = next_cron(event_value["cron"], now).isoformat()
            ready = True
        my_task._set_internal_data(event_value=event_value)
        return ready


CONVERTERS: dict[type, type] = {
    DecisionTask: DecisionTaskConverter,
    MappedCallActivity: MappedCallActivityConverter,
    HandledServiceTask: HandledServiceTaskConverter,
    CamundaCycleTimer: TimerConditionalEventDefinitionConverter,
    **io_parameters.CONVERTERS,
}
