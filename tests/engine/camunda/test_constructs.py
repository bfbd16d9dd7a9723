"""Camunda 7 constructs run on the real engine (SQLite file) with their Camunda 7 meaning."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from engine import Database, Engine, ScriptFailed, SourceFile
from tests.engine.camunda.models import UsersAndGroups, bpmn, chain, file, process
from tests.engine.conftest import Clock

START = ("start", '<bpmn:startEvent id="start" />')
END = ("end", '<bpmn:endEvent id="end" />')


@pytest.fixture
def engine(sqlite_database: Database, clock: Clock) -> Engine:
    return Engine(sqlite_database, UsersAndGroups(), clock=clock,
                  service_handlers={"org.acme.Stamp": lambda data: {"stamped": data["amount"] + 1}})


def open_tasks(engine: Engine, user: str, instance_id: str) -> list[Any]:
    return engine.inbox(user, instance_id)


def test_service_tasks_run_a_handler_or_a_method_free_expression(engine: Engine) -> None:
    engine.deploy(file(bpmn(process("p", chain(
        START,
        ("stamp", '<bpmn:serviceTask id="stamp" camunda:class="org.acme.Stamp" />'),
        ("double", '<bpmn:serviceTask id="double" camunda:expression="${amount * 2}" '
                   'camunda:resultVariable="twice" />'),
        END)))), "designer")
    view = engine.start("p", "ann", {"amount": 20})
    assert view.status == "completed"
    assert (view.data["stamped"], view.data["twice"]) == (21, 40)


def test_candidate_groups_users_and_assignee(engine: Engine) -> None:
    engine.deploy(file(bpmn(process("p", chain(
        START,
        ("groups", '<bpmn:userTask id="groups" camunda:candidateGroups="bosses, ${extra}" />'),
        ("users", '<bpmn:userTask id="users" camunda:candidateUsers="${people}" />'),
        ("mine", '<bpmn:userTask id="mine" camunda:assignee="${owner}" />'),
        END)))), "designer")
    instance_id = engine.start("p", "ann", {"extra": "auditors", "people": ["cy", "ann"], "owner": "cy"}).id
    assert open_tasks(engine, "ann", instance_id) == []  # a clerk, not a boss
    [task] = open_tasks(engine, "ben", instance_id)
    assert set(task.organisations) == {"bosses", "auditors"}
    engine.complete_task(task.id, "ben", {})
    assert [t.element_id for t in open_tasks(engine, "ann", instance_id)] == ["users"]
    assert open_tasks(engine, "ben", instance_id) == []
    [task] = open_tasks(engine, "cy", instance_id)
    engine.complete_task(task.id, "cy", {})
    [task] = open_tasks(engine, "cy", instance_id)
    assert task.claimed_by == "cy"  # an assignee's task opens claimed, as in Camunda's task list
    engine.complete_task(task.id, "cy", {})
    assert engine.instance(instance_id).status == "completed"


def test_multi_instance_over_a_juel_collection(engine: Engine) -> None:
    engine.deploy(file(bpmn(process("p", chain(
        START,
        ("sign", '<bpmn:userTask id="sign" camunda:assignee="${signer}"><bpmn:multiInstanceLoopCharacteristics '
                 'camunda:collection="${signers}" camunda:elementVariable="signer" /></bpmn:userTask>'),
        END)))), "designer")
    instance_id = engine.start("p", "ann", {"signers": ["ann", "ben"]}).id
    for user in ("ann", "ben"):
        [task] = open_tasks(engine, user, instance_id)
        engine.complete_task(task.id, user, {})
    assert engine.instance(instance_id).status == "completed"


CALLED = process("called", chain(
    START,
    ("work", '<bpmn:serviceTask id="work" camunda:expression="${total + 1}" camunda:resultVariable="total" />'),
    ("end", '<bpmn:endEvent id="end" />')))


def caller(mappings: str) -> str:
    return process("caller", chain(
        ("s", '<bpmn:startEvent id="s" />'),
        ("call", f'<bpmn:callActivity id="call" calledElement="called" camunda:calledElementBinding="latest">'
                 f"<bpmn:extensionElements>{mappings}</bpmn:extensionElements></bpmn:callActivity>"),
        ("e", '<bpmn:endEvent id="e" />')))


@pytest.mark.parametrize(("mappings", "expected"), [
    ('<camunda:in source="amount" target="total" /><camunda:out source="total" target="result" />',
     {"amount": 5, "secret": "x", "result": 6}),
    ('<camunda:in sourceExpression="${amount * 10}" target="total" /><camunda:out variables="all" />',
     {"amount": 5, "secret": "x", "total": 51}),
    ('<camunda:in variables="all" /><camunda:in source="amount" target="total" />'
     '<camunda:out sourceExpression="${total &gt; 5}" target="big" />',
     {"amount": 5, "secret": "x", "big": True}),
])
def test_call_activity_mappings(engine: Engine, mappings: str, expected: dict[str, Any]) -> None:
    engine.deploy(file(bpmn(caller(mappings), CALLED)), "designer")
    view = engine.start("caller", "ann", {"amount": 5, "secret": "x"})
    assert view.status == "completed"
    assert view.data == expected


def test_a_missing_variable_fails_the_command_and_stores_nothing(engine: Engine) -> None:
    engine.deploy(file(bpmn(process("p", chain(
        START,
        ("double", '<bpmn:serviceTask id="double" camunda:expression="${amount * 2}" camunda:resultVariable="x" />'),
        END)))), "designer")
    with pytest.raises(ScriptFailed, match="amount"):
        engine.start("p", "ann", {})
    assert engine.instances() == []


DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="fees" name="Fees" namespace="x">
  <decision id="fee" name="Fee"><decisionTable id="t" hitPolicy="UNIQUE">
    <input id="i"><inputExpression id="ie" typeRef="double"><text>amount</text></inputExpression></input>
    <output id="o1" name="fee" typeRef="double"/><output id="o2" name="band" typeRef="string"/>
    <rule id="r1"><inputEntry id="r1i"><text>[0..100[</text></inputEntry>
      <outputEntry id="r1a"><text>1</text></outputEntry><outputEntry id="r1b"><text>"low"</text></outputEntry></rule>
    <rule id="r2"><inputEntry id="r2i"><text>&gt;= 100</text></inputEntry>
      <outputEntry id="r2a"><text>amount / 10</text></outputEntry>
      <outputEntry id="r2b"><text>"high"</text></outputEntry></rule>
  </decisionTable></decision>
</definitions>"""


