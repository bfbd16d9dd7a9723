"""A real alliance procurement moves to a new version of its diagrams while inside a called phase:
the change lies in the phase it is running (ahead of it), it completes the phase on the new version,
and replay reproduces every step. A change to the task it has open is refused."""

from __future__ import annotations

import pytest

from engine import Conflict, SourceFile, read_bundle
from tests.conftest import ROOT
from tests.web.conftest import AllianceSite

VOTE = '<bpmn:userTask id="vote_go" name="Go / no-go -päätös">'
JOIN = '<bpmn:userTask id="decide_joining"'


def variant(old: str, new: str) -> list[SourceFile]:
    files = read_bundle([ROOT / "bpmn"])
    changed = [f for f in files if old.encode() in f.content]
    assert len(changed) == 1, old
    return [SourceFile(f.name, f.content.replace(old.encode(), new.encode(), 1)) if f in changed else f for f in files]


def test_a_procurement_in_its_strategy_phase_moves_and_goes_on(alliance: AllianceSite) -> None:
    engine = alliance.engine
    instance = alliance.start(candidate_municipalities="kajaani")
    deployed = engine.deploy(variant(VOTE, '<bpmn:userTask id="vote_go" name="Go / no-go">'), "designer", "nimi")
    version = next(d.version for d in deployed if d.process_id == "alliance_procurement")
    [plan] = engine.migration_plan("alliance_procurement", version)
    assert plan.safe, plan.reasons
    assert any("vote_go" in c for c in plan.changes), plan.changes
    engine.migrate(instance, version, "designer", "nimi")
    alliance.complete("kajaani.council", instance, "decide_joining",
                      {"joins": True, "decision_reference": "Kajaanin kvalt 2026 § 12"})
    alliance.complete("kainuu.orderer", instance, "assess_alliance_model", {
        "alliance_model_suits": True, "suitability_assessment": "Sopii.", "organising_responsibility_stays": True,
        "no_public_tasks_to_producers": True, "competition_neutrality": True})
    names = {t.element_id: t.name for t in engine.instance(instance).open_tasks}
    assert names["vote_go"] == "Go / no-go"  # the new version's task
    assert engine.replay(instance).consistent


def test_a_change_to_the_open_task_of_a_called_phase_is_refused(alliance: AllianceSite) -> None:
    engine = alliance.engine
    instance = alliance.start(candidate_municipalities="kajaani")
    deployed = engine.deploy(variant(JOIN, JOIN + ' camunda:dueDate="2026-12-31"'), "designer", "x")
    version = next(d.version for d in deployed if d.process_id == "alliance_procurement")
    [plan] = engine.migration_plan("alliance_procurement", version)
    assert not plan.safe and any("decide_joining" in r for r in plan.reasons), plan.reasons
    with pytest.raises(Conflict):
        engine.migrate(instance, version, "designer")
    assert engine.instance(instance).definition_version == 1
