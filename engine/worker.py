"""The background worker's loop (timers and whatever else runs each round), outliving database outages.

A lost connection or a database that is down is not a reason to stop: the worker logs it,
waits (doubling the wait up to a ceiling, so a long outage is not hammered), and carries on
once the database answers again. Only errors that are not about reaching the database stop it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

T = TypeVar("T")
log = logging.getLogger("allianssi.worker")


def unreachable(error: BaseException) -> bool:
    """Whether an error means the database could not be reached (rather than a bug or bad data)."""
    return isinstance(error, OperationalError) or (isinstance(error, DBAPIError) and error.connection_invalidated)


def run_worker(step: Callable[[], T], interval: float, stop: threading.Event | None = None,
               on_result: Callable[[T], None] | None = None, max_backoff: float = 60.0) -> None:
    """Run `step` (e.g. `engine.fire_due_timers`) every `interval` seconds until `stop` is set."""
    stop = stop or threading.Event()
    backoff = 0.0
    while not stop.is_set():
        try:
            result = step()
        except (OperationalError, DBAPIError) as error:
            if not unreachable(error):
                raise
            backoff = min(max_backoff, backoff * 2 if backoff else max(interval, 0.1))
            log.warning("database unreachable (%s); retrying in %.1f s", str(error.orig or error).strip()
                        .splitlines()[0], backoff)
            stop.wait(backoff)
            continue
        if backoff:
            log.warning("database reachable again; resuming")
            backoff = 0.0
        if on_result:
            on_result(result)
        stop.wait(interval)
