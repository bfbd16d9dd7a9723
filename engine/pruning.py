"""Bounding the state: finished history is cut out of the live task tree after every command.

SpiffWorkflow keeps every task an instance ever ran, so a command's cost (deserialize, the library's
own tree walks, serialize) grows with the history: ~35× at round 1000 of a review loop (trap 9). From
state format 2 on, after every command each (sub)process tree keeps its root and start-event task
and, hung under the start event, only the part that can still matter:

- the lowest common ancestor (LCA) of the unfinished tasks, everything under it (finished side
  branches included: a parallel join merges their data, a multi-instance its children's), and
- above it, back to the most recent completed human task and its parent, so that one may still
  return to the last step done (`execution.reset_to` needs the task's parent and its data) — looked
  for within `RETURN_REACH` tasks only, so a long automatic loop cannot keep history alive.

Splicing under the start event, not making the LCA the root, because a parallel gateway with an
incoming flow from the start counts that flow by walking up to the start-event task. Call activities
cut out take their finished subprocesses with them. The diagram's "completed" marks of the elements
cut out are kept in the root's internal data, so `execution.element_states` is the same as on the
whole tree; the audit log keeps every step itself.

The serializer stores a task's data as a delta against its parent's; the hung task's delta is then
taken against the start event's data, so it deserializes whole (and `execution.task_in_state`,
which applies the deltas along the stored parent chain, reads it alike).

An instance records its format when it starts (the root's internal data, and the start event's
`state_format` in the audit log); format 1 (older instances) is never pruned, so their stored
states and audit logs replay exactly as before. Live commands and replay prune at the same point:
`execution.dump_state`.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.util.task import TaskState

STATE_FORMAT = 2  # what new instances start with
LEGACY_FORMAT = 1  # instances from before pruning: the whole tree is kept
RETURN_REACH = 100  # how far above the live part the most recent completed human task is looked for
_KEY = "engine"  # the root task's internal data: {"state_format": 2, "completed": [element ids cut out]}


def start_format(workflow: Any, state_format: int) -> None:
    """Record a new instance's state format in its root task (format 1 records nothing, as before)."""
    if state_format >= STATE_FORMAT:
        workflow.task_tree.internal_data[_KEY] = {"state_format": state_format, "completed": []}


def state_format(workflow: Any) -> int:
    meta = workflow.task_tree.internal_data.get(_KEY)
    return int(meta["state_format"]) if isinstance(meta, dict) else LEGACY_FORMAT


def completed_elements(workflow: Any) -> list[str]:
    """The elements of completed tasks that pruning cut out of the tree (for the diagram's marks)."""
    meta = workflow.task_tree.internal_data.get(_KEY)
    return list(meta.get("completed", [])) if isinstance(meta, dict) else []


def prune(workflow: Any) -> int:
    """Cut the finished history out of the workflow and its subprocesses, if its format says so.
    Returns how many tasks were removed."""
    if state_format(workflow) < STATE_FORMAT:
        return 0
    meta = workflow.task_tree.internal_data[_KEY]
    marks = set(meta.get("completed", []))
    removed = _splice(workflow, workflow, marks)
    for task_id in list(workflow.subprocesses):
        subprocess = workflow.subprocesses.get(task_id)  # a call cut out above takes its nested calls along
        if subprocess is not None:
            removed += _splice(workflow, subprocess, marks)
    meta["completed"] = sorted(marks)
    return removed


def _cut_index(chain: list[Any], lca: int) -> int:
    """Where the kept part starts on the chain (root … LCA): the parent of the most recent completed human
    task within reach, else the LCA itself."""
    for index in range(lca, max(1, lca - RETURN_REACH), -1):
        task = chain[index]
        if task.state == TaskState.COMPLETED and getattr(task.task_spec, "manual", False):
            return index - 1
    return lca


def _splice(top: Any, level: Any, marks: set[str]) -> int:
    """Prune one (sub)process tree: root and start event kept, the kept part hung under the start event."""
    live = [t for t in level.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not live:
        return 0  # finished (or cancelled): nothing runs on, the tree stays as it ended
    chain: list[Any] = []
    task = live[0]
    while task is not None:
        chain.append(task)
        task = task.parent
    chain.reverse()
    position = {t.id: i for i, t in enumerate(chain)}
    lca = len(chain) - 1
    for task in live[1:]:
        while task.id not in position:
            task = task.parent
        lca = min(lca, position[task.id])
    while lca > 0 and not chain[lca].has_state(TaskState.FINISHED_MASK):
        lca -= 1  # an unfinished task is never the hung one: it may still be reset or re-predicted
    cut = _cut_index(chain, lca)
    if cut <= 1:  # chain[0] is the root, chain[1] the start event: nothing above to cut
        return 0
    root, start, hung = chain[0], chain[1], chain[cut]
    keep = {root.id, start.id}
    stack = [hung]
    while stack:
        task = stack.pop()
        keep.add(task.id)
        stack.extend(task.children)
    dropped = [level.tasks[task_id] for task_id in level.tasks if task_id not in keep]
    for task in dropped:
        _mark(task, marks)
        if task.id in top.subprocesses:
            for inner in top.delete_subprocess(task):  # with its nested calls
                _mark(inner, marks)
    for task in dropped:
        del level.tasks[task.id]
    root._children = [start.id]
    start._children = [hung.id]
    hung._parent = start.id
    if level.last_task is not None and level.last_task.id not in level.tasks:
        level.last_task = None
    return len(dropped)


def _mark(task: Any, marks: set[str]) -> None:
    element = getattr(task.task_spec, "bpmn_id", None)
    if element and task.state == TaskState.COMPLETED:
        marks.add(str(element))
