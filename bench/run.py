"""Every performance figure of docs/performance.md, measured by one command.

    python bench/run.py [--postgres URL] [--quick] [--json]

P1  one task completion through the engine (the write transaction: lock → commit) next to bare
    SpiffWorkflow (deserialize → complete → engine steps → serialize) in a separate process that never
    imports `engine` (bench/bare.py), on a sequence of 50 user tasks; the two are interleaved command by
    command (A B A B …) so load on the machine falls on both alike.
P2  the cost of a command at loop round 1000 ÷ at round 10 (tests/engine/bpmn/example_review.bpmn),
    interleaved (round 10, round 1000, round 10, …).
P3  web completions per second and their p99: gunicorn serving the real app (bench/webapp.py), 16
    clients each signing in and completing its own tasks over HTTP (POST /tasks/<id>).
P4  audit chain verification (events/s, in process) and replay (commands/s) of a long instance.
P5  the inbox of a user who sees 11k of 100k open tasks: one page with its counts.

Without --postgres (or ALLIANSSI_TEST_POSTGRES_URL) everything runs on SQLite files. --quick
(for CI) runs fewer samples and a shorter replay; --json prints one JSON object (keys p1_ratio,
p2_ratio, p3_completions_per_s, p3_p99_ms, p4_verify_events_per_s, p4_replay_commands_per_s,
p5_inbox_p99_ms and the details) instead of the table.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import Assignment, Database, Engine, Membership, execution, pruning, read_bundle  # noqa: E402
from engine.audit import canonical_json, verify_chain  # noqa: E402
from engine.determinism import deterministic  # noqa: E402
from engine.models import FAR_FUTURE, Instance, OpenTask, OpenTaskOrganisation, ProcessDefinition  # noqa: E402
from workflows.forms import validate_form  # noqa: E402

EXAMPLE = ROOT / "tests" / "engine" / "bpmn" / "example_review.bpmn"
SEQUENCE_STEPS = 50


# --- shared helpers ------------------------------------------------------------------------------
def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def sequence_bpmn(steps: int) -> str:
    """A process of `steps` user tasks in a row, each with one optional text field."""
    tasks, flows = [], []
    previous = "start"
    for n in range(1, steps + 1):
        tasks.append(
            f'<bpmn:userTask id="step{n}" name="Step {n}"><bpmn:extensionElements><camunda:formData>'
            f'<camunda:formField id="note" label="Note" type="string" /></camunda:formData>'
            f'</bpmn:extensionElements><bpmn:incoming>f{n}</bpmn:incoming><bpmn:outgoing>f{n + 1}</bpmn:outgoing>'
            f'</bpmn:userTask>')
        flows.append(f'<bpmn:sequenceFlow id="f{n}" sourceRef="{previous}" targetRef="step{n}" />')
        previous = f"step{n}"
    flows.append(f'<bpmn:sequenceFlow id="f{steps + 1}" sourceRef="{previous}" targetRef="end" />')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_sequence" '
        'targetNamespace="http://bpmn.io/schema/bpmn">'
        '<bpmn:process id="bench_sequence" name="Bench sequence" isExecutable="true">'
        '<bpmn:laneSet id="lanes"><bpmn:lane id="lane_orderer" name="orderer">'
        + "".join(f"<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>"
                  for node in ["start", *(f"step{n}" for n in range(1, steps + 1)), "end"]) +
        '</bpmn:lane></bpmn:laneSet>'
        '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
        + "".join(tasks) +
        f'<bpmn:endEvent id="end"><bpmn:incoming>f{steps + 1}</bpmn:incoming></bpmn:endEvent>'
        + "".join(flows) + '</bpmn:process></bpmn:definitions>\n')


class BenchResolver:
    """example_review's lanes, and the sequence's tasks for whoever started them."""

    def assign(self, lane: str | None, data: Mapping[str, Any]) -> Assignment:
        if lane == "reviewer":
            return Assignment("reviewer", (data["review"]["reviewer"],))
        return Assignment(lane or "orderer", (str(data.get("owner", "authors")),))

    def may_act(self, actor: str, assignment: Assignment) -> bool:
        return True

    def memberships(self, actor: str) -> list[Membership]:
        return [Membership("authors", "author")] if actor == "alice" else [Membership(actor, "reviewer")]

    def may_start(self, actor: str, process_id: str) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=timezone.utc)
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            self.now += timedelta(seconds=1)
            return self.now


class Databases:
    """Fresh databases for the run (PostgreSQL: created and dropped; SQLite: files in a temporary folder)."""

    def __init__(self, postgres: str | None):
        self.postgres = postgres
        self.folder = tempfile.mkdtemp(prefix="allianssi-bench-")
        self.created: list[str] = []

    def url(self, label: str) -> str:
        if not self.postgres:
            return f"sqlite:///{self.folder}/{label}.db"
        name = f"allianssi_bench_{label}_{uuid.uuid4().hex[:8]}"
        with self._admin().connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.postgres.rsplit("/", 1)[0] + "/" + name

    def _admin(self) -> Any:
        assert self.postgres
        return create_engine(self.postgres.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")

    def drop_all(self) -> None:
        if self.created:
            admin = self._admin()
            with admin.connect() as c:
                for name in self.created:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


class TimedWrites:
    """Times every write transaction of a Database, from its first statement (the lock) to its commit."""

    def __init__(self, database: Database):
        self.samples: list[float] = []
        original = database.write

        @contextmanager
        def write() -> Iterator[Any]:
            started = time.perf_counter()
            with original() as session:
                yield session
            self.samples.append(time.perf_counter() - started)
        database.write = write  # type: ignore[method-assign]

    def take(self, action: Callable[..., Any], *args: Any) -> tuple[float, Any]:
        """Run `action`; the time of the one write transaction it ran (its lock → commit), and its result."""
        before = len(self.samples)
        result = action(*args)
        assert len(self.samples) == before + 1, "expected exactly one write transaction per command"
        return self.samples[-1], result


def new_engine(url: str, resolver: Any = None) -> tuple[Engine, TimedWrites]:
    database = Database(url)
    database.migrate()
    engine = Engine(database, resolver or BenchResolver(), form_validator=validate_form, clock=Clock())
    return engine, TimedWrites(database)


# --- P1 -------------------------------------------------------------------------------------------
class Bare:
    """The bare SpiffWorkflow process (bench/bare.py)."""

    def __init__(self, diagram: Path):
        self.process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare.py"), str(diagram),
                                         "bench_sequence"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return dict(answer)

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.write("quit\n")
        self.process.stdin.close()
        self.process.wait(timeout=30)


def p1(url: str, diagram: Path, instances: int) -> dict[str, Any]:
    engine, writes = new_engine(url)
    engine.deploy(read_bundle([diagram]), "bench")
    bare = Bare(diagram)
    engine_s, call_s, bare_s = [], [], []
    try:
        for n in range(instances):
            view = engine.start("bench_sequence", "alice", {"owner": "authors"}, business_key=f"P1-{n}")
            bare.ask("start")
            for step in range(SEQUENCE_STEPS):
                task_id = view.open_tasks[0].id
                data = {"note": f"step {step + 1}"}
                started = time.perf_counter()
                seconds, view = writes.take(engine.complete_task, task_id, "alice", data)
                call_s.append(time.perf_counter() - started)
                engine_s.append(seconds)
                bare_s.append(bare.ask("step")["seconds"])
            assert view.status == "completed"
    finally:
        bare.close()
        engine.db.dispose()
    return {"ratio": statistics.median(engine_s) / statistics.median(bare_s),
            "engine_ms": statistics.median(engine_s) * 1000, "engine_p99_ms": percentile(engine_s, 99) * 1000,
            "call_ms": statistics.median(call_s) * 1000,
            "call_ratio": statistics.median(call_s) / statistics.median(bare_s),
            "bare_ms": statistics.median(bare_s) * 1000, "bare_p99_ms": percentile(bare_s, 99) * 1000,
            "samples": len(engine_s)}


# --- P2 -------------------------------------------------------------------------------------------
def advance_in_memory(engine: Engine, state: str, rounds: int, seed: str) -> str:
    """Run `rounds` review/revise rounds in memory (the bench's shortcut to a long history)."""
    workflow = execution.load_workflow(state, engine.script_engine)
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for n in range(rounds):
        for answer in ({"approve": False}, {"title": f"r{n}"}):
            at += timedelta(seconds=1)
            with deterministic(f"{seed}:{n}:{answer}", at):
                execution.complete(workflow, execution.ready_human_tasks(workflow)[0].id, answer)
                pruning.prune(workflow)  # as a command of the instance's state format would (none in format 1)
    return execution.dump_state(workflow)


def at_round(engine: Engine, rounds: int) -> str:
    """An example_review instance at loop round `rounds`: the first round by real commands, the rest in
    memory, stored with its digest and its inbox rows (the timed commands after it are real)."""
    instance = engine.start("example_review", "alice", {"reviewers": ["bob"]})
    engine.complete_task(instance.open_tasks[0].id, "alice", {"title": "t", "amount": 1, "deadline": "2026-06-01"})
    with engine.db.read() as session:
        state = session.execute(text("SELECT state FROM instances WHERE id=:i"), {"i": instance.id}).scalar_one()
    state = advance_in_memory(engine, state, rounds - 1, instance.id)
    with engine.db.write() as session:
        session.execute(text("UPDATE instances SET state=:s, state_digest=:d WHERE id=:i"),
                        {"s": state, "d": execution.state_digest(state), "i": instance.id})
        session.execute(text("DELETE FROM open_task_organisations WHERE task_id IN "
                             "(SELECT id FROM open_tasks WHERE instance_id=:i)"), {"i": instance.id})
        session.execute(text("DELETE FROM open_tasks WHERE instance_id=:i"), {"i": instance.id})
        workflow = execution.load_workflow(state, engine.script_engine)
        engine._refresh_derived(session, instance.id, workflow, "running", datetime.now(timezone.utc))
    return instance.id


def p2(url: str, low: int, high: int, repeat: int) -> dict[str, Any]:
    engine, writes = new_engine(url)
    engine.deploy(read_bundle([EXAMPLE]), "bench")
    ids = {low: at_round(engine, low), high: at_round(engine, high)}
    samples: dict[int, list[float]] = {low: [], high: []}
    size = 0
    for n in range(repeat):
        actor = "bob" if n % 2 == 0 else "alice"
        data = {"approve": False} if actor == "bob" else {"title": f"x{n}"}
        for rounds in (low, high):  # interleaved: A B A B …
            task = engine.inbox(actor, ids[rounds])[0]
            samples[rounds].append(writes.take(engine.complete_task, task.id, actor, data)[0])
    with engine.db.read() as session:
        size = len(session.execute(text("SELECT state FROM instances WHERE id=:i"), {"i": ids[high]}).scalar_one())
    engine.db.dispose()
    return {"ratio": statistics.median(samples[high]) / statistics.median(samples[low]),
            "low_round": low, "high_round": high, "low_ms": statistics.median(samples[low]) * 1000,
            "high_ms": statistics.median(samples[high]) * 1000, "high_state_kb": size / 1024, "samples": repeat}


# --- P3 -------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    """One user's browser: a cookie, a CSRF token, plain HTTP/1.1 on one connection."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def request(self, method: str, path: str, form: Mapping[str, str] | None = None,
                keep_cookie: bool = True) -> tuple[int, str, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read().decode()
        cookie = response.getheader("Set-Cookie")
        if cookie and keep_cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", content

    @staticmethod
    def csrf(page: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert found, "no CSRF token on the page"
        return found.group(1)


def p3(url: str, diagram: Path, users: int, per_user: int, workers: int, threads: int) -> dict[str, Any]:
    sys_path = str(ROOT)
    from bench.webapp import PASSWORD, build_engine, directory  # the same app gunicorn serves

    people = directory(users)
    database = Database(url)
    database.migrate()
    engine = build_engine(database, people)
    engine.deploy(read_bundle([diagram]), "bench")
    firsts: dict[int, list[str]] = {}
    for n in range(users):
        firsts[n] = [engine.start("bench_sequence", f"user{n}", {"owner": f"org{n}"}).open_tasks[0].id
                     for _ in range(per_user)]
    database.dispose()
    port = _free_port()
    env = {**os.environ, "BENCH_DATABASE_URL": url, "BENCH_USERS": str(users), "PYTHONPATH": sys_path}
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-w", str(workers), "-k", "gthread", "--threads",
         str(threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning", "bench.webapp:app()"],
        cwd=ROOT, env=env)
    try:
        for _ in range(200):
            try:
                probe = Client(port)
                if probe.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        latencies: list[tuple[float, float]] = []
        errors: list[str] = []
        lock = threading.Lock()
        barrier = threading.Barrier(users)

        def client(n: int) -> None:
            try:
                c = Client(port)
                _, _, page = c.request("GET", "/login")
                status, _, _ = c.request("POST", "/login", {"username": f"user{n}", "password": PASSWORD,
                                                            "csrf_token": Client.csrf(page), "next": "/"})
                assert status == 302, f"sign-in answered {status}"
                queue = list(firsts[n])
                task_id = queue.pop(0)
                _, _, page = c.request("GET", f"/tasks/{task_id}")
                token = Client.csrf(page)
                barrier.wait()
                mine: list[tuple[float, float]] = []
                done = 0
                while True:
                    started = time.perf_counter()
                    status, location, _ = c.request("POST", f"/tasks/{task_id}", {"note": f"done {done}",
                                                                                  "csrf_token": token},
                                                    keep_cookie=False)  # flash messages would pile up in it
                    ended = time.perf_counter()
                    assert status == 302, f"completing answered {status}"
                    done += 1
                    if done > 2:  # the first commands of each client warm the workers up
                        mine.append((started, ended))
                    found = re.search(r"/tasks/([0-9a-f-]{36})", location)
                    if found:
                        task_id = found.group(1)
                    elif queue:
                        task_id = queue.pop(0)
                    else:
                        break
                with lock:
                    latencies.extend(mine)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(f"client {n}: {error!r}")
                barrier.abort()

        pool = [threading.Thread(target=client, args=(n,)) for n in range(users)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        if errors:
            raise RuntimeError("; ".join(errors[:3]))
        window = max(e for _, e in latencies) - min(s for s, _ in latencies)
        durations = [e - s for s, e in latencies]
        return {"completions_per_s": len(latencies) / window, "p50_ms": statistics.median(durations) * 1000,
                "p99_ms": percentile(durations, 99) * 1000, "completions": len(latencies), "clients": users,
                "gunicorn": f"-w {workers} -k gthread --threads {threads}"}
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)


# --- P4 -------------------------------------------------------------------------------------------
def p4_verify(url: str, rounds: int) -> dict[str, Any]:
    """Chain verification over every stored event (in process), repeated to a stable median."""
    database = Database(url)
    with database.read() as session:
        events = session.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        with database.read() as session:
            report = verify_chain(session)
        samples.append(time.perf_counter() - started)
        assert report.broken is None and report.events == events
    database.dispose()
    return {"events": events, "events_per_s": events / statistics.median(samples)}


def p4_replay(url: str, rounds: int) -> dict[str, Any]:
    """An example_review instance of 2 + 2 × rounds real commands, replayed with every digest compared."""
    engine, _ = new_engine(url)
    engine.deploy(read_bundle([EXAMPLE]), "bench")
    instance = engine.start("example_review", "alice", {"reviewers": ["bob"]})
    engine.complete_task(instance.open_tasks[0].id, "alice", {"title": "t", "amount": 1, "deadline": "2026-06-01"})
    started = time.perf_counter()
    for n in range(rounds):
        for actor, data in (("bob", {"approve": False}), ("alice", {"title": f"r{n}"})):
            engine.complete_task(engine.inbox(actor, instance.id)[0].id, actor, data)
    build = time.perf_counter() - started
    started = time.perf_counter()
    report = engine.replay(instance.id)
    seconds = time.perf_counter() - started
    assert report.consistent, f"replay differs: {report.first_difference or report.error}"
    engine.db.dispose()
    return {"commands": len(report.steps), "commands_per_s": len(report.steps) / seconds,
            "build_commands_per_s": 2 * rounds / build}


# --- P5 -------------------------------------------------------------------------------------------
def p5(url: str, total: int, visible: int, repeat: int) -> dict[str, Any]:
    """`total` open tasks in 10-task instances; `visible` of them are for the bench user's organisation
    and role (a tenth of those claimed by the user), the rest for 50 other organisations."""
    engine, _ = new_engine(url, BenchResolver())
    database = engine.db
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with database.write() as session:
        session.execute(insert(ProcessDefinition), [{
            "process_id": "bench_inbox", "version": 1, "name": "Bench inbox", "sha256": "0" * 64, "files": "{}",
            "deployed_at": now, "deployed_by": "bench"}])
        definition_id = session.execute(text("SELECT id FROM process_definitions")).scalar_one()
        per_instance = 10
        instances, tasks, organisations = [], [], []
        for i in range(total // per_instance):
            instance_id = f"{i:032x}"
            instances.append({"id": instance_id, "definition_id": definition_id, "process_id": "bench_inbox",
                              "business_key": f"INBOX-{i}", "status": "running", "version": 1, "state": "",
                              "state_digest": "", "data": "{}", "element_states": "{}", "awaited_messages": "[]",
                              "started_by": "bench", "seed": None, "started_at": now, "updated_at": now})
            for k in range(per_instance):
                n = i * per_instance + k
                mine = n % (total // visible) == 0 if visible else False
                task_id = str(uuid.UUID(int=n + 1))
                task = {"id": task_id, "instance_id": instance_id, "element_id": f"step{k}",
                        "name": f"Step {k}", "lane": "orderer", "role": "orderer", "phase": f"phase{k % 3}",
                        "due_at": now + timedelta(days=n % 90) if n % 4 else None,
                        "due_sort": now + timedelta(days=n % 90) if n % 4 else FAR_FUTURE,
                        "claimed_by": "inbox.user" if mine and n % 10 == 0 else None,
                        "created_at": now + timedelta(seconds=n), "properties": "{}"}
                tasks.append(task)
                organisations.append({"task_id": task_id, "organisation": "mine" if mine else f"other{n % 50}",
                                      "role": "orderer", "instance_id": instance_id, "phase": task["phase"],
                                      "claimed_by": task["claimed_by"], "created_at": task["created_at"],
                                      "due_sort": task["due_at"] or FAR_FUTURE})
        for chunk in range(0, len(instances), 5000):
            session.execute(insert(Instance), instances[chunk:chunk + 5000])
        for chunk in range(0, len(tasks), 5000):
            session.execute(insert(OpenTask), tasks[chunk:chunk + 5000])
            session.execute(insert(OpenTaskOrganisation), organisations[chunk:chunk + 5000])
    if not database.is_sqlite:  # what autovacuum does soon after a bulk load: statistics, visibility map
        with database._writer.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")

    class InboxResolver(BenchResolver):
        def memberships(self, actor: str) -> list[Membership]:
            return [Membership("mine", "orderer")]

    engine.resolver = InboxResolver()
    engine.inbox_page("inbox.user", page=1, size=20)  # untimed: the process's first call compiles the SQL
    samples, size, seen = [], 0, 0
    for n in range(repeat):
        started = time.perf_counter()
        page = engine.inbox_page("inbox.user", page=1 + n % 5, size=20)  # the first five pages in turn
        items, seen = page.items, page.visible
        samples.append(time.perf_counter() - started)
        size = len(canonical_json([t.id for t in items]))
    engine.db.dispose()
    return {"p50_ms": statistics.median(samples) * 1000, "p99_ms": percentile(samples, 99) * 1000,
            "visible": seen, "open_tasks": total, "page_items": len(items), "page_ids_bytes": size}


# --- the run --------------------------------------------------------------------------------------
def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("ALLIANSSI_TEST_POSTGRES_URL"))
    parser.add_argument("--quick", action="store_true", help="fewer samples (CI: under two minutes)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--only", default="p1,p2,p3,p4,p5", help="comma-separated subset, e.g. p1,p5")
    args = parser.parse_args()
    only = set(args.only.split(","))
    quick = args.quick
    databases = Databases(args.postgres)
    diagram = Path(databases.folder) / "sequence.bpmn"
    diagram.write_text(sequence_bpmn(SEQUENCE_STEPS))
    results: dict[str, Any] = {"backend": "PostgreSQL" if args.postgres else "SQLite", "quick": quick,
                               "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                                          f"{platform.python_version()}, {platform.platform()}",
                               "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                               "load_before": load()}

    def stage(name: str, action: Callable[[], dict[str, Any]]) -> None:
        if name in only:
            started = time.perf_counter()
            results[name] = action()
            results[name]["load"] = load()
            print(f"{name}: {time.perf_counter() - started:.1f} s {results[name]}", file=sys.stderr)

    try:
        stage("p1", lambda: p1(databases.url("p1"), diagram, 2 if quick else 6))
        stage("p2", lambda: p2(databases.url("p2"), 10, 250 if quick else 1000, 6 if quick else 16))
        p3_url = databases.url("p3")
        stage("p3", lambda: p3(p3_url, diagram, 16, 1 if quick else 3, workers=4, threads=4))
        p4_url = databases.url("p4")

        def p4() -> dict[str, Any]:
            replay = p4_replay(p4_url, 50 if quick else 300)
            # the chain of P3's database when it ran (thousands of commands), else of the replayed instance
            return {"replay": replay, "verify": p4_verify(p3_url if "p3" in only else p4_url, 3 if quick else 7)}
        stage("p4", p4)
        stage("p5", lambda: p5(databases.url("p5"), 100_000, 11_000, 100 if quick else 300))
    finally:
        databases.drop_all()
    summary = {
        "p1_ratio": results.get("p1", {}).get("ratio"),
        "p2_ratio": results.get("p2", {}).get("ratio"),
        "p3_completions_per_s": results.get("p3", {}).get("completions_per_s"),
        "p3_p99_ms": results.get("p3", {}).get("p99_ms"),
        "p4_verify_events_per_s": results.get("p4", {}).get("verify", {}).get("events_per_s"),
        "p4_replay_commands_per_s": results.get("p4", {}).get("replay", {}).get("commands_per_s"),
        "p5_inbox_p99_ms": results.get("p5", {}).get("p99_ms"),
    }
    if args.json:
        print(json.dumps({**summary, "details": results}, indent=2))
        return
    print(table(summary, results))


def table(summary: Mapping[str, Any], results: Mapping[str, Any]) -> str:
    def f(value: Any, spec: str) -> str:
        return "–" if value is None else format(value, spec)
    lines = [f"{results['date']}; {results['machine']}; {results['backend']}; load before {results['load_before']}",
             "", "| figure | measured | target |", "|---|---|---|",
             f"| P1 engine ÷ bare SpiffWorkflow, 50 steps | {f(summary['p1_ratio'], '.2f')}× | ≤ 1.5× |",
             f"| P2 command at round {results.get('p2', {}).get('high_round', 1000)} ÷ round 10 | "
             f"{f(summary['p2_ratio'], '.2f')}× | ≤ 2× (at 1000) |",
             f"| P3 web completions/s, 16 clients | {f(summary['p3_completions_per_s'], '.0f')}/s, p99 "
             f"{f(summary['p3_p99_ms'], '.0f')} ms | ≥ 300/s, p99 ≤ 100 ms |",
             f"| P4 chain verification | {f(summary['p4_verify_events_per_s'], ',.0f')} events/s | ≥ 200,000 |",
             f"| P4 replay | {f(summary['p4_replay_commands_per_s'], ',.0f')} commands/s | ≥ 1,000 |",
             f"| P5 inbox, 11k of 100k visible (p99) | {f(summary['p5_inbox_p99_ms'], '.1f')} ms | ≤ 20 ms |"]
    return "\n".join(lines) + "\n\n" + json.dumps(results, indent=2, default=str)


if __name__ == "__main__":
    main()
