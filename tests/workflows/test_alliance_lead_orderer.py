"""Who may lead: any orderer organisation (region, municipality, employment area — kinds are data in
the directory) starts an alliance procurement and leads it; a municipal employment area here."""

from __future__ import annotations

import pytest

from engine import FormInvalid, NotAllowed
from tests.workflows import scenario as s
from tests.workflows.driver import Procurement

AREA = "kajaanin-tyollisyysalue"
MEMBERS = ["kajaani", "paltamo"]
ORDERERS = [AREA, *MEMBERS]


def start(p: Procurement, actor: str, lead: str, candidates: list[str] = MEMBERS) -> None:
    p.clock.set("2026-01-12")
    p.start(actor, {"title": "Kajaanin seudun työllisyysallianssi", "region": lead,
                    "candidate_municipalities": ", ".join(candidates), "estimated_value": 800_000,
                    "service_type": "services"})


def test_a_municipal_employment_area_starts_and_leads_an_alliance(procurement: Procurement) -> None:
    p = procurement
    start(p, f"{AREA}.orderer", AREA)
    assert p.data["region"] == AREA                               # the lead orderer
    s.decide_joining(p, {m: True for m in MEMBERS})
    assert p.data["orderers"] == ORDERERS                         # the lead first, then those who joined
    p.complete(f"{AREA}.orderer", "assess_alliance_model", {
        "alliance_model_suits": True, "suitability_assessment": "Työllisyysalueen palvelut allianssina.",
        "organising_responsibility_stays": True, "no_public_tasks_to_producers": True,
        "competition_neutrality": True})
    for orderer in ORDERERS:
        p.complete(f"{orderer}.orderer", "vote_go", {"go": True})
    p.complete(f"{AREA}.orderer", "choose_unit_model", {
        "unit_model": "delegated", "lead_orderer": AREA, "unit_reasoning": "Työllisyysalue hoitaa hankinnan."})
    for municipality in MEMBERS:
        p.complete(f"{municipality}.orderer", "grant_mandate",
                   {"grants_mandate": True, "mandate_reference": f"{municipality} khall § 40"})
    p.complete(f"{AREA}.orderer", "confirm_estimated_value",
               {"confirmed_estimated_value": 800_000, "value_basis": "Kuntien palvelutarpeen mukaan."})
    assert p.data["procurement_unit"] == [AREA]
    assert p.who_sees("record_procedure_ground") == {f"{AREA}.procurement"}
    s.publish_notice(p, f"{AREA}.procurement")
    assert p.data["locked_terms"]["digest"]


def test_only_an_orderer_organisation_may_start_and_lead(procurement: Procurement) -> None:
    p = procurement
    with pytest.raises(NotAllowed):
        start(p, "vaara-osaamis.producer", AREA)
    with pytest.raises(FormInvalid, match="Not a choice here"):  # a producer cannot lead (refused at the field)
        start(p, f"{AREA}.orderer", "vaara-osaamis")
    start(p, "kajaani.orderer", "kajaani", ["paltamo"])           # a municipality may lead one too
    assert p.view.status == "running"
