"""Records a path the end-to-end tests drive as a scenario file beside the diagrams.

    python -m tests.workflows.record_scenario

Runs the whole-life-cycle test (test_alliance_full_path) with a driver that notes every command
(who, which task, what data, when; timers fired; messages) and writes
bpmn/alliance_procurement.full_path.scenario.json with the end state it reached. Rerun it when the
diagrams change on purpose; `allianssi test-diagrams` then checks the path still holds.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine import Database, InstanceView, read_bundle
from tests.workflows import test_alliance_full_path
from tests.workflows.driver import DIAGRAMS, ROOT, Clock, Procurement
from workflows.directory import demo_directory
from workflows.service import build_engine

TARGET = ROOT / "bpmn" / "alliance_procurement.full_path.scenario.json"
END_KEYS = ("outcome", "winner", "orderers", "alliance_parties")


class RecordingEngine:
    """The engine, noting the tasks completed by id (one of several of an element, found by its data)."""

    def __init__(self, engine: Any, steps: list[dict[str, Any]], clock: Clock) -> None:
        self._engine, self._steps, self._clock = engine, steps, clock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def complete_task(self, task_id: str, actor: str, data: Mapping[str, Any], **kwargs: Any) -> InstanceView:
        at = self._clock.now.isoformat()
        task = self._engine.task(task_id)
        siblings = [self._engine.task(t.id).data for t in self._engine.inbox(actor, task.instance_id)
                    if t.element_id == task.element_id]
        view = self._engine.complete_task(task_id, actor, data, **kwargs)
        step: dict[str, Any] = {"as": actor, "task": task.element_id, "data": dict(data), "at": at}
        if len(siblings) > 1:  # name the item by the organisation in its element variable
            step["where"] = {f"{key}.organisation": value["organisation"] for key, value in task.data.items()
                             if isinstance(value, dict) and "organisation" in value
                             and len({str((other.get(key) or {}).get("organisation")) for other in siblings})
                             == len(siblings)}
        self._steps.append(step)
        return view


class RecordingProcurement(Procurement):
    def __init__(self, database: Database, clock: Clock) -> None:
        super().__init__(database, clock, demo_directory())
        self.started: dict[str, Any] = {}
        self.steps: list[dict[str, Any]] = []

    @property
    def engine(self) -> Any:
        return RecordingEngine(super().engine, self.steps, self.clock)

    def start(self, actor: str, data: Mapping[str, Any], business_key: str | None = None) -> InstanceView:
        self.started = {"as": actor, "at": self.clock.now.isoformat(), "data": dict(data)}
        if business_key:
            self.started["key"] = business_key
        return super().start(actor, data, business_key)

    def fire_timers(self, day: str, hour: int = 9) -> int:
        fired = super().fire_timers(day, hour)
        self.steps.append({"timers": self.clock.now.isoformat()})
        return fired

    def message(self, name: str, payload: Mapping[str, Any], actor: str) -> InstanceView:
        at = self.clock.now.isoformat()
        view = super().message(name, payload, actor)
        self.steps.append({"message": name, "as": actor, "payload": dict(payload), "at": at})
        return view


def record() -> Path:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'record.db'}")
        database.migrate()
        clock = Clock()
        build_engine(database, demo_directory(), clock).deploy(read_bundle(DIAGRAMS), "designer")
        p = RecordingProcurement(database, clock)
        test_alliance_full_path.test_joint_unit_two_rounds_award_development_implementation_close_out(p)
        final = p.view
        database.dispose()
    scenario = {
        "name": "the whole life cycle: joint unit, two negotiation rounds, award, development, two periods, close-out",
        "process": "alliance_procurement", "start": p.started, "steps": p.steps,
        "expect": {"status": final.status, "open": [],
                   "data": {k: final.data[k] for k in END_KEYS if k in final.data}},
    }
    TARGET.write_text(json.dumps(scenario, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return TARGET


if __name__ == "__main__":
    print(f"wrote {record()}")
