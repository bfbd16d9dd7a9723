"""Issue 17: changes of a sent contract notice from the diagram — the unit extends the participation
deadline (and may change the documents' address): the new deadline is checked by the clock, a change
notice is generated, checked by the eForms SDK's XSD and Schematron (the real rules from
../shared/eforms-sdk), archived with its hash in the audit chain, and the procedure goes on with the
new deadline. And which notice version each tenderer saw, for the equal-treatment view."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine import ScriptFailed
from engine.blobs import DirectoryBlobStore, sha256_of
from tests.web.conftest import DEMO_PASSWORD, Browser
from tests.workflows import scenario as s
from tests.workflows.driver import Procurement
from tests.workflows.test_eforms import ArchivingProcurement, xpath
from web.app import create_app, prepare
from workflows.directory import demo_directory
from workflows.eforms import sdk
from workflows.eforms.build import NS
from workflows.equal_treatment import equal_treatment
from workflows.service import build_engine

UNIT = "kainuu.procurement"
NOTICE = {k: v for k, v in s.NOTICE.items() if k not in ("procedure_ground", "ground_justification")}


def archiving(procurement: Procurement, tmp_path: Path) -> ArchivingProcurement:
    p = ArchivingProcurement(procurement.database, procurement.clock, procurement.directory,
                             DirectoryBlobStore(tmp_path / "blobs"))
    s.through_strategy(p)
    s.joint_unit(p, s.JOINED)
    s.publish_notice(p, UNIT)                      # sent 15.1., requests by 16.2.
    return p


def archived(p: ArchivingProcurement) -> list[dict[str, object]]:
    return [f for e in p.engine.history(p.instance_id) if e.type == "file_attached"
            for f in e.payload["files"] if f.get("notice")]


def test_the_unit_extends_the_participation_deadline_with_a_change_notice(procurement: Procurement,
                                                                           tmp_path: Path) -> None:
    p = archiving(procurement, tmp_path)
    [sent] = archived(p)
    p.clock.set("2026-02-02")
    p.message("notice_change", {"reason": "Kysymyksiä tuli paljon: määräaikaa jatketaan viikolla."}, UNIT)
    assert p.open_elements() == ["publish_change_notice"]
    # a published time limit is only extended, never shortened (the diagram's check, in its words)
    with pytest.raises(ScriptFailed, match="must be after 2026-02-16"):
        p.complete(UNIT, "publish_change_notice", {"participation_deadline": "2026-02-13"})
    assert len(archived(p)) == 1 and p.open_elements() == ["publish_change_notice"]
    p.complete(UNIT, "publish_change_notice", {"participation_deadline": "2026-02-23",
                                               "tendering_url": "https://tarjouspalvelu.example.fi/kainuu/2026-7b"})
    period = p.data["participation_period"]
    assert (period["last_day"], period["extended_from"], period["changed_on"]) == ("2026-02-23", "2026-02-16",
                                                                                   "2026-02-02")
    assert p.data["participation_closes_at"].startswith("2026-02-24T00:00:00")
    # the change notice: archived, its hash in the chain, valid by the SDK's rules, naming the notice it changes
    first, change = archived(p)
    assert first == sent and change["notice"] == "change-notice" and change["subtype"] == "16"
    xml = p.blobs.get(str(change["sha256"]))
    assert sha256_of(xml) == change["sha256"]
    assert sdk().check(xml, "16") == []                                   # XSD and Schematron: 0 errors
    fields = sdk().fields
    assert xpath(xml, fields["BT-758-notice"].xpath) == [f"{sent['notice_id']}-01"] == [change["changes"]]
    described = xpath(xml, fields["BT-141(a)-notice"].xpath)[0]
    assert "BT-1311(d)-Lot" in described and "2026-02-16+02:00 → 2026-02-23+02:00" in described
    assert "BT-15-Lot" in described                                       # the documents' new address
    assert xpath(xml, fields["BT-762-notice"].xpath) == ["Kysymyksiä tuli paljon: määräaikaa jatketaan viikolla."]
    assert xpath(xml, fields["BT-1311(d)-Lot"].xpath) == ["2026-02-23+02:00"]
    assert xpath(xml, fields["BT-04-notice"].xpath) == xpath(p.blobs.get(str(sent["sha256"])),
                                                             fields["BT-04-notice"].xpath)
    assert p.engine.verify(p.instance_id).ok
    # the procedure goes on with the new deadline: nothing happens at the old one
    assert p.fire_timers("2026-02-17", 8) == 0 and p.open_elements() == []
    assert p.fire_timers("2026-02-24", 8) == 1 and p.open_elements() == ["register_requests"]


def test_a_change_notice_must_extend_the_published_deadline(procurement: Procurement, tmp_path: Path) -> None:
    p = archiving(procurement, tmp_path)
    p.clock.set("2026-02-02")
    p.message("notice_change", {"reason": "Korjaus."}, UNIT)
    p.clock.set("2026-02-10")
    for same_or_earlier in ("2026-02-16", "2026-02-09"):                # neither shortened nor kept
        with pytest.raises(ScriptFailed, match="must be after 2026-02-16"):
            p.complete(UNIT, "publish_change_notice", {"participation_deadline": same_or_earlier})
    assert len(archived(p)) == 1 and p.open_elements() == ["publish_change_notice"]


def test_each_tenderer_sees_the_notice_version_in_force(procurement: Procurement, tmp_path: Path) -> None:
    p = archiving(procurement, tmp_path)
    p.clock.set("2026-02-02")
    p.message("notice_change", {"reason": "Määräaikaa jatketaan."}, UNIT)
    p.complete(UNIT, "publish_change_notice", {"participation_deadline": "2026-02-23"})
    [contract, change] = archived(p)
    assert p.fire_timers("2026-02-24", 8) == 1
    p.complete(UNIT, "register_requests", {"applicants": ", ".join(s.TENDERERS)})
    p.complete(UNIT, "qualify_candidates", {"suitable_candidates": ", ".join(s.TENDERERS),
                                            "invited_candidates": ", ".join(s.TENDERERS), "selection_report": "Ok."})
    p.clock.set("2026-02-25")
    p.complete(UNIT, "send_invitations", {"initial_tenders_deadline": "2026-03-31", "invitation_reference": "TP-1"})
    p.clock.set("2026-03-10")
    for org in s.TENDERERS:
        p.complete(f"{org}.tenderer", "submit_initial_tender", {"tender_reference": f"{org}-T1", "fee_percent": 8})
    directory = demo_directory()
    report = equal_treatment(p.view, p.engine.history(p.instance_id), organisations_of=lambda user: [
        m.organisation for m in directory.memberships(user) if m.role == "tenderer"])
    assert [(n.kind, n.notice_id) for n in report.notices] == [("contract-notice", contract["notice_id"]),
                                                                ("change-notice", change["notice_id"])]
    for org in s.TENDERERS:
        seen = report.seen[org]
        assert [x.what.split(":")[0] for x in seen] == ["invitation", "tender"], seen
        assert {(x.notice.kind, x.notice.notice_id, x.notice.version) for x in seen if x.notice} == {
            ("change-notice", change["notice_id"], "01")}                    # sent and submitted under the change
    root = etree.fromstring(p.blobs.get(str(change["sha256"])))
    assert root.findtext("cbc:ID", namespaces=NS) == change["notice_id"]
    # the auditor's equal-treatment page shows it: each tenderer's rows name the change notice
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'allianssi.db'}",
                      "ENGINE_FACTORY": lambda database: build_engine(database, directory, p.clock, p.blobs)})
    prepare(app, deploy=False)
    auditor = Browser(app.test_client())
    assert auditor.sign_in("auditor", DEMO_PASSWORD).status_code == 302
    page = auditor.text(f"/audit/{p.instance_id}/equal-treatment")
    table = page[page.index("Ilmoituksen versio, jonka kukin tarjoaja näki"):]
    assert table.count(f"change-notice {change['notice_id']}-01") == 1 + 2 * len(s.TENDERERS), table


def test_the_unit_changes_the_notice_through_the_pages(procurement: Procurement, tmp_path: Path) -> None:
    """The same change done in the browser: the event is a button on the procurement page, the change notice
    task a form; a deadline that does not extend is refused on the form, a good one archives the notice."""
    p = archiving(procurement, tmp_path)
    p.clock.set("2026-02-02")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'allianssi.db'}",
                      "ENGINE_FACTORY": lambda database: build_engine(database, demo_directory(), p.clock, p.blobs)})
    prepare(app, deploy=False)
    unit = Browser(app.test_client())
    assert unit.sign_in(UNIT, DEMO_PASSWORD).status_code == 302
    event = f"/procurements/{p.instance_id}/events/participation_period_changed"
    assert f'href="{event}"' in unit.text(f"/procurements/{p.instance_id}")
    tenderer = Browser(app.test_client())
    assert tenderer.sign_in("yrityspolku.tenderer", DEMO_PASSWORD).status_code == 302
    assert tenderer.post(event, {"reason": "x"}).status_code == 404          # only the unit changes its notice
    assert unit.post(event, {"reason": "Määräaikaa jatketaan viikolla."}).status_code == 302
    [task] = [t for t in p.engine.inbox(UNIT, p.instance_id) if t.element_id == "publish_change_notice"]
    refused = unit.post(f"/tasks/{task.id}", {"participation_deadline": "2026-02-13"})
    assert refused.status_code == 422 and "13.2.2026 on oltava 16.2.2026 jälkeen" in refused.get_data(as_text=True)
    assert len(archived(p)) == 1
    done = unit.post(f"/tasks/{task.id}", {"participation_deadline": "2026-02-23"})
    assert done.status_code == 302, done.get_data(as_text=True)
    [_, change] = archived(p)
    assert change["notice"] == "change-notice" and sdk().check(p.blobs.get(str(change["sha256"])), "16") == []
    assert p.data["participation_period"]["last_day"] == "2026-02-23"
