"""Issue 14, "Tamper evidence has gaps": every stored value that is edited by SQL is found, on both
databases: the state (refused on load, named by verify), the derived columns and rows, a definition's
files, deleted newest events and whole chains (against a signed checkpoint), and a consistent rewrite."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from engine import Engine, StateTampered, TaskNotFound, TaskNotReady
from engine.checkpoints import new_key, public_pem
from tests.engine.conftest import only, review_round, start_example, submit


def execute(engine: Engine, sql: str, **params: object) -> None:
    with engine.db.write() as session:
        session.execute(text(sql), params)


def scalar(engine: Engine, sql: str, **params: object) -> object:
    with engine.db.read() as session:
        return session.execute(text(sql), params).scalar()


def reviewing(engine: Engine) -> str:
    """An instance waiting for two reviews (open tasks, organisations, participants)."""
    instance_id = start_example(engine)
    submit(engine, instance_id)
    return instance_id


def problems(engine: Engine, instance_id: str | None = None) -> str:
    report = engine.verify(instance_id)
    assert not report.ok
    return "\n".join(report.problems) + (report.broken.reason if report.broken else "")


def test_an_untouched_database_verifies_with_every_check(engine: Engine) -> None:
    instance_id = reviewing(engine)
    review_round(engine, instance_id, approve=True)
    assert engine.verify(instance_id).ok and engine.verify().ok, engine.verify().problems


def test_an_edited_state_is_refused_on_load_and_named_by_verify(engine: Engine) -> None:
    instance_id = reviewing(engine)
    state = str(scalar(engine, "SELECT state FROM instances WHERE id = :i", i=instance_id))
    edited = state.replace('"reviewer":"bob"', '"reviewer":"carol"', 1)
    assert edited != state
    execute(engine, "UPDATE instances SET state = :s WHERE id = :i", s=edited, i=instance_id)
    version = engine.instance(instance_id).version
    task = engine.inbox("carol", instance_id)[0]
    with pytest.raises(StateTampered, match=instance_id):
        engine.complete_task(task.id, "carol", {"approve": True})
    assert engine.instance(instance_id).version == version, "nothing was stored"
    assert "does not match its digest" in problems(engine, instance_id)
    with pytest.raises(StateTampered):
        engine.task(task.id)  # showing the task's form reads the state too


def test_a_state_with_a_matching_digest_still_differs_from_the_chain(engine: Engine) -> None:
    from engine.execution import state_digest

    instance_id = reviewing(engine)
    state = str(scalar(engine, "SELECT state FROM instances WHERE id = :i", i=instance_id))
    edited = state.replace('"reviewer":"bob"', '"reviewer":"carol"', 1)
    execute(engine, "UPDATE instances SET state = :s, state_digest = :d WHERE id = :i", s=edited,
            d=state_digest(edited), i=instance_id)
    assert "not the one the last recorded command left" in problems(engine, instance_id)


@pytest.mark.parametrize("sql, named", [
    ("UPDATE instances SET data = '{\"title\":\"muokattu\"}' WHERE id = :i", "data differs"),
    ("UPDATE instances SET element_states = '{}' WHERE id = :i", "element states differ"),
    ("UPDATE instances SET status = 'completed' WHERE id = :i", "status"),
    ("UPDATE instances SET awaited_messages = '[\"x\"]' WHERE id = :i", "awaited messages"),
    ("UPDATE open_task_organisations SET organisation = 'mallory' WHERE task_id IN "
     "(SELECT id FROM open_tasks WHERE instance_id = :i)", "organisations differ"),
    ("UPDATE open_tasks SET role = 'author' WHERE instance_id = :i", "organisations differ"),
    ("UPDATE open_tasks SET claimed_by = 'mallory' WHERE instance_id = :i", "claimed by 'mallory'"),
    ("DELETE FROM open_task_organisations WHERE task_id IN (SELECT id FROM open_tasks WHERE instance_id = :i)",
     "organisations differ"),
    ("INSERT INTO instance_organisations (instance_id, organisation) VALUES (:i, 'mallory')", "participants"),
    ("DELETE FROM instance_organisations WHERE instance_id = :i AND organisation = 'bob'", "participants"),
    ("UPDATE instances SET version = version - 1 WHERE id = :i", "version"),
    # the inbox's sort keys: a task moved up or down someone's inbox
    ("UPDATE open_tasks SET due_sort = created_at WHERE instance_id = :i", "inbox sort key differs"),
    ("UPDATE open_task_organisations SET due_sort = created_at WHERE instance_id = :i", "inbox row for"),
])
def test_an_edited_derived_column_or_row_is_named(engine: Engine, sql: str, named: str) -> None:
    instance_id = reviewing(engine)
    execute(engine, sql, i=instance_id)
    assert named in problems(engine, instance_id)
    assert named in problems(engine), "verifying everything finds it too"


def test_one_changed_byte_of_a_stored_definition_is_named(engine: Engine) -> None:
    reviewing(engine)
    files = json.loads(str(scalar(engine, "SELECT files FROM process_definitions")))
    name = next(iter(files))
    files[name] = files[name].replace("Valmistele", "Walmistele", 1)
    execute(engine, "UPDATE process_definitions SET files = :f", f=json.dumps(files))
    assert "do not match its SHA-256" in problems(engine)


def test_deleting_the_newest_events_or_a_chain_is_named_in_the_database(engine: Engine) -> None:
    instance_id = reviewing(engine)
    newest = int(str(scalar(engine, "SELECT max(seq) FROM audit_events WHERE stream = :s", s=instance_id)))
    first_review = int(str(scalar(engine, "SELECT min(seq) FROM audit_events WHERE stream = :s AND type = "
                                          "'task_completed'", s=instance_id)))
    execute(engine, "DELETE FROM audit_events WHERE stream = :s AND seq >= :q", s=instance_id, q=first_review)
    assert newest > first_review
    assert "version" in problems(engine, instance_id)
    execute(engine, "DELETE FROM audit_events WHERE stream = :s", s=instance_id)
    assert "audit chain is missing" in problems(engine, instance_id)


def test_a_signed_checkpoint_finds_deleted_tails_deleted_chains_and_rewrites(engine: Engine) -> None:
    key = new_key()
    first, second = reviewing(engine), reviewing(engine)
    checkpoint = engine.checkpoint(key, datetime(2026, 3, 3, tzinfo=UTC))
    assert engine.verify_against(checkpoint, public_pem(key)).ok
    review_round(engine, first, approve=True)  # the database moves on: still consistent with the checkpoint
    assert engine.verify_against(checkpoint, public_pem(key)).ok

    # A consistent rewrite: the second instance's chain replaced by a shorter, re-hashed one passes
    # every check inside the database, but not the checkpoint.
    execute(engine, "DELETE FROM audit_events WHERE stream = :s AND seq > 3", s=second)
    report = engine.verify_against(checkpoint, public_pem(key))
    assert not report.ok and any(second in p and "were deleted" in p for p in report.problems)
    execute(engine, "UPDATE audit_events SET hash = :h WHERE stream = :s AND seq = 3", h="a" * 64, s=second)
    assert any("rewritten" in p or "deleted" in p for p in engine.verify_against(checkpoint).problems)
    execute(engine, "DELETE FROM audit_events WHERE stream = :s", s=second)
    assert any(p.startswith(f"chain {second}: deleted") for p in engine.verify_against(checkpoint).problems)


def test_a_changed_checkpoint_or_another_key_is_refused(engine: Engine) -> None:
    key = new_key()
    reviewing(engine)
    checkpoint = engine.checkpoint(key, datetime(2026, 3, 3, tzinfo=UTC))
    forged = checkpoint.replace(b'"seq": 1', b'"seq": 2', 1)
    assert forged != checkpoint
    assert "signature" in engine.verify_against(forged).problems[0]
    other = engine.verify_against(checkpoint, public_pem(new_key()))
    assert "another key" in other.problems[0]


def test_task_ids_cannot_be_computed_from_the_instance_id(engine: Engine) -> None:
    """The old seed was sha256("<instance>:<command number>"): a tenderer could compute its competitors'
    task ids. Now a secret per instance is mixed in; replay reads it and stays exact."""
    import random
    import uuid

    from engine.determinism import command_seed

    instance_id = reviewing(engine)
    ids = {t.id for reviewer in ("bob", "carol") for t in engine.inbox(reviewer, instance_id)}
    seq = int(str(scalar(engine, "SELECT seq FROM audit_events WHERE stream = :s AND type = 'task_completed'",
                         s=instance_id)))
    import hashlib
    digest = hashlib.sha256(command_seed(None, instance_id, seq).encode()).digest()
    rng = random.Random(int.from_bytes(digest[:16], "big"))
    guessed = {str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(200)}
    assert not ids & guessed
    assert len(str(scalar(engine, "SELECT seed FROM instances WHERE id = :i", i=instance_id))) == 64
    assert engine.replay(instance_id).consistent


def test_a_done_task_is_told_only_to_those_who_could_do_it(engine: Engine) -> None:
    instance_id = reviewing(engine)
    task = only(engine.inbox("bob", instance_id))
    engine.complete_task(task.id, "bob", {"approve": True})
    with pytest.raises(TaskNotReady):
        engine.task(task.id, "bob")
    with pytest.raises(TaskNotFound):
        engine.task(task.id, "carol")  # a competitor learns nothing of whether or when bob answered
    with pytest.raises(TaskNotFound):
        engine.complete_task(task.id, "carol", {"approve": True})
    with pytest.raises(TaskNotReady):
        engine.task(task.id)  # trusted callers (operators, auditors) are told


def test_a_deleted_instance_row_leaves_its_chain_named(engine: Engine) -> None:
    instance_id = reviewing(engine)
    for table in ("open_task_organisations", "open_tasks", "due_timers", "instance_organisations",
                  "instance_participant_roles"):
        key = "task_id IN (SELECT id FROM open_tasks WHERE instance_id = :i)" if table == "open_task_organisations" \
            else "instance_id = :i"
        execute(engine, f"DELETE FROM {table} WHERE {key}", i=instance_id)
    execute(engine, "DELETE FROM instances WHERE id = :i", i=instance_id)
    assert f"chain {instance_id}: no instance of that id" in problems(engine)
