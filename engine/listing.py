"""Lists a page at a time, filtered, sorted and paged by the database on indexed columns.

- Instances (`instances`, `instance_page`): one filter for both; `instance_page` pages with an opaque
  keyset cursor that names the last row of the page (its sort value and id), so the next page is an
  index range scan whatever its depth, and rows started meanwhile neither repeat nor go missing.
- The inbox (`inbox_page`): one page of the tasks an actor may do, with the counts and the filter
  choices, never every visible task in Python.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, bindparam, func, literal, select, tuple_

from engine.errors import EngineError
from engine.inbox_scope import Columns, count_visible, merged, pairs_of
from engine.models import (
    FAR_FUTURE,
    DueTimer,
    Instance,
    InstanceOrganisation,
    OpenTask,
    ProcessDefinition,
    UTCDateTime,
)
from engine.queries import _instance_view
from engine.types import InstanceView, TaskView

if TYPE_CHECKING:
    from engine.storage import Database
    from engine.types import AssignmentResolver

SORTS = {"started_at": Instance.started_at, "updated_at": Instance.updated_at}
PROCUREMENT_CHOICES = 200  # at most this many instances offered as an inbox filter
CHOICES_FROM = 500  # the inbox's filter choices (phases, instances) are those of its first tasks in order


class BadCursor(EngineError):
    """A cursor this listing did not hand out (or one for another sort)."""


@dataclass(frozen=True)
class InstancePage:
    items: list[InstanceView]
    next_cursor: str | None


@dataclass(frozen=True)
class InboxPage:
    """One page of an actor's open tasks. `total`: the tasks that match the filters; `visible`: all the
    actor may do; `instances` ((id, business key), at most PROCUREMENT_CHOICES) and `phases`: the
    choices the filters offer, from the first CHOICES_FROM visible tasks in inbox order."""

    items: list[TaskView]
    number: int
    pages: int
    total: int
    visible: int
    instances: list[tuple[str, str | None]]
    phases: list[str]


def _encode(sort: str, value: datetime, instance_id: str) -> str:
    raw = json.dumps([sort, value.isoformat(), instance_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(sort: str, cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, value, instance_id = json.loads(raw)
        moment = datetime.fromisoformat(value)
    except (ValueError, TypeError, binascii.Error):
        raise BadCursor("the cursor is not one this listing handed out") from None
    if kind != sort or not isinstance(instance_id, str) or moment.tzinfo is None:
        raise BadCursor("the cursor belongs to another sort order")
    return moment, instance_id


def _instance_filters(process_id: str | None, status: str | None, business_key: str | None,
                      organisations: Collection[str] | None) -> list[Any]:
    """The one place instance lists are filtered. With `organisations`, only instances one of them has
    taken part in."""
    filters: list[Any] = []
    if process_id:
        filters.append(Instance.process_id == process_id)
    if status:
        filters.append(Instance.status == status)
    if business_key:
        filters.append(Instance.business_key == business_key)
    if organisations is not None:
        filters.append(Instance.id.in_(select(InstanceOrganisation.instance_id).where(
            InstanceOrganisation.organisation.in_(list(organisations)))))
    return filters


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class _InboxStatements:
    counts_and_choices: Any
    page: Any  # a condition on OpenTask.id


@functools.lru_cache(maxsize=256)
def _inbox_statements(pairs: int, instance: bool, phase: bool, due: str | None, key: bool) -> _InboxStatements:
    """An inbox page's two statements for one shape of request (how many (organisation, role) pairs, which
    filters), with every value a bound parameter: built once per shape, not per request (building them cost
    about 2 ms, a quarter of a page), and compiled once by SQLAlchemy's cache.

    1. The counts and the filters' choices. The choices come from the first CHOICES_FROM tasks in inbox
       order (all of any real inbox): reading every visible task for them would cost the inbox's size again.
       No row: nothing is visible (so nothing matches either).
    2. The page: its ids merged from each half's first offset + size entries (`depth`)."""
    actor = bindparam("actor", type_=String())
    pair_params = [(bindparam(f"organisation_{n}", type_=String()), bindparam(f"role_{n}", type_=String()))
                   for n in range(pairs)]

    def matching(c: Columns) -> list[Any]:
        found: list[Any] = []
        if instance:
            found.append(c.instance_id == bindparam("instance_id", type_=String()))
        if phase:
            found.append(c.phase == bindparam("phase", type_=String()))
        if due == "none":
            found.append(c.due_sort == bindparam("far", type_=UTCDateTime()))
        elif due == "by":
            found.append(c.due_sort <= bindparam("due_by", type_=UTCDateTime()))
        if key:
            found.append(c.instance_id.in_(select(Instance.id).where(
                func.lower(Instance.business_key).like(bindparam("key", type_=String()), escape="\\"))))
        return found
    filtered = instance or phase or due is not None or key
    visible_count = count_visible(actor, pair_params)
    total_count = count_visible(actor, pair_params, matching) if filtered else literal(-1)  # -1: = visible
    first = merged(actor, pair_params, None, first=CHOICES_FROM, with_choices=True)
    chosen = select(first.c.instance_id, first.c.phase).order_by(
        first.c.due_sort, first.c.created_at, first.c.id).limit(CHOICES_FROM).subquery()
    distinct = select(chosen.c.instance_id, chosen.c.phase).distinct().subquery()
    # the business key by primary key per choice (a join would hash the whole instances table)
    business_key = select(Instance.business_key).where(Instance.id == distinct.c.instance_id).scalar_subquery()
    counts_and_choices = select(distinct.c.phase, distinct.c.instance_id, business_key.label("business_key"),
                                visible_count.label("visible"), total_count.label("total"))
    candidates = merged(actor, pair_params, matching, first=bindparam("depth", type_=Integer()))
    ids = select(candidates.c.id).order_by(candidates.c.due_sort, candidates.c.created_at, candidates.c.id).limit(
        bindparam("size", type_=Integer())).offset(bindparam("offset", type_=Integer()))
    return _InboxStatements(counts_and_choices, OpenTask.id.in_(ids))


