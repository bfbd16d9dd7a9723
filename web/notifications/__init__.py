"""The viewer's notifications in the app: what the outbox recorded for them (and whether it was e-mailed)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from flask import Blueprint, render_template

from engine.outbox import Outbox
from web.auth import current_viewer, login_required
from web.state import services

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.get("/")
@login_required
def index() -> Any:
    items = Outbox(services().database).of(current_viewer().username)
    # links in e-mails are absolute; in the app the path is enough (and stays on this host)
    return render_template("notifications/index.html", items=[(i, urlparse(i.link).path or "/") for i in items])
