"""Issue 17: the contract notice and the award notice in eForms, generated from a procurement driven
through the real diagrams and checked by the EU's own rules — the eForms SDK's XSD and Schematron,
read from ../shared/eforms-sdk (never copied into the repository). The rules are compiled once per
test session (the SDK object is kept per process)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

from engine import Database, Engine, FormInvalid, read_bundle
from engine.blobs import DirectoryBlobStore, sha256_of
from engine.package import export_package, verify_package
from tests.workflows import scenario as s
from tests.workflows.driver import DIAGRAMS, ROOT, Clock, Procurement
from web.cli import main
from workflows.directory import Directory, demo_directory
from workflows.eforms import NoticeRefused, generate, sdk
from workflows.eforms.build import NS
from workflows.eforms.codes import cpv, cpv_check_digit
from workflows.errors import InvalidInput, RuleViolation
from workflows.service import build_engine

UNIT = "kainuu.procurement"


def notice(p: Procurement, kind: str, **kwargs: Any):  # type: ignore[no-untyped-def]
    return generate(kind, p.data, demo_directory(), instance_id=p.instance_id, reference="KAI-2026-7", **kwargs)


def xpath(xml: bytes, path: str) -> list[str]:
    """Values at a fields.json absolute XPath (`/*/…`)."""
    tree = etree.fromstring(xml)
    found = tree.xpath(path.replace("/*/", "/*[1]/", 1), namespaces=NS)
    return [f if isinstance(f, str) else (f.text or "") for f in found]


def test_an_awarded_procurement_gives_valid_contract_and_award_notices(awarded: Procurement) -> None:
    contract = notice(awarded, "contract-notice")
    assert contract.subtype == "16"
    assert contract.problems == []                      # XSD and every Schematron error rule: 0 errors
    award = notice(awarded, "award-notice")
    assert award.subtype == "29"
    assert award.problems == []
    fields = sdk().fields
    # the business terms land where fields.json puts them, with the procurement's values
    cn, can = contract.xml, award.xml
    assert xpath(cn, fields["BT-262-Procedure"].xpath) == ["79400000"]
    assert xpath(cn, fields["BT-263-Procedure"].xpath) == ["79411000", "85312320"]
    assert xpath(cn, fields["BT-5071-Procedure"].xpath) == ["FI1D8"]
    assert xpath(cn, fields["BT-105-Procedure"].xpath) == ["neg-w-call"]
    assert xpath(cn, fields["BT-27-Procedure"].xpath) == ["900000.00"]
    assert xpath(cn, fields["BT-541-Lot-WeightNumber"].xpath) == ["50", "30", "20"]
    assert xpath(cn, fields["BT-539-Lot"].xpath) == ["quality", "quality", "price"]
    assert xpath(cn, fields["BT-501-Organization-Company"].xpath)[:3] == [
        demo_directory().organisation(o).business_id for o in s.JOINED]
    assert xpath(cn, fields["OPP-050-Organization"].xpath) == ["true", "false", "false"]   # kainuu leads
    assert xpath(cn, fields["BT-1311(d)-Lot"].xpath) == ["2026-02-16+02:00"]               # from the clock
    assert xpath(cn, fields["BT-36-Lot"].xpath) == ["48"]
    assert xpath(cn, fields["BT-05(a)-notice"].xpath) == ["2026-01-15+02:00"]  # sent by the clock: a day in Finland
    assert xpath(cn, fields["OPT-002-notice"].xpath) == ["eforms-sdk-1.15"]
    assert xpath(cn, fields["BT-702(a)-notice"].xpath) == ["FIN"]
    assert xpath(can, fields["BT-720-Tender"].xpath) == ["950000.00"]
    assert xpath(can, fields["BT-145-Contract"].xpath) == ["2026-06-23+03:00"]              # summer time in Finland
    assert xpath(can, fields["BT-759-LotResult"].xpath)[0] == "3"
    winner = demo_directory().organisation("vaara-osaamis")
    assert winner.business_id in xpath(can, fields["BT-501-Organization-Company"].xpath)
    # one procedure: the same folder id in both, a fresh notice id in each
    assert xpath(cn, fields["BT-04-notice"].xpath) == xpath(can, fields["BT-04-notice"].xpath)
    assert xpath(cn, fields["BT-701-notice"].xpath) != xpath(can, fields["BT-701-notice"].xpath)


def test_a_broken_notice_is_refused_with_the_field_named(awarded: Procurement) -> None:
    contract = notice(awarded, "contract-notice")
    tree = etree.fromstring(contract.xml)
    main = tree.find("cac:ProcurementProject/cac:MainCommodityClassification", NS)
    main.getparent().remove(main)                      # a mandatory field missing
    problems = sdk().check(etree.tostring(tree), "16")
    assert problems and any(p.field == "BT-262-Procedure" and p.field_name == "Main Classification Code"
                            for p in problems), problems
    refused = NoticeRefused("contract-notice", problems)
    assert "BT-262-Procedure (Main Classification Code)" in str(refused)


def test_missing_notice_data_is_named_before_anything_is_generated(awarded: Procurement) -> None:
    data = {k: v for k, v in awarded.data.items() if k not in ("cpv_main", "tendering_url")}
    with pytest.raises(InvalidInput, match="cpv_main .*tendering_url"):
        generate("contract-notice", data, demo_directory(), instance_id=awarded.instance_id, reference="K")


def test_the_cpv_check_digit() -> None:
    assert cpv("79400000-8") == "79400000" and cpv_check_digit("85312320") == 8
    with pytest.raises(InvalidInput, match="check digit of CPV code 79400000-3 is wrong: 79400000 has check digit 8"):
        cpv("79400000-3")


def test_a_wrong_cpv_check_digit_or_region_is_refused_at_its_field(procurement: Procurement) -> None:
    p = procurement
    s.through_strategy(p)
    s.joint_unit(p, s.JOINED)
    p.complete(UNIT, "record_procedure_ground", {"procedure_ground": "34_1_3", "ground_justification": "Riskit."})
    p.clock.set("2026-01-15")
    publish = {k: v for k, v in s.NOTICE.items() if k not in ("procedure_ground", "ground_justification")}
    with pytest.raises(FormInvalid) as refused:
        p.complete(UNIT, "publish_contract_notice", {**publish, "cpv_main": "79400000-3", "place_nuts": "FI999",
                                                     "cpv_additional": "85312320-8, 1234", "tendering_url": "tarjous"})
    errors = refused.value.errors
    assert "79400000 has check digit 8" in errors["cpv_main"][0]
    assert "not a NUTS 3 region of Finland" in errors["place_nuts"][0] and "FI1D8 Kainuu" in errors["place_nuts"][0]
    assert "12345678-9" in errors["cpv_additional"][0]
    assert "https://" in errors["tendering_url"][0]
    assert p.open_elements() == ["publish_contract_notice"]          # nothing was stored
    p.complete(UNIT, "publish_contract_notice", publish)
    assert p.data["cpv_main"] == "79400000-8" and p.data["cpv_additional"] == ["79411000-8", "85312320-8"]
    during = notice(p, "contract-notice")                            # generated while the procedure runs
    assert during.problems == []


def test_the_light_regime_gives_its_own_subtypes(awarded: Procurement) -> None:
    data = {**awarded.data, "regime": "light", "service_type": "social_health"}
    contract = generate("contract-notice", data, demo_directory(), instance_id=awarded.instance_id, reference="K")
    award = generate("award-notice", data, demo_directory(), instance_id=awarded.instance_id, reference="K")
    assert (contract.subtype, award.subtype) == ("20", "33")
    assert contract.problems == [] and award.problems == []


def test_the_notice_command_writes_only_a_valid_notice(awarded: Procurement, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'allianssi.db'}")   # the awarded copy
    out = tmp_path / "can.xml"
    result = CliRunner().invoke(main, ["notice", awarded.instance_id, "award-notice", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "eForms subtype 29" in result.output and "0 errors" in result.output
    assert sdk().check(out.read_bytes(), "29") == []
    result = CliRunner().invoke(main, ["notice", awarded.instance_id, "contract-notice", "-o", str(tmp_path / "c.xml")])
    assert result.exit_code == 0 and "subtype 16" in result.output, result.output
    result = CliRunner().invoke(main, ["notice", awarded.instance_id, "prior-notice", "-o", str(tmp_path / "x.xml")])
    assert result.exit_code != 0 and "contract-notice" in result.output


class ArchivingProcurement(Procurement):
    """The driver with a blob store, as the web app and the command line have: notices get archived."""

    def __init__(self, database: Database, clock: Clock, directory: Directory, blobs: DirectoryBlobStore) -> None:
        super().__init__(database, clock, directory)
        self.blobs = blobs

    @property
    def engine(self) -> Engine:
        return build_engine(self.database, self.directory, self.clock, self.blobs)


def _through_ground(p: Procurement) -> None:
    s.through_strategy(p)
    s.joint_unit(p, s.JOINED)
    p.complete(UNIT, "record_procedure_ground", {"procedure_ground": "34_1_3", "ground_justification": "Riskit."})
    p.clock.set("2026-01-15")


def test_the_sent_notice_is_archived_with_its_hash_in_the_chain(procurement: Procurement, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLIANSSI_EFORMS_GATE", raising=False)  # the gate is on by default
    p = ArchivingProcurement(procurement.database, procurement.clock, procurement.directory,
                             DirectoryBlobStore(tmp_path / "blobs"))
    _through_ground(p)
    p.complete(UNIT, "publish_contract_notice", {k: v for k, v in s.NOTICE.items()
                                                 if k not in ("procedure_ground", "ground_justification")})
    events = p.engine.history(p.instance_id)
    attached = [e for e in events if e.type == "file_attached"]
    assert len(attached) == 1 and attached[0].payload["files"][0]["notice"] == "contract-notice"
    ref = attached[0].payload["files"][0]
    xml = p.blobs.get(ref["sha256"])
    assert sha256_of(xml) == ref["sha256"] and ref["subtype"] == "16" and ref["content_type"] == "application/xml"
    assert sdk().check(xml, "16") == []                                          # the exact notice sent
    assert xpath(xml, sdk().fields["BT-1311(d)-Lot"].xpath) == ["2026-02-16+02:00"]
    package = export_package(p.engine, p.instance_id, p.clock())
    assert verify_package(package).ok
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        assert z.read(f"files/{ref['sha256']}") == xml
    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(tampered, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            target.writestr(name, content.replace(b"FI1D8", b"FI1D9") if name == f"files/{ref['sha256']}" else content)
    assert not verify_package(tampered.getvalue()).ok                      # a changed notice is caught


def test_a_notice_the_rules_refuse_is_not_recorded_as_sent(sqlite_database: Database, clock: Clock,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLIANSSI_EFORMS_GATE", raising=False)  # the gate is on by default
    document = json.loads((ROOT / "workflows" / "data" / "kainuu.json").read_text(encoding="utf-8"))
    for org in document["organisations"]:
        if org["id"] == "kajaani":
            del org["business_id"]                                 # the directory lacks a buyer's y-tunnus
    directory = Directory.from_json(document)
    build_engine(sqlite_database, directory, clock).deploy(read_bundle(DIAGRAMS), "designer")
    p = Procurement(sqlite_database, clock, directory)
    _through_ground(p)
    notice = {k: v for k, v in s.NOTICE.items() if k not in ("procedure_ground", "ground_justification")}
    with pytest.raises(FormInvalid) as refused:
        p.complete(UNIT, "publish_contract_notice", notice)
    assert "directory kajaani.business_id" in refused.value.errors["notice"][0]
    assert p.open_elements() == ["publish_contract_notice"] and "notice_sent_at" not in p.data
    monkeypatch.setenv("ALLIANSSI_EFORMS_GATE", "off")          # switched off: recorded as sent, unchecked
    p.complete(UNIT, "publish_contract_notice", notice)
    assert "notice_sent_at" in p.data
    assert not [e for e in p.engine.history(p.instance_id) if e.type == "file_attached"]


def test_a_changed_deadline_gives_a_change_notice(awarded: Procurement) -> None:
    from workflows.eforms.changes import change_notice

    sent = notice(awarded, "contract-notice")
    extended = {**awarded.data, "participation_deadline": "2026-02-23",
                "participation_closes_at": "2026-02-24T00:00:00+02:00"}
    changed, found = change_notice(sent.xml, extended, demo_directory(), instance_id=awarded.instance_id,
                                   reference="KAI-2026-7", reason="Määräaikaa jatketaan viikolla.",
                                   issued_at="2026-02-02T09:00:00+02:00")
    assert [c.field for c in found] == ["BT-1311(d)-Lot"]
    assert found[0].before == ("2026-02-16+02:00",) and found[0].after == ("2026-02-23+02:00",)
    assert changed.problems == []                                   # a valid change notice (subtype 16)
    fields = sdk().fields
    assert xpath(changed.xml, fields["BT-758-notice"].xpath) == [f"{sent.content['notice_id']}-01"]
    assert "BT-1311(d)-Lot" in xpath(changed.xml, fields["BT-141(a)-notice"].xpath)[0]
    assert xpath(changed.xml, fields["BT-1311(d)-Lot"].xpath) == ["2026-02-23+02:00"]
    assert xpath(changed.xml, fields["BT-04-notice"].xpath) == xpath(sent.xml, fields["BT-04-notice"].xpath)
    with pytest.raises(RuleViolation, match="has not changed"):
        change_notice(sent.xml, awarded.data, demo_directory(), instance_id=awarded.instance_id,
                      reference="KAI-2026-7", reason="Ei muutosta.")


def test_without_the_sdk_the_region_field_says_where_it_was_looked_for(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from engine import FormField
    from workflows.forms import validate_form

    field = FormField("place_nuts", "Suorituspaikka", "string", required=True, properties={"format": "nuts-fi"})
    monkeypatch.setenv("ALLIANSSI_EFORMS_SDK", str(tmp_path / "no-sdk"))
    with pytest.raises(FormInvalid) as refused:
        validate_form([field], {"place_nuts": "FI1D8"})
    assert "ALLIANSSI_EFORMS_SDK" in refused.value.errors["place_nuts"][0]
    monkeypatch.setenv("ALLIANSSI_EFORMS_CHECK", "off")          # a demo without the SDK: the code's form only
    assert validate_form([field], {"place_nuts": "fi1d8"}) == {"place_nuts": "FI1D8"}
    with pytest.raises(FormInvalid):
        validate_form([field], {"place_nuts": "Kainuu"})
