"""Scenario files: a diagram's expected behaviour, run against a real engine on a scratch database.

A scenario file (`NAME.scenario.json`, beside the diagrams) is JSON:

    {"name": "…", "process": "process_id",
     "start": {"as": "user", "data": {…}, "at": "2026-01-12T09:00:00+02:00", "key": "…"},
     "steps": [
       {"as": "user", "task": "element_id", "data": {…}},          # complete the open task
       {"as": "user", "task": "element_id", "where": {"item.name": "x"}, "data": {…}},  # one of several
       {"timers": "2026-03-01T00:00:00+02:00"},                     # the clock moves there; due timers fire
       {"message": "name", "as": "user", "payload": {…}},           # deliver a message
       {"expect": {"status": "running", "open": ["element_id"], "data": {"key": value}}}
     ],
     "expect": {"status": "completed", "data": {…}}}

Any step may carry its own "expect" (checked after it) and an "at" (the clock moves there first:
commands that check dates see the day the path describes). `open` is the set of element ids of the
open tasks; `data` is checked key by key. The first step that fails or whose expectation does
not hold is named in the result ("step 3 (alice: review): …"); nothing runs after it.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from engine.errors import EngineError, FormInvalid
from engine.storage import Database
from engine.types import InstanceView, SourceFile

SUFFIX = ".scenario.json"
DEFAULT_START = datetime(2026, 1, 12, 7, 0, tzinfo=UTC)


class ScenarioClock:
    """The engine's clock during a scenario: set by its steps, one second later at each reading."""

    def __init__(self, start: datetime = DEFAULT_START):
        self.now = start

    def set(self, moment: datetime) -> None:
        self.now = max(self.now, moment.astimezone(UTC))

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


EngineFactory = Callable[[Database, ScenarioClock], Any]  # -> Engine (Any: avoids importing runtime here)


@dataclass(frozen=True)
class ScenarioResult:
    file: str
    name: str
    passed: bool
    steps_run: int
    failure: str | None = None  # names the step

    def __str__(self) -> str:
        return f"{'pass' if self.passed else 'FAIL'}  {self.file}: {self.name}" + (
            f"\n      {self.failure}" if self.failure else "")


class StepFailed(Exception):
    pass


def find_scenarios(folder: str | Path) -> list[Path]:
    """The scenario files under a folder; for a diagram file, those beside it named after it."""
    path = Path(folder)
    if path.is_dir():
        return sorted(path.rglob(f"*{SUFFIX}"))
    if path.name.endswith(SUFFIX):
        return [path]
    return sorted(path.parent.glob(f"{path.stem}*{SUFFIX}"))


def _moment(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise StepFailed(f"{value!r} is not an ISO date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check(expect: Mapping[str, Any], instance: InstanceView) -> None:
    problems = []
    if "status" in expect and instance.status != expect["status"]:
        problems.append(f"status is {instance.status!r}, expected {expect['status']!r}")
    if "open" in expect:
        open_ids = sorted({t.element_id for t in instance.open_tasks})
        if open_ids != sorted(set(expect["open"])):
            problems.append(f"open tasks are {open_ids}, expected {sorted(set(expect['open']))}")
    for key, value in (expect.get("data") or {}).items():
        if key not in instance.data:
            problems.append(f"data has no {key!r}")
        elif instance.data[key] != value:
            problems.append(f"data {key!r} is {instance.data[key]!r}, expected {value!r}")
    if problems:
        raise StepFailed("; ".join(problems))


def _matches(data: Mapping[str, Any], where: Mapping[str, Any]) -> bool:
    """Each dotted path of `where` leads to its value in `data`."""
    for path, expected in where.items():
        value: Any = data
        for key in path.split("."):
            value = value.get(key) if isinstance(value, Mapping) else None
        if value != expected:
            return False
    return True


def _label(index: int, step: Mapping[str, Any]) -> str:
    if "task" in step:
        what = f"{step.get('as', '?')}: {step['task']}"
    elif "timers" in step:
        what = f"timers at {step['timers']}"
    elif "message" in step:
        what = f"{step.get('as', '?')}: message {step['message']}"
    else:
        what = "expect"
    return f"step {index} ({what})"


def _run_step(engine: Any, clock: ScenarioClock, instance_id: str, step: Mapping[str, Any]) -> InstanceView:
    if "at" in step:
        clock.set(_moment(step["at"]))
    if "task" in step:
        actor = step.get("as") or ""
        open_tasks = [t for t in engine.inbox(actor, instance_id) if t.element_id == step["task"]]
        if step.get("where"):  # several open tasks of one element (multi-instance): the one whose data matches
            open_tasks = [t for t in open_tasks if _matches(engine.task(t.id).data, step["where"])]
        if not open_tasks:
            others = sorted({t.element_id for t in engine.instance(instance_id).open_tasks})
            raise StepFailed(f"{actor or 'nobody'} has no open task {step['task']!r} (open: {others})")
        engine.complete_task(open_tasks[0].id, actor, step.get("data") or {})
    elif "timers" in step:
        at = _moment(step["timers"])
        clock.set(at)
        engine.fire_due_timers(at)
    elif "message" in step:
        engine.deliver_message(instance_id, step["message"], step.get("payload") or {}, step.get("as") or "")
    elif "expect" not in step:
        raise StepFailed("a step needs task, timers, message or expect")
    instance: InstanceView = engine.instance(instance_id)
    if "expect" in step:
        _check(step["expect"], instance)
    return instance


def run_scenario(scenario: Mapping[str, Any], files: Sequence[SourceFile], make_engine: EngineFactory,
                 file: str = "") -> ScenarioResult:
    """Deploy `files` on a scratch SQLite database and play the scenario through the real engine."""
    name = str(scenario.get("name") or file)
    steps: list[Mapping[str, Any]] = list(scenario.get("steps") or [])
    start = scenario.get("start") or {}
    with tempfile.TemporaryDirectory(prefix="allianssi-scenario-") as folder:
        database = Database(f"sqlite:///{Path(folder) / 'scenario.db'}")
        try:
            database.migrate()
            clock = ScenarioClock(_moment(start["at"]) if "at" in start else DEFAULT_START)
            engine = make_engine(database, clock)
            index, label = 0, "start"
            try:
                engine.deploy(files, "scenario")
                instance = engine.start(str(scenario.get("process") or ""), start.get("as") or "",
                                        start.get("data") or {}, business_key=start.get("key"))
                if "expect" in start:
                    _check(start["expect"], instance)
                for index, step in enumerate(steps, start=1):
                    label = _label(index, step)
                    instance = _run_step(engine, clock, instance.id, step)
                label = "the end"
                _check(scenario.get("expect") or {}, instance)
            except FormInvalid as error:
                detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.errors.items())
                return ScenarioResult(file, name, False, index, f"{label}: invalid form data: {detail}")
            except (EngineError, StepFailed, KeyError, TypeError, ValueError) as error:
                return ScenarioResult(file, name, False, index, f"{label}: {type(error).__name__}: {error}"
                                      if not isinstance(error, StepFailed) else f"{label}: {error}")
            return ScenarioResult(file, name, True, len(steps))
        finally:
            database.dispose()


def run_scenario_files(paths: Sequence[Path], files: Sequence[SourceFile],
                       make_engine: EngineFactory) -> list[ScenarioResult]:
    results = []
    for path in paths:
        try:
            scenario = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            results.append(ScenarioResult(path.name, path.name, False, 0, f"cannot be read: {error}"))
            continue
        results.append(run_scenario(scenario, files, make_engine, path.name))
    return results
