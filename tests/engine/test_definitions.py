"""Deploying bundles: every problem named by file, line and element; nothing stored on error."""

from __future__ import annotations

import pytest

from engine import DefinitionError, Engine, SourceFile, read_bundle
from tests.engine.conftest import EXAMPLE, Clock, make_engine, start_example

GOOD = EXAMPLE.read_text(encoding="utf-8")


def broken(old: str, new: str) -> list[SourceFile]:
    assert old in GOOD, old
    return [SourceFile("review.bpmn", GOOD.replace(old, new, 1).encode())]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def deploy_fails(engine: Engine, files: list[SourceFile]) -> DefinitionError:
    before = engine.definitions()
    with pytest.raises(DefinitionError) as caught:
        engine.deploy(files, "designer")
    assert engine.definitions() == before, "a failed deployment must store nothing"
    return caught.value


@pytest.fixture
def fresh(database, clock: Clock) -> Engine:  # type: ignore[no-untyped-def]
    return make_engine(database, clock)


def test_malformed_xml_names_file_and_line(fresh: Engine) -> None:
    files = broken('<bpmn:userTask id="revise"', '<bpmn:userTask id="revise" <oops')
    problem = deploy_fails(fresh, files).problems[0]
    assert problem.file == "review.bpmn"
    assert problem.line == line_of(GOOD, '<bpmn:userTask id="revise"')
    assert "malformed XML" in problem.message


def test_user_task_outside_a_lane_is_refused(fresh: Engine) -> None:
    files = broken("<bpmn:flowNodeRef>revise</bpmn:flowNodeRef>", "")
    problems = deploy_fails(fresh, files).problems
    assert [(p.element_id, "not in a lane" in p.message) for p in problems] == [("revise", True)]
    text = files[0].content.decode()
    assert problems[0].line == line_of(text, '<bpmn:userTask id="revise"')


def test_every_problem_is_reported_at_once(fresh: Engine) -> None:
    text = GOOD.replace("rounds += 1", "import os", 1).replace(
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">approved<',
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">approved ==<', 1).replace(
        'id="amount" label="Summa (€)" type="long"', 'id="amount" label="Summa (€)" type="money"', 1)
    problems = deploy_fails(fresh, [SourceFile("review.bpmn", text.encode())]).problems
    by_element = {p.element_id: p for p in problems}
    assert set(by_element) == {"next_round", "f6", "submit"}
    assert "sandbox" in by_element["next_round"].message
    assert "condition" in by_element["f6"].message
    assert "unknown type 'money'" in by_element["submit"].message
    assert by_element["submit"].line == line_of(text, 'type="money"')
    assert all(p.file == "review.bpmn" for p in problems)


def test_sandbox_escape_in_a_script_is_refused_at_deploy(fresh: Engine) -> None:
    escape = "w = [c for c in ().__class__.__base__.__subclasses__()]"
    problem = deploy_fails(fresh, broken("rounds += 1", escape)).problems[0]
    assert problem.element_id == "next_round" and "sandbox" in problem.message


def test_schema_error_names_line(fresh: Engine) -> None:
    problem = deploy_fails(fresh, broken('<bpmn:endEvent id="done"', '<bpmn:endEvent id="done" bogus="1"')).problems[0]
    assert "XML schema" in problem.message
    assert problem.line == line_of(GOOD, '<bpmn:endEvent id="done"')


def test_semantic_error_from_spiffworkflow_gets_a_line(fresh: Engine) -> None:
    files = broken('<bpmn:sequenceFlow id="f9" sourceRef="revise" targetRef="next_round" />',
                   '<bpmn:sequenceFlow id="f9" sourceRef="revise" targetRef="nowhere" />')
    problem = deploy_fails(fresh, files).problems[0]
    assert problem.file == "review.bpmn"
    assert problem.line is not None


def test_business_rule_task_without_decision_ref(fresh: Engine) -> None:
    files = broken('<bpmn:scriptTask id="tally" name="Laske tulos" scriptFormat="python">',
                   '<bpmn:businessRuleTask id="tally" name="Laske tulos"><bpmn:incoming>f4</bpmn:incoming>'
                   '<bpmn:outgoing>f5</bpmn:outgoing></bpmn:businessRuleTask>'
                   '<bpmn:scriptTask id="unused" name="x" scriptFormat="python">')
    problems = deploy_fails(fresh, files).problems
    assert any(p.element_id == "tally" and "decisionRef" in p.message for p in problems)


def test_identical_content_is_a_no_op_and_new_content_a_new_version(fresh: Engine) -> None:
    first = fresh.deploy(read_bundle([EXAMPLE]), "designer")
    again = fresh.deploy(read_bundle([EXAMPLE]), "designer")
    assert [(d.version, d.created) for d in first] == [(1, True)]
    assert [(d.version, d.created, d.sha256) for d in again] == [(1, False, first[0].sha256)]
    old_instance = start_example(fresh)
    changed = [SourceFile("example_review.bpmn", GOOD.replace("Valmis", "Valmis!").encode())]
    second = fresh.deploy(changed, "designer")
    assert [(d.version, d.created) for d in second] == [(2, True)]
    assert fresh.instance(old_instance).definition_version == 1, "running instances stay on their version"
    assert fresh.instance(start_example(fresh)).definition_version == 2
    assert [e.type for e in fresh.history("definitions")] == ["definition_deployed"] * 2


def test_a_file_that_is_not_utf8_is_refused(fresh: Engine) -> None:
    latin1 = GOOD.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1", errors="replace")
    problem = deploy_fails(fresh, [SourceFile("review.bpmn", latin1)]).problems[0]
    assert problem.file == "review.bpmn" and "UTF-8" in problem.message


def test_a_lane_naming_no_known_role_is_refused(database, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    from engine import Engine as EngineClass
    from tests.engine.conftest import ExampleResolver

    class AuthorsOnly(ExampleResolver):
        def roles(self) -> frozenset[str]:
            return frozenset({"author"})

    engine = EngineClass(database, AuthorsOnly(), clock=clock)
    problems = deploy_fails(engine, [SourceFile("review.bpmn", GOOD.encode())]).problems
    assert [(p.element_id, "'reviewer' names no known role" in p.message) for p in problems] == [("review", True)]
    assert problems[0].line == line_of(GOOD, '<bpmn:userTask id="review"')
