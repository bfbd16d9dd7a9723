"""The y-tunnus check digit, award criteria with weights, and the remedies' rules as plain functions."""

from __future__ import annotations

import pytest

from workflows import award, remedies
from workflows.business_id import business_id, parse_registrations
from workflows.errors import InvalidInput, RuleViolation


@pytest.mark.parametrize("code", ["0112038-9", "112038-9", "2617416-4", "0737546-2"])
def test_valid_business_ids(code: str) -> None:
    assert business_id(code).endswith(code[-1]) and len(business_id(code)) == 9


@pytest.mark.parametrize("code", ["0112038-8", "1234567", "ABC1234-5", "12345678-9", "1234567-2"])
def test_invalid_business_ids_are_refused(code: str) -> None:
    with pytest.raises(InvalidInput):
        business_id(code)


def test_registrations_need_a_name_and_a_unique_business_id() -> None:
    assert parse_registrations("Uusi Oy, 0112038-9\n\n") == [
        {"id": "y-0112038-9", "name": "Uusi Oy", "business_id": "0112038-9"}]
    with pytest.raises(InvalidInput, match="needs a name"):
        parse_registrations(", 0112038-9")
    with pytest.raises(InvalidInput, match="appears twice"):
        parse_registrations("A Oy, 0112038-9\nB Oy, 0112038-9")


def test_award_criteria_weights_must_add_up_to_100() -> None:
    assert award.parse_award_criteria("Laatu: 70 %\nHinta: 30") == [
        {"number": 1, "name": "Laatu", "weight": 70.0}, {"number": 2, "name": "Hinta", "weight": 30.0}]
    with pytest.raises(InvalidInput, match="add up to 90"):
        award.parse_award_criteria("Laatu: 60\nHinta: 30")
    with pytest.raises(InvalidInput, match="Name: weight"):
        award.parse_award_criteria("Laatu 80 % (kyvykkyys), hinta 20 %")


def test_a_fully_tied_first_rank_is_shared_and_refused_as_a_winner() -> None:
    criteria = award.parse_award_criteria("Laatu: 60\nHinta: 40")
    ranking = award.score_tenders([{"organisation": "a", "score_1": 5, "score_2": 5},
                                   {"organisation": "b", "score_1": 5, "score_2": 5}], criteria)
    assert [r["rank"] for r in ranking] == [1, 1] and ranking[0]["tie"]["decided_by"] is None
    with pytest.raises(RuleViolation, match="first rank is shared"):
        award.winner_of(ranking)
    with pytest.raises(RuleViolation, match="no score for criterion 2"):
        award.score_tenders([{"organisation": "a", "score_1": 5}], criteria)


def test_a_decision_served_by_post_counts_as_received_on_the_seventh_day() -> None:
    [served] = remedies.serve_decisions("exclusion", ["acme"], "national", True, "2026-03-02T10:00:00+02:00",
                                        "PP-1")
    assert (served["received_on"], served["appeal_period_ends"]) == ("2026-03-09", "2026-03-23")
    [online] = remedies.serve_decisions("exclusion", ["acme"], "below_national", False,
                                        "2026-03-02T10:00:00+02:00", "PP-1")
    assert online["received_on"] == "2026-03-02" and online["appeal_period_ends"] is None
