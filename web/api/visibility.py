"""What an API caller may see of a procurement: the same rules as the web pages (`web.access`),
asked through this one function so a shared confidentiality filter can replace it in one place."""

from __future__ import annotations

from typing import Any

from engine import InstanceView, TaskView
from web import access
from web.state import services


def procurement_for(viewer: access.Viewer, instance: InstanceView) -> dict[str, Any] | None:
    """The procurement as the viewer may see it, or None when the viewer may not see it at all.

    Full viewers (orderer side, auditors) see its data, tasks and participants; a producer's
    people (tenderers) see only their own organisation's tasks, never the data or other parties.
    """
    directory = services().directory
    if not access.may_see_procurement(viewer, instance, directory):
        return None
    full = access.full_view(viewer)
    tasks = list(instance.open_tasks) if full else [
        t for t in instance.open_tasks if viewer.organisation_ids & set(t.organisations)
        or t.claimed_by == viewer.username]
    return {
        "id": instance.id, "process_id": instance.process_id, "definition_version": instance.definition_version,
        "business_key": instance.business_key, "status": instance.status, "version": instance.version,
        "started_at": instance.started_at, "updated_at": instance.updated_at, "full_view": full,
        "data": dict(instance.data) if full else None,
        "open_tasks": [task_summary(t) for t in tasks],
        "awaited_messages": list(instance.awaited_messages) if full else [],
        "participants": sorted(access.participants(instance)) if full else [],
    }


def task_summary(task: TaskView) -> dict[str, Any]:
    return {"id": task.id, "instance_id": task.instance_id, "process_id": task.process_id,
            "business_key": task.business_key, "element_id": task.element_id, "name": task.name, "role": task.role,
            "organisations": list(task.organisations), "claimed_by": task.claimed_by, "due_at": task.due_at,
            "phase": task.phase, "instance_version": task.instance_version}
