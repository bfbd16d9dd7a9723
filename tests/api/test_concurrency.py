"""50 concurrent API completions of one task: one 2xx, 49 conflicts, one audit event."""

from __future__ import annotations

import threading
from typing import Any

from tests.api.conftest import ApiSite

CALLERS = 50


def test_fifty_concurrent_completions(api: ApiSite) -> None:
    instance_id = api.start()
    task_id = api.task(instance_id)["id"]
    clients = [api.client() for _ in range(CALLERS)]
    barrier = threading.Barrier(CALLERS)
    statuses: list[int] = []
    bodies: list[Any] = []

    def complete(index: int) -> None:
        barrier.wait()
        response = api.call("POST", f"/tasks/{task_id}/complete", json={"data": {"approve": True, "amount": index}},
                            client=clients[index])
        statuses.append(response.status_code)
        bodies.append(response.get_json())

    threads = [threading.Thread(target=complete, args=(i,)) for i in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200] + [409] * (CALLERS - 1), statuses
    assert all(b["status"] == 409 and b["type"] == "about:blank" for b in bodies if "version" not in b)
    completions = [e for e in api.engine.history(instance_id) if e.type == "task_completed"]
    assert len(completions) == 1 and completions[0].task_id == task_id
    assert api.engine.verify(instance_id).ok and api.engine.replay(instance_id).consistent
