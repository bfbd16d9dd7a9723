"""Migrating running instances to a newer version: safe when the change lies ahead; replay reproduces it."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest

from engine import Conflict, Engine, SourceFile
from engine.package import export_package, verify_package
from tests.engine.conftest import EXAMPLE, review_round, revise, start_example, submit


def deploy_variant(engine: Engine, old: str, new: str) -> int:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    deployed = engine.deploy([SourceFile("example_review.bpmn", text.replace(old, new, 1).encode())], "designer")
    return deployed[0].version


def test_a_change_ahead_moves_the_instance_which_completes_on_the_new_version(engine: Engine) -> None:
    instance_id = start_example(engine)
    submit(engine, instance_id)
    open_before = sorted(t.id for t in engine.instance(instance_id).open_tasks)
    version = deploy_variant(engine, 'name="Korjaa ehdotus"', 'name="Korjaa ehdotus uudelleen"')
    [plan] = engine.migration_plan("example_review", version)
    assert plan.safe and plan.instance_id == instance_id
    assert any("revise" in c and "bpmn_name" in c for c in plan.changes), plan.changes

    moved = engine.migrate(instance_id, version, "designer", reason="clearer name")
    assert moved.definition_version == 2
    assert sorted(t.id for t in moved.open_tasks) == open_before  # the same open tasks, same ids
    [event] = [e for e in engine.history(instance_id) if e.type == "instance_migrated"]
    assert event.actor == "designer"
    assert event.payload["reason"] == "clearer name" and event.payload["to_version"] == 2

    review_round(engine, instance_id, approve=False)
    assert [t.name for t in engine.instance(instance_id).open_tasks] == ["Korjaa ehdotus uudelleen"]
    revise(engine, instance_id)
    review_round(engine, instance_id, approve=True)
    due = engine.instance(instance_id).timers[0].due_at
    engine.fire_due_timers(due.replace(year=due.year + 1))
    assert engine.instance(instance_id).status == "completed"
    report = engine.replay(instance_id)
    assert report.consistent, report
    assert "migrate" in [s.command for s in report.steps]


def test_a_change_to_an_open_task_is_refused_with_the_reason(engine: Engine) -> None:
    instance_id = start_example(engine)  # "submit" is open
    version = deploy_variant(engine, 'name="Jätä ehdotus"', 'name="Jätä ehdotus nyt"')
    [plan] = engine.migration_plan("example_review", version)
    assert not plan.safe
    assert any("submit (Jätä ehdotus)" in r and "ready" in r for r in plan.reasons), plan.reasons
    with pytest.raises(Conflict, match="submit"):
        engine.migrate(instance_id, version, "designer")
    assert engine.instance(instance_id).definition_version == 1
    assert engine.replay(instance_id).consistent


def test_a_removed_completed_task_is_refused(engine: Engine) -> None:
    instance_id = start_example(engine)
    submit(engine, instance_id)
    version = deploy_variant(engine, 'name="Laske tulos"', 'name="Laske tulos"')  # same: no new version
    assert version == 1
    version = deploy_variant(engine, '<bpmn:startEvent id="start"', '<bpmn:startEvent id="begin"')
    [plan] = engine.migration_plan("example_review", version)
    assert not plan.safe and any("start" in r for r in plan.reasons), plan.reasons


def test_a_task_inserted_ahead_runs_after_the_move(engine: Engine) -> None:
    instance_id = start_example(engine)  # at "submit"
    version = deploy_variant(
        engine, '<bpmn:sequenceFlow id="f5" sourceRef="tally" targetRef="approved_gateway" />',
        '<bpmn:sequenceFlow id="f5" sourceRef="tally" targetRef="stamp" />\n'
        '    <bpmn:scriptTask id="stamp" name="Leimaa" scriptFormat="python"><bpmn:script>stamped = True'
        '</bpmn:script></bpmn:scriptTask>\n'
        '    <bpmn:sequenceFlow id="f5b" sourceRef="stamp" targetRef="approved_gateway" />')
    [plan] = engine.migration_plan("example_review", version)
    assert plan.safe, plan.reasons
    assert "stamp (Leimaa) is added" in plan.changes
    engine.migrate(instance_id, version, "designer")
    submit(engine, instance_id)
    review_round(engine, instance_id, approve=True)
    assert engine.instance(instance_id).data["stamped"] is True
    assert engine.replay(instance_id).consistent


def test_an_instance_waiting_on_a_timer_moves_and_the_timer_still_fires(engine: Engine) -> None:
    instance_id = start_example(engine)
    submit(engine, instance_id)
    review_round(engine, instance_id, approve=True)
    [timer] = engine.instance(instance_id).timers
    version = deploy_variant(engine, 'name="Valmis"', 'name="Valmis on"')
    engine.migrate(instance_id, version, "designer")
    assert engine.instance(instance_id).timers[0].due_at == timer.due_at  # not restarted
    engine.fire_due_timers(timer.due_at.replace(year=timer.due_at.year + 1))
    assert engine.instance(instance_id).status == "completed"
    assert engine.replay(instance_id).consistent


def test_a_flow_changed_behind_the_instance_is_refused(engine: Engine) -> None:
    instance_id = start_example(engine)
    submit(engine, instance_id)  # "prepare" ran, "review" is open
    version = deploy_variant(engine, '<bpmn:sequenceFlow id="f3" sourceRef="prepare" targetRef="review" />',
                             '<bpmn:sequenceFlow id="f3" sourceRef="prepare" targetRef="tally" />')
    [plan] = engine.migration_plan("example_review", version)
    assert not plan.safe
    assert any("prepare" in r for r in plan.reasons), plan.reasons
    with pytest.raises(Conflict):
        engine.migrate(instance_id, version, "designer")
    assert engine.replay(instance_id).consistent


def test_the_audit_package_of_a_migrated_instance_verifies_offline(engine: Engine) -> None:
    instance_id = start_example(engine)
    version = deploy_variant(engine, 'name="Korjaa ehdotus"', 'name="Korjaa"')
    engine.migrate(instance_id, version, "designer")
    package = export_package(engine, instance_id, datetime(2026, 3, 3, tzinfo=UTC))
    report = verify_package(package)
    assert report.ok, report.problems
    names = zipfile.ZipFile(io.BytesIO(package)).namelist()
    assert "definition/example_review.bpmn" in names and "migrated/v2/example_review.bpmn" in names
