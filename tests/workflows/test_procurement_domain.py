"""The domain's rules as plain functions: selection, reduction, ranking, unanimity, gain/pain share."""

from __future__ import annotations

import json

import pytest

from workflows import alliance, procedure
from workflows.directory import Directory, demo_directory
from workflows.errors import InvalidInput, RuleViolation
from workflows.helpers import HELPERS, helpers_for


def test_organisation_ids_from_text() -> None:
    assert procedure.parse_organisations("Kajaani, sotkamo;kuhmo\nkajaani") == ["kajaani", "sotkamo", "kuhmo"]
    assert procedure.parse_organisations(["a", "b"]) == ["a", "b"]
    with pytest.raises(InvalidInput):
        procedure.parse_organisations("kajaani, <script>")


def test_selection_invites_at_least_three_when_three_are_suitable() -> None:
    ok = procedure.check_selection("a, b, c, d", "a, b, c", "a, b, c")
    assert ok["fewer_than_minimum"] is False and ok["excluded"] == ["d"]
    two = procedure.check_selection("a, b, c", "a, b", "a, b")
    assert two["fewer_than_minimum"] is True
    with pytest.raises(RuleViolation, match="at least 3"):
        procedure.check_selection("a, b, c", "a, b, c", "a, b")
    with pytest.raises(RuleViolation, match="did not apply"):
        procedure.check_selection("a", "a, x", "a")
    with pytest.raises(RuleViolation, match="Only suitable"):
        procedure.check_selection("a, b", "a", "a, b")


def test_the_published_terms_are_locked() -> None:
    terms = procedure.lock_terms("Vaatimus", "Laatu 80 %, hinta 20 %", True)
    assert procedure.verify_terms(terms)
    with pytest.raises(RuleViolation, match="changed"):
        procedure.verify_terms({**terms, "award_criteria": "Hinta 100 %"})
    with pytest.raises(RuleViolation):
        procedure.lock_terms(" ", "x", False)


def test_reduction_needs_staged_reduction_and_reasons() -> None:
    assessments = [{"organisation": "a", "continues": True}, {"organisation": "b", "continues": False,
                                                              "assessment_reasoning": "Heikoin laatu"}]
    out = procedure.apply_reduction(["a", "b"], assessments, True, 1, "2026-04-03T09:00:00+00:00")
    assert out == {"remaining": ["a"], "dropped": [{"organisation": "b", "round": 1, "reason": "Heikoin laatu",
                                                    "at": "2026-04-03T09:00:00+00:00"}]}
    with pytest.raises(RuleViolation, match="staged"):
        procedure.apply_reduction(["a", "b"], assessments, False, 1)
    with pytest.raises(RuleViolation, match="Not every tenderer"):
        procedure.apply_reduction(["b"], assessments[1:], True, 1)


def test_ranking_by_total_points() -> None:
    ranking = procedure.rank_tenders([{"organisation": "a", "quality_points": 60, "price_points": 20},
                                      {"organisation": "b", "quality_points": 70, "price_points": 15}])
    assert [(r["organisation"], r["rank"], r["total"]) for r in ranking] == [("b", 1, 85.0), ("a", 2, 80.0)]


def test_joining_and_unanimity() -> None:
    decisions = [{"organisation": "kajaani", "joins": True}, {"organisation": "sotkamo", "joins": False}]
    assert alliance.joining_orderers("kainuu", decisions) == ["kainuu", "kajaani"]
    assert alliance.declined(decisions) == ["sotkamo"]
    assert alliance.unanimous([{"go": True}, {"go": True}], "go")
    assert not alliance.unanimous([{"go": True}, {"go": False}], "go")
    assert not alliance.unanimous([], "go")
    go = alliance.strategy_decision(True, True, True, True, [{"organisation": "kainuu", "go": True}])
    assert go == {"go": True, "reasons": []}
    with pytest.raises(RuleViolation):
        alliance.mandate_requests(["kainuu", "kajaani"], "sotkamo")
    assert alliance.mandate_requests(["kainuu", "kajaani"], "kajaani") == [{"organisation": "kainuu"}]