class Listing:
    db: Database
    resolver: AssignmentResolver

    def _task_views(self, session: Any, filters: Any, with_details: bool, limit: int | None = None,
                    offset: int = 0) -> Any:
        raise NotImplementedError

    def _task_summaries(self, session: Any, condition: Any, params: Mapping[str, Any] | None = None) -> list[TaskView]:
        raise NotImplementedError

    def _participants(self, session: Any, instance_ids: Any) -> Any:
        raise NotImplementedError

    def _participant_roles(self, session: Any, instance_ids: Any) -> Any:
        raise NotImplementedError

    def _views(self, session: Any, rows: Sequence[Any], with_roles: bool) -> list[InstanceView]:
        """(instance, definition version) rows with their open tasks, timers and participants."""
        ids = [r.id for r, _ in rows]
        if not ids:
            return []
        tasks = self._task_views(session, [OpenTask.instance_id.in_(ids)], with_details=False)
        timers = session.execute(select(DueTimer).where(DueTimer.instance_id.in_(ids))
                                 .order_by(DueTimer.due_at)).scalars().all()
        participants = self._participants(session, ids)
        roles = self._participant_roles(session, ids) if with_roles else {}
        return [_instance_view(r, v, [t for t in tasks if t.instance_id == r.id],
                               [t for t in timers if t.instance_id == r.id], participants.get(r.id, ()),
                               roles.get(r.id, ()))
                for r, v in rows]

    def instances(self, process_id: str | None = None, status: str | None = None,
                  limit: int = 100, offset: int = 0,
                  organisations: Collection[str] | None = None) -> list[InstanceView]:
        """Newest first; with `organisations`, only instances one of them has taken part in."""
        with self.db.read() as session:
            query = select(Instance, ProcessDefinition.version).join(
                ProcessDefinition, ProcessDefinition.id == Instance.definition_id).where(
                *_instance_filters(process_id, status, None, organisations))
            rows = session.execute(query.order_by(Instance.started_at.desc()).limit(limit).offset(offset)).all()
            return self._views(session, rows, with_roles=True)

    def instance_page(self, *, sort: str = "started_at", descending: bool = True, cursor: str | None = None,
                      limit: int = 50, process_id: str | None = None, status: str | None = None,
                      business_key: str | None = None,
                      organisations: Collection[str] | None = None) -> InstancePage:
        """With `organisations`, only instances one of them has taken part in."""
        column = SORTS[sort]
        with self.db.read() as session:
            query = select(Instance, ProcessDefinition.version).join(
                ProcessDefinition, ProcessDefinition.id == Instance.definition_id).where(
                *_instance_filters(process_id, status, business_key, organisations))
            if cursor:
                after = tuple_(column, Instance.id)
                value = _decode(sort, cursor)
                query = query.where(after < value if descending else after > value)
            order = (column.desc(), Instance.id.desc()) if descending else (column.asc(), Instance.id.asc())
            rows = session.execute(query.order_by(*order).limit(limit + 1)).all()
            more = len(rows) > limit
            rows = rows[:limit]
            items = self._views(session, rows, with_roles=False)
        last = rows[-1][0] if rows and more else None
        next_cursor = _encode(sort, getattr(last, sort), last.id) if last is not None else None
        return InstancePage(items, next_cursor)

    def inbox_page(self, actor: str, *, page: int = 1, size: int = 20, instance_id: str | None = None,
                   phase: str | None = None, due_by: datetime | None = None, without_due: bool = False,
                   business_key_contains: str | None = None) -> InboxPage:
        """One page of the open tasks `actor` may do, in the inbox's order (due first, then oldest), with
        the counts and filter choices. Filters: one instance, one phase, due at or before `due_by`, no due
        date, a business key containing a text. A page past the end is the last page.

        Each (organisation, role) of the actor and their claimed tasks is read in order from its index up
        to the page's end and the halves merged, so a page costs its depth, not the inbox's size."""
        pairs = pairs_of(self.resolver.memberships(actor))
        size = max(1, size)
        due = "none" if without_due else "by" if due_by is not None else None
        shape = _inbox_statements(len(pairs), bool(instance_id), bool(phase), due, bool(business_key_contains))
        params: dict[str, Any] = {"actor": actor, "instance_id": instance_id, "phase": phase, "due_by": due_by,
                                  "far": FAR_FUTURE, "key": _like(business_key_contains or "")}
        for n, (organisation, role) in enumerate(pairs):
            params[f"organisation_{n}"], params[f"role_{n}"] = organisation, role
        with self.db.read() as session:
            rows = session.execute(shape.counts_and_choices, params).all()
            visible, total = (int(rows[0].visible), int(rows[0].total)) if rows else (0, 0)
            total = visible if total < 0 else total
            pages = max(1, math.ceil(total / size))
            number = min(max(1, page), pages)
            offset = (number - 1) * size
            items: list[TaskView] = []
            if total:
                items = self._task_summaries(session, shape.page, {
                    **params, "depth": offset + size, "size": size, "offset": offset})
        phases = sorted({str(r.phase) for r in rows if r.phase is not None})
        instances = sorted({(r.instance_id, r.business_key) for r in rows},
                           key=lambda p: (p[1] or "", p[0]))[:PROCUREMENT_CHOICES]
        return InboxPage(items, number, pages, total, visible, instances, phases)
