"""The Finnish deadline calendar (Act on Calculating Statutory Time Limits 150/1930).

A time limit of N days runs from an event: the day of the event is not counted, so the last
day is the event day + N. When the last day falls on a Saturday, a Sunday, a public holiday,
Independence Day, May Day, Christmas Eve or Midsummer Eve, the limit moves to the next working
day. Public holidays come from the maintained `holidays` library (Finland); the days the Act
names are also computed here, so the rule does not depend on how the library classifies them.
Which days count as non-working is data (`time_limit_calculation` in rules.json).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from workflows.rules import ProcurementRules, as_date, default_rules

HELSINKI = ZoneInfo("Europe/Helsinki")

_REASONS = {
    "saturday": ("lauantai", "Saturday"),
    "sunday": ("sunnuntai", "Sunday"),
    "independence_day": ("itsenäisyyspäivä", "Independence Day"),
    "may_day": ("vapunpäivä", "May Day"),
    "christmas_eve": ("jouluaatto", "Christmas Eve"),
    "midsummer_eve": ("juhannusaatto", "Midsummer Eve"),
}


def midsummer_eve(year: int) -> date:
    """The Friday between 19 and 25 June."""
    d = date(year, 6, 19)
    return d + timedelta(days=(4 - d.weekday()) % 7)


def _named_day(d: date) -> str | None:
    if d.month == 12 and d.day == 6:
        return "independence_day"
    if d.month == 5 and d.day == 1:
        return "may_day"
    if d.month == 12 and d.day == 24:
        return "christmas_eve"
    if d == midsummer_eve(d.year):
        return "midsummer_eve"
    return None


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> dict[date, str]:
    fi = holidays.country_holidays("FI", years=year, language="fi")
    return {d: str(name) for d, name in fi.items()}


class DeadlineCalendar:
    """Counts statutory time limits; `rules` decides which days are non-working on a date."""

    def __init__(self, rules: ProcurementRules | None = None) -> None:
        self.rules = rules or default_rules()

    def non_working_reason(self, day: date | str) -> str | None:
        """Why `day` is not a working day ("lauantai / Saturday", a holiday's name), or None."""
        d = as_date(day)
        kinds = self.rules.calculation(d).non_working_days
        if d.weekday() == 5 and "saturday" in kinds:
            return " / ".join(_REASONS["saturday"])
        if d.weekday() == 6 and "sunday" in kinds:
            return " / ".join(_REASONS["sunday"])
        named = _named_day(d)
        if named and named in kinds:
            return " / ".join(_REASONS[named])
        if "public_holiday" in kinds:
            name = _public_holidays(d.year).get(d)
            if name:
                return name
        return None

    def is_working_day(self, day: date | str) -> bool:
        return self.non_working_reason(day) is None

    def next_working_day(self, day: date | str) -> date:
        """`day` itself when it is a working day, otherwise the first working day after it."""
        d = as_date(day)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def last_day(self, event: date | str, days: int, *, moves_to_working_day: bool = True) -> date:
        """The last day of a time limit of `days` days from `event`, as the Act counts it."""
        start = as_date(event)
        counted = 1 if self.rules.calculation(start).event_day_counted else 0
        end = start + timedelta(days=days - counted)
        return self.next_working_day(end) if moves_to_working_day else end

    def closes_at(self, day: date | str) -> datetime:
        """The moment a time limit whose last day is `day` has run out: the following midnight
        in Finnish time (an aware datetime)."""
        d = as_date(day) + timedelta(days=1)
        return datetime.combine(d, time(0, 0), tzinfo=HELSINKI)

    def opens_on(self, day: date | str) -> date:
        """The first day after a period whose last day is `day` (e.g. the first day the contract
        may be signed after the standstill)."""
        return as_date(day) + timedelta(days=1)


@lru_cache(maxsize=1)
def default_calendar() -> DeadlineCalendar:
    return DeadlineCalendar()
