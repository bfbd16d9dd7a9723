"""What deployment refuses or notes in the Camunda 7 dialect, each with file, line and element.

Refused: what would otherwise fail (or silently do nothing) at run time — Java delegates without a
registered handler, scripts in languages other than Python, JUEL outside the supported grammar,
connectors, cron with a year. Noted (a warning, not refused): what Camunda 7 uses for its own
machinery and this engine ignores — data stores and objects, async continuations, form keys,
listeners.
"""

from __future__ import annotations

from collections.abc import Collection
from copy import deepcopy
from typing import Any

from engine.camunda import io_parameters, juel, timers
from engine.errors import Problem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}
# user task attributes that Camunda reads as JUEL (a composite text: literal unless it has ${...})
USER_TASK_EXPRESSIONS = ("assignee", "candidateGroups", "candidateUsers", "dueDate", "followUpDate", "priority")
DELEGATES = ("class", "delegateExpression")
ASYNC = ("async", "asyncBefore", "asyncAfter", "exclusive", "jobPriority", "failedJobRetryTimeCycle")


def _c(name: str) -> str:
    return f"{{{CAMUNDA}}}{name}"


def _owner_id(element: Any) -> str | None:
    owner = element
    while owner is not None and not (owner.get("id") and str(owner.tag).startswith(f"{{{BPMN}}}")):
        owner = owner.getparent()
    return owner.get("id") if owner is not None else None


def check_camunda(file: str, tree: Any, handlers: Collection[str] | None = None) -> tuple[list[Problem], list[Problem]]:
    """(problems that refuse the bundle, notes that do not) for one BPMN document."""
    problems: list[Problem] = []
    notes: list[Problem] = []
    known = None if handlers is None else frozenset(handlers)  # None: a stored definition, checked when deployed
    x = lambda path, node=tree: node.xpath(path, namespaces=NS)  # noqa: E731

    def refuse(element: Any, message: str) -> None:
        problems.append(Problem(file, element.sourceline, _owner_id(element), message))

    def note(element: Any, message: str) -> None:
        notes.append(Problem(file, element.sourceline, _owner_id(element), message))

    def expression(element: Any, text: str | None, what: str) -> None:
        reason = juel.check(text) if text else None
        if reason:
            refuse(element, f"{what} {text!r} is not supported JUEL: {reason}")

    for task in x("//bpmn:userTask"):
        for name in USER_TASK_EXPRESSIONS:
            expression(task, task.get(_c(name)), f"camunda:{name}")
            if name in ("followUpDate", "priority") and task.get(_c(name)):
                note(task, f"camunda:{name} is not used here (the inbox has due dates only)")
        if task.get(_c("formKey")) and not x("bpmn:extensionElements/camunda:formData", task):
            note(task, f"camunda:formKey {task.get(_c('formKey'))!r} is not shown; the task gets a generic form "
                       "of its variables (add camunda:formData for fields)")
    for start in x("//bpmn:startEvent[@camunda:formKey]"):
        if not x("bpmn:extensionElements/camunda:formData", start):
            note(start, f"camunda:formKey {start.get(_c('formKey'))!r} is not shown; the start takes its variables "
                        "as given")

    for task in x("//bpmn:serviceTask | //bpmn:sendTask"):
        kind = task.get(_c("type"))
        delegate = next((task.get(_c(a)) for a in DELEGATES if task.get(_c(a))), None)
        expr = task.get(_c("expression"))
        if x("bpmn:extensionElements/camunda:connector", task):
            refuse(task, "camunda:connector (HTTP/SOAP connectors) is not supported; register a Python handler "
                         "or use an external task (camunda:type=\"external\")")
        elif kind is not None:
            if kind != "external":
                refuse(task, f"camunda:type {kind!r} is not supported (only \"external\")")
            elif not task.get(_c("topic")):
                refuse(task, "an external task needs camunda:topic")
        elif delegate is not None:
            if known is not None and delegate not in known:
                refuse(task, f"{'camunda:class' if task.get(_c('class')) else 'camunda:delegateExpression'} "
                             f"{delegate!r} is Java code that cannot run here; register a Python handler under this "
                             "name (entry point group allianssi.service_handlers, docs/camunda7.md) or make it an "
                             "external task")
        elif expr is not None:
            if known is not None and expr not in known:
                expression(task, expr, "camunda:expression")
        elif str(task.tag).endswith("}serviceTask"):
            refuse(task, "the service task says neither how it runs (camunda:class, delegateExpression, expression) "
                         "nor that it is external (camunda:type=\"external\")")
        elif delegate is None and kind is None:
            pass  # a send task without Camunda attributes throws its message as BPMN says

    for script in x("//bpmn:scriptTask"):
        language = (script.get("scriptFormat") or "python").strip().lower()
        if language != "python":
            refuse(script, f"scriptFormat {language!r} cannot run here; scripts are Python (see docs/camunda7.md)")
        if script.get(_c("resource")):
            refuse(script, "camunda:resource (a script in another file) is not supported; put the script inline")
    for condition in x("//bpmn:conditionExpression[@language]"):
        language = condition.get("language").strip().lower()
        if language not in ("python", "juel", "http://www.w3.org/1999/xpath"):
            refuse(condition, f"a condition in {language!r} cannot run here; write it in JUEL (${{...}}) or Python")

    for loop in x("//bpmn:multiInstanceLoopCharacteristics[@camunda:collection]"):
        collection = loop.get(_c("collection"))
        if juel.is_juel(collection) and not _simple_name(collection):
            refuse(loop, f"camunda:collection {collection!r}: only a variable name or ${{name}} is supported; "
                         "compute the list in a script task first")

    for mapping in x("//camunda:in[@sourceExpression] | //camunda:out[@sourceExpression]"):
        expression(mapping, mapping.get("sourceExpression"), f"camunda:{str(mapping.tag).rsplit('}', 1)[-1]} "
                                                                f"sourceExpression")
    for mapping in x("//camunda:in[@local='true'] | //camunda:out[@local='true']"):
        note(mapping, "local=\"true\" is read as a plain mapping (this engine has no local variables)")
    for mapping in x("//camunda:in[@businessKey]"):
        note(mapping, "camunda:in businessKey is ignored: the called process runs inside its caller's instance")
    for call in x("//bpmn:callActivity[@camunda:calledElementBinding]"):
        binding = call.get(_c("calledElementBinding"))
        if binding in ("version", "versionTag"):
            note(call, f"calledElementBinding {binding!r}: the called process comes from the same bundle")
        elif binding not in ("latest", "deployment"):
            refuse(call, f"unknown calledElementBinding {binding!r}")
    for parameter in x("//camunda:inputOutput/camunda:inputParameter | //camunda:inputOutput/camunda:outputParameter"):
        value = io_parameters.read_value(parameter)
        kinds = _value_kinds(value)
        if "script" in kinds:
            refuse(parameter, f"parameter {parameter.get('name')!r}: a script value cannot run here; use JUEL "
                              "(${...}) or a script task")
        elif "unknown" in kinds or not parameter.get("name"):
            refuse(parameter, f"parameter {parameter.get('name')!r}: only text, camunda:list and camunda:map values")
        for text in io_parameters.expressions(value):
            expression(parameter, text, f"parameter {parameter.get('name')!r}")

    for timer in x("//bpmn:timerEventDefinition/*"):
        text = (timer.text or "").strip()
        if juel.is_juel(text):
            expression(timer, text, "timer")
        elif timers.looks_like_cron(text) and not timers.is_cron(text):
            refuse(timer, f"cron {text!r}: Quartz's six fields (seconds first) are supported; not a year field "
                          "or an invalid field")
        elif text.upper().startswith("R") and "/" in text and timers.check_recurring(text):
            refuse(timer, f"timer {text!r}: {timers.check_recurring(text)}")

    for listener in x("//camunda:taskListener | //camunda:executionListener"):
        kind = "task listener" if str(listener.tag).endswith("taskListener") else "execution listener"
        note(listener, f"{kind} on {listener.get('event')!r} cannot run here and is ignored")
    for element in x("//bpmn:dataStore | //bpmn:dataStoreReference | //bpmn:dataObject | //bpmn:dataObjectReference"):
        note(element, f"{str(element.tag).rsplit('}', 1)[-1]} is documentation here and is ignored")
    for element in x("//bpmn:*[@camunda:asyncBefore='true' or @camunda:asyncAfter='true' or @camunda:async='true']"):
        note(element, "camunda:async* is ignored: each command runs until the process waits")
    for process in x("//bpmn:process[@camunda:historyTimeToLive]"):
        note(process, f"camunda:historyTimeToLive {process.get(_c('historyTimeToLive'))!r} is ignored: the audit "
                      "log is kept whole")
    return problems, notes


