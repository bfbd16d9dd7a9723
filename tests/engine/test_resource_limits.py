"""Issue 14, "Sandbox resources" and "Inputs": what a diagram or its data could do to the machine is
refused at validation where it is visible there, and otherwise fails its command with nothing stored."""

from __future__ import annotations

import time

import pytest

from engine import DefinitionError, Engine, ScriptFailed, SourceFile
from engine.bounds import SandboxLimits
from engine.sandbox import SandboxEnvironment, ScriptRejected
from tests.engine.conftest import EXAMPLE, only, submit

SCRIPT = "rounds = 1\n"
CONDITION = ">approved</bpmn:conditionExpression>"


def diagram(script: str | None = None, condition: str | None = None) -> list[SourceFile]:
    text = EXAMPLE.read_text(encoding="utf-8")
    if script is not None:
        text = text.replace(SCRIPT, f"rounds = 1\n{script}\n", 1)
    if condition is not None:
        text = text.replace(CONDITION, f">{condition}</bpmn:conditionExpression>", 1)
    return [SourceFile("example_review.bpmn", text.encode())]


@pytest.mark.parametrize("where, code", [
    ("script", "pad = 'a' * (10 ** 10)"),
    ("condition", "approved and 'a' * (10 ** 10)"),
    ("condition", "approved and 7 ** (10 ** 8) > 0"),
])
def test_a_visible_overrun_is_refused_at_validation(engine: Engine, where: str, code: str) -> None:
    files = diagram(script=code) if where == "script" else diagram(condition=code)
    with pytest.raises(DefinitionError, match="the limit is") as refused:
        engine.validate(files)
    problem = refused.value.problems[0]
    assert problem.file == "example_review.bpmn" and problem.line and problem.element_id


def submit_fails(engine: Engine, data: dict[str, object], match: str, within: float) -> None:
    """The example's script runs when the proposal is submitted: that command fails, nothing is stored."""
    instance_id = engine.start("example_review", "alice", {"reviewers": ["bob"], **data}).id
    version = engine.instance(instance_id).version
    started = time.monotonic()
    with pytest.raises(ScriptFailed, match=match):
        submit(engine, instance_id)
    assert time.monotonic() - started < within
    assert engine.instance(instance_id).version == version, "nothing stored"
    assert only(engine.inbox("alice", instance_id)).element_id == "submit"


def test_a_string_from_data_over_the_limit_fails_its_command_at_once(engine: Engine) -> None:
    engine.deploy(diagram(script="pad = len('a' * size)"), "designer")
    submit_fails(engine, {"size": 10**10}, "10,000,000,000 characters", within=3)


def test_a_huge_power_in_a_condition_fails_instead_of_completing_the_instance(engine: Engine) -> None:
    engine.deploy(diagram(condition="approved and 7 ** exponent > 0"), "designer")
    instance_id = engine.start("example_review", "alice", {"reviewers": ["bob"], "exponent": 10**8}).id
    submit(engine, instance_id)
    version = engine.instance(instance_id).version
    task = only(engine.inbox("bob", instance_id))
    started = time.monotonic()
    with pytest.raises(ScriptFailed, match="integer of about"):
        engine.complete_task(task.id, "bob", {"approve": True, "comment": "ok"})
    assert time.monotonic() - started < 3
    assert engine.instance(instance_id).version == version and engine.instance(instance_id).status == "running"


def test_the_time_ceiling_holds_inside_one_builtin_call(engine: Engine) -> None:
    """sum() of lists is one call into C that the line tracer could never interrupt."""
    engine.script_engine.environment = SandboxEnvironment({}, limits=SandboxLimits(time_seconds=0.5))
    engine.deploy(diagram(script="total = len(sum([[1] * 1000] * 3000, []))"), "designer")
    submit_fails(engine, {}, "longer than 0.5 s", within=5)


def test_the_memory_ceiling_holds_inside_one_builtin_call(engine: Engine) -> None:
    """A format width from data makes one huge string in C: the child's address-space limit stops it."""
    engine.script_engine.environment = SandboxEnvironment({}, limits=SandboxLimits(memory_mb=64))
    engine.deploy(diagram(script="pad = len(f'{0:>{width}}')"), "designer")
    submit_fails(engine, {"width": 2 * 10**9}, "more than 64 MB", within=10)
    instance_id = engine.start("example_review", "alice", {"reviewers": ["bob"], "width": 3}).id
    submit(engine, instance_id)  # the next script runs in a fresh child
    assert only(engine.inbox("bob", instance_id)).element_id == "review"


def test_limits_are_configurable() -> None:
    tight = SandboxEnvironment({}, limits=SandboxLimits(max_string=10, max_items=5, max_int_bits=64))
    with pytest.raises(ScriptRejected, match="the limit is 10"):
        tight.evaluate("'a' * 11", {})
    with pytest.raises(ScriptRejected, match="the limit is 5"):
        tight.execute("x = [0] * n", {"n": 6})
    with pytest.raises(ScriptRejected, match="the limit is 64"):
        tight.evaluate("2 ** 65", {})
    with pytest.raises(ScriptRejected, match="the limit is 10"):
        tight.evaluate("'ab'.ljust(n)", {"n": 11})
    assert tight.evaluate("'a' * 10", {}) == "a" * 10


def _chain(length: int, doctype: str = "", text: str = "") -> bytes:
    tasks = "".join(f'<bpmn:task id="t{i}"/>' for i in range(length))
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{"start" if i == 0 else f"t{i - 1}"}" '
                    f'targetRef="t{i}"/>' for i in range(length))
    return (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}\n<bpmn:definitions '
            'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">\n'
            f'<bpmn:process id="p" isExecutable="true"><bpmn:documentation>{text}</bpmn:documentation>'
            f'<bpmn:startEvent id="start"/>{tasks}'
            f'<bpmn:endEvent id="end"/>{flows}<bpmn:sequenceFlow id="fe" sourceRef="t{length - 1}" targetRef="end"/>'
            '</bpmn:process></bpmn:definitions>').encode()


def test_an_entity_reference_is_a_located_problem_not_a_crash(engine: Engine) -> None:
    with pytest.raises(DefinitionError) as refused:
        engine.validate([SourceFile("e.bpmn", _chain(2, '<!DOCTYPE d [<!ENTITY x "hei">]>', "&x;"))])
    messages = [str(p) for p in refused.value.problems]
    assert any("DOCTYPE" in m for m in messages)
    assert any(m.startswith("e.bpmn:3 [p]") and "&x;" in m for m in messages)


def test_a_very_long_chain_is_a_located_problem_not_a_recursion_error(engine: Engine) -> None:
    assert engine.validate([SourceFile("ok.bpmn", _chain(250))])
    with pytest.raises(DefinitionError) as refused:
        engine.validate([SourceFile("long.bpmn", _chain(5000))])
    problem = refused.value.problems[0]
    assert problem.file == "long.bpmn" and problem.line == 3 and problem.element_id == "t299"
    assert "split the process" in problem.message
