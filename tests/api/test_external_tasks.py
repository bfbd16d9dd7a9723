"""External service tasks: two competing workers, completion, lock expiry and re-fetch, failures."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from tests.api.conftest import ApiSite

FETCH = {"max_tasks": 5, "topics": [{"topic": "notice", "lock_duration": 30_000}]}


def _fetch(api: ApiSite, worker: str) -> list[dict[str, Any]]:
    response = api.call("POST", "/external-tasks/fetch-and-lock", json={**FETCH, "worker_id": worker})
    assert response.status_code == 200, response.get_json()
    return list(response.get_json()["items"])


def _reviewed(api: ApiSite, key: str = "KAI-API-1") -> str:
    instance_id = api.start(key)
    task = api.task(instance_id)
    assert api.call("POST", f"/tasks/{task['id']}/complete", json={"data": {"approve": True}}).status_code == 200
    return instance_id


def test_two_workers_compete_one_gets_it_completes_it(api: ApiSite) -> None:
    instance_id = _reviewed(api)
    barrier = threading.Barrier(2)
    got: dict[str, list[dict[str, Any]]] = {}

    def worker(name: str) -> None:
        client = api.client()
        barrier.wait()
        response = api.call("POST", "/external-tasks/fetch-and-lock", json={**FETCH, "worker_id": name}, client=client)
        assert response.status_code == 200, response.get_json()
        got[name] = response.get_json()["items"]

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [name for name, items in got.items() if items]
    assert len(winners) == 1 and sum(len(items) for items in got.values()) == 1
    [task] = got[winners[0]]
    assert task["topic"] == "notice" and task["variables"]["title"] == "Notice"
    loser = "w2" if winners[0] == "w1" else "w1"
    refused = api.call("POST", f"/external-tasks/{task['id']}/complete", json={"worker_id": loser})
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    done = api.call("POST", f"/external-tasks/{task['id']}/complete",
                    json={"worker_id": winners[0], "variables": {"notice_id": "2026-123"}})
    assert done.status_code == 200, done.get_json()
    assert api.engine.instance(instance_id).awaited_messages == ("tender",)
    history = [e.type for e in api.engine.history(instance_id)]
    assert history.count("external_task_locked") == 1 and history.count("external_task_completed") == 1
    again = api.call("POST", f"/external-tasks/{task['id']}/complete", json={"worker_id": winners[0]})
    assert again.status_code == 409  # done already
    assert api.engine.replay(instance_id).consistent and api.engine.verify(instance_id).ok


def test_a_dead_workers_lock_expires_and_another_fetches_it(api: ApiSite) -> None:
    _reviewed(api)
    [first] = _fetch(api, "dies")
    assert _fetch(api, "w2") == []
    api.clock.now += timedelta(seconds=31)  # the first worker never comes back
    [again] = _fetch(api, "w2")
    assert again["id"] == first["id"] and again["worker_id"] == "w2"
    late = api.call("POST", f"/external-tasks/{first['id']}/complete", json={"worker_id": "dies"})
    assert late.status_code == 409
    assert api.call("POST", f"/external-tasks/{first['id']}/complete", json={"worker_id": "w2"}).status_code == 200


def test_failure_with_retries_then_an_incident(api: ApiSite) -> None:
    _reviewed(api)
    [task] = _fetch(api, "w")
    failed = api.call("POST", f"/external-tasks/{task['id']}/failure", json={
        "worker_id": "w", "error_message": "HILMA did not answer", "retries": 1, "retry_timeout": 10_000})
    assert failed.status_code == 200 and failed.get_json()["retries"] == 1
    assert _fetch(api, "w") == []
    api.clock.now += timedelta(seconds=11)
    [retry] = _fetch(api, "w")
    last = api.call("POST", f"/external-tasks/{retry['id']}/failure", json={
        "worker_id": "w", "error_message": "still down", "retries": 0})
    assert last.get_json()["incident"] is True
    api.clock.now += timedelta(days=1)
    assert _fetch(api, "w") == []
    [listed] = api.call("GET", "/external-tasks?topic=notice").get_json()["items"]
    assert listed["incident"] and listed["error_message"] == "still down"


def test_a_token_of_another_organisation_never_gets_the_task(api: ApiSite) -> None:
    _reviewed(api)
    other = api.call("POST", "/external-tasks/fetch-and-lock", token="other-orderer", json={**FETCH, "worker_id": "x"})
    assert other.status_code == 200 and other.get_json()["items"] == []
    [task] = _fetch(api, "w")
    stolen = api.call("POST", f"/external-tasks/{task['id']}/complete", token="other-orderer", json={"worker_id": "w"})
    assert stolen.status_code == 403
