"""Browser tests: the app served by werkzeug in a thread on 127.0.0.1, driven by Debian's Chromium
through Playwright (no browser is downloaded), with axe-core from web/node_modules injected into
the pages for the accessibility check."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import ROOT
from tests.web.conftest import AllianceSite, alliance_app
from tests.workflows.driver import Clock

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
UPDATE_SCREENSHOTS = os.environ.get("UPDATE_SCREENSHOTS") == "1"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass
class LiveSite(AllianceSite):
    url: str = ""


@contextmanager
def serving(app: Flask, name: str) -> Iterator[str]:
    """The app served by werkzeug in a thread on 127.0.0.1 (its address), its database closed after."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["allianssi"].database.dispose()


@pytest.fixture(scope="session")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    clock = Clock()  # 12 January 2026 in Helsinki; tests may only move it forward
    folder = tmp_path_factory.mktemp("live")
    app = alliance_app(f"sqlite:///{folder / 'live.db'}", clock)
    with serving(app, "live-site") as url:
        yield LiveSite(app, app.extensions["allianssi"].engine, clock, url=url)


REQUIRED = os.environ.get("ALLIANSSI_REQUIRE_BROWSER") == "1"  # CI: a missing browser is a failure


def _missing(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} (ALLIANSSI_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing("browser tests need Debian's chromium: apt-get install -y chromium chromium-driver")
    try:
        from playwright import sync_api
    except ImportError:
        _missing("browser tests need the playwright package: pip install -e '.[test]'")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any, live_site: LiveSite) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="fi-FI", base_url=live_site.url)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _missing("the accessibility check needs axe-core: run `npm ci` in web/")
    return AXE.read_text(encoding="utf-8")


def serious_violations(page: Any, axe_source: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)  # evaluated by the driver, so the page's CSP stays on
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return [f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['targets'])}"
            for v in result if v["impact"] in ("serious", "critical")]


def screenshot(page: Any, name: str, **options: Any) -> Path:
    """Saved to docs/screenshots/ with UPDATE_SCREENSHOTS=1 (the README shows them); else to a temporary
    folder, so a test run leaves the tree as it was."""
    folder = SCREENSHOTS if UPDATE_SCREENSHOTS else Path(tempfile.gettempdir()) / "allianssi-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path), **options)
    assert path.stat().st_size > 10_000, f"{name} looks empty"
    return path
