"""Drives the real alliance diagrams through the real engine on a SQLite file.

Every step goes through a *new* Engine object built on the same database, so the workflow is
restored from storage (deserialized) before each command and saved after it: every scenario
survives a save/restore between any two steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from engine import Database, Engine, InstanceView, TaskView
from workflows.calendar import HELSINKI
from workflows.directory import Directory
from workflows.service import build_engine

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = sorted((ROOT / "bpmn").glob("alliance_*.bpmn")) + [ROOT / "bpmn" / "alliance_rules.dmn"]


class Clock:
    """The engine's clock, set by the scenario in Finnish time; every reading is one second later than
    the last. It reads UTC, as the engine's own clock does (the audit chain hashes the time as given)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 12, 9, 0, tzinfo=HELSINKI).astimezone(UTC)

    def set(self, day: str, hour: int = 9) -> datetime:
        moment = datetime.fromisoformat(day).replace(hour=hour, tzinfo=HELSINKI).astimezone(UTC)
        assert moment >= self.now - timedelta(minutes=1), f"the clock does not go back: {moment} < {self.now}"
        self.now = max(moment, self.now)
        return self.now

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class Procurement:
    """Drives one alliance procurement through the engine as the directory's users."""

    def __init__(self, database: Database, clock: Clock, directory: Directory) -> None:
        self.database, self.clock, self.directory = database, clock, directory
        self.instance_id = ""

    @property
    def engine(self) -> Engine:
        """A fresh engine on the same database for every step: nothing survives in memory."""
        return build_engine(self.database, self.directory, self.clock)

    # --- commands ----------------------------------------------------------------------------
    def start(self, actor: str, data: Mapping[str, Any], business_key: str | None = None) -> InstanceView:
        view = self.engine.start("alliance_procurement", actor, dict(data), business_key=business_key)
        self.instance_id = view.id
        return view

    def tasks(self, user: str, element: str | None = None) -> list[TaskView]:
        found = self.engine.inbox(user, self.instance_id)
        return [t for t in found if element is None or t.element_id == element]

    def task(self, user: str, element: str) -> TaskView:
        found = self.tasks(user, element)
        assert len(found) == 1, f"{user} sees {len(found)} {element} tasks: {[t.organisations for t in found]}"
        return found[0]

    def complete(self, user: str, element: str, data: Mapping[str, Any] | None = None) -> InstanceView:
        return self.engine.complete_task(self.task(user, element).id, user, dict(data or {}))

    def complete_each(self, element: str, users: list[str], data: Mapping[str, Any] | None = None) -> None:
        for user in users:
            self.complete(user, element, data)

    def fire_timers(self, day: str, hour: int = 9) -> int:
        return self.engine.fire_due_timers(self.clock.set(day, hour))

    def message(self, name: str, payload: Mapping[str, Any], actor: str) -> InstanceView:
        """Deliver a message; its payload lands in the data under the catch event's result variable."""
        return self.engine.deliver_message(self.instance_id, name, dict(payload), actor)

    # --- views -------------------------------------------------------------------------------
    @property
    def view(self) -> InstanceView:
        return self.engine.instance(self.instance_id)

    @property
    def data(self) -> Mapping[str, Any]:
        """The procurement's data now: an open task's data (the engine's instance data shows the main
        process only, as of the call activity that runs), else the instance's."""
        view = self.view
        if view.open_tasks:
            return self.engine.task(view.open_tasks[0].id).data
        return view.data

    def open_elements(self) -> list[str]:
        return sorted(t.element_id for t in self.view.open_tasks)

    def who_sees(self, element: str) -> set[str]:
        """Every directory user with a task of this element in their inbox."""
        engine = self.engine
        return {u for u in self.directory.users
                if any(t.element_id == element for t in engine.inbox(u, self.instance_id))}