@pytest.mark.parametrize(("mapping", "expected"), [
    ("singleResult", {"fee": 50, "band": "high"}),
    ("resultList", [{"fee": 50, "band": "high"}]),
])
def test_business_rule_task_result_variable(engine: Engine, mapping: str, expected: Any) -> None:
    rules = (f'<bpmn:businessRuleTask id="rules" camunda:decisionRef="fee" camunda:resultVariable="out" '
             f'camunda:mapDecisionResult="{mapping}" />')
    model = bpmn(process("p", chain(START, ("rules", rules), END)))
    engine.deploy([*file(model), SourceFile("fees.dmn", DMN.encode())], "designer")
    view = engine.start("p", "ann", {"amount": 500})
    assert view.data["out"] == expected
    assert "fee" not in view.data  # Camunda 7 keeps a decision's result only in the result variable


def test_a_unique_table_with_no_single_hit_fails_with_the_element(engine: Engine) -> None:
    rules = ('<bpmn:businessRuleTask id="rules" camunda:decisionRef="fee" camunda:resultVariable="out" '
             'camunda:mapDecisionResult="singleEntry" />')
    engine.deploy([*file(bpmn(process("p", chain(START, ("rules", rules), END)))),
                   SourceFile("fees.dmn", DMN.encode())], "designer")
    with pytest.raises(ScriptFailed, match="singleEntry needs a decision with one output"):
        engine.start("p", "ann", {"amount": 5})


def timer_model(definition: str, interrupting: bool) -> str:
    cancel = "true" if interrupting else "false"
    return bpmn(process("p", f"""
<bpmn:startEvent id="start" />
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
<bpmn:userTask id="work" camunda:assignee="ann" />
<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
<bpmn:endEvent id="end" />
<bpmn:boundaryEvent id="timer" attachedToRef="work" cancelActivity="{cancel}">
  <bpmn:timerEventDefinition>{definition}</bpmn:timerEventDefinition>
</bpmn:boundaryEvent>
<bpmn:sequenceFlow id="f3" sourceRef="timer" targetRef="count" />
<bpmn:serviceTask id="count" camunda:expression="${{reminders + 1}}" camunda:resultVariable="reminders" />
<bpmn:sequenceFlow id="f4" sourceRef="count" targetRef="reminded" />
<bpmn:endEvent id="reminded" />"""))


