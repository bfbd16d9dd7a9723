"""Timer texts as Camunda 7 reads them: a literal ISO 8601 date, duration or repeating interval, or
a Quartz cron `timeCycle` (`0 0 9 * * ?`), unless the text is an expression (`${...}`).

Cron is computed with croniter (a well-kept library; Quartz's seconds-first six fields map onto its
`second_at_beginning` form). Quartz's optional seventh field (year) and `L`/`W`/`#` day rules beyond
croniter's are refused at deployment.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from croniter import croniter
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.camunda import juel

_DURATION = re.compile(r"^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_RECURRING = re.compile(r"^R\d*/")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$")


def is_cron(text: Any) -> bool:
    """Camunda's cron timeCycle: Quartz's six fields, seconds first."""
    if not isinstance(text, str) or len(text.split()) != 6:
        return False
    return bool(croniter.is_valid(text.strip(), second_at_beginning=True))


def next_cron(text: str, after: datetime) -> datetime:
    moment = croniter(text.strip(), after, second_at_beginning=True).get_next(datetime)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_literal(text: str | None) -> bool:
    """Whether a timer's text is a literal value (Camunda's reading) rather than an expression."""
    stripped = (text or "").strip()
    if not stripped or juel.is_juel(stripped):
        return False
    if _DURATION.match(stripped) or _DATE.match(stripped) or is_cron(stripped):
        return True
    return bool(_RECURRING.match(stripped)) and check_recurring(stripped) is None


def check_recurring(text: str) -> str | None:
    try:
        TimerEventDefinition.parse_iso_recurring_interval(text)
    except Exception as error:  # noqa: BLE001 - SpiffWorkflow raises bare Exception for a bad interval
        return f"not an ISO 8601 repeating interval: {error}"
    return None


def looks_like_cron(text: str | None) -> bool:
    """Six or seven space-separated fields of cron characters: meant as cron, valid or not."""
    fields = (text or "").split()
    return len(fields) in (6, 7) and all(re.fullmatch(r"[\d*?/,\-LW#A-Za-z]+", f) for f in fields)
