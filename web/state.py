"""The services of the running app (engine, directory), kept on `app.extensions`."""

from __future__ import annotations

from typing import cast

from flask import current_app

from web.services import Services

EXTENSION = "allianssi"


def services() -> Services:
    return cast(Services, current_app.extensions[EXTENSION])
