"""Values from a procurement's data as a page shows them: numbers, euros, dates and organisations by Babel
in the viewer's locale (fi: 330 000,00 € and 31.12.2026; en: €330,000.00 and 31 Dec 2026)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask_babel import format_currency, format_decimal
from flask_babel import gettext as _

from web.i18n import show_date, show_datetime

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def number(value: float | int, unit: str | None = None) -> str:
    """A number in the locale: euros with two decimals when the unit is EUR, else as many as it has."""
    if unit and unit.upper() == "EUR":
        return str(format_currency(value, "EUR"))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(format_decimal(value, format="#,##0.##"))


def show_value(value: Any, unit: str | None = None, organisations: Mapping[str, str] | None = None) -> str:
    """One value in words: yes/no, a localized number or date, an organisation's name for its id."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return number(value, unit)
    if isinstance(value, datetime | date):
        return show_date(value) if not isinstance(value, datetime) else show_datetime(value)
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return show_date(value)
        if _ISO_MOMENT.match(value):
            try:
                return show_datetime(datetime.fromisoformat(value))
            except ValueError:
                return value
        if organisations and value in organisations:
            return organisations[value]
        return value
    if isinstance(value, list):
        return ", ".join(show_value(v, unit, organisations) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {show_value(v, unit, organisations)}" for k, v in value.items())
    return str(value)


_DATE_IN_TEXT = re.compile(r"\b(\d{4}-\d{2}-\d{2})(?:T[0-9:.+-]+)?\b")


def dates_in_text(text: str) -> str:
    """A message's ISO dates ("2026-03-17") as the viewer writes them (17.3.2026 / 17 Mar 2026)."""
    return _DATE_IN_TEXT.sub(lambda m: show_date(m.group(1)), text)
