"""Token to completed task, external work and a tender, through HTTP on both databases."""

from __future__ import annotations

from tests.api.conftest import ApiSite


def test_start_read_complete_and_history(api: ApiSite) -> None:
    instance_id = api.start()
    shown = api.call("GET", f"/procurements/{instance_id}")
    assert shown.status_code == 200 and shown.headers["ETag"] == f'"{shown.get_json()["version"]}"'
    assert shown.get_json()["data"]["title"] == "Notice"
    [task] = api.call("GET", "/tasks").get_json()["items"]
    form = api.call("GET", f"/tasks/{task['id']}").get_json()["form"]
    assert form["required"] == ["approve"] and form["properties"]["amount"]["type"] == "integer"
    done = api.call("POST", f"/tasks/{task['id']}/complete", json={"data": {"approve": True, "amount": 5}},
                    headers={"If-Match": f'"{task["instance_version"]}"'})
    assert done.status_code == 200, done.get_json()
    events = api.call("GET", f"/procurements/{instance_id}/history").get_json()["items"]
    completed = [e for e in events if e["type"] == "task_completed"]
    assert [e["actor"] for e in completed] == ["token:orderer"]  # audited with the token's name
    assert api.engine.verify(instance_id).ok and api.engine.replay(instance_id).consistent
