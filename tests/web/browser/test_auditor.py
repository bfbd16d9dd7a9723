"""An auditor in a real browser: history → the state at step N → replay check → audit package download,
and the downloaded package verifies offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.package import verify_package
from tests.web.browser.conftest import LiveSite
from tests.web.browser.test_journey import assert_accessible, sign_in


def test_auditor_walks_history_step_replay_and_download(page: Any, live_site: LiveSite, tmp_path: Path,
                                                        axe_source: str) -> None:
    # Municipalities the journey test does not use, and one still undecided: the live site is shared,
    # so this procurement must put nothing in the other browser tests' inboxes.
    instance = live_site.start(key="KAI-2026-9", candidate_municipalities="kuhmo, paltamo")
    live_site.complete("kuhmo.council", instance, "decide_joining",
                       {"joins": True, "decision_reference": "Kuhmon kvalt 9.2.2026 § 7"})

    sign_in(page, "auditor")
    page.goto(f"/audit/{instance}/history")
    assert_accessible(page, axe_source)
    rows = page.locator("table tbody tr")
    assert rows.count() >= 2  # the commands (every step on request)
    step_links = page.locator('a[href*="/step/"]')
    assert step_links.count() >= 2
    step_links.nth(1).click()
    page.wait_for_url(f"**/audit/{instance}/step/*")
    assert page.locator("svg").count() >= 1, "the diagram as it was at that step"
    assert_accessible(page, axe_source)

    page.goto(f"/audit/{instance}/replay")
    result = page.locator("#replay-result")
    assert "ok" in (result.get_attribute("class") or "")
    assert_accessible(page, axe_source)
    page.goto("/audit/verify")
    assert "ok" in (page.locator("#chain-result").get_attribute("class") or "")

    page.goto(f"/audit/{instance}/history")
    with page.expect_download() as download:
        page.locator('a[href$="/package"]').click()
    saved = tmp_path / "package.zip"
    download.value.save_as(saved)
    assert verify_package(saved.read_bytes()).ok
