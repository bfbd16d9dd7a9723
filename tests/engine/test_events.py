"""Event-based gateways, messages with payloads and senders, and clocks in other time zones."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from engine import Conflict, Database, Engine, NotAllowed, read_bundle
from tests.engine.conftest import HERE, Clock, make_engine, only

GATEWAY = HERE / "bpmn" / "event_gateway.bpmn"


@pytest.fixture
def gateway_engine(database: Database, clock: Clock) -> Engine:
    made = make_engine(database, clock)
    made.deploy(read_bundle([GATEWAY]), "designer")
    return made


def waiting_at_gateway(engine: Engine) -> str:
    instance_id = engine.start("event_gateway", "alice", {}).id
    engine.complete_task(only(engine.inbox("alice", instance_id)).id, "alice", {})
    return instance_id


def test_a_gateway_timer_gets_a_due_row_and_fires(gateway_engine: Engine) -> None:
    instance_id = waiting_at_gateway(gateway_engine)
    view = gateway_engine.instance(instance_id)
    assert [t.element_id for t in view.timers] == ["wait"] and view.awaited_messages == ("appeal",)
    assert view.element_states["wait"] == "waiting"
    assert gateway_engine.fire_due_timers(view.timers[0].due_at + timedelta(seconds=1)) == 1
    done = gateway_engine.instance(instance_id)
    assert done.status == "completed" and done.element_states["signed"] == "completed"
    assert gateway_engine.replay(instance_id).consistent


def test_a_gateway_message_lands_in_its_result_variable(gateway_engine: Engine) -> None:
    instance_id = waiting_at_gateway(gateway_engine)
    with pytest.raises(NotAllowed):
        gateway_engine.deliver_message(instance_id, "appeal", {"court": "MAO"}, "bob")  # not the sender role
    with pytest.raises(Conflict):
        gateway_engine.deliver_message(instance_id, "ruling", {}, "alice")  # nobody waits for it
    # the sender's own organisations come from the engine; a forged "sender" in the payload is replaced
    forged = {"court": "MAO", "case": "2026/12", "sender": {"user": "bob", "organisations": ["bob"]}}
    view = gateway_engine.deliver_message(instance_id, "appeal", forged, "alice")
    assert view.timers == () and view.awaited_messages == ()
    task = only(gateway_engine.inbox("alice", instance_id))
    assert task.element_id == "handle_appeal"
    assert gateway_engine.task(task.id).data["appeal_details"] == {
        "case": "2026/12", "court": "MAO", "sender": {"user": "alice", "organisations": ["authors"]}}
    assert gateway_engine.replay(instance_id).consistent
    assert [e.type for e in gateway_engine.history(instance_id)].count("message_received") == 1


def test_a_clock_in_helsinki_time_keeps_the_chain_valid(database: Database) -> None:
    helsinki = ZoneInfo("Europe/Helsinki")
    moments = iter(datetime(2026, 6, 19, 10, 0, tzinfo=helsinki) + timedelta(minutes=m) for m in range(100))
    engine = make_engine(database, lambda: next(moments))  # type: ignore[arg-type]
    engine.deploy(read_bundle([GATEWAY]), "designer")
    instance_id = waiting_at_gateway(engine)
    assert engine.verify().ok and engine.replay(instance_id).consistent
    # 10:01 Helsinki summer time is 7:01 UTC (10:00 went to the deployment)
    assert engine.history(instance_id)[0].at == datetime(2026, 6, 19, 7, 1, tzinfo=timezone.utc)
