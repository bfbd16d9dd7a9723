"""Token to completed task, external work and a tender, through HTTP on both databases."""

from __future__ import annotations

from engine import TokenStore
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
    # every call, reads and refusals too, is in the access log under the token's name
    calls = TokenStore(api.app.extensions["allianssi"].database).calls("orderer")
    assert [(c.method, c.path, c.status) for c in calls][:2] == [
        ("GET", f"/api/v1/procurements/{instance_id}/history", 200),
        ("POST", f"/api/v1/tasks/{task['id']}/complete", 200)]
    assert api.call("GET", "/tasks/nope").status_code == 404
    assert TokenStore(api.app.extensions["allianssi"].database).calls("orderer", limit=1)[0].status == 404


def test_a_stale_if_match_gets_412_and_changes_nothing(api: ApiSite) -> None:
    instance_id = api.start()
    task = api.task(instance_id)
    assert api.call("POST", f"/tasks/{task['id']}/claim").status_code == 200
    events = len(api.engine.history(instance_id))
    stale = api.call("POST", f"/tasks/{task['id']}/complete", json={"data": {"approve": True}},
                     headers={"If-Match": f'"{task["version"]}"'})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert stale.headers["ETag"] == f'"{task["version"] + 1}"'
    assert len(api.engine.history(instance_id)) == events and api.engine.instance(instance_id).open_tasks
