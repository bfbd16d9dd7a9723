"""Makes SpiffWorkflow deterministic and safe for long runs.

SpiffWorkflow 3.2 draws task ids from `uuid4`, stamps state changes with
`time.time()`, asks `datetime.now()` whether a timer is due, copies nested task
data shallowly and stops walking the task tree at depth 1000 (SPIFFWORKFLOW.md,
traps 1, 4 and 10). Every command runs inside `deterministic(seed, at)`: ids
come from a generator seeded by (instance, command) and every clock reads the
command's own time, so re-applying the command log reproduces the stored state
byte for byte. Outside that context the library behaves as shipped.
"""

from __future__ import annotations

import contextvars
import hashlib
import random
import time as _time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from datetime import UTC, datetime

import SpiffWorkflow.bpmn.specs.event_definitions.timer as _timer_module
import SpiffWorkflow.task as _task_module
import SpiffWorkflow.util.deep_merge as _deep_merge_module
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskIterator

_rng: contextvars.ContextVar[random.Random | None] = contextvars.ContextVar("engine_rng", default=None)
_now: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("engine_now", default=None)

_UNLIMITED_DEPTH = 10**9


def utc_now() -> datetime:
    return datetime.now(UTC)


def current_time() -> datetime:
    """The time of the command being applied (or the wall clock outside one)."""
    return _now.get() or utc_now()


@contextmanager
def deterministic(seed: str, at: datetime) -> Iterator[None]:
    if at.tzinfo is None:
        raise ValueError("command times must be timezone-aware")
    digest = hashlib.sha256(seed.encode()).digest()
    rng_token = _rng.set(random.Random(int.from_bytes(digest[:16], "big")))
    now_token = _now.set(at.astimezone(UTC))
    try:
        yield
    finally:
        _rng.reset(rng_token)
        _now.reset(now_token)


def _seeded_uuid4() -> uuid.UUID:
    rng = _rng.get()
    if rng is None:
        return uuid.uuid4()
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class _ClockTime:
    """Stands in for the `time` module inside SpiffWorkflow.task."""

    @staticmethod
    def time() -> float:
        now = _now.get()
        return now.timestamp() if now is not None else _time.time()


class _ClockDatetime(datetime):
    """Stands in for `datetime` inside SpiffWorkflow's timer definitions."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
        now = _now.get()
        if now is None:
            return datetime.now(tz)
        return now.astimezone(tz) if tz else now.replace(tzinfo=None)


def _install() -> None:
    _task_module.uuid4 = _seeded_uuid4  # type: ignore[attr-defined]
    _task_module.time = _ClockTime  # type: ignore[attr-defined]
    _timer_module.datetime = _ClockDatetime  # type: ignore[misc]
    _deep_merge_module.copy = deepcopy  # type: ignore[attr-defined]
    TaskIterator.__init__.__defaults__ = (None, _UNLIMITED_DEPTH, True, None)
    BpmnTaskIterator.__init__.__defaults__ = (None, _UNLIMITED_DEPTH, True, False, None)


_install()
