"""Who takes part comes from the engine's records, never from strings in the data; the tender form
tells tenderers truthfully who sees their tender."""

from __future__ import annotations

from tests.web.conftest import AllianceSite
from tests.web.test_alliance import _browser


def test_naming_an_organisation_in_the_data_does_not_let_it_see_the_procurement(alliance: AllianceSite) -> None:
    # Kuhmo and Yrityspolku are named in the free text; only Kajaani was asked to join
    instance = alliance.start(description="Yhteistyössä kuhmo ja yrityspolku kanssa", title="kuhmo")
    for user in ("kuhmo.council", "kuhmo.orderer", "yrityspolku.tenderer"):
        browser = _browser(alliance, user)
        assert browser.get(f"/procurements/{instance}").status_code == 404, user
        assert f"/procurements/{instance}" not in browser.text("/procurements/"), user
    assert _browser(alliance, "kajaani.council").get(f"/procurements/{instance}").status_code == 200


def test_a_declined_municipality_sees_only_public_facts(alliance: AllianceSite) -> None:
    instance = alliance.start(candidate_municipalities="kajaani, kuhmo")
    alliance.complete("kuhmo.council", instance, "decide_joining",
                      {"joins": False, "decision_reference": "KUHMO-PAATOS-77"})
    alliance.complete("kajaani.council", instance, "decide_joining",
                      {"joins": True, "decision_reference": "KAJAANI-PAATOS-12"})
    kuhmo = _browser(alliance, "kuhmo.council").text(f"/procurements/{instance}?steps=all")
    assert "KUHMO-PAATOS-77" in kuhmo  # its own decision, in its own history
    assert "KAJAANI-PAATOS-12" not in kuhmo and "Osallistujat" not in kuhmo
    kainuu = _browser(alliance, "kainuu.orderer").text(f"/procurements/{instance}?steps=all")
    assert "KUHMO-PAATOS-77" in kainuu and "KAJAANI-PAATOS-12" in kainuu


def test_the_tender_form_says_who_sees_the_tender(alliance: AllianceSite) -> None:
    from engine import read_bundle
    from tests.conftest import ROOT
    from web.definitions import build_model

    files = {f.name: f.content.decode() for f in read_bundle([ROOT / "bpmn"])}
    model = build_model("alliance_negotiation", files)
    task = model.elements["submit_initial_tender"]
    assert "vain hankintayksikölle" not in (task.documentation or "")
    assert "Only the procurement unit sees it" not in task.properties["documentation_en"]
    assert "liikesalaisuuksiksi" in (task.documentation or "")
    fields = {f.id: f for f in task.form}
    assert fields["tender_attachments"].type == "file"
    assert fields["tender_reference"].properties["visibility"] == "submitter"
    assert fields["tender_secrets"].properties["secret_of"] == "tender_attachments,tender_summary"
