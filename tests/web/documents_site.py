"""A Kainuu procurement with attached tenders, driven through the real diagrams, shared by the document
and confidentiality tests: Kuhmo declines, Kainuu, Kajaani and Sotkamo join as a joint unit, three
producers are invited and submit tenders with PDF attachments; Yrityspolku marks its summary and
attachments as business secrets. `to_negotiation` stops while the round's revised tenders are open;
`to_award` goes on through final tenders, the decision and the contract.

Every tender value carries a marker (REF-…, SUM-…) so a test can tell exactly whose data a page shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from engine import Database, Engine
from engine.attachments import Upload
from engine.blobs import DirectoryBlobStore
from tests.conftest import ROOT
from tests.workflows import scenario
from tests.workflows.driver import Clock, Procurement
from web.app import create_app, prepare
from workflows.directory import Directory, demo_directory
from workflows.service import build_engine

UNIT = "kainuu.procurement"
JOINED = ["kainuu", "kajaani", "sotkamo"]
DECLINED = "kuhmo"
TENDERERS = ["vaara-osaamis", "yrityspolku", "uraverkko"]
SECRET_TENDERER = "yrityspolku"
NOT_INVITED = "oulujarven-kehitys"


def pdf(text: str) -> bytes:
    """A real PDF (WeasyPrint) whose text is `text`."""
    from weasyprint import HTML

    return bytes(HTML(string=f"<html><body><p>{text}</p></body></html>").write_pdf())


class FilingProcurement(Procurement):
    """The scenario driver with the blob store attached to every fresh engine."""

    def __init__(self, database: Database, clock: Clock, directory: Directory, blobs: DirectoryBlobStore):
        super().__init__(database, clock, directory)
        self.blobs = blobs

    @property
    def engine(self) -> Engine:
        return build_engine(self.database, self.directory, self.clock, blobs=self.blobs)

    def complete_with_files(self, user: str, element: str, data: Mapping[str, Any],
                            files: Mapping[str, list[Upload]]) -> None:
        self.engine.complete_task(self.task(user, element).id, user, dict(data), files=files)


@dataclass
class DocumentSite:
    app: Flask
    procurement: FilingProcurement
    blob_dir: Path
    files: dict[str, str] = field(default_factory=dict)  # what → sha256

    @property
    def instance_id(self) -> str:
        return self.procurement.instance_id


def build_site(tmp: Path) -> DocumentSite:
    clock = Clock()
    directory = demo_directory()
    blob_dir = tmp / "blobs"
    database_url = f"sqlite:///{tmp / 'documents.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url,
                      "BPMN_DIR": str(ROOT / "bpmn"), "BLOB_STORE_URL": f"file://{blob_dir}",
                      "ENGINE_FACTORY": lambda database: build_engine(database, directory, clock)})
    prepare(app)
    database = app.extensions["allianssi"].database
    p = FilingProcurement(database, clock, directory, DirectoryBlobStore(blob_dir))
    return DocumentSite(app, p, blob_dir)


def to_negotiation(site: DocumentSite) -> None:
    p = site.procurement
    scenario.start(p, candidates=["kajaani", "sotkamo", DECLINED])
    scenario.decide_joining(p, {"kajaani": True, "sotkamo": True, DECLINED: False})
    scenario.assess_and_vote(p, {o: True for o in JOINED})
    scenario.joint_unit(p, JOINED)
    scenario.publish_notice(p, UNIT)
    scenario.select_candidates(p, UNIT, TENDERERS, TENDERERS, TENDERERS)
    scenario.invite(p, UNIT)
    p.clock.set("2026-03-10")
    for org in TENDERERS:
        attachment = Upload(f"tarjous-{org}.pdf", pdf(f"Tarjous {org}"))
        p.complete_with_files(f"{org}.tenderer", "submit_initial_tender", {
            "tender_reference": f"REF-{org}-I", "fee_percent": 8.0, "tender_summary": f"SUM-{org}-I",
            "tender_secrets": org == SECRET_TENDERER}, {"tender_attachments": [attachment]})
        site.files[f"initial-{org}"] = sha_of(attachment.content)
    assert p.fire_timers("2026-03-18", 8) == 1
    p.complete(UNIT, "plan_round", {"round_agenda": "Palvelumalli", "documents_changed": False,
                                    "revision_deadline": "2026-04-02"})


def to_award(site: DocumentSite) -> None:
    to_assessment(site)
    assess_round(site)
    after_assessment(site)


def to_assessment(site: DocumentSite) -> None:
    """The tenderers submit revised tenders; the round closes and the unit has an assessment per tenderer."""
    p = site.procurement
    p.clock.set("2026-03-30")
    for org in TENDERERS:
        p.complete(f"{org}.tenderer", "submit_revised_tender", {
            "revised_tender_reference": f"REF-{org}-R", "fee_percent": 7.5,
            "negotiation_questions": f"SUM-{org}-R"})
    assert p.fire_timers("2026-04-03", 8) == 1


def assess_round(site: DocumentSite) -> None:
    """The unit assesses each open assessment with the negotiation's minutes attached."""
    p = site.procurement
    for task in p.tasks(UNIT, "assess_round"):
        org = p.engine.task(task.id).data["assessment"]["organisation"]
        minutes = Upload(f"poytakirja-{org}.pdf", pdf(f"Neuvottelupöytäkirja {org}"))
        p.engine.complete_task(task.id, UNIT, {"continues": True, "assessment_reasoning": "Hyvä."},
                               files={"negotiation_minutes": [minutes]})
        site.files[f"minutes-{org}"] = sha_of(minutes.content)


def after_assessment(site: DocumentSite) -> None:
    """Final tenders, evaluation, the decision served and the contract signed."""
    p = site.procurement
    p.complete(UNIT, "conclude_round", {"round_summary": "Kierros käyty.", "another_round": False})
    p.clock.set("2026-04-23")
    p.complete(UNIT, "request_final_tenders", {"final_request_sent_on": "2026-04-23",
                                               "final_tenders_deadline": "2026-05-07", "final_request_reference": "LT"})
    p.clock.set("2026-05-05")
    for org in TENDERERS:
        p.complete(f"{org}.tenderer", "submit_final_tender", {
            "final_tender_reference": f"REF-{org}-F", "fee_percent": 7.0, "cost_items_price": 120000})
    assert p.fire_timers("2026-05-08", 8) == 1
    quality = {"vaara-osaamis": 7, "yrityspolku": 6, "uraverkko": 5}     # scores per published criterion
    for task in p.tasks(UNIT, "evaluate_final_tender"):
        org = p.engine.task(task.id).data["evaluation"]["organisation"]
        p.engine.complete_task(task.id, UNIT, {"score_1": quality[org], "score_2": 8, "score_3": 5})
    p.complete(UNIT, "approve_evaluation", {"evaluation_report": "Vertailu tehty."})
    scenario.decide(p, UNIT, JOINED)
    scenario.serve(p, UNIT)
    assert p.fire_timers("2026-06-23", 8) == 1
    scenario.sign(p, UNIT)


def sha_of(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
