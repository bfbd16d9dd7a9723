"""Procurement time limits: the statutory minimum periods and the dates that follow from serving
a procurement decision, counted with the Finnish deadline calendar."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from workflows.calendar import DeadlineCalendar, default_calendar
from workflows.errors import InvalidInput, PeriodTooShort
from workflows.rules import as_date


def minimum_last_day(kind: str, sent_on: date | str, *, electronic: bool = False, urgent: bool = False,
                     calendar: DeadlineCalendar | None = None) -> date:
    """The earliest allowed last day of a `kind` period that starts when something is sent."""
    cal = calendar or default_calendar()
    start = as_date(sent_on)
    period = cal.rules.period(kind, start)
    days = period.minimum_days(electronic=electronic, urgent=urgent)
    return cal.last_day(start, days, moves_to_working_day=period.moves_to_working_day)


def check_period(kind: str, sent_on: date | str, last_day: date | str, *, minimum_applies: bool,
                 electronic: bool = False, urgent: bool = False,
                 calendar: DeadlineCalendar | None = None) -> dict[str, Any]:
    """Check a period the procurement unit set (from `sent_on` to `last_day`, inclusive).

    Refuses (PeriodTooShort) a last day before the statutory minimum when minimum periods apply
    (EU-level standard regime); otherwise the period must merely end after it starts. Returns
    the period as JSON, with `closes_at`, the moment the period has run out (a timer fires then).
    """
    cal = calendar or default_calendar()
    start, end = as_date(sent_on, "lähetyspäivä / sent on"), as_date(last_day, "määräaika / deadline")
    period = cal.rules.period(kind, start)
    if end <= start:
        raise PeriodTooShort(
            f"{period.label}: määräajan {end} on oltava lähetyspäivän {start} jälkeen. / "
            f"{period.label_en}: the deadline {end} must be after the day it was sent, {start}.")
    days = period.minimum_days(electronic=electronic, urgent=urgent)
    earliest = cal.last_day(start, days, moves_to_working_day=period.moves_to_working_day)
    if minimum_applies and end < earliest:
        raise PeriodTooShort(
            f"{period.label} on liian lyhyt: vähintään {days} päivää lähettämisestä {start}, eli "
            f"aikaisintaan {earliest} (laki 150/1930); annettu {end}. / "
            f"{period.label_en}: the period is too short: at least {days} days from {start}, i.e. "
            f"{earliest} at the earliest (Act 150/1930); got {end}.")
    return {
        "kind": kind,
        "sent_on": start.isoformat(),
        "last_day": end.isoformat(),
        "minimum_days": days if minimum_applies else None,
        "earliest_last_day": earliest.isoformat() if minimum_applies else None,
        "closes_at": cal.closes_at(end).isoformat(),
    }


def decision_service(served_on: date | str, *, by_post: bool, standstill_applies: bool,
                     calendar: DeadlineCalendar | None = None) -> dict[str, Any]:
    """The dates that follow from serving a procurement decision.

    Served electronically, the decision counts as received the day it was made available; by
    post, on the 7th day after sending. The standstill (if it applies), the correction request
    period and the Market Court appeal period each run 14 days from receipt.
    """
    cal = calendar or default_calendar()
    served = as_date(served_on, "tiedoksiantopäivä / served on")
    if by_post:
        postal = cal.rules.period("postal_receipt", served)
        received = cal.last_day(served, postal.days, moves_to_working_day=postal.moves_to_working_day)
    else:
        received = served
    standstill = cal.rules.period("standstill", received)
    correction = cal.rules.period("correction_request", received)
    appeal = cal.rules.period("appeal", received)
    appeal_ends = cal.last_day(received, appeal.days)
    result: dict[str, Any] = {
        "served_on": served.isoformat(),
        "served_by_post": by_post,
        "received_on": received.isoformat(),
        "correction_period_ends": cal.last_day(received, correction.days).isoformat(),
        "appeal_period_ends": appeal_ends.isoformat(),
        "standstill_applies": standstill_applies,
    }
    if standstill_applies:
        ends = cal.last_day(received, standstill.days)
        result.update(standstill_ends=ends.isoformat(), standstill_ends_at=cal.closes_at(ends).isoformat(),
                      contract_may_be_signed_from=cal.opens_on(ends).isoformat())
    else:
        result.update(standstill_ends=None, standstill_ends_at=None,
                      contract_may_be_signed_from=received.isoformat())
    return result


def award_notice_due(signed_on: date | str, calendar: DeadlineCalendar | None = None) -> date:
    """Last day to send the contract award notice: 30 days from signing."""
    cal = calendar or default_calendar()
    signed = as_date(signed_on, "allekirjoituspäivä / signed on")
    period = cal.rules.period("award_notice", signed)
    return cal.last_day(signed, period.days, moves_to_working_day=period.moves_to_working_day)


def days_between(first: date | str, second: date | str) -> int:
    return (as_date(second) - as_date(first)) // timedelta(days=1)


def require_after(day: date | str, reference: date | str, what: str, what_en: str) -> date:
    d, ref = as_date(day, f"{what} / {what_en}"), as_date(reference, f"{what} / {what_en}")
    if d <= ref:
        raise InvalidInput(f"{what}: {d} on oltava {ref} jälkeen. / {what_en}: {d} must be after {ref}.")
    return d
