"""Issue 14, "Faults": a database outage, made by cutting a real TCP proxy in front of PostgreSQL.
The timer worker backs off, logs and resumes; /healthz says 503 while the database is away."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import make_url

from engine import Database, read_bundle
from engine.worker import run_worker
from tests.engine.conftest import EXAMPLE, Clock, make_engine, review_round, start_example, submit
from tests.faults.proxy import CuttableProxy


@pytest.fixture
def proxied(postgres_database: Database) -> Iterator[tuple[Database, Database, CuttableProxy]]:
    url = make_url(postgres_database.url)
    proxy = CuttableProxy(url.port or 5432, url.host or "127.0.0.1")
    through = Database(url.set(port=proxy.port).render_as_string(hide_password=False))
    yield postgres_database, through, proxy
    through.dispose()
    proxy.close()


def wait_for(condition, seconds: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_timer_worker_outlives_an_outage_and_fires_afterwards(proxied, caplog) -> None:  # type: ignore[no-untyped-def]
    direct, through, proxy = proxied
    engine = make_engine(direct, Clock())
    engine.deploy(read_bundle([EXAMPLE]), "designer")
    instance_id = start_example(engine, reviewers=("bob",))
    submit(engine, instance_id)
    review_round(engine, instance_id, approve=True, reviewers=("bob",))
    assert engine.instance(instance_id).timers, "the instance waits for its timer"

    worker_engine = make_engine(through, lambda: datetime(2035, 1, 1, tzinfo=UTC))  # type: ignore[arg-type]
    stop = threading.Event()
    proxy.cut()
    caplog.set_level(logging.WARNING, logger="allianssi.worker")
    thread = threading.Thread(target=run_worker, args=(worker_engine.fire_due_timers, 0.2, stop),
                              kwargs={"max_backoff": 0.5})
    thread.start()
    try:
        assert wait_for(lambda: "database unreachable" in caplog.text), "the outage is logged"
        time.sleep(1.0)
        assert thread.is_alive(), "the worker did not exit"
        assert engine.instance(instance_id).status == "running"
        proxy.restore()
        assert wait_for(lambda: engine.instance(instance_id).status == "completed"), "timers fire again"
        assert wait_for(lambda: "reachable again" in caplog.text)
        proxy.cut()  # a second outage, mid-run, with pooled connections cut under the worker
        time.sleep(1.0)
        assert thread.is_alive()
    finally:
        stop.set()
        thread.join(timeout=10)
    assert engine.verify(instance_id).ok


def test_health_reports_the_database_through_an_outage(proxied) -> None:  # type: ignore[no-untyped-def]
    from web.app import create_app

    _direct, through, proxy = proxied
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": through.url})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    proxy.cut()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] == "unreachable"
    proxy.restore()
    assert wait_for(lambda: client.get("/healthz").status_code == 200)
    app.extensions["allianssi"].database.dispose()
