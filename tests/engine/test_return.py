"""Mistakes recoverable (issue 11): a step completed by mistake is returned to — later steps undone, the
task open again with its id — and the instance then completes; the return is audited with its reason and
replay reproduces it exactly. Cancelling needs a reason's holder's role when one is named."""

from __future__ import annotations

import pytest

from engine import Conflict, Engine, NotAllowed
from tests.engine.conftest import only, review_round, start_example, submit


def test_return_to_a_step_done_by_mistake_then_complete(engine: Engine) -> None:
    instance = start_example(engine)
    submit(engine, instance, title="Väärä otsikko")
    [done] = engine.completed_steps(instance)
    assert done.element_id == "submit" and done.data["title"] == "Väärä otsikko"
    assert {t.element_id for t in engine.instance(instance).open_tasks} == {"review"}

    with pytest.raises(NotAllowed):
        engine.return_to(instance, done.id, "bob", "väärä", role="author")  # a reviewer may not
    with pytest.raises(NotAllowed):
        engine.return_to(instance, done.id, "alice", "  ")  # a reason is required
    engine.return_to(instance, done.id, "alice", "Otsikko oli väärä", role="author")
    view = engine.instance(instance)
    assert [t.element_id for t in view.open_tasks] == ["submit"] and view.open_tasks[0].id == done.id
    assert engine.inbox("bob", instance) == []  # the later step is undone
    with pytest.raises(Conflict):
        engine.return_to(instance, "not-a-task", "alice", "x")

    submit(engine, instance, title="Oikea otsikko")
    review_round(engine, instance, approve=True)
    [cooldown] = engine.instance(instance).timers
    assert engine.fire_due_timers(cooldown.due_at.replace(year=2027)) == 1
    final = engine.instance(instance)
    assert final.status == "completed" and final.data["title"] == "Oikea otsikko"
    [reset] = [e for e in engine.history(instance) if e.type == "instance_reset"]
    assert reset.payload["reason"] == "Otsikko oli väärä" and reset.payload["element_id"] == "submit"
    report = engine.replay(instance)
    assert report.consistent, (report.error, report.first_difference)
    assert "reset" in [s.command for s in report.steps]


def test_cancel_with_a_role_and_a_reason(engine: Engine) -> None:
    instance = start_example(engine)
    with pytest.raises(NotAllowed):
        engine.cancel(instance, "bob", "ei", role="author")
    engine.cancel(instance, "alice", "Hankinta keskeytetään: tarve poistui", role="author")
    assert engine.instance(instance).status == "cancelled"
    assert only([e for e in engine.history(instance) if e.type == "instance_cancelled"]).payload["reason"] \
        == "Hankinta keskeytetään: tarve poistui"
    assert engine.replay(instance).consistent