def test_gain_and_pain_are_shared_50_50_and_the_producers_loss_is_capped_at_its_fee() -> None:
    shares = {"kainuu": 60.0, "kajaani": 40.0}
    gain = alliance.period_settlement(1, 1_000_000, 900_000, 5, 50, 20_000, shares)
    assert (gain["difference"], gain["producer_share"], gain["orderers_share"]) == (100_000, 50_000, 50_000)
    assert gain["fee"] == 45_000 and gain["result_bonus"] == 10_000
    assert gain["producer_payment"] == 900_000 + 45_000 + 50_000 + 10_000
    assert gain["per_orderer"] == {"kainuu": 603_000.0, "kajaani": 402_000.0}
    pain = alliance.period_settlement(2, 1_000_000, 1_400_000, 5, 0, 20_000, shares)
    assert pain["outcome"] == "pain" and pain["producer_share_capped"] is True
    assert pain["producer_share"] == -70_000                      # half of -400 000 capped at the 70 000 fee
    assert pain["orderers_share"] == -330_000
    assert pain["producer_payment"] == 1_400_000                  # costs reimbursed, the fee lost
    assert sum(pain["per_orderer"].values()) == pain["producer_payment"]


def test_cost_shares_cover_the_orderers_and_add_up_to_100() -> None:
    assert alliance.parse_cost_shares("kainuu: 40, kajaani: 60 %", ["kainuu", "kajaani"]) == {
        "kainuu": 40.0, "kajaani": 60.0}
    with pytest.raises(RuleViolation, match="100"):
        alliance.parse_cost_shares("kainuu: 40, kajaani: 50", ["kainuu", "kajaani"])
    with pytest.raises(RuleViolation):
        alliance.parse_cost_shares("kainuu: 100", ["kainuu", "kajaani"])
    with pytest.raises(InvalidInput):
        alliance.parse_cost_shares("kainuu puolet", ["kainuu"])


def test_an_orderers_exit_spreads_its_share_over_the_rest() -> None:
    out = alliance.record_orderer_exit({"organisation": "kajaani", "reason": "x"}, ["kainuu", "kajaani", "sotkamo"],
                                       "kainuu", {"kainuu": 50, "kajaani": 30, "sotkamo": 20})
    assert out["remaining_orderers"] == ["kainuu", "sotkamo"]
    assert out["shares"] == {"kainuu": 71.4286, "sotkamo": 28.5714}
    assert out["alliance_can_continue"] is True
    region = alliance.record_orderer_exit({"organisation": "kainuu"}, ["kainuu", "kajaani"], "kainuu", {})
    assert region["alliance_can_continue"] is False


def test_helpers_take_and_return_plain_json() -> None:
    assert json.loads(json.dumps(HELPERS["serve_decision"]("2026-06-05", False, True)))
    assert HELPERS["finnish_date"]("2026-06-04T22:30:00+00:00") == "2026-06-05"
    assert HELPERS["statutory_deadline"]("2026-06-05", 14) == "2026-06-22"
    assert HELPERS["period_closes_at"]("2026-06-22") == "2026-06-23T00:00:00+03:00"
    assert HELPERS["procurement_thresholds"]("services", False, "2026-02-01") == {
        "eu": 216000, "national": 60000, "eu_effective_from": "2026-01-01", "national_effective_from": "2017-01-01"}
    assert HELPERS["check_start"]("Otsikko", "kainuu", "kajaani, sotkamo", 100000, "services") == [
        "kajaani", "sotkamo"]
    with pytest.raises(RuleViolation, match="2026-06-23"):
        HELPERS["sign_contract"]("2026-06-22T12:00:00+03:00", {"contract_may_be_signed_from": "2026-06-23"}, "x")
    with pytest.raises(RuleViolation, match="urgency"):
        HELPERS["check_period"]("participation", "2026-01-15", "2026-01-30", True, False, True, " ")


def test_every_error_message_has_one_finnish_and_one_english_half() -> None:
    for call in (lambda: procedure.require_text("", "Perustelu / The justification"),
                 lambda: procedure.check_selection("a, b, c", "a, b, c", "a"),
                 lambda: HELPERS["check_period"]("participation", "2026-01-15", "2026-02-01", True),
                 lambda: HELPERS["require_organisations"](["nobody"]),
                 lambda: HELPERS["check_future_deadline"]("2026-01-01", "2026-02-01")):
        with pytest.raises((RuleViolation, InvalidInput)) as error:
            call()
        assert str(error.value).count(" / ") == 1, str(error.value)


def test_require_organisations_checks_the_directory() -> None:
    require = helpers_for(demo_directory())["require_organisations"]
    assert require(["kajaani", "sotkamo"], "municipality") == ["kajaani", "sotkamo"]
    with pytest.raises(InvalidInput, match="not of kind producer"):
        require(["kajaani"], "producer")
    empty = helpers_for(Directory([], []))["require_organisations"]
    with pytest.raises(InvalidInput, match="unknown"):
        empty(["kajaani"])
