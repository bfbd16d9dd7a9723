"""The domain's rules as plain functions: selection, reduction, ranking, unanimity, gain/pain share."""

from __future__ import annotations

import json

import pytest

from workflows import alliance, joint_decision, open_books, procedure
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


def _items(party: str, amount: float) -> list[dict[str, object]]:
    return open_books.parse_cost_items(f"palvelut; {amount}; T-1", party)


KPIS = [{"indicator": "työllistyneet", "target": 100.0, "weight": 100.0}]


def test_gain_and_pain_are_shared_50_50_and_the_producers_loss_is_capped_at_its_fee() -> None:
    shares = {"kainuu": 60.0, "kajaani": 40.0}
    gain = open_books.settle(1, 1_000_000, 20_000, _items("p", 900_000), KPIS, {"työllistyneet": 50}, 5, shares, "p",
                             "2027-01-01", "2027-12-31")
    assert (gain["difference"], gain["producer_share"], gain["orderers_share"]) == (100_000, 50_000, 50_000)
    assert gain["fee"] == 45_000 and gain["result_score"] == 50 and gain["result_bonus"] == 10_000
    assert gain["producer_payment"] == 900_000 + 45_000 + 50_000 + 10_000
    assert gain["per_orderer"] == {"kainuu": 603_000.0, "kajaani": 402_000.0}
    pain = open_books.settle(2, 1_000_000, 20_000, _items("p", 1_400_000), KPIS, {"työllistyneet": 0}, 5, shares,
                             "p", "2027-01-01", "2027-12-31")
    assert pain["outcome"] == "pain" and pain["producer_share_capped"] is True
    assert pain["producer_share"] == -70_000                      # half of -400 000 capped at the 70 000 fee
    assert pain["orderers_share"] == -330_000
    assert pain["producer_payment"] == 1_400_000                  # costs reimbursed, the fee lost
    assert sum(pain["per_orderer"].values()) == pain["producer_payment"]


def test_the_settlement_equals_a_hand_computed_example_with_own_production_and_an_early_close() -> None:
    """Target 730 000 € for 2027 (365 days), closed by an exit on 31.3. (90 days): target
    730 000 × 90/365 = 180 000 €, bonus pool 36 500 × 90/365 = 9 000 €. Producer items 120 000 €,
    kajaani's own production 40 000 €: actual 160 000 €, gain 20 000 €, producer's half 10 000 €;
    fee 10 % of 120 000 = 12 000 €; score 70 × min(45/50, 1) + 30 × min(12/10, 1) = 93 %, bonus
    8 370 €; payment 120 000 + 12 000 + 10 000 + 8 370 = 150 370 €, 60/40 = 90 222 / 60 148 €."""
    kpis = open_books.parse_kpis("työllistyneet; 50; 70\nyritykset; 10; 30")
    values = open_books.parse_kpi_values("yritykset; 12\ntyöllistyneet; 45", kpis)
    items = open_books.collect_cost_items([
        {"organisation": "p", "cost_items": "henkilöstö; 100 000; KP-1\nmatkat; 20000,00; KP-2"},
        {"organisation": "kajaani", "own_production": True, "cost_items": "oma henkilöstö; 40000; OMA-1"}])
    result = open_books.settle(3, 730_000, 36_500, items, kpis, values, 10, {"kainuu": 60.0, "kajaani": 40.0}, "p",
                               "2027-01-01", "2027-12-31", closed_on="2027-03-31")
    assert (result["share_of_period"], result["target_cost"], result["bonus_pool"]) == (round(90 / 365, 6),
                                                                                        180000.0, 9000.0)
    assert (result["actual_cost"], result["producer_cost"], result["own_production"]) == (
        160000.0, 120000.0, {"kajaani": 40000.0})
    assert (result["fee"], result["difference"], result["producer_share"]) == (12000.0, 20000.0, 10000.0)
    assert (result["result_score"], result["result_bonus"], result["producer_payment"]) == (93.0, 8370.0, 150370.0)
    assert result["per_orderer"] == {"kainuu": 90222.0, "kajaani": 60148.0}
    assert result["per_orderer_total"] == {"kainuu": 90222.0, "kajaani": 100148.0}


