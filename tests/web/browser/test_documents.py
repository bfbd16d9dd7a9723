"""The procurement unit in a real browser: attaches the minutes of a negotiation to its assessment,
generates the procurement decision, and downloads it (its text read back from the PDF)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from werkzeug.serving import make_server

from tests.web.browser.conftest import serious_violations
from tests.web.browser.test_journey import sign_in
from tests.web.documents_site import (
    UNIT,
    DocumentSite,
    after_assessment,
    build_site,
    pdf,
    sha_of,
    to_assessment,
    to_negotiation,
)


@pytest.fixture
def documents_site(tmp_path: Path) -> Iterator[tuple[DocumentSite, str]]:
    """A site of its own (its own clock and blob store), served on 127.0.0.1."""
    site = build_site(tmp_path)
    server = make_server("127.0.0.1", 0, site.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        site.app.extensions["allianssi"].database.dispose()


def test_the_unit_attaches_minutes_generates_the_decision_and_downloads_it(
        chromium: Any, documents_site: tuple[DocumentSite, str], axe_source: str, tmp_path: Path) -> None:
    site, url = documents_site
    to_negotiation(site)
    to_assessment(site)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="fi-FI", base_url=url,
                                   accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, UNIT)
        engine = site.procurement.engine
        for task in site.procurement.tasks(UNIT, "assess_round"):
            org = engine.task(task.id).data["assessment"]["organisation"]
            page.goto(f"/tasks/{task.id}")
            name = site.app.extensions["allianssi"].directory.organisations[org].name
            page.get_by_role("heading", name=f"Tarjoaja: {name}").wait_for()  # the task names the tenderer
            assert f"REF-{org}-R" in page.locator("main").inner_text()  # and shows its tender
            minutes = tmp_path / f"poytakirja-{org}.pdf"
            minutes.write_bytes(pdf(f"Neuvottelupöytäkirja {org}"))
            page.get_by_label("Neuvottelun pöytäkirja").set_input_files(str(minutes))
            page.get_by_role("radio", name="Kyllä").first.check()
            page.get_by_label("Perustelu vertailuperusteiden mukaan").fill("Täyttää vertailuperusteet.")
            assert not serious_violations(page, axe_source)
            page.get_by_role("button", name="Merkitse tehtävä tehdyksi").click()
            page.get_by_text("Valmis: ").first.wait_for()
            site.files[f"minutes-{org}"] = sha_of(minutes.read_bytes())
        assert all(sha in {p.name for p in site.blob_dir.rglob("*")} for key, sha in site.files.items()
                   if key.startswith("minutes-"))

        after_assessment(site)
        page.goto(f"/procurements/{site.instance_id}")
        files = page.locator("#files-title + table")
        assert "poytakirja-uraverkko.pdf" in files.inner_text()  # the unit sees the minutes it attached
        page.locator("#document-kind").select_option(label="Hankintapäätös")
        page.locator("#document-lang").select_option("fi")
        page.get_by_role("button", name="Luo ja arkistoi (PDF)").click()
        page.get_by_text("Asiakirja luotiin ja arkistoitiin").wait_for()
        assert not serious_violations(page, axe_source)
        with page.expect_download() as download:
            page.locator("#files-title + table").get_by_role("link", name="decision-").first.click()
        saved = tmp_path / "decision.pdf"
        download.value.save_as(str(saved))
        text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(saved.read_bytes())).pages)
        assert "Hankintapäätös" in text and "Valitusosoitus: valitus markkinaoikeuteen" in text
        assert "Valitus on tehtävä kirjallisesti 14 päivän kuluessa" in text
    finally:
        context.close()
