"""Time in the demo (issue 11: moving time with `fire-timers --now` made audit times run backwards and
advanced the other demo procurement too): a demonstration's clock moves forward per instance, its timers
fire on it, its audit times stay in order, and no other instance moves. Outside demo mode it does not exist."""

from __future__ import annotations

import pytest

from engine import Engine, NotAllowed
from tests.engine.conftest import review_round, start_example, submit


def _waiting_on_cooldown(engine: Engine) -> str:
    instance = start_example(engine)
    submit(engine, instance)
    review_round(engine, instance, approve=True)
    assert [t.element_id for t in engine.instance(instance).timers] == ["cooldown"]
    return instance


def test_the_demo_clock_moves_one_instance_only(engine: Engine) -> None:
    first, second = _waiting_on_cooldown(engine), _waiting_on_cooldown(engine)
    with pytest.raises(NotAllowed):
        engine.advance_clock(first, "alice")  # not a demonstration
    engine.demo_clock = True
    due = engine.instance(first).timers[0].due_at
    moved = engine.advance_clock(first, "alice")
    assert moved > due and engine.instance(first).status == "completed"
    assert engine.instance(second).status == "running" and engine.instance(second).timers  # not advanced
    assert engine.fire_due_timers() == 0  # the worker does not fire the other one on the first one's clock
    assert engine.clock_of(first) > due > engine.clock_of(second)

    times = [e.at for e in engine.history(first)]
    assert times == sorted(times), "audit times of the moved instance stay in order"
    assert engine.replay(first).consistent
