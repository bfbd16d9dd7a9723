"""The Finnish deadline calendar (Act 150/1930) and the procurement periods."""

from __future__ import annotations

from datetime import date

import pytest

from workflows.calendar import DeadlineCalendar, midsummer_eve
from workflows.deadlines import award_notice_due, check_period, decision_service, minimum_last_day
from workflows.errors import InvalidInput, PeriodTooShort
from workflows.rules import ProcurementRules

cal = DeadlineCalendar()


@pytest.mark.parametrize(("day", "reason"), [
    ("2026-06-19", "Midsummer Eve"), ("2026-12-24", "Christmas Eve"), ("2026-12-06", "Sunday"),
    ("2027-12-06", "Independence Day"), ("2026-05-01", "May Day"), ("2026-04-03", "pitkäperjantai"),
    ("2026-04-06", "toinen pääsiäispäivä"), ("2026-05-14", "helatorstai"), ("2026-01-06", "loppiainen"),
    ("2026-02-14", "Saturday"), ("2026-10-31", "Saturday"), ("2026-12-25", "joulupäivä"),
])
def test_non_working_days(day: str, reason: str) -> None:
    assert reason.lower() in (cal.non_working_reason(day) or "").lower()
    assert not cal.is_working_day(day)


@pytest.mark.parametrize("day", ["2026-06-18", "2026-06-22", "2026-12-23", "2026-12-28", "2026-04-30",
                                 "2026-02-05"])      # Runeberg's Day is a flag day, not a holiday
def test_working_days(day: str) -> None:
    assert cal.is_working_day(day)


def test_midsummer_eve_is_the_friday_between_19_and_25_june() -> None:
    assert [midsummer_eve(y).isoformat() for y in (2025, 2026, 2027, 2028)] == [
        "2025-06-20", "2026-06-19", "2027-06-25", "2028-06-23"]


def test_the_event_day_is_not_counted_and_a_holiday_moves_the_last_day() -> None:
    assert cal.last_day("2026-03-02", 14) == date(2026, 3, 16)
    assert cal.last_day("2026-06-05", 14) == date(2026, 6, 22)       # Midsummer Eve -> Monday
    assert cal.last_day("2026-12-10", 14) == date(2026, 12, 28)      # Christmas Eve, Christmas, Boxing Day, Sunday
    assert cal.last_day("2026-04-17", 14) == date(2026, 5, 4)        # May Day (Fri), weekend
    assert cal.last_day("2026-06-05", 14, moves_to_working_day=False) == date(2026, 6, 19)


def test_a_period_closes_at_midnight_finnish_time() -> None:
    assert cal.closes_at("2026-06-22").isoformat() == "2026-06-23T00:00:00+03:00"
    assert cal.closes_at("2026-02-16").isoformat() == "2026-02-17T00:00:00+02:00"


def test_minimum_periods() -> None:
    assert minimum_last_day("participation", "2026-01-15") == date(2026, 2, 16)
    assert minimum_last_day("participation", "2026-01-15", urgent=True) == date(2026, 1, 30)
    assert minimum_last_day("initial_tenders", "2026-02-20") == date(2026, 3, 23)
    assert minimum_last_day("initial_tenders", "2026-02-20", electronic=True) == date(2026, 3, 17)
    assert minimum_last_day("initial_tenders", "2026-02-20", electronic=True, urgent=True) == date(2026, 3, 2)


def test_a_too_short_period_is_refused_with_the_earliest_allowed_day() -> None:
    with pytest.raises(PeriodTooShort) as refused:
        check_period("participation", "2026-01-15", "2026-02-13", minimum_applies=True)
    message = str(refused.value)
    fi, en = message.split(" / ")
    assert "2026-02-16" in fi and "2026-02-16" in en and "too short" in en
    ok = check_period("participation", "2026-01-15", "2026-02-16", minimum_applies=True)
    assert ok == {"kind": "participation", "sent_on": "2026-01-15", "last_day": "2026-02-16", "minimum_days": 30,
                  "earliest_last_day": "2026-02-16", "closes_at": "2026-02-17T00:00:00+02:00"}
    # without a statutory minimum the period only has to end after it starts
    assert check_period("participation", "2026-01-15", "2026-01-16", minimum_applies=False)["minimum_days"] is None
    with pytest.raises(PeriodTooShort):
        check_period("participation", "2026-01-15", "2026-01-15", minimum_applies=False)
    with pytest.raises(InvalidInput):
        check_period("participation", "15.1.2026", "2026-02-16", minimum_applies=True)


def test_a_standstill_ending_on_midsummer_eve_moves_to_the_next_working_day() -> None:
    served = decision_service("2026-06-05", by_post=False, standstill_applies=True)
    assert served["received_on"] == "2026-06-05"
    assert served["standstill_ends"] == "2026-06-22"
    assert served["standstill_ends_at"] == "2026-06-23T00:00:00+03:00"
    assert served["contract_may_be_signed_from"] == "2026-06-23"
    assert served["appeal_period_ends"] == served["correction_period_ends"] == "2026-06-22"


def test_a_decision_sent_by_post_counts_as_received_on_the_seventh_day() -> None:
    served = decision_service("2026-06-12", by_post=True, standstill_applies=True)
    assert served["received_on"] == "2026-06-19"      # the receipt presumption itself does not move
    assert served["standstill_ends"] == "2026-07-03"


def test_no_standstill_at_national_level() -> None:
    served = decision_service("2026-06-05", by_post=False, standstill_applies=False)
    assert served["standstill_ends"] is None and served["contract_may_be_signed_from"] == "2026-06-05"


def test_award_notice_within_30_days_of_signing() -> None:
    assert award_notice_due("2026-06-23") == date(2026, 7, 23)
    assert award_notice_due("2026-10-01") == date(2026, 11, 2)          # 31.10. All Saints' Day, Saturday


def test_rules_are_chosen_by_effective_date() -> None:
    doc = ProcurementRules.load()._doc
    amended = {**doc, "periods": doc["periods"] + [{
        **doc["periods"][0], "effective_from": "2027-01-01",
        "periods": {**doc["periods"][0]["periods"], "participation": {
            "days": 35, "label": "Osallistumisaika", "label_en": "Participation"}}}]}
    rules = ProcurementRules(amended)
    amended_cal = DeadlineCalendar(rules)
    assert minimum_last_day("participation", "2026-12-01", calendar=amended_cal) == date(2026, 12, 31)
    assert minimum_last_day("participation", "2027-01-04", calendar=amended_cal) == date(2027, 2, 8)
    assert rules.thresholds("services", "2025-12-31").eu == 221000
    assert rules.thresholds("services", "2026-01-01").eu == 216000
    assert rules.thresholds("services", "2026-01-01", central_government=True).eu == 140000
    assert rules.thresholds("social_health", "2026-01-01").national == 400000
    with pytest.raises(InvalidInput):
        rules.thresholds("goods", "2026-01-01")
    with pytest.raises(InvalidInput):
        ProcurementRules({**doc, "periods": list(reversed(amended["periods"]))})
