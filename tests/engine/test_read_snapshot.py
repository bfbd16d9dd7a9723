"""Issue 14, "PostgreSQL read skew turns a 409 into a 404": a task and its organisations are read in one
snapshot, even when a completion commits between the two statements that read them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from engine import Engine
from tests.engine.conftest import only, start_example, submit


def test_a_task_and_its_organisations_come_from_one_snapshot(engine: Engine) -> None:
    instance_id = start_example(engine, reviewers=("bob",))
    submit(engine, instance_id)
    task = only(engine.inbox("bob", instance_id))
    reader = engine.db._reader
    fired: list[bool] = []

    def complete_meanwhile(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not fired and statement.lstrip().upper().startswith("SELECT") and "open_task_organisations" in statement:
            fired.append(True)  # another request completes the task after the task row was read
            engine.complete_task(task.id, "bob", {"approve": True})

    event.listen(reader, "before_cursor_execute", complete_meanwhile)
    try:
        seen = engine.task(task.id)
    finally:
        event.remove(reader, "before_cursor_execute", complete_meanwhile)
    assert fired, "the completion ran between the two reads"
    assert seen.organisations == ("bob",), "the organisations are those of the task as it was read"
    assert engine.inbox("bob", instance_id) == [], "and the completion did commit"


def test_a_task_with_its_form_and_data_is_read_in_two_statements(engine: Engine) -> None:
    """The task with its instance's state and definition in one statement, its organisations in the other
    (a task page and every web completion read it first)."""
    instance_id = start_example(engine)
    task_id = only(engine.inbox("alice", instance_id)).id
    engine.task(task_id)                                    # the definition parsed once in this process
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))
    event.listen(engine.db._reader, "before_cursor_execute", count)
    try:
        task = engine.task(task_id)
    finally:
        event.remove(engine.db._reader, "before_cursor_execute", count)
    assert task.form and task.data is not None
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2, statements
