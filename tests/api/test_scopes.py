"""Every operation with a token of the right scope and with one of the wrong scope (organisation or
role), on both databases. The last assertion makes a new operation without a case here fail."""

from __future__ import annotations

from tests.api.conftest import PROCESS, ApiSite
from web.api.spec import document

FETCH = {"max_tasks": 5, "topics": [{"topic": "notice", "lock_duration": 30_000}]}


def test_every_operation_with_the_right_and_the_wrong_token(api: ApiSite) -> None:
    covered: set[str] = set()

    def check(operation: str, right: int, wrong: int, method: str, path: str, good: str, bad: str,
              json: object = None, headers: dict[str, str] | None = None, bad_first: bool = True) -> object:
        covered.add(operation)
        if bad_first:  # the wrong token first: it must change nothing the right one then needs
            refused = api.call(method, path, token=bad, json=json, headers=headers)
            assert refused.status_code == wrong, (operation, refused.status_code, refused.get_json())
        allowed = api.call(method, path, token=good, json=json, headers=headers)
        assert allowed.status_code == right, (operation, allowed.status_code, allowed.get_json(silent=True))
        return allowed

    start = {"process_id": PROCESS, "business_key": "KAI-S-1", "data": {"title": "T", "region": "kainuu"}}
    created = check("start_procurement", 201, 403, "POST", "/procurements", "orderer", "tenderer", start)
    instance_id = created.get_json()["instance_id"]  # type: ignore[attr-defined]

    listed = check("list_procurements", 200, 200, "GET", "/procurements", "orderer", "other-orderer")
    assert [p["id"] for p in listed.get_json()["items"]] == [instance_id]  # type: ignore[attr-defined]
    assert api.call("GET", "/procurements", token="other-orderer").get_json()["items"] == []
    check("read_procurement", 200, 404, "GET", f"/procurements/{instance_id}", "orderer", "other-orderer")
    check("procurement_history", 200, 404, "GET", f"/procurements/{instance_id}/history", "orderer", "other-orderer")
    check("verify_procurement", 200, 403, "GET", f"/procurements/{instance_id}/verify", "auditor", "orderer")
    package = check("audit_package", 200, 403, "GET", f"/procurements/{instance_id}/audit-package", "auditor",
                    "orderer")
    assert package.data[:2] == b"PK"  # type: ignore[attr-defined]
    check("ocds_package", 200, 404, "GET", f"/procurements/{instance_id}/ocds", "orderer", "other-orderer")

    task_id = api.task(instance_id)["id"]
    mine = check("my_tasks", 200, 200, "GET", "/tasks", "orderer", "other-orderer")
    assert [t["id"] for t in mine.get_json()["items"]] == [task_id]  # type: ignore[attr-defined]
    assert api.call("GET", "/tasks", token="other-orderer").get_json()["items"] == []
    check("read_task", 200, 404, "GET", f"/tasks/{task_id}", "orderer", "other-orderer")
    check("claim_task", 200, 404, "POST", f"/tasks/{task_id}/claim", "orderer", "other-orderer")
    assert api.call("POST", f"/tasks/{task_id}/claim", token="auditor").status_code == 403  # read-only token
    check("release_task", 200, 404, "POST", f"/tasks/{task_id}/release", "orderer", "other-orderer")
    check("complete_task", 200, 404, "POST", f"/tasks/{task_id}/complete", "orderer", "other-orderer",
          {"data": {"approve": True}})

    listed_external = check("list_external_tasks", 200, 200, "GET", "/external-tasks", "orderer", "other-orderer")
    assert len(listed_external.get_json()["items"]) == 1  # type: ignore[attr-defined]
    assert api.call("GET", "/external-tasks", token="other-orderer").get_json()["items"] == []
    fetched = check("fetch_and_lock", 200, 200, "POST", "/external-tasks/fetch-and-lock", "orderer", "other-orderer",
                    {**FETCH, "worker_id": "w"})
    [external] = fetched.get_json()["items"]  # type: ignore[attr-defined]
    check("fail_external_task", 200, 403, "POST", f"/external-tasks/{external['id']}/failure", "orderer",
          "other-orderer", {"worker_id": "w", "error_message": "try again", "retries": 2})
    api.call("POST", "/external-tasks/fetch-and-lock", json={**FETCH, "worker_id": "w"})
    check("complete_external_task", 200, 403, "POST", f"/external-tasks/{external['id']}/complete", "orderer",
          "other-orderer", {"worker_id": "w"})

    tender = {"name": "tender", "business_key": "KAI-S-1", "correlation": {"tender": "yrityspolku"}}
    check("deliver_message", 200, 404, "POST", "/messages", "tenderer", "other-orderer", tender)
    # a tenderer sees its own part of the procurement only, and not the release package of every party
    own = api.call("GET", f"/procurements/{instance_id}", token="tenderer").get_json()
    assert own["full_view"] is False and own["data"] is None and own["participants"] == []
    assert api.call("GET", f"/procurements/{instance_id}/ocds", token="tenderer").status_code == 403

    operations = {op["operationId"] for path in document()["paths"].values() for op in path.values()}
    assert covered == operations
