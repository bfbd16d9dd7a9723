"""Issue 17: English where the unit gives it — the contract notice is then in Finnish and English
(BT-702(b) ENG, every text in both), checked by the same SDK rules (../shared/eforms-sdk)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine import FormInvalid
from engine.blobs import DirectoryBlobStore
from tests.workflows import scenario as s
from tests.workflows.driver import Procurement
from tests.workflows.test_eforms import ArchivingProcurement, xpath
from workflows.eforms import sdk
from workflows.eforms.build import NS

UNIT = "kainuu.procurement"
NOTICE = {k: v for k, v in s.NOTICE.items() if k not in ("procedure_ground", "ground_justification")}
ENGLISH = {"title_en": "Kainuu business services alliance",
           "needs_en": "Business and employment services for the whole region.",
           "selection_criteria_en": "At least three years of experience in business services.\n"
                                    "Turnover of at least EUR 500,000 a year.",
           "award_criteria_en": "Capability and written answers\nInterviews and alliance workshops\n"
                                "Fee % and cost items",
           "ground_justification_en": "The alliance's goals and risks call for negotiations."}


def test_english_where_given_the_notice_is_in_finnish_and_english(procurement: Procurement, tmp_path: Path) -> None:
    p = ArchivingProcurement(procurement.database, procurement.clock, procurement.directory,
                             DirectoryBlobStore(tmp_path / "blobs"))
    s.through_strategy(p)
    s.joint_unit(p, s.JOINED)
    p.complete(UNIT, "record_procedure_ground", {"procedure_ground": "34_1_3", "ground_justification": "Riskit."})
    p.clock.set("2026-01-15")
    with pytest.raises(FormInvalid) as refused:               # English in part: every text must have it
        p.complete(UNIT, "publish_contract_notice", {**NOTICE, "title_en": ENGLISH["title_en"]})
    [message] = refused.value.errors["notice"]
    assert "needs_en" in message and "award_criteria_en" in message and "title_en" not in message.split("lacks")[1]
    with pytest.raises(FormInvalid, match="award_criteria_en .3"):       # one English name per criterion
        p.complete(UNIT, "publish_contract_notice", {**NOTICE, **ENGLISH, "award_criteria_en": "Capability"})
    assert p.open_elements() == ["publish_contract_notice"]
    p.complete(UNIT, "publish_contract_notice", {**NOTICE, **ENGLISH})
    [ref] = [f for e in p.engine.history(p.instance_id) if e.type == "file_attached" for f in e.payload["files"]]
    xml = p.blobs.get(ref["sha256"])
    assert sdk().check(xml, "16") == []                                  # XSD and Schematron: 0 errors
    fields = sdk().fields
    assert xpath(xml, fields["BT-702(a)-notice"].xpath) == ["FIN"]
    assert xpath(xml, fields["BT-702(b)-notice"].xpath) == ["ENG"]
    tree = etree.fromstring(xml)
    titles = {e.get("languageID"): e.text for e in tree.findall("cac:ProcurementProject/cbc:Name", NS)}
    assert titles == {"FIN": p.data["title"], "ENG": "Kainuu business services alliance"}
    names = tree.findall(".//cac:AwardingCriterion/cac:SubordinateAwardingCriterion/cbc:Name[@languageID='ENG']", NS)
    assert [n.text for n in names] == ["Capability and written answers", "Interviews and alliance workshops",
                                       "Fee % and cost items"]
    buyer = tree.findall(".//efac:Organization/efac:Company/cac:PartyName/cbc:Name", NS)
    assert {n.get("languageID") for n in buyer} == {"FIN", "ENG"}
    # and without English the notice stays Finnish only (the other tests' notices)
