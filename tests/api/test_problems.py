"""Refusals are application/problem+json (RFC 9457): 401, 403, 404, 409, 412, 422 and 429 each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from engine import Database, TokenStore
from tests.api.conftest import ApiSite, _site


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"] == "about:blank"
    return body


def test_401_without_a_token_with_a_wrong_one_a_revoked_one_and_an_expired_one(sqlite_api: ApiSite) -> None:
    api = sqlite_api
    _problem(api.call("GET", "/tasks", token=None), 401)
    assert api.call("GET", "/tasks", token=None).headers["WWW-Authenticate"].startswith("Bearer")
    _problem(api.call("GET", "/tasks", token=None, headers={"Authorization": "Bearer alli_nope"}), 401)
    forged = api.secrets["orderer"][:-4] + "AAAA"
    _problem(api.call("GET", "/tasks", token=None, headers={"Authorization": f"Bearer {forged}"}), 401)
    store = TokenStore(api.app.extensions["allianssi"].database)
    store.revoke("tenderer", "admin", api.clock.now)
    _problem(api.call("GET", "/tasks", token="tenderer"), 401)
    api.clock.now += timedelta(days=31)
    _problem(api.call("GET", "/tasks", token="orderer"), 401)


def test_403_404_409_412_and_422(sqlite_api: ApiSite) -> None:
    api = sqlite_api
    _problem(api.call("POST", "/procurements", token="tenderer", json={
        "process_id": "api_integration", "data": {"title": "x", "region": "kajaani"}}), 403)
    instance_id = api.start()
    _problem(api.call("GET", "/procurements/nope"), 404)
    _problem(api.call("GET", "/no-such-operation"), 404)
    assert api.client().get("/no-such-page").mimetype == "text/html"
    _problem(api.call("GET", "/tasks/nope"), 404)
    task = api.task(instance_id)
    _problem(api.call("POST", f"/tasks/{task['id']}/complete", token="auditor", json={"data": {}}), 403)
    invalid = _problem(api.call("POST", f"/tasks/{task['id']}/complete", json={"data": {"amount": -1}}), 422)
    assert set(invalid["errors"]) == {"approve", "amount"}
    bad_body = _problem(api.call("POST", f"/tasks/{task['id']}/complete", json={"data": {}, "extra": 1}), 422)
    assert "extra" in bad_body["errors"]
    _problem(api.call("POST", f"/tasks/{task['id']}/complete", json=None, headers={"Content-Type": "text/plain"}), 415)
    _problem(api.call("GET", "/procurements?limit=1000"), 422)
    assert api.call("POST", f"/tasks/{task['id']}/claim").status_code == 200  # the version moves on
    stale = _problem(api.call("POST", f"/tasks/{task['id']}/complete", json={"data": {"approve": True}},
                              headers={"If-Match": f'"{task["version"]}"'}), 412)
    assert "version" in stale["detail"]
    _problem(api.call("POST", f"/tasks/{task['id']}/complete", json={"data": {"approve": True}},
                      headers={"If-Match": "garbage"}), 412)
    current = api.call("GET", f"/procurements/{instance_id}").headers["ETag"]
    assert api.call("POST", f"/tasks/{task['id']}/complete", json={"data": {"approve": True}},
                    headers={"If-Match": current}).status_code == 200
    _problem(api.call("POST", f"/tasks/{task['id']}/complete", json={"data": {"approve": True}}), 409)
    _problem(api.call("POST", "/procurements", json={
        "process_id": "api_integration", "business_key": "KAI-API-1", "data": {"title": "x", "region": "kainuu"}}), 409)
    _problem(api.call("GET", "/procurements?cursor=garbage"), 400)


def test_429_over_the_rate_limit(sqlite_database: Database) -> None:
    for api in _site(sqlite_database.url):
        api.app.config["API_RATE_LIMIT"] = "3 per minute"
        for _ in range(3):
            assert api.call("GET", "/tasks").status_code == 200
        body = _problem(api.call("GET", "/tasks"), 429)
        assert body["instance"] == "/api/v1/tasks"
        assert api.call("GET", "/tasks", token="tenderer").status_code == 200  # another token has its own count


def test_paging_with_a_cursor(sqlite_api: ApiSite) -> None:
    api = sqlite_api
    made = [api.start(f"KAI-P-{n}") for n in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        page = api.call("GET", "/procurements?sort=started_at&limit=2" + (f"&cursor={cursor}" if cursor else ""))
        body = page.get_json()
        seen += [p["id"] for p in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == made
    newest = api.call("GET", "/procurements?limit=1").get_json()["items"]
    assert [p["id"] for p in newest] == [made[-1]]
    assert api.call("GET", "/procurements?business_key=KAI-P-3").get_json()["items"][0]["id"] == made[3]