def _value_kinds(value: dict[str, Any]) -> set[str]:
    kinds = set(value)
    for inner in value.get("list", []):
        kinds |= _value_kinds(inner)
    for inner in value.get("map", {}).values():
        kinds |= _value_kinds(inner)
    return kinds


def _simple_name(text: str) -> bool:
    try:
        return juel.parse(text.strip()).kind == "name"
    except juel.JuelError:
        return False


def has_assignment(task: Any) -> bool:
    """Whether a user task says who does it in Camunda 7 terms (then its lane, if any, is only drawing)."""
    return any(task.get(_c(name)) for name in ("assignee", "candidateGroups", "candidateUsers"))


def strip_ignored(tree: Any) -> Any:
    """A copy of the document for SpiffWorkflow without what Camunda 7 ignores at run time: data stores
    and data objects (SpiffWorkflow would need an implementation of each store), and with
    `camunda:collection="${name}"` read as the variable name Camunda means."""
    copy = deepcopy(tree)
    x = lambda path: copy.xpath(path, namespaces=NS)  # noqa: E731
    refs = {e.get("id") for e in x("//bpmn:dataStoreReference | //bpmn:dataObjectReference | //bpmn:dataObject")}
    for association in x("//bpmn:dataInputAssociation | //bpmn:dataOutputAssociation"):
        ends = {(n.text or "").strip() for n in association.xpath("bpmn:sourceRef | bpmn:targetRef", namespaces=NS)}
        if ends & refs:
            association.getparent().remove(association)
    for element in x("//bpmn:dataStore | //bpmn:dataStoreReference | //bpmn:dataObject | //bpmn:dataObjectReference"):
        element.getparent().remove(element)
    for loop in x("//bpmn:multiInstanceLoopCharacteristics[@camunda:collection]"):
        collection = loop.get(_c("collection"))
        if juel.is_juel(collection) and _simple_name(collection):
            loop.set(_c("collection"), juel.parse(collection.strip()).value)
    return copy
