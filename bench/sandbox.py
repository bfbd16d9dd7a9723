"""What the sandbox's limits cost: one script call in the process vs in the limited child, and whole
commands of the example diagram with isolation on and off (SQLite, a fresh instance per round).

    python bench/sandbox.py [--calls 2000] [--rounds 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import Database, Engine, read_bundle  # noqa: E402
from engine.bounds import SandboxLimits  # noqa: E402
from engine.sandbox import SandboxEnvironment  # noqa: E402
from tests.engine.conftest import EXAMPLE, ExampleResolver  # noqa: E402
from workflows.forms import validate_form  # noqa: E402


def per_call(calls: int) -> None:
    data = {"reviews": [{"reviewer": f"r{i}", "approve": True} for i in range(5)], "amount": 1200}
    for label, limits in (("in process (line tracer)", SandboxLimits(isolate=False)),
                          ("limited child", SandboxLimits())):
        environment = SandboxEnvironment({}, limits=limits)
        environment.execute("approved = all(r.get('approve') for r in reviews)", dict(data))  # warm: fork, compile
        started = time.perf_counter()
        for _ in range(calls):
            environment.execute("approved = all(r.get('approve') for r in reviews)", dict(data))
        print(f"script call, {label}: {(time.perf_counter() - started) / calls * 1e6:.0f} µs")
    environment = SandboxEnvironment({})
    started = time.perf_counter()
    for _ in range(calls):
        environment.evaluate("approved and amount > 1000", {"approved": True, "amount": 1200})
    print(f"plain condition (never needs the child): {(time.perf_counter() - started) / calls * 1e6:.0f} µs")


def per_command(rounds: int) -> None:
    class Clock:
        now = datetime(2026, 3, 2, tzinfo=UTC)

        def __call__(self) -> datetime:
            self.now += timedelta(seconds=1)
            return self.now

    for label, limits in (("isolation off", SandboxLimits(isolate=False)), ("isolation on", SandboxLimits())):
        with tempfile.TemporaryDirectory() as folder:
            database = Database(f"sqlite:///{folder}/bench.db")
            database.migrate()
            engine = Engine(database, ExampleResolver(), form_validator=validate_form, clock=Clock(),
                            sandbox_limits=limits)
            engine.deploy(read_bundle([EXAMPLE]), "designer")
            times = []
            for _ in range(rounds):
                instance_id = engine.start("example_review", "alice", {"reviewers": ["bob"]}).id
                task = engine.inbox("alice", instance_id)[0]
                started = time.perf_counter()  # submit runs the `prepare` script (a comprehension: in the child)
                engine.complete_task(task.id, "alice", {"title": "t", "amount": 1, "deadline": "2026-04-01"})
                times.append(time.perf_counter() - started)
            database.dispose()
        print(f"complete_task with a script, {label}: median {statistics.median(times) * 1000:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=20)
    arguments = parser.parse_args()
    per_call(arguments.calls)
    per_command(arguments.rounds)
