"""Messages from outside: routed by business key and correlation values, refused when unmatched,
ambiguous or duplicate, with nothing stored; never delivered to the wrong procurement."""

from __future__ import annotations

from tests.api.conftest import ApiSite


def _send(api: ApiSite, key: str, correlation: dict[str, str] | None, idempotency: str | None = None,
          token: str = "tenderer", name: str = "tender") -> object:
    headers = {"Idempotency-Key": idempotency} if idempotency else {}
    body = {"name": name, "business_key": key, "payload": {"price": 1000}}
    if correlation is not None:
        body["correlation"] = correlation
    return api.call("POST", "/messages", token=token, json=body, headers=headers)


def test_a_tender_reaches_its_own_procurement_once(api: ApiSite) -> None:
    first = api.to_tenders("KAI-API-1")
    second = api.to_tenders("KAI-API-2")
    before = {i: api.engine.instance(i).version for i in (first, second)}
    events = {i: len(api.engine.history(i)) for i in (first, second)}

    def unchanged(*ids: str) -> bool:
        return all(api.engine.instance(i).version == before[i] and len(api.engine.history(i)) == events[i]
                   for i in ids)

    ambiguous = _send(api, "KAI-API-2", None, token="orderer")
    assert ambiguous.status_code == 409 and "match" in ambiguous.get_json()["detail"]
    unmatched = _send(api, "KAI-API-2", {"tender": "nobody"}, token="orderer")
    assert unmatched.status_code == 409
    unknown_name = _send(api, "KAI-API-2", {"tender": "yrityspolku"}, name="ruling", token="orderer")
    assert unknown_name.status_code == 409
    no_such_key = _send(api, "KAI-API-404", {"tender": "yrityspolku"})
    assert no_such_key.status_code == 404
    assert unchanged(first, second)

    delivered = _send(api, "KAI-API-2", {"tender": "yrityspolku"}, idempotency="tender-yp-1")
    assert delivered.status_code == 200, delivered.get_json()
    assert delivered.get_json()["instance_id"] == second
    assert unchanged(first)  # never the other procurement
    received = [e for e in api.engine.history(second) if e.type == "message_received"]
    assert len(received) == 1 and received[0].actor == "token:tenderer"
    version = api.engine.instance(second).version

    duplicate = _send(api, "KAI-API-2", {"tender": "yrityspolku"}, idempotency="tender-yp-1")
    assert duplicate.status_code == 409 and "already" in duplicate.get_json()["detail"]
    assert api.engine.instance(second).version == version
    assert [e.type for e in api.engine.history(second)].count("message_received") == 1
    assert api.engine.replay(second).consistent


def test_a_tenderer_cannot_send_to_a_procurement_it_is_not_in(api: ApiSite) -> None:
    api.to_tenders()
    stranger = api.call("POST", "/messages", token="other-orderer", json={
        "name": "tender", "business_key": "KAI-API-1", "correlation": {"tender": "uraverkko"}})
    assert stranger.status_code == 404
