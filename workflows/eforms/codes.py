"""CPV codes with their check digit, and Finland's NUTS 3 regions.

A CPV code is written `79400000-8`: eight digits and a check digit, the sum of the digits weighted
3, 7, 1, 3, 7, 1, 3, 7 modulo 10 (Regulation (EC) 213/2008's list carries it with every code).
eForms notices carry the eight digits only; the check digit catches a mistyped code at the field.
The full CPV list is not shipped with the eForms SDK copy we read, so the code is checked by its form.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

from workflows.errors import InvalidInput

_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)
_CPV = re.compile(r"^(\d{8})-(\d)$")


def cpv_check_digit(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 10


def cpv(value: str) -> str:
    """`79400000-8` → `79400000`; a wrong form or check digit is refused, naming the code."""
    text = str(value).strip().replace(" ", "")
    match = _CPV.match(text)
    if not match:
        raise InvalidInput(f"CPV-koodi muodossa 12345678-9, saatiin {value!r}. / Write a CPV code as 12345678-9 "
                           f"(eight digits and the check digit), got {value!r}.")
    digits, check = match.group(1), int(match.group(2))
    if cpv_check_digit(digits) != check:
        raise InvalidInput(f"CPV-koodin {text} tarkiste on väärä (oikea {digits}-{cpv_check_digit(digits)}). / "
                           f"The check digit of CPV code {text} is wrong: {digits} has check digit "
                           f"{cpv_check_digit(digits)}.")
    if digits.startswith("00"):
        raise InvalidInput(f"CPV-koodia {text} ei ole. / There is no CPV code {text}.")
    return digits


def cpv_list(value: str | Sequence[Any] | None) -> list[str]:
    """Additional CPV codes: a list, or text with one per line / separated by commas."""
    if value is None:
        return []
    parts = re.split(r"[,;\n]", value) if isinstance(value, str) else [str(v) for v in value]
    codes: list[str] = []
    for part in (p.strip() for p in parts):
        if part:
            code = cpv(part)
            if code not in codes:
                codes.append(code)
    return codes


def with_check_digit(digits: str) -> str:
    return f"{digits}-{cpv_check_digit(digits)}"


def nuts_fi(value: str, regions: dict[str, str]) -> str:
    code = str(value).strip().upper()
    if code not in regions:
        raise InvalidInput(f"NUTS 3 -alue {value!r} ei ole Suomen luettelossa. / {value!r} is not a NUTS 3 region of "
                           f"Finland; one of: " + ", ".join(f"{c} {n}" for c, n in sorted(regions.items())) + ".")
    return code


def url(value: str) -> str:
    """An http(s) address with a host (eForms BT-15, BT-18)."""
    text = str(value).strip()
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in text:
        raise InvalidInput(f"Osoite muodossa https://…, saatiin {value!r}. / Write an address as https://…, "
                           f"got {value!r}.")
    return text
