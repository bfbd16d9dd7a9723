"""Inbox filters (turned into the engine's SQL filters) and pagination of in-memory lists."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Any, Generic, TypeVar

from web.i18n import N_, local_date, zone

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


def due_bounds(due: str, now: datetime) -> tuple[datetime | None, bool]:
    """The due filter as (due at or before this moment, without a due date) for the engine's SQL.

    A deadline's last day is the local day of `due_at` one microsecond earlier (a period that closes at
    midnight here ends the day before: web.i18n.deadline_date), so "at most N days left" is
    "due_at ≤ the start of the local day N + 1 days from today"; overdue is N = -1."""
    if due == "none":
        return None, True
    days = {"overdue": -1, "week": 7, "month": 30}.get(due)
    if days is None:
        return None, False
    start = datetime.combine(local_date(now) + timedelta(days=days + 1), time(0), zone())
    return start.astimezone(timezone.utc), False


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
