"""The hash chain: editing, deleting or reordering any stored event is detected and named."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text, update

from engine import Engine
from engine.audit import ChainWriter, verify_chain
from engine.models import AuditRecord
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


def test_a_changed_time_is_named(engine: Engine) -> None:
    """The time is hashed as the driver spells the stored instant: moving it by a microsecond breaks the link."""
    instance_id = run_some(engine)
    at = next(e.at for e in engine.history(instance_id) if e.seq == 4)
    with engine.db.write() as session:
        session.execute(update(AuditRecord).where(AuditRecord.stream == instance_id, AuditRecord.seq == 4)
                        .values(at=at + timedelta(microseconds=1)))
    broken = engine.verify(instance_id).broken
    assert broken is not None and broken.seq == 4 and "changed" in broken.reason


def test_times_with_and_without_fractions_verify_in_any_session_time_zone(engine: Engine) -> None:
    """verify_chain spells `at` in SQL (PostgreSQL: in UTC whatever the session's zone), not through a datetime."""
    moments = [datetime(2026, 3, 29, 0, 59, 59, tzinfo=timezone.utc),  # whole seconds, the night clocks move
               datetime(2026, 3, 29, 1, 0, 0, 123456, tzinfo=timezone.utc),
               datetime(2026, 3, 29, 1, 0, 1, 5, tzinfo=timezone(timedelta(hours=3)))]
    with engine.db.write() as session:
        writer = ChainWriter(session, "times", head=(None, None), bulk=True)
        for n, moment in enumerate(moments):
            writer.append("noted", moment, "alice", None if n % 2 else "t" * 36, {"n": n, "text": "ä\"\\"})
        writer.write()
    with engine.db.read() as session:
        if not engine.db.is_sqlite:
            session.execute(text("SET LOCAL TIME ZONE 'Europe/Helsinki'"))
        report = verify_chain(session, "times")
    assert report.ok and report.events == 3 and report.heads["times"] == writer.head
    assert [e.at for e in engine.history("times")] == moments
