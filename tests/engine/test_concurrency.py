"""Two users completing the same task at the same moment: exactly one wins, the other gets a conflict."""

from __future__ import annotations

import threading

from engine import Conflict, Database, Engine, read_bundle
from tests.engine.conftest import EXAMPLE, Clock, make_engine, only, start_example, submit


def race(database: Database) -> None:
    engines = [make_engine(database, Clock()) for _ in range(2)]
    engines[0].deploy(read_bundle([EXAMPLE]), "designer")
    instance_id = start_example(engines[0], reviewers=("bob",))
    submit(engines[0], instance_id)
    task = only(engines[0].inbox_page("bob").items)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def complete(engine: Engine) -> None:
        barrier.wait()
        try:
            engine.complete_task(task.id, "bob", {"approve": True})
            outcomes.append("ok")
        except Conflict as error:
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=complete, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["TaskNotReady", "ok"]
    completions = [e for e in engines[0].history(instance_id) if e.type == "task_completed" and e.task_id == task.id]
    assert len(completions) == 1
    assert engines[0].verify(instance_id).ok and engines[0].replay(instance_id).consistent


def test_concurrent_completion_on_postgresql(postgres_database: Database) -> None:
    for _ in range(3):
        race(postgres_database)


def test_concurrent_completion_on_sqlite(sqlite_database: Database) -> None:
    for _ in range(3):
        race(sqlite_database)


def test_timer_workers_fire_each_instance_once(postgres_database: Database) -> None:
    """Two workers polling at once: every due instance is advanced exactly once."""
    from tests.engine.conftest import review_round

    engine = make_engine(postgres_database, Clock())
    engine.deploy(read_bundle([EXAMPLE]), "designer")
    instances = []
    for _ in range(6):
        instance_id = start_example(engine, reviewers=("bob",))
        submit(engine, instance_id)
        review_round(engine, instance_id, approve=True, reviewers=("bob",))
        instances.append(instance_id)
    later = engine.instance(instances[-1]).timers[0].due_at.replace(year=2030)
    barrier = threading.Barrier(2)
    fired: list[int] = []

    def worker() -> None:
        barrier.wait()
        fired.append(make_engine(postgres_database, Clock()).fire_due_timers(later))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(fired) == len(instances)
    for instance_id in instances:
        assert engine.instance(instance_id).status == "completed"
        assert [e.type for e in engine.history(instance_id)].count("timers_fired") == 1
