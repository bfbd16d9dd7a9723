"""Instances a page at a time, filtered and sorted in SQL, with an opaque keyset cursor.

A cursor names the last row of the page (its sort value and id), so the next page is an index
range scan whatever its depth, and rows started meanwhile neither repeat nor go missing.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, tuple_

from engine.errors import EngineError
from engine.models import DueTimer, Instance, InstanceOrganisation, OpenTask, ProcessDefinition
from engine.queries import _instance_view
from engine.types import InstanceView

if TYPE_CHECKING:
    from engine.storage import Database

SORTS = {"started_at": Instance.started_at, "updated_at": Instance.updated_at}


class BadCursor(EngineError):
    """A cursor this listing did not hand out (or one for another sort)."""


@dataclass(frozen=True)
class InstancePage:
    items: list[InstanceView]
    next_cursor: str | None


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


class Listing:
    db: Database

    def _task_views(self, session: Any, filters: Any, with_details: bool) -> Any:
        raise NotImplementedError

    def _participants(self, session: Any, instance_ids: Any) -> Any:
        raise NotImplementedError

    def instance_page(self, *, sort: str = "started_at", descending: bool = True, cursor: str | None = None,
                      limit: int = 50, process_id: str | None = None, status: str | None = None,
                      business_key: str | None = None,
                      organisations: Collection[str] | None = None) -> InstancePage:
        """With `organisations`, only instances one of them has taken part in."""
        column = SORTS[sort]
        with self.db.read() as session:
            query = select(Instance, ProcessDefinition.version).join(
                ProcessDefinition, ProcessDefinition.id == Instance.definition_id)
            if process_id:
                query = query.where(Instance.process_id == process_id)
            if status:
                query = query.where(Instance.status == status)
            if business_key:
                query = query.where(Instance.business_key == business_key)
            if organisations is not None:
                query = query.where(Instance.id.in_(select(InstanceOrganisation.instance_id).where(
                    InstanceOrganisation.organisation.in_(list(organisations)))))
            if cursor:
                after = tuple_(column, Instance.id)
                value = _decode(sort, cursor)
                query = query.where(after < value if descending else after > value)
            order = (column.desc(), Instance.id.desc()) if descending else (column.asc(), Instance.id.asc())
            rows = session.execute(query.order_by(*order).limit(limit + 1)).all()
            more = len(rows) > limit
            rows = rows[:limit]
            ids = [r.id for r, _ in rows]
            tasks = self._task_views(session, [OpenTask.instance_id.in_(ids)], with_details=False) if ids else []
            timers = session.execute(select(DueTimer).where(DueTimer.instance_id.in_(ids))
                                     .order_by(DueTimer.due_at)).scalars().all() if ids else []
            participants = self._participants(session, ids) if ids else {}
            items = [_instance_view(r, v, [t for t in tasks if t.instance_id == r.id],
                                    [t for t in timers if t.instance_id == r.id], participants.get(r.id, ()))
                     for r, v in rows]
        last = rows[-1][0] if rows and more else None
        next_cursor = _encode(sort, getattr(last, sort), last.id) if last is not None else None
        return InstancePage(items, next_cursor)
