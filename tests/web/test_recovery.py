"""Mistakes recoverable through the page (issue 11: "No way to cancel a procurement or correct a step
completed by mistake"): return to an earlier step with a reason, then carry on; cancel with a reason.
Both are in the history with their reasons and replay reproduces them."""

from __future__ import annotations

import re

from tests.web.conftest import DEMO_PASSWORD, AllianceSite, Browser

ASSESSMENT = {"alliance_model_suits": True, "suitability_assessment": "Väärin kirjattu.",
              "organising_responsibility_stays": True, "no_public_tasks_to_producers": True,
              "competition_neutrality": True}


def _browser(site: AllianceSite, username: str) -> Browser:
    browser = Browser(site.app.test_client())
    assert browser.sign_in(username, DEMO_PASSWORD).status_code == 302
    return browser


def test_return_to_a_step_then_complete_and_cancel(alliance: AllianceSite) -> None:
    instance = alliance.start()
    alliance.complete("kajaani.council", instance, "decide_joining", {"joins": True, "decision_reference": "§ 1"})
    alliance.complete("kainuu.orderer", instance, "assess_alliance_model", ASSESSMENT)
    assessed = [s for s in alliance.engine.completed_steps(instance) if s.element_id == "assess_alliance_model"][0]

    council = _browser(alliance, "kajaani.council")  # a council takes part but may not correct the procurement
    assert "recovery-title" not in council.text(f"/procurements/{instance}")
    assert council.post(f"/procurements/{instance}/return", {"step": assessed.id, "reason": "x"}).status_code == 403

    orderer = _browser(alliance, "kainuu.orderer")
    page = orderer.text(f"/procurements/{instance}")
    assert re.search(rf'<option value="{assessed.id}">Allianssimallin soveltuvuus', page)
    orderer.post(f"/procurements/{instance}/return", {"step": assessed.id, "reason": ""})
    assert {t.element_id for t in alliance.engine.instance(instance).open_tasks} == {"vote_go"}  # no reason: kept
    response = orderer.post(f"/procurements/{instance}/return",
                            {"step": assessed.id, "reason": "Arvio kirjattiin väärään hankintaan."})
    assert response.status_code == 302
    view = alliance.engine.instance(instance)
    assert [t.element_id for t in view.open_tasks] == ["assess_alliance_model"]
    alliance.complete("kainuu.orderer", instance, "assess_alliance_model",
                      {**ASSESSMENT, "suitability_assessment": "Oikea arvio."})
    for orderer_org in ("kainuu", "kajaani"):
        alliance.complete(f"{orderer_org}.orderer", instance, "vote_go", {"go": True})
    assert [t.element_id for t in alliance.engine.instance(instance).open_tasks] == ["choose_unit_model"]

    auditor = _browser(alliance, "auditor")
    page = auditor.text(f"/procurements/{instance}")
    assert "Palattu aiempaan vaiheeseen" in page and "Arvio kirjattiin väärään hankintaan." in page

    response = orderer.post(f"/procurements/{instance}/cancel", {"reason": "Tarve poistui."})
    assert response.status_code == 302 and alliance.engine.instance(instance).status == "cancelled"
    page = auditor.text(f"/procurements/{instance}")
    assert "Hankinta peruttu" in page and "Tarve poistui." in page
    report = alliance.engine.replay(instance)
    assert report.consistent and {"reset", "cancel"} <= {s.command for s in report.steps}
