"""The registry of service handlers a deployment installs: Python entry points.

A service task that names Java code (`camunda:class`, `camunda:delegateExpression`) or a bean method
(`camunda:expression`) runs here only through a Python handler registered under that exact text.
A deployment registers its handlers in its own installed package, the standard Python way:

    [project.entry-points."allianssi.service_handlers"]
    "org.acme.invoice.ArchiveInvoiceService" = "acme_handlers.invoice:archive"

Each handler gets a copy of the task's data and returns a dict of variables to set (or the value
of `camunda:resultVariable`). The names are read when the engine is built, so a model naming a
handler that is not installed is refused at validation, never at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from engine.errors import EngineError

GROUP = "allianssi.service_handlers"

Handler = Callable[[dict[str, Any]], Any]


class HandlerNotLoadable(EngineError):
    """An installed entry point that does not give a callable: said when the engine is built."""


def installed_handlers(group: str = GROUP) -> dict[str, Handler]:
    """Handler name → callable, for every entry point of the group in the installed packages."""
    found: dict[str, Handler] = {}
    for point in entry_points(group=group):
        try:
            handler = point.load()
        except Exception as error:  # noqa: BLE001 - any import failure of the deployment's package is told as one
            raise HandlerNotLoadable(f"service handler {point.name!r} ({point.value}) cannot be loaded: "
                                     f"{type(error).__name__}: {error}") from None
        if not callable(handler):
            raise HandlerNotLoadable(f"service handler {point.name!r} ({point.value}) is not callable")
        found[point.name] = handler
    return found
