"""Each Camunda 7 construct that cannot run here is refused at deployment with file, line and element;
what Camunda 7 uses for its own machinery is noted, not refused."""

from __future__ import annotations

import pytest

from engine import DefinitionError
from engine.definitions import compile_bundle
from tests.engine.camunda.models import bpmn, chain, file, line_of, process

START = ("start", '<bpmn:startEvent id="start" />')
END = ("end", '<bpmn:endEvent id="end" />')


def model(element_id: str, xml: str) -> str:
    return bpmn(process("p", chain(START, (element_id, xml), END)))


CASES = {
    "camunda:class": ("archive", '<bpmn:serviceTask id="archive" camunda:class="org.acme.Archive" />',
                      "Java code that cannot run here"),
    "delegateExpression": ("archive", '<bpmn:serviceTask id="archive" camunda:delegateExpression="${archiver}" />',
                           "camunda:delegateExpression"),
    "expression with a bean method": ("archive",
                                      '<bpmn:serviceTask id="archive" camunda:expression="${archiver.run(x)}" />',
                                      "method calls are not supported"),
    "connector": ("call", '<bpmn:serviceTask id="call"><bpmn:extensionElements><camunda:connector>'
                          "<camunda:connectorId>http-connector</camunda:connectorId></camunda:connector>"
                          "</bpmn:extensionElements></bpmn:serviceTask>", "camunda:connector"),
    "service task saying nothing": ("call", '<bpmn:serviceTask id="call" />', "neither how it runs"),
    "other camunda:type": ("call", '<bpmn:serviceTask id="call" camunda:type="soap" />', "only \"external\""),
    "external without a topic": ("call", '<bpmn:serviceTask id="call" camunda:type="external" />', "camunda:topic"),
    "javascript": ("js", '<bpmn:scriptTask id="js" scriptFormat="javascript"><bpmn:script>x = 1</bpmn:script>'
                         "</bpmn:scriptTask>", "scriptFormat 'javascript'"),
    "groovy resource": ("gr", '<bpmn:scriptTask id="gr" scriptFormat="groovy" camunda:resource="a.groovy" />',
                        "camunda:resource"),
    "assignee with a method": ("t", '<bpmn:userTask id="t" camunda:assignee="${users.first()}" />',
                               "camunda:assignee"),
    "candidate groups bad JUEL": ("t", '<bpmn:userTask id="t" camunda:candidateGroups="${a &amp;&amp;}" />',
                                  "camunda:candidateGroups"),
    "candidate users with a method": ("t", '<bpmn:userTask id="t" camunda:candidateUsers="${team.members()}" />',
                                      "camunda:candidateUsers"),
    "follow-up date bad JUEL": ("t", '<bpmn:userTask id="t" camunda:assignee="a" camunda:followUpDate="${x +}" />',
                                "camunda:followUpDate"),
    "due date with a bean": ("t", '<bpmn:userTask id="t" camunda:assignee="a" camunda:dueDate="${cal.next()}" />',
                             "camunda:dueDate"),
    "collection expression": ("t", '<bpmn:userTask id="t" camunda:assignee="${who}">'
                                   '<bpmn:multiInstanceLoopCharacteristics camunda:elementVariable="who" '
                                   'camunda:collection="${people.subList(0, 2)}" />'
                                   "</bpmn:userTask>", "camunda:collection"),
    "script parameter": ("t", '<bpmn:userTask id="t" camunda:assignee="a"><bpmn:extensionElements>'
                              '<camunda:inputOutput><camunda:inputParameter name="x"><camunda:script '
                              'scriptFormat="groovy">1</camunda:script></camunda:inputParameter>'
                              "</camunda:inputOutput></bpmn:extensionElements></bpmn:userTask>", "script value"),
    "parameter with a method": ("t", '<bpmn:userTask id="t" camunda:assignee="a"><bpmn:extensionElements>'
                                     '<camunda:inputOutput><camunda:outputParameter name="x">${a.b()}'
                                     "</camunda:outputParameter></camunda:inputOutput></bpmn:extensionElements>"
                                     "</bpmn:userTask>", "parameter 'x'"),
    "cron with a year": ("wait", '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
                                 "<bpmn:timeCycle>0 0 9 * * ? 2027</bpmn:timeCycle></bpmn:timerEventDefinition>"
                                 "</bpmn:intermediateCatchEvent>", "cron"),
    "timer JUEL with a bean": ("wait", '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
                                       "<bpmn:timeDuration>${timers.get()}</bpmn:timeDuration>"
                                       "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>", "timer"),
    "unknown binding": ("call", '<bpmn:callActivity id="call" calledElement="p" camunda:calledElementBinding="tag" />',
                        "calledElementBinding"),
    "sourceExpression with a method": ("call", '<bpmn:callActivity id="call" calledElement="p">'
                                               '<bpmn:extensionElements><camunda:in sourceExpression="${a.b()}" '
                                               'target="x" /></bpmn:extensionElements></bpmn:callActivity>',
                                       "sourceExpression"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_with_file_line_and_element(case: str) -> None:
    element_id, xml, message = CASES[case]
    text = model(element_id, xml)
    with pytest.raises(DefinitionError) as caught:
        compile_bundle(file(text, "camunda.bpmn"), handlers=())
    problems = [p for p in caught.value.problems if p.element_id == element_id]
    assert problems, caught.value.problems
    assert any(message in p.message for p in problems), problems
    assert all(p.file == "camunda.bpmn" and p.line == line_of(text, f'id="{element_id}"')
               or p.line and p.line > line_of(text, f'id="{element_id}"') for p in problems)


@pytest.mark.parametrize(("condition", "message"), [
    ("<bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">${amount.intValue() > 10}",
     "method calls are not supported"),
    ("<bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\" language=\"javascript\">amount &gt; 10",
     "'javascript' cannot run here"),
])
def test_a_condition_that_cannot_run_is_refused_with_its_flow(condition: str, message: str) -> None:
    text = bpmn(process("p", f"""
<bpmn:startEvent id="start" />
<bpmn:sequenceFlow id="go" sourceRef="start" targetRef="gw" />
<bpmn:exclusiveGateway id="gw" default="other" />
<bpmn:sequenceFlow id="big" sourceRef="gw" targetRef="end">
  {condition}</bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="other" sourceRef="gw" targetRef="end" />
<bpmn:endEvent id="end" />"""))
    with pytest.raises(DefinitionError) as caught:
        compile_bundle(file(text, "flows.bpmn"), handlers=())
    [problem] = caught.value.problems
    assert (problem.file, problem.element_id, problem.line) == ("flows.bpmn", "big", line_of(text, "conditionExpr"))
    assert message in problem.message


def test_registered_handlers_and_external_tasks_pass() -> None:
    text = bpmn(process("p", chain(
        START,
        ("a", '<bpmn:serviceTask id="a" camunda:class="org.acme.Archive" />'),
        ("b", '<bpmn:serviceTask id="b" camunda:delegateExpression="${mailer}" />'),
        ("c", '<bpmn:serviceTask id="c" camunda:type="external" camunda:topic="pay" />'),
        ("d", '<bpmn:serviceTask id="d" camunda:expression="${amount * 2}" camunda:resultVariable="x" />'),
        END)))
    compile_bundle(file(text), handlers=("org.acme.Archive", "${mailer}"))


def test_ignored_constructs_are_noted_not_refused() -> None:
    text = bpmn(process("p", chain(
        START,
        ("t", '<bpmn:userTask id="t" camunda:assignee="ann" camunda:formKey="embedded:app:x.html" '
              'camunda:asyncBefore="true"><bpmn:extensionElements><camunda:executionListener event="start" '
              'class="org.acme.Listen" /></bpmn:extensionElements></bpmn:userTask>'),
        END) + '\n<bpmn:dataObjectReference id="ref" dataObjectRef="obj" />\n<bpmn:dataObject id="obj" />'))
    [compiled] = compile_bundle(file(text), handlers=()).values()
    noted = {(n.element_id, n.line) for n in compiled.info.notes}
    assert {("t", line_of(text, 'id="t"')), ("ref", line_of(text, 'id="ref"')), ("obj", line_of(text, 'id="obj"'))} \
        <= noted
    assert any("execution listener" in n.message for n in compiled.info.notes)


def test_ignored_call_and_process_attributes_are_noted_with_their_elements() -> None:
    called = process("sub", chain(("sub_start", '<bpmn:startEvent id="sub_start" />'),
                                  ("sub_end", '<bpmn:endEvent id="sub_end" />')))
    text = bpmn(called, process("p", chain(
        START,
        ("call", '<bpmn:callActivity id="call" calledElement="sub" camunda:calledElementBinding="version" '
                 'camunda:calledElementVersion="3"><bpmn:extensionElements>'
                 '<camunda:in businessKey="#{execution.processBusinessKey}" />'
                 '<camunda:in variables="all" local="true" />'
                 '</bpmn:extensionElements></bpmn:callActivity>'),
        ("t", '<bpmn:userTask id="t" camunda:assignee="ann" camunda:priority="80"><bpmn:extensionElements>'
              '<camunda:taskListener event="create" class="org.acme.Notify" /></bpmn:extensionElements>'
              '</bpmn:userTask>'),
        END)).replace('<bpmn:process id="p"', '<bpmn:process id="p" camunda:historyTimeToLive="180"'))
    compiled = compile_bundle(file(text), handlers=())
    notes = [n for c in compiled.values() for n in c.info.notes]
    noted = {(n.element_id, n.message.split(" ")[0] + " " + n.message.split(" ")[1]) for n in notes}
    assert {("call", "calledElementBinding 'version':"), ("call", "camunda:in businessKey"),
            ("call", "local=\"true\" is"), ("t", "task listener"), ("t", "camunda:priority is"),
            ("p", "camunda:historyTimeToLive '180'")} <= noted
    assert all(n.line for n in notes)  # every note names its line
