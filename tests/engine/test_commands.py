"""Commands through the engine: who may act, what is checked, and that errors store nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from engine import (
    Conflict,
    Engine,
    FormInvalid,
    InstanceNotFound,
    NotAllowed,
    ScriptFailed,
    SourceFile,
    StaleInstance,
    TaskNotFound,
    TaskNotReady,
)
from tests.engine.conftest import EXAMPLE, only, review_round, revise, start_example, submit
from workflows.forms import validate_form


def stored(engine: Engine, instance_id: str) -> tuple[str, int, int]:
    """The instance's stored bytes, version and number of audit events."""
    with engine.db.read() as session:
        state, version = session.execute(text("SELECT state, version FROM instances WHERE id = :i"),
                                         {"i": instance_id}).one()
    return state, version, len(engine.history(instance_id))


def test_a_whole_run_with_inboxes_deadlines_and_timer(engine: Engine) -> None:
    instance_id = start_example(engine, key="EX-1")
    assert engine.inbox_page("bob").items == []
    assert [t.name for t in engine.inbox_page("alice").items] == ["Jätä ehdotus"]
    assert engine.inbox_page("adam").items[0].organisations == ("authors",), "colleagues in the organisation see it too"
    submit(engine, instance_id)
    bob_task = only(engine.inbox_page("bob").items)
    assert (bob_task.role, bob_task.organisations, bob_task.phase) == ("reviewer", ("bob",), "review")
    assert bob_task.properties["name_en"] == "Review the proposal", "inbox rows carry the task's properties"
    assert bob_task.due_at is not None and bob_task.due_at.date().isoformat() == "2026-04-01"
    detail = engine.task(bob_task.id)
    assert [f.id for f in detail.form] == ["approve", "comment"]
    assert detail.properties["name_en"] == "Review the proposal"
    review_round(engine, instance_id, approve=False)
    revise(engine, instance_id)
    review_round(engine, instance_id, approve=True)
    view = engine.instance(instance_id)
    assert view.open_tasks == () and [t.element_id for t in view.timers] == ["cooldown"]
    assert view.element_states["cooldown"] == "waiting" and view.element_states["revise"] == "completed"
    assert view.data["rounds"] == 2 and view.data["title"] == "Korjattu"
    assert engine.fire_due_timers(view.timers[0].due_at.replace(microsecond=0)) == 0, "not due yet"
    assert engine.fire_due_timers(view.timers[0].due_at.replace(year=2027)) == 1
    done = engine.instance(instance_id)
    assert done.status == "completed" and done.timers == ()
    types = [e.type for e in engine.history(instance_id)]
    assert types[0] == "instance_started" and types.count("task_completed") == 6
    assert "timers_fired" in types and types[-1] == "element_completed"


def test_wrong_user_cannot_complete_and_nothing_changes(engine: Engine) -> None:
    instance_id = start_example(engine)
    submit(engine, instance_id)
    bob_task = only(engine.inbox_page("bob").items)
    before = stored(engine, instance_id)
    with pytest.raises(NotAllowed):
        engine.complete_task(bob_task.id, "carol", {"approve": True})
    with pytest.raises(NotAllowed):
        engine.complete_task(bob_task.id, "mallory", {"approve": True})
    assert stored(engine, instance_id) == before


def test_bad_form_value_is_refused_per_field_and_nothing_stored(engine: Engine) -> None:
    instance_id = start_example(engine)
    task = only(engine.inbox_page("alice").items)
    before = stored(engine, instance_id)
    with pytest.raises(FormInvalid) as caught:
        engine.complete_task(task.id, "alice", {"title": "", "amount": "2000000", "deadline": "huomenna"})
    assert set(caught.value.errors) == {"title", "amount", "deadline"}
    assert stored(engine, instance_id) == before


def test_completing_twice_is_a_conflict_and_forged_ids_are_not_found(engine: Engine) -> None:
    instance_id = start_example(engine)
    task = only(engine.inbox_page("alice").items)
    submit(engine, instance_id)
    with pytest.raises(TaskNotReady):
        engine.complete_task(task.id, "alice", {"title": "again", "amount": 1, "deadline": "2026-04-01"})
    with pytest.raises(TaskNotFound):
        engine.complete_task("00000000-0000-4000-8000-000000000000", "alice", {})
    with pytest.raises(InstanceNotFound):
        engine.instance("forged")
    with pytest.raises(InstanceNotFound):
        engine.cancel("forged", "alice", "no reason")


def test_stale_version_is_refused(engine: Engine) -> None:
    instance_id = start_example(engine)
    version = engine.instance(instance_id).version
    submit(engine, instance_id)
    task = only(engine.inbox_page("bob").items)
    with pytest.raises(StaleInstance):
        engine.complete_task(task.id, "bob", {"approve": True}, expected_version=version)


