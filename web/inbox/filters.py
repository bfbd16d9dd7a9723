"""Inbox filters and pagination: pure functions over the engine's task views."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from engine import TaskView
from web.i18n import N_, days_left

T = TypeVar("T")

DUE_CHOICES = (
    ("", N_("Any time")),
    ("overdue", N_("Overdue")),
    ("week", N_("Within 7 days")),
    ("month", N_("Within 30 days")),
    ("none", N_("No deadline")),
)


@dataclass(frozen=True)
class Filters:
    procurement: str = ""
    phase: str = ""
    due: str = ""
    query: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        due = args.get("due", "")
        return cls(procurement=args.get("procurement", "")[:64], phase=args.get("phase", "")[:100],
                   due=due if due in {key for key, _ in DUE_CHOICES} else "", query=args.get("q", "").strip()[:200])

    def as_args(self) -> dict[str, Any]:
        values = {"procurement": self.procurement, "phase": self.phase, "due": self.due, "q": self.query}
        return {k: v for k, v in values.items() if v}

    @property
    def active(self) -> bool:
        return bool(self.as_args())


def _due_matches(task: TaskView, due: str, now: datetime) -> bool:
    if not due:
        return True
    if due == "none":
        return task.due_at is None
    if task.due_at is None:
        return False
    days = days_left(task.due_at, now)
    if due == "overdue":
        return days < 0
    return days <= (7 if due == "week" else 30)


def apply_filters(tasks: Sequence[TaskView], filters: Filters, now: datetime) -> list[TaskView]:
    query = filters.query.casefold()
    return [t for t in tasks
            if (not filters.procurement or t.instance_id == filters.procurement)
            and (not filters.phase or t.phase == filters.phase)
            and _due_matches(t, filters.due, now)
            and (not query or query in (t.business_key or "").casefold())]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(items: Sequence[T], number: str | int, size: int) -> Page[T]:
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1
    pages = max(1, math.ceil(len(items) / size))
    current = min(max(1, wanted), pages)
    start = (current - 1) * size
    return Page(items[start:start + size], current, pages, len(items))
