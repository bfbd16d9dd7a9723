"""Scenario files run the real engine on a scratch database; a wrong expectation names its step."""

from __future__ import annotations

import json
from pathlib import Path

from engine import Database, Engine, read_bundle
from engine.scenarios import ScenarioClock, find_scenarios, run_scenario, run_scenario_files
from tests.engine.conftest import EXAMPLE, make_engine

SCENARIO = EXAMPLE.with_name("example_review.scenario.json")
GATEWAY = EXAMPLE.with_name("event_gateway.bpmn")
FIRST_TASK = "decide"


def factory(database: Database, clock: ScenarioClock) -> Engine:
    return make_engine(database, clock)  # type: ignore[arg-type]


def test_the_example_scenario_passes() -> None:
    assert SCENARIO in find_scenarios(EXAMPLE.parent)
    [result] = run_scenario_files([SCENARIO], read_bundle([EXAMPLE]), factory)
    assert result.passed, result.failure
    assert result.steps_run == 5


def test_a_wrong_expectation_fails_naming_the_step(tmp_path: Path) -> None:
    scenario = json.loads(SCENARIO.read_text(encoding="utf-8"))
    scenario["steps"][2]["expect"]["data"]["rounds"] = 3
    result = run_scenario(scenario, read_bundle([EXAMPLE]), factory, "wrong.scenario.json")
    assert not result.passed
    assert result.steps_run == 3
    assert result.failure == "step 3 (alice: revise): data 'rounds' is 2, expected 3"


def test_a_task_the_user_cannot_do_fails_naming_the_step() -> None:
    scenario = json.loads(SCENARIO.read_text(encoding="utf-8"))
    scenario["steps"][1]["as"] = "carol"  # not a reviewer of this proposal
    result = run_scenario(scenario, read_bundle([EXAMPLE]), factory)
    assert not result.passed
    assert result.failure is not None and result.failure.startswith("step 2 (carol: review): carol has no open task")


def test_a_wrong_end_state_fails_at_the_end() -> None:
    scenario = json.loads(SCENARIO.read_text(encoding="utf-8"))
    del scenario["steps"][-1]  # the cooldown timer never fires
    result = run_scenario(scenario, read_bundle([EXAMPLE]), factory)
    assert not result.passed
    assert result.failure == "the end: status is 'running', expected 'completed'"


def test_a_message_step_and_a_data_expectation_on_its_payload() -> None:
    scenario = {
        "name": "an appeal arrives", "process": "event_gateway", "start": {"as": "alice"},
        "steps": [{"as": "alice", "task": FIRST_TASK, "data": {}},
                  {"message": "appeal", "as": "alice", "payload": {"court": "MAO", "case": "2026/12"},
                   "expect": {"open": ["handle_appeal"]}}],
        "expect": {"status": "running"}}
    result = run_scenario(scenario, read_bundle([GATEWAY]), factory, "appeal.scenario.json")
    assert result.passed, result.failure
    scenario["steps"][1]["as"] = "bob"  # not the sender the catch event names
    result = run_scenario(scenario, read_bundle([GATEWAY]), factory)
    assert result.failure is not None and result.failure.startswith("step 2 (bob: message appeal): NotAllowed")