def test_claim_release_delegate(engine: Engine) -> None:
    instance_id = start_example(engine)
    task = only(engine.inbox_page("alice").items)
    engine.claim(task.id, "alice")
    assert engine.inbox_page("adam").items == [], "a claimed task leaves the colleagues' inbox"
    with pytest.raises(NotAllowed):
        engine.complete_task(task.id, "adam", {"title": "x", "amount": 1, "deadline": "2026-04-01"})
    with pytest.raises(NotAllowed):
        engine.release(task.id, "adam")
    engine.release(task.id, "alice")
    assert only(engine.inbox_page("adam").items).claimed_by is None
    engine.delegate(task.id, "alice", "adam")
    assert only(engine.inbox_page("adam").items).claimed_by == "adam" and engine.inbox_page("alice").items == []
    with pytest.raises(NotAllowed):
        engine.delegate(task.id, "adam", "bob")
    types = [e.type for e in engine.history(instance_id)]
    assert types[-3:] == ["task_claimed", "task_released", "task_delegated"]


def test_cancel_ends_the_instance(engine: Engine) -> None:
    instance_id = start_example(engine)
    engine.cancel(instance_id, "alice", "withdrawn")
    view = engine.instance(instance_id)
    assert view.status == "cancelled" and view.open_tasks == () and engine.inbox_page("alice").items == []
    with pytest.raises(Conflict):
        engine.cancel(instance_id, "alice", "again")


def test_business_key_is_unique(engine: Engine) -> None:
    start_example(engine, key="EX-9")
    with pytest.raises(Conflict):
        start_example(engine, key="EX-9")


def test_only_allowed_users_start(engine: Engine) -> None:
    with pytest.raises(NotAllowed):
        engine.start("example_review", "bob", {"reviewers": ["bob"]})


def test_error_inside_a_script_leaves_the_instance_exactly_as_before(engine: Engine) -> None:
    failing = EXAMPLE.read_text(encoding="utf-8").replace(
        'reviews = [{"reviewer": name} for name in reviewers]',
        'reviews = [{"reviewer": name} for name in reviewers]\nratio = amount / 0', 1)
    engine.deploy([SourceFile("example_review.bpmn", failing.encode())], "designer")
    instance_id = start_example(engine)
    task = only(engine.inbox_page("alice").items)
    before = stored(engine, instance_id)
    with pytest.raises(ScriptFailed) as caught:
        engine.complete_task(task.id, "alice", {"title": "x", "amount": 1, "deadline": "2026-04-01"})
    assert "prepare" in str(caught.value) and "division by zero" in str(caught.value)
    assert caught.value.element_id == "prepare" and caught.value.reason == "division by zero"
    assert stored(engine, instance_id) == before
    assert only(engine.inbox_page("alice").items).id == task.id, "the task is still open and can be retried"
    assert engine.verify(instance_id).ok


def test_a_date_only_due_date_ends_where_the_users_are(database, clock) -> None:  # type: ignore[no-untyped-def]
    from engine import Engine, read_bundle
    from tests.engine.conftest import ExampleResolver

    helsinki = Engine(database, ExampleResolver(), form_validator=validate_form, clock=clock,
                      local_timezone="Europe/Helsinki")
    helsinki.deploy(read_bundle([EXAMPLE]), "designer")
    instance_id = start_example(helsinki)
    submit(helsinki, instance_id)  # deadline 2026-04-01
    due = only(helsinki.inbox_page("bob").items).due_at
    assert due is not None and due.isoformat() == "2026-04-01T20:59:59+00:00"  # 23:59:59 EEST


def test_a_task_done_already_is_a_conflict_when_opened(engine: Engine) -> None:
    instance_id = start_example(engine)
    task = only(engine.inbox_page("alice").items)
    submit(engine, instance_id)
    with pytest.raises(TaskNotReady):
        engine.task(task.id)
    with pytest.raises(TaskNotFound):
        engine.task("no-such-task")


def test_participants_are_remembered_and_listed(engine: Engine) -> None:
    mine = start_example(engine, reviewers=("bob",))
    other = start_example(engine, reviewers=("carol",))
    submit(engine, mine)
    assert engine.instance(mine).participants == ("authors", "bob")
    review_round(engine, mine, approve=True, reviewers=("bob",))
    assert engine.instance(mine).participants == ("authors", "bob"), "a past participant stays one"
    assert [i.id for i in engine.instances(organisations=["bob"])] == [mine]
    assert {i.id for i in engine.instances(organisations=["authors"])} == {mine, other}
    assert engine.instances(organisations=["nobody"]) == []


def test_a_script_that_leaves_non_json_data_fails_and_changes_nothing(engine: Engine) -> None:
    with_nan = EXAMPLE.read_text(encoding="utf-8").replace("rounds = 1", "rounds = 1\nratio = float(\"nan\")", 1)
    engine.deploy([SourceFile("example_review.bpmn", with_nan.encode())], "designer")
    instance_id = start_example(engine)
    task = only(engine.inbox_page("alice").items)
    before = stored(engine, instance_id)
    with pytest.raises(ScriptFailed, match="plain JSON"):
        engine.complete_task(task.id, "alice", {"title": "x", "amount": 1, "deadline": "2026-04-01"})
    assert stored(engine, instance_id) == before
