"""Engine.inbox_page on both databases: the tasks an actor claimed and those of their organisations'
roles merged in one order (due first, then oldest) page by page, with the counts, the filters and their
choices, in two statements whatever the inbox's size."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event

from engine import Engine, Membership
from tests.engine.conftest import ExampleResolver, only, start_example

DEADLINES = ["2026-04-05", "2026-04-01", "2026-04-04", "2026-04-02", "2026-04-03"]


def _reviews(engine: Engine) -> list[str]:
    """Five procurements, each with a review for bob due on its deadline; the proposal of a sixth for alice."""
    started = []
    for n, deadline in enumerate(DEADLINES):
        instance_id = start_example(engine, reviewers=("bob",), key=f"EX-{n}")
        task = only(engine.inbox("alice", instance_id))
        engine.complete_task(task.id, "alice", {"title": "t", "amount": "1", "deadline": deadline})
        started.append(instance_id)
    start_example(engine, key="EX-9")
    return started


def test_claimed_and_unclaimed_tasks_merge_in_due_order_page_by_page(engine: Engine) -> None:
    ids = _reviews(engine)
    for claimed in (ids[1], ids[4]):  # claimed tasks come from their own half (open_tasks' index)
        engine.claim(only(engine.inbox("bob", claimed)).id, "bob")
    pages = [engine.inbox_page("bob", page=n, size=2) for n in (1, 2, 3)]
    assert [t.instance_id for p in pages for t in p.items] == [ids[1], ids[3], ids[4], ids[2], ids[0]]
    assert [t.due_at.date().isoformat() for p in pages for t in p.items if t.due_at] == sorted(DEADLINES)
    assert [t.claimed_by for t in pages[0].items] == ["bob", None]
    assert [(p.number, p.pages, p.total, p.visible) for p in pages] == [(1, 3, 5, 5), (2, 3, 5, 5), (3, 3, 5, 5)]
    assert all(t.organisations == ("bob",) and t.business_key for p in pages for t in p.items)
    assert engine.inbox_page("bob", page=9, size=2).number == 3, "a page past the end is the last page"


def test_counts_filters_and_choices(engine: Engine) -> None:
    ids = _reviews(engine)
    engine.claim(only(engine.inbox("bob", ids[2])).id, "bob")
    everything = engine.inbox_page("bob", size=20)
    assert (everything.total, everything.visible, everything.phases) == (5, 5, ["review"])
    assert [key for _, key in everything.instances] == [f"EX-{n}" for n in range(5)]
    one = engine.inbox_page("bob", instance_id=ids[2])
    assert [t.instance_id for t in one.items] == [ids[2]] and (one.total, one.visible) == (1, 5)
    assert engine.inbox_page("bob", business_key_contains="ex-3").total == 1
    due = engine.inbox_page("bob", due_by=datetime(2026, 4, 2, 23, 59, 59, tzinfo=UTC))  # the end of 2 April
    assert sorted(t.instance_id for t in due.items) == sorted([ids[1], ids[3]])
    assert engine.inbox_page("bob", without_due=True).total == 0
    assert engine.inbox_page("alice", without_due=True).total == 1, "the proposal has no due date"
    nothing = engine.inbox_page("bob", phase="proposal")
    assert (nothing.items, nothing.total, nothing.visible, nothing.pages) == ([], 0, 5, 1)
    empty = engine.inbox_page("nobody")
    assert (empty.items, empty.total, empty.visible, empty.instances, empty.phases) == ([], 0, 0, [], [])


def test_a_page_is_two_statements(engine: Engine) -> None:
    _reviews(engine)
    statements: list[str] = []
    reader = engine.db._reader

    def count(*args: object) -> None:
        statements.append(str(args[2]))
    event.listen(reader, "before_cursor_execute", count)
    try:
        engine.inbox_page("bob", page=2, size=2, phase="review")
    finally:
        event.remove(reader, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2, statements


def test_several_roles_of_one_actor_merge_without_repeating_a_task(engine: Engine) -> None:
    """Two (organisation, role) pairs: the halves are a UNION (a task could be in two), counted once."""
    ids = _reviews(engine)

    class TwoHats(ExampleResolver):
        def memberships(self, actor: str) -> list[Membership]:
            if actor == "boss":  # both an author and bob's reviewer, and the author pair twice
                return [Membership("authors", "author"), Membership("bob", "reviewer"),
                        Membership("authors", "author")]
            return super().memberships(actor)
    engine.resolver = TwoHats()
    engine.claim(only(engine.inbox("bob", ids[0])).id, "bob")  # claimed by bob: leaves the boss's inbox
    pages = [engine.inbox_page("boss", page=n, size=2) for n in (1, 2, 3)]
    seen = [t.id for p in pages for t in p.items]
    assert len(seen) == len(set(seen)) == 5 and [p.total for p in pages] == [5, 5, 5]
    assert {t.element_id for p in pages for t in p.items} == {"review", "submit"}
    assert pages[0].phases == ["proposal", "review"] and len(pages[0].instances) == 5
    assert engine.inbox_page("boss", phase="review").total == 4