def test_iso_duration_literal_as_camunda_writes_it(engine: Engine, clock: Clock) -> None:
    engine.deploy(file(timer_model("<bpmn:timeDuration>PT1H</bpmn:timeDuration>", True)), "designer")
    instance_id = engine.start("p", "ann", {"reminders": 0}).id
    [timer] = engine.instance(instance_id).timers
    assert timer.due_at - clock.now == timedelta(hours=1)
    assert engine.fire_due_timers(clock.now + timedelta(minutes=59)) == 0
    assert engine.fire_due_timers(clock.now + timedelta(hours=1, seconds=1)) == 1
    view = engine.instance(instance_id)
    assert view.status == "completed" and view.data["reminders"] == 1


def test_cron_time_cycle_fires_every_morning(engine: Engine, clock: Clock) -> None:
    engine.deploy(file(timer_model("<bpmn:timeCycle>0 0 9 * * ?</bpmn:timeCycle>", False)), "designer")
    instance_id = engine.start("p", "ann", {"reminders": 0}).id  # 2026-03-02 08:00 UTC
    [timer] = engine.instance(instance_id).timers
    assert timer.due_at.isoformat() == "2026-03-02T09:00:00+00:00"
    engine.fire_due_timers(timer.due_at + timedelta(minutes=1))
    [timer] = engine.instance(instance_id).timers
    assert timer.due_at.isoformat() == "2026-03-03T09:00:00+00:00"  # the next morning, not +24 h of drift
    engine.fire_due_timers(timer.due_at + timedelta(minutes=1))
    reminded = [e for e in engine.history(instance_id)
                if e.type == "element_completed" and e.payload["element_id"] == "reminded"]
    assert len(reminded) == 2  # once each morning; the task itself stays open
    assert engine.instance(instance_id).status == "running"
    assert engine.replay(instance_id).consistent


def test_iso_repeating_cycle_literal(engine: Engine, clock: Clock) -> None:
    engine.deploy(file(timer_model("<bpmn:timeCycle>R2/PT10M</bpmn:timeCycle>", False)), "designer")
    instance_id = engine.start("p", "ann", {"reminders": 0}).id
    [timer] = engine.instance(instance_id).timers
    assert timer.due_at - clock.now == timedelta(minutes=10)
    fired = 0
    for _ in range(4):
        timers = engine.instance(instance_id).timers
        if not timers:
            break
        fired += engine.fire_due_timers(timers[0].due_at + timedelta(seconds=1))
    reminded = [e for e in engine.history(instance_id)
                if e.type == "element_completed" and e.payload["element_id"] == "reminded"]
    assert (fired, len(reminded)) == (2, 2)  # R2: twice, then no more


IO_TASK = """<bpmn:serviceTask id="calc" camunda:expression="${net * rate}" camunda:resultVariable="gross">
  <bpmn:extensionElements><camunda:inputOutput>
    <camunda:inputParameter name="net">${amount}</camunda:inputParameter>
    <camunda:inputParameter name="rate">${1 + vat / 100}</camunda:inputParameter>
    <camunda:inputParameter name="amount">shadowed</camunda:inputParameter>
    <camunda:inputParameter name="tags"><camunda:list><camunda:value>a</camunda:value>
      <camunda:value>${category}</camunda:value></camunda:list></camunda:inputParameter>
    <camunda:inputParameter name="info"><camunda:map><camunda:entry key="k">${category}</camunda:entry>
      </camunda:map></camunda:inputParameter>
    <camunda:outputParameter name="total">${gross}</camunda:outputParameter>
    <camunda:outputParameter name="summary">${info.k} ${tags[1]} ${rate}</camunda:outputParameter>
  </camunda:inputOutput></bpmn:extensionElements>
</bpmn:serviceTask>"""