def test_open_book_lines_are_checked() -> None:
    with pytest.raises(InvalidInput, match="evidence"):
        open_books.parse_cost_items("palvelut; 100", "p")
    with pytest.raises(InvalidInput, match="not a number"):
        open_books.parse_cost_items("palvelut; sata; T-1", "p")
    with pytest.raises(RuleViolation, match="100"):
        open_books.parse_kpis("a; 10; 50\nb; 10; 40")
    with pytest.raises(InvalidInput, match="puuttuu: b"):
        open_books.parse_kpi_values("a; 3", open_books.parse_kpis("a; 10; 50\nb; 10; 50"))
    assert open_books.parse_appropriations("2027; 600 000\n2028; 610000") == {"2027": 600000.0, "2028": 610000.0}
    with pytest.raises(RuleViolation, match=r"kajaani \(400000\.00 € > 300000\.00 €\).*2027"):
        open_books.check_budget(1_000_000, {"kainuu": 60.0, "kajaani": 40.0}, "2027-03-01",
                                {"kainuu": {"2027": 600_000}, "kajaani": {"2027": 500_000}},
                                {"kajaani": {"2027": 200_000}})


def test_a_joint_decision_passes_only_when_every_party_approves() -> None:
    proposal = joint_decision.propose("target", {"target_cost": 1}, ["kainuu", "kajaani", "p"])
    approve = [{"organisation": o, "position": "approve", "reasons": "ok"} for o in ("kainuu", "kajaani", "p")]
    assert joint_decision.decide_jointly(proposal, approve)["passed"] is True
    one_no = [*approve[:2], {"organisation": "p", "position": "reject", "reasons": "liian pieni"}]
    failed = joint_decision.decide_jointly(proposal, one_no)
    assert failed["passed"] is False and failed["rejections"] == [{"organisation": "p", "reasons": "liian pieni"}]
    assert joint_decision.record_agreement({}, failed) == {}
    assert joint_decision.propose("target", {}, ["kainuu"], previous=failed)["round"] == 2
    with pytest.raises(RuleViolation):                               # a party's position is missing
        joint_decision.decide_jointly(proposal, approve[:2])
    with pytest.raises(RuleViolation):
        joint_decision.agreement({}, "target")


def test_an_exit_is_bound_to_the_senders_own_organisation() -> None:
    notice = {"reason": "x", "sender": {"user": "kajaani.orderer", "organisations": ["kajaani"]}}
    out = alliance.record_orderer_exit(notice, ["kainuu", "kajaani", "sotkamo"], "p",
                                       {"kainuu": 50, "kajaani": 30, "sotkamo": 20}, "implementation", "2027-05-01")
    assert out["organisation"] == "kajaani" and out["remaining_orderers"] == ["kainuu", "sotkamo"]
    assert out["proposed_shares"] == {"kainuu": 71.4286, "sotkamo": 28.5714}       # a proposal only
    assert out["alliance_can_continue"] is True
    with pytest.raises(RuleViolation, match="kajaani.orderer.*'sotkamo'"):
        alliance.record_orderer_exit({**notice, "organisation": "sotkamo"}, ["kainuu", "kajaani", "sotkamo"], "p",
                                     {}, "implementation", "2027-05-01")
    with pytest.raises(RuleViolation):                                # typed without the engine's sender
        alliance.record_orderer_exit({"organisation": "kajaani"}, ["kainuu", "kajaani"], "p", {}, "development", "x")
    last = alliance.record_orderer_exit({"sender": {"organisations": ["kainuu"]}}, ["kainuu"], "p", {},
                                        "implementation", "2027-05-01")
    assert last["alliance_can_continue"] is False
    with pytest.raises(RuleViolation, match="at least one orderer"):
        alliance.continuation_terms(last, True, None)
    gate = alliance.exit_gate([{"organisation": "kainuu", "commits": True}, {"organisation": "p", "commits": False}],
                              ["kainuu"], "p")
    assert gate["alliance_can_continue"] is False and gate["exited"] == ["p"]


def test_cost_shares_cover_the_orderers_and_add_up_to_100() -> None:
    assert alliance.parse_cost_shares("kainuu: 40, kajaani: 60 %", ["kainuu", "kajaani"]) == {
        "kainuu": 40.0, "kajaani": 60.0}
    with pytest.raises(RuleViolation, match="100"):
        alliance.parse_cost_shares("kainuu: 40, kajaani: 50", ["kainuu", "kajaani"])
    with pytest.raises(RuleViolation):
        alliance.parse_cost_shares("kainuu: 100", ["kainuu", "kajaani"])
    with pytest.raises(InvalidInput):
        alliance.parse_cost_shares("kainuu puolet", ["kainuu"])


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
