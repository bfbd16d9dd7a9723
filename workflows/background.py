"""One round of the background work: fire due timers, record the notifications they call for, send the
outbox. `allianssi worker` runs it in a loop; `allianssi serve --demo` runs it in a thread.

    tick(engine, directory, base_url, smtp_url) -> Round
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from engine import Engine
from engine.outbox import Outbox
from workflows.directory import Directory
from workflows.notifications import collect, smtp_sender

log = logging.getLogger("allianssi.background")


@dataclass(frozen=True)
class Round:
    fired: int
    recorded: int
    sent: int
    failed: int


def tick(engine: Engine, directory: Directory, base_url: str, smtp_url: str | None = None,
         sender: str = "allianssi@localhost") -> Round:
    """Fire due timers, record new notifications, and send what is due (when an SMTP server is set)."""
    fired = engine.fire_due_timers()
    outbox = Outbox(engine.db)
    now = engine.clock()
    recorded = outbox.record(collect(engine, directory, now, base_url), now)
    sent = failed = 0
    if smtp_url:
        sent, failed = outbox.send_due(smtp_sender(smtp_url, sender), now)
    return Round(fired, recorded, sent, failed)


def run_in_thread(engine: Engine, directory: Directory, base_url: str, smtp_url: str | None,
                  interval: float = 5.0) -> threading.Event:
    """Run tick() every `interval` seconds in a daemon thread until the returned event is set."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                done = tick(engine, directory, base_url, smtp_url)
                if done.fired or done.sent or done.failed:
                    log.info("background: %s", done)
            except Exception:  # noqa: BLE001 - a failed round is logged; the next one tries again
                log.exception("background round failed")
            stop.wait(interval)

    threading.Thread(target=loop, name="allianssi-background", daemon=True).start()
    return stop