def test_input_output_parameters_are_local_to_the_activity(engine: Engine) -> None:
    engine.deploy(file(bpmn(process("p", chain(START, ("calc", IO_TASK), END)))), "designer")
    view = engine.start("p", "ann", {"amount": 100, "vat": 25.5, "category": "Misc"})
    assert view.data["total"] == pytest.approx(125.5)
    assert view.data["summary"] == "Misc Misc 1.255"
    assert view.data["amount"] == 100  # the input named `amount` shadowed it only inside the activity
    assert not {"net", "rate", "tags", "info"} & set(view.data)


def test_input_parameters_on_a_user_task_are_visible_to_its_assignment(engine: Engine) -> None:
    task_xml = """<bpmn:userTask id="t" camunda:assignee="${who}"><bpmn:extensionElements><camunda:inputOutput>
      <camunda:inputParameter name="who">${owner}</camunda:inputParameter>
      <camunda:outputParameter name="answered">${answer}</camunda:outputParameter>
    </camunda:inputOutput></bpmn:extensionElements></bpmn:userTask>"""
    engine.deploy(file(bpmn(process("p", chain(START, ("t", task_xml), END)))), "designer")
    instance_id = engine.start("p", "ann", {"owner": "cy"}).id
    [task] = open_tasks(engine, "cy", instance_id)
    assert engine.task(task.id).data["who"] == "cy"
    view = engine.complete_task(task.id, "cy", {"answer": "yes"})
    assert view.data["answered"] == "yes" and "who" not in view.data


def test_time_date_literal_and_juel_duration(engine: Engine, clock: Clock) -> None:
    engine.deploy(file(timer_model("<bpmn:timeDate>2026-03-05T10:00:00Z</bpmn:timeDate>", True)), "designer")
    instance_id = engine.start("p", "ann", {"reminders": 0}).id
    [timer] = engine.instance(instance_id).timers
    assert timer.due_at.isoformat() == "2026-03-05T10:00:00+00:00"
    engine.deploy(file(timer_model("<bpmn:timeDuration>${wait}</bpmn:timeDuration>", True)), "designer")
    instance_id = engine.start("p", "ann", {"reminders": 0, "wait": "P2D"}).id
    [timer] = engine.instance(instance_id).timers
    assert timer.due_at - clock.now == timedelta(days=2)


def test_called_element_binding_deployment(engine: Engine) -> None:
    model = bpmn(caller('<camunda:in source="amount" target="total" /><camunda:out source="total" target="result" />')
                 .replace('camunda:calledElementBinding="latest"', 'camunda:calledElementBinding="deployment"'), CALLED)
    engine.deploy(file(model), "designer")
    assert engine.start("caller", "ann", {"amount": 1}).data["result"] == 2


class LanesOnly(UsersAndGroups):
    """A resolver that knows lanes only: candidate groups are read as lane names."""

    def __getattribute__(self, name: str) -> Any:
        if name == "assign_candidates":
            raise AttributeError(name)
        return super().__getattribute__(name)


def test_candidate_groups_without_the_resolvers_own_mapping(sqlite_database: Database, clock: Clock) -> None:
    engine = Engine(sqlite_database, LanesOnly(), clock=clock)
    engine.deploy(file(bpmn(process("p", chain(
        START, ("t", '<bpmn:userTask id="t" camunda:candidateGroups="clerks" />'), END)))), "designer")
    instance_id = engine.start("p", "ann", {}).id
    [task] = open_tasks(engine, "ann", instance_id)
    assert task.organisations == ("clerks",)
    assert open_tasks(engine, "cy", instance_id) == []


def test_a_failing_handler_fails_the_command_with_its_name(sqlite_database: Database, clock: Clock) -> None:
    def broken(data: dict[str, Any]) -> None:
        raise RuntimeError("archive offline")

    engine = Engine(sqlite_database, UsersAndGroups(), clock=clock, service_handlers={"org.acme.Archive": broken})
    engine.deploy(file(bpmn(process("p", chain(
        START, ("archive", '<bpmn:serviceTask id="archive" camunda:class="org.acme.Archive" />'), END)))), "designer")
    with pytest.raises(ScriptFailed, match="org.acme.Archive.*archive offline"):
        engine.start("p", "ann", {})
    assert engine.instances() == []
