"""The administrator's API token page and the API's documentation page in a real browser: a token
is made, its secret shown once and works against the API, then revoked; both pages pass axe-core."""

from __future__ import annotations

import re
from typing import Any
from urllib.request import Request, urlopen

from tests.web.browser.conftest import LiveSite
from tests.web.browser.test_journey import assert_accessible, sign_in, sign_out


def _api_status(live_site: LiveSite, secret: str) -> int:
    request = Request(f"{live_site.url}/api/v1/tasks", headers={"Authorization": f"Bearer {secret}"})
    try:
        with urlopen(request, timeout=10) as response:  # noqa: S310 - our own test server
            return int(response.status)
    except Exception as error:  # noqa: BLE001 - urllib raises HTTPError for 4xx
        return int(getattr(error, "code", 0))


def test_administrator_makes_and_revokes_a_token(page: Any, live_site: LiveSite, axe_source: str) -> None:
    sign_in(page, "admin")
    page.get_by_role("link", name="API-avaimet").click()
    page.get_by_role("heading", level=1, name="API-avaimet").wait_for()
    assert_accessible(page, axe_source)
    page.get_by_label("Nimi").fill("browser-bridge")
    page.get_by_label("Organisaatio").select_option("kainuu")
    page.get_by_label("Rooli").select_option("orderer")
    page.get_by_role("button", name="Luo avain").click()
    secret = page.locator("#token-secret").inner_text()
    assert re.fullmatch(r"alli_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", secret)
    assert_accessible(page, axe_source)
    assert _api_status(live_site, secret) == 200
    page.goto("/admin/tokens/")
    assert secret not in page.content()  # shown once
    page.get_by_role("button", name="Peru browser-bridge").click()
    page.get_by_text("Avain browser-bridge peruttiin.").wait_for()
    assert _api_status(live_site, secret) == 401
    page.goto("/api/v1/docs")
    page.get_by_role("heading", name="POST /api/v1/tasks/{task_id}/complete").wait_for()
    assert_accessible(page, axe_source)
    sign_out(page)
