"""Per-command cost of the engine next to bare SpiffWorkflow, and audit-chain verification speed.

    python bench/engine.py [--postgres URL] [--rounds 1,10,100,1000] [--repeat 10]

For each loop round N of the example diagram (tests/engine/bpmn/example_review.bpmn, one
reviewer: a multi-instance review, a gateway, a revise task per round), the
instance is brought to round N in memory, stored, and then timed:
- engine: one `complete_task` through the engine, lock to commit (load, check,
  run, serialize, derived rows, audit events, commit), on SQLite and PostgreSQL;
- bare: SpiffWorkflow alone on the same state: deserialize → complete → serialize.
Preparing round N in memory skips N rounds of commands (the 1000-round point
would otherwise take minutes); the timed commands themselves are real.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import (  # noqa: E402
    Assignment,
    Database,
    Engine,
    Membership,
    execution,  # noqa: E402
    read_bundle,
)
from engine.determinism import deterministic  # noqa: E402
from workflows.forms import validate_form  # noqa: E402

EXAMPLE = ROOT / "tests" / "engine" / "bpmn" / "example_review.bpmn"


class BenchResolver:
    def assign(self, lane: str | None, data: Mapping[str, Any]) -> Assignment:
        if lane == "reviewer":
            return Assignment("reviewer", (data["review"]["reviewer"],))
        return Assignment(lane, ("authors",))

    def may_act(self, actor: str, assignment: Assignment) -> bool:
        return True

    def memberships(self, actor: str) -> list[Membership]:
        return [Membership("authors", "author")] if actor == "alice" else [Membership(actor, "reviewer")]

    def may_start(self, actor: str, process_id: str) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def advance_in_memory(engine: Engine, state: str, rounds: int, seed: str) -> str:
    """Run `rounds` review/revise rounds in memory, as fast as the library allows."""
    workflow = execution.load_workflow(state, engine.script_engine)
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for n in range(rounds):
        for answer in ({"approve": False}, {"title": f"r{n}"}):
            at += timedelta(seconds=1)
            with deterministic(f"{seed}:{n}:{answer}", at):
                execution.complete(workflow, execution.ready_human_tasks(workflow)[0].id, answer)
    return execution.dump_workflow(workflow)


def prepare(engine: Engine, rounds: int) -> str:
    instance = engine.start("example_review", "alice", {"reviewers": ["bob"]})
    task = engine.inbox("alice", instance.id)[0]
    engine.complete_task(task.id, "alice", {"title": "t", "amount": 1, "deadline": "2026-06-01"})
    with engine.db.read() as session:
        state = session.execute(text("SELECT state FROM instances WHERE id=:i"), {"i": instance.id}).scalar_one()
    state = advance_in_memory(engine, state, rounds - 1, instance.id)
    with engine.db.write() as session:  # bench shortcut: store the advanced state directly
        session.execute(text("UPDATE instances SET state=:s WHERE id=:i"), {"s": state, "i": instance.id})
        session.execute(text("DELETE FROM open_task_organisations WHERE task_id IN "
                             "(SELECT id FROM open_tasks WHERE instance_id=:i)"), {"i": instance.id})
        session.execute(text("DELETE FROM open_tasks WHERE instance_id=:i"), {"i": instance.id})
        workflow = execution.load_workflow(state, engine.script_engine)
        engine._refresh_derived(session, instance.id, workflow, "running", datetime.now(timezone.utc))
    return instance.id


def time_engine(engine: Engine, instance_id: str, repeat: int) -> list[float]:
    """Time `repeat` commands: alternately the review (bob) and the revise (alice)."""
    samples = []
    for n in range(repeat):
        actor = "bob" if n % 2 == 0 else "alice"
        task = engine.inbox(actor, instance_id)[0]
        data = {"approve": False} if actor == "bob" else {"title": f"x{n}"}
        started = time.perf_counter()
        engine.complete_task(task.id, actor, data)
        samples.append(time.perf_counter() - started)
    return samples


def time_bare(engine: Engine, instance_id: str, repeat: int) -> tuple[list[float], int]:
    with engine.db.read() as session:
        state = session.execute(text("SELECT state FROM instances WHERE id=:i"), {"i": instance_id}).scalar_one()
    samples = []
    serializer = execution.SERIALIZER
    for n in range(repeat):
        started = time.perf_counter()
        workflow = serializer.deserialize_json(state)
        task = execution.find_task(workflow, execution.ready_human_tasks(workflow)[0].id)
        task.data.update({"approve": False} if n % 2 == 0 else {"title": f"x{n}"})
        task.run()
        workflow.do_engine_steps()
        state = serializer.serialize_json(workflow)
        samples.append(time.perf_counter() - started)
    return samples, len(state)


def verification_speed(engine: Engine) -> tuple[int, float]:
    started = time.perf_counter()
    report = engine.verify()
    return report.events, report.events / (time.perf_counter() - started)


def postgres_database(url: str) -> tuple[Database, Any]:
    name = f"allianssi_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return Database(url.rsplit("/", 1)[0] + "/" + name), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("ALLIANSSI_TEST_POSTGRES_URL"))
    parser.add_argument("--rounds", default="1,10,100,1000")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    rounds = [int(r) for r in args.rounds.split(",")]

    backends: list[tuple[str, Database, Any]] = []
    tmp = tempfile.mkdtemp()
    backends.append(("SQLite", Database(f"sqlite:///{tmp}/bench.db"), lambda: None))
    if args.postgres:
        db, drop = postgres_database(args.postgres)
        backends.append(("PostgreSQL", db, drop))

    results: dict[int, dict[str, float]] = {r: {} for r in rounds}
    events = 0
    speed = 0.0
    for name, database, drop in backends:
        database.migrate()
        engine = Engine(database, BenchResolver(), form_validator=validate_form, clock=Clock())
        engine.deploy(read_bundle([EXAMPLE]), "bench")
        for r in rounds:
            instance_id = prepare(engine, r)
            results[r][name] = statistics.median(time_engine(engine, instance_id, args.repeat)) * 1000
            if name == "SQLite":
                bare, size = time_bare(engine, instance_id, args.repeat)
                results[r]["bare"] = statistics.median(bare) * 1000
                results[r]["state_kb"] = size / 1024
            print(f"{name}: round {r} done", file=sys.stderr)
        if name == "SQLite":
            for _ in range(20):  # a longer history to verify
                prepare(engine, 5)
            events, speed = verification_speed(engine)
        database.dispose()
        drop()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}; {datetime.now():%Y-%m-%d}")
    header = "| loop round | state size | bare SpiffWorkflow | engine, SQLite | ratio | engine, PostgreSQL | ratio |"
    print(header)
    print("|---|---|---|---|---|---|---|")
    for r in rounds:
        row = results[r]
        pg = row.get("PostgreSQL")
        pg_cells = f"{pg:.1f} ms | {pg / row['bare']:.2f}×" if pg else "– | –"
        print(f"| {r} | {row['state_kb']:.0f} KB | {row['bare']:.1f} ms | {row['SQLite']:.1f} ms | "
              f"{row['SQLite'] / row['bare']:.2f}× | {pg_cells} |")
    print(f"\naudit chain verification: {events} events, {speed:,.0f} events/s")
    print(json.dumps({"rounds": results, "verify_events_per_s": speed}), file=sys.stderr)


if __name__ == "__main__":
    main()
