"""Finnish business IDs (y-tunnus) and organisations registered during a procurement.

A y-tunnus is seven digits, a hyphen and a check digit: the digits weighted 7, 9, 10, 5, 8, 4, 2
and summed; remainder 0 gives check digit 0, remainder 1 is never issued, otherwise the check
digit is 11 minus the remainder. An organisation that is not in the directory (a new applicant)
is registered with its name and y-tunnus; its id in the procurement is `y-<y-tunnus>`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from workflows.errors import InvalidInput

_FORM = re.compile(r"^(\d{6,7})-(\d)$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def check_digit(digits: str) -> int | None:
    """The check digit of seven digits, or None when the remainder is 1 (no such y-tunnus)."""
    remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def business_id(value: str) -> str:
    """A valid y-tunnus in its canonical form (`0112038-9`); InvalidInput naming what is wrong."""
    text = str(value).strip()
    match = _FORM.match(text)
    if not match:
        raise InvalidInput(f"Y-tunnus {text!r} ei ole muotoa 1234567-8. / The business ID {text!r} is not of the "
                           f"form 1234567-8.")
    digits = match.group(1).rjust(7, "0")    # old six-digit IDs are padded with a leading zero
    if check_digit(digits) != int(match.group(2)):
        raise InvalidInput(f"Y-tunnuksen {text} tarkistusmerkki ei täsmää. / The check digit of the business ID "
                           f"{text} is wrong.")
    return f"{digits}-{match.group(2)}"


def parse_registrations(text: str | Sequence[Any] | None) -> list[dict[str, str]]:
    """New organisations, one per line "Name, 1234567-8" (or dicts with name and business_id).

    Gives `[{"id": "y-1234567-8", "name": ..., "business_id": ...}]`; refuses a line without a
    name or with a wrong y-tunnus, and the same y-tunnus twice."""
    if text is None or text == "":
        return []
    entries: list[tuple[str, str]] = []
    if isinstance(text, str):
        for line in text.splitlines():
            if not line.strip():
                continue
            name, sep, code = line.rpartition(",")
            if not sep:
                name, _, code = line.strip().rpartition(" ")
            entries.append((name.strip(), code.strip()))
    else:
        for item in text:
            if not isinstance(item, dict):
                raise InvalidInput(f"odotettiin nimeä ja y-tunnusta / expected a name and business ID: {item!r}")
            entries.append((str(item.get("name", "")).strip(), str(item.get("business_id", "")).strip()))
    out: list[dict[str, str]] = []
    for name, code in entries:
        if not name:
            raise InvalidInput(f"Uudelta organisaatiolta puuttuu nimi ({code}). / A new organisation needs a name "
                               f"({code}); write one per line: Name, 1234567-8.")
        canonical = business_id(code)
        if any(o["business_id"] == canonical for o in out):
            raise InvalidInput(f"Y-tunnus {canonical} on kahdesti. / The business ID {canonical} appears twice.")
        out.append({"id": f"y-{canonical}", "name": name, "business_id": canonical})
    return out
