"""Which open tasks an actor may do, as SQL: the one definition the inbox and its pages share.

A task is the actor's when they claimed it, or when it is unclaimed and assigned to one of their
(organisation, role) pairs. Each half is read in inbox order from its own index (open_tasks'
(claimed_by, due_sort, created_at, id); the assignment rows' (organisation, role, due_sort, created_at,
task_id) where unclaimed) and the halves are a UNION, never an OR, which would defeat both indexes. The
assignment rows carry the task's instance, phase, claim and sort columns
(engine.models.OpenTaskOrganisation), so no half joins the tasks table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, union, union_all

from engine.models import OpenTask, OpenTaskOrganisation
from engine.types import Membership, TaskView


@dataclass(frozen=True)
class Columns:
    """The columns a filter is written on, in either half."""

    task_id: Any
    instance_id: Any
    phase: Any
    due_sort: Any
    created_at: Any


CLAIMED = Columns(OpenTask.id, OpenTask.instance_id, OpenTask.phase, OpenTask.due_sort, OpenTask.created_at)
ASSIGNED = Columns(OpenTaskOrganisation.task_id, OpenTaskOrganisation.instance_id, OpenTaskOrganisation.phase,
                   OpenTaskOrganisation.due_sort, OpenTaskOrganisation.created_at)
Filters = Callable[[Columns], list[Any]]


Pairs = Sequence[tuple[Any, Any]]  # (organisation, role): values, or bound parameters of a cached statement


def pairs_of(memberships: Sequence[Membership]) -> list[tuple[str, str]]:
    """The actor's distinct (organisation, role) pairs, in order."""
    return list(dict.fromkeys((m.organisation, m.role) for m in memberships))


def halves(actor: Any, pairs: Pairs, filters: Filters | None = None, first: Any = None,
           with_choices: bool = False) -> list[Any]:
    """SELECTs of (id, due_sort, created_at) of the actor's tasks matching `filters`: one for the tasks they
    claimed, one per distinct (organisation, role) pair of theirs. With `first`, each gives only its first
    rows in the inbox's order (an index range read in order); `with_choices` adds (instance_id, phase)."""
    def half(columns: Columns, condition: Any) -> Any:
        shown = [columns.task_id.label("id"), columns.due_sort.label("due_sort"),
                 columns.created_at.label("created_at")]
        if with_choices:
            shown += [columns.instance_id.label("instance_id"), columns.phase.label("phase")]
        query = select(*shown).where(condition, *(filters(columns) if filters else []))
        if first is not None:
            query = query.order_by(columns.due_sort, columns.created_at, columns.task_id).limit(first)
        return select(*query.subquery().c)  # SQLite takes ORDER BY/LIMIT inside a UNION only in a subquery

    found = [half(CLAIMED, OpenTask.claimed_by == actor)]
    for organisation, role in pairs:
        found.append(half(ASSIGNED, and_(OpenTaskOrganisation.organisation == organisation,
                                         OpenTaskOrganisation.role == role,
                                         OpenTaskOrganisation.claimed_by.is_(None))))
    return found


def merged(actor: Any, pairs: Pairs, filters: Filters | None = None, first: Any = None,
           with_choices: bool = False) -> Any:
    """The halves as one subquery, each task once. With one (organisation, role) the halves cannot share a
    task (a claimed one is in no pair's), so they are appended (UNION ALL: no de-duplicating pass)."""
    parts = halves(actor, pairs, filters, first, with_choices)
    return (union_all if len(parts) <= 2 else union)(*parts).subquery()


def count_visible(actor: Any, pairs: Pairs, filters: Filters | None = None) -> Any:
    """A scalar subquery: how many open tasks `actor` may do match `filters` (each task once)."""
    if len(pairs) <= 1:
        # the halves cannot share a task (a claimed one is in no pair's): add their index-only counts
        counts = [select(func.count()).select_from(h.subquery()).scalar_subquery()
                  for h in halves(actor, pairs, filters)]
        return sum(counts[1:], counts[0])
    return select(func.count()).select_from(union(*halves(actor, pairs, filters)).subquery()).scalar_subquery()


def in_inbox(task: TaskView, actor: str, memberships: Sequence[Membership]) -> bool:
    """The same rule for a task in hand (e.g. from a command's returned view): claimed by the actor, or
    unclaimed and assigned to one of their (organisation, role) pairs."""
    if task.claimed_by is not None:
        return task.claimed_by == actor
    pairs = set(pairs_of(memberships))
    return any((organisation, task.role) in pairs for organisation in task.organisations)


def visible_task_ids(actor: str, memberships: Sequence[Membership], filters: Filters | None = None) -> Any:
    """A subquery (id, due_sort, created_at) of the open tasks `actor` may do, each once."""
    return union(*halves(actor, pairs_of(memberships), filters)).subquery()


def assigned_condition(memberships: Sequence[Membership]) -> Any:
    """Assignment rows of unclaimed tasks for one of these (organisation, role) pairs."""
    pairs = pairs_of(memberships)
    if not pairs:
        return OpenTaskOrganisation.task_id.is_(None)  # matches nothing
    return and_(OpenTaskOrganisation.claimed_by.is_(None), or_(*(
        and_(OpenTaskOrganisation.organisation == o, OpenTaskOrganisation.role == r) for o, r in pairs)))
