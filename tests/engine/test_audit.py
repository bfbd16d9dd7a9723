"""The hash chain: editing, deleting or reordering any stored event is detected and named."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from engine import Engine
from tests.engine.conftest import review_round, start_example, submit


def run_some(engine: Engine) -> str:
    instance_id = start_example(engine)
    submit(engine, instance_id)
    review_round(engine, instance_id, approve=True)
    return instance_id


def execute(engine: Engine, sql: str, **params: object) -> None:
    with engine.db.write() as session:
        session.execute(text(sql), params)


def test_untouched_chain_verifies(engine: Engine) -> None:
    instance_id = run_some(engine)
    report = engine.verify(instance_id)
    events = engine.history(instance_id)
    assert report.ok and report.events == len(events) and report.heads[instance_id] == events[-1].hash
    assert engine.verify().ok and engine.verify().streams == 2  # the instance and the deployments


@pytest.mark.parametrize("column, value", [
    ("payload", '{"op":"complete","data":{"approve":false}}'),
    ("actor", "mallory"),
    ("type", "task_claimed"),
])
def test_editing_any_row_by_sql_is_named(engine: Engine, column: str, value: str) -> None:
    instance_id = run_some(engine)
    execute(engine, f"UPDATE audit_events SET {column} = :v WHERE stream = :s AND seq = 5", v=value, s=instance_id)
    report = engine.verify(instance_id)
    assert report.broken is not None and (report.broken.stream, report.broken.seq) == (instance_id, 5)
    assert "changed" in report.broken.reason
    assert not engine.verify().ok, "verifying everything finds it too"


def test_rehashing_one_event_still_breaks_the_next_link(engine: Engine) -> None:
    instance_id = run_some(engine)
    execute(engine, "UPDATE audit_events SET hash = :h WHERE stream = :s AND seq = 3", h="f" * 64, s=instance_id)
    broken = engine.verify(instance_id).broken
    assert broken is not None and broken.seq == 3


def test_deleted_event_is_named(engine: Engine) -> None:
    instance_id = run_some(engine)
    execute(engine, "DELETE FROM audit_events WHERE stream = :s AND seq = 4", s=instance_id)
    broken = engine.verify(instance_id).broken
    assert broken is not None and broken.seq == 5 and "missing" in broken.reason
