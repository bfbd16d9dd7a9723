"""API tokens in the web: an administrator makes one (its secret is shown once, on the answer
page, never again), sees them all and revokes one. The engine's TokenStore keeps them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import Conflict, TokenInvalid, TokenNotFound, TokenStore
from web.auth import current_viewer, login_required
from web.state import services
from workflows.directory import ROLES

bp = Blueprint("tokens", __name__, template_folder="templates")
ADMINISTRATOR = "administrator"
TOKEN_ROLES = tuple(r for r in ROLES if r not in ("administrator", "designer"))
View = TypeVar("View", bound=Callable[..., Any])


def administrator_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if ADMINISTRATOR not in current_viewer().roles:
            abort(403)
        return view(*args, **kwargs)
    return cast(View, wrapped)


def _store() -> TokenStore:
    return TokenStore(services().database)


def _page(status: int = 200, **shown: Any) -> Any:
    directory = services().directory
    organisations = sorted(directory.organisations.values(), key=lambda o: o.name)
    store = _store()
    return render_template("tokens/index.html", tokens=store.all(), last_used=store.last_used(),
                           organisations=organisations,
                           roles=TOKEN_ROLES, now=services().engine.clock(), **shown), status


@bp.get("/")
@administrator_required
def index() -> Any:
    return _page()


@bp.post("/")
@administrator_required
def create() -> Any:
    form = request.form
    name, organisation, role = form.get("name", "").strip(), form.get("organisation", ""), form.get("role", "")
    days = form.get("days", "")
    errors = []
    if organisation not in services().directory.organisations:
        errors.append(_("Choose an organisation."))
    if role not in TOKEN_ROLES:
        errors.append(_("Choose a role."))
    if not days.isdigit() or not 1 <= int(days) <= 366:
        errors.append(_("The token lives 1 to 366 days."))
    if not errors:
        try:
            token, secret = _store().create(name, organisation, role, timedelta(days=int(days)),
                                            current_viewer().username, services().engine.clock())
        except TokenInvalid:
            errors.append(_("A name is 1–63 lower-case letters, digits, dots, dashes or underscores."))
        except Conflict:
            errors.append(_("A token with this name exists already."))
        else:
            return _page(201, created=token, secret=secret)
    return _page(422, errors=errors, form=form)


@bp.post("/<name>/revoke")
@administrator_required
def revoke(name: str) -> Any:
    try:
        _store().revoke(name, current_viewer().username, services().engine.clock())
    except TokenNotFound:
        abort(404)
    flash(_("The token %(name)s was revoked.", name=name), "success")
    return redirect(url_for("tokens.index"))
