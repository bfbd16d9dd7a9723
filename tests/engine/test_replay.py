"""Replay re-applies the command log to the pinned definition and reproduces the stored state exactly."""

from __future__ import annotations

from sqlalchemy import text

from engine import Engine, SourceFile
from tests.engine.conftest import EXAMPLE, review_round, revise, start_example, submit


def stored_state(engine: Engine, instance_id: str) -> str:
    with engine.db.read() as session:
        return session.execute(text("SELECT state FROM instances WHERE id = :i"), {"i": instance_id}).scalar_one()


def test_replay_reproduces_loop_multi_instance_gateway_and_timer(engine: Engine) -> None:
    instance_id = start_example(engine)
    submit(engine, instance_id)
    captured = {}  # state as it really was after each command, captured while the test ran
    for round_ in range(3):
        review_round(engine, instance_id, approve=round_ == 2)
        if round_ < 2:
            revise(engine, instance_id, title=f"Kierros {round_}")
        captured[engine.history(instance_id)[-1].seq] = engine.instance(instance_id)
    due = engine.instance(instance_id).timers[0].due_at
    engine.fire_due_timers(due.replace(year=due.year + 1))
    assert engine.instance(instance_id).status == "completed"

    report = engine.replay(instance_id)
    assert report.consistent, report
    assert [s.command for s in report.steps] == ["start"] + ["complete"] * 9 + ["fire_timers"]
    assert all(s.stored_digest == s.replayed_digest for s in report.steps)

    for seq, then in captured.items():
        replayed = engine.state_at(instance_id, seq)
        assert replayed.data == dict(then.data)
        assert replayed.element_states == dict(then.element_states)
        assert sorted(t["id"] for t in replayed.open_tasks) == sorted(t.id for t in then.open_tasks)


def test_replay_uses_the_pinned_version_after_a_new_deployment(engine: Engine) -> None:
    instance_id = start_example(engine)
    submit(engine, instance_id)
    newer = EXAMPLE.read_text(encoding="utf-8").replace("rounds = 1", "rounds = 100", 1)
    engine.deploy([SourceFile("example_review.bpmn", newer.encode())], "designer")
    assert engine.replay(instance_id).consistent
    assert engine.instance(instance_id).data["rounds"] == 1


def test_replay_reports_the_first_step_that_differs(engine: Engine) -> None:
    instance_id = start_example(engine)
    submit(engine, instance_id)
    review_round(engine, instance_id, approve=False)
    with engine.db.write() as session:  # forge a different answer into a stored command
        seq = session.execute(text("SELECT seq FROM audit_events WHERE stream = :s AND type = 'task_completed' "
                                   "ORDER BY seq LIMIT 1 OFFSET 1"), {"s": instance_id}).scalar_one()
        payload = session.execute(text("SELECT payload FROM audit_events WHERE stream = :s AND seq = :q"),
                                  {"s": instance_id, "q": seq}).scalar_one()
        session.execute(text("UPDATE audit_events SET payload = :p WHERE stream = :s AND seq = :q"),
                        {"p": payload.replace('"approve":false', '"approve":true'), "s": instance_id, "q": seq})
    report = engine.replay(instance_id)
    assert not report.consistent
    assert report.first_difference is not None and report.first_difference.seq == seq
    assert engine.verify(instance_id).broken is not None
