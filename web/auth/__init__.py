"""Sign-in with the directory's users (werkzeug password hashes), sign-out, and the language switch."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from web import limits
from web.access import Viewer, viewer_for
from web.i18n import LANGUAGES
from web.security import TOKEN_BLUEPRINTS, safe_next
from web.state import services

bp = Blueprint("auth", __name__, template_folder="templates")

View = TypeVar("View", bound=Callable[..., Any])


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when the user name is unknown, so a wrong name takes as long as a wrong password."""
    return generate_password_hash(secrets.token_hex(8))


def load_viewer() -> None:
    """The signed-in user, if their server-side session is still live (not signed out, revoked or expired)."""
    username = session.get("user")
    g.viewer = None
    if not isinstance(username, str):
        return
    token = session.get("sid")
    if isinstance(token, str) and services().sessions.user(token) == username:
        g.viewer = viewer_for(services().directory, username)
    if g.viewer is None:  # ended on the server, or the user was removed from the directory
        _end_session()


def _end_session() -> None:
    language = session.get("language")
    session.clear()
    if language in LANGUAGES:
        session["language"] = language


SESSION_ONLY_ENDPOINTS = frozenset({"auth.login", "auth.logout", "auth.language"})


def refuse_read_only_changes() -> None:
    """One guard for every changing request: a read-only viewer (the auditor) gets 403, whatever the
    endpoint. Signing in or out and choosing a language change only the viewer's own session."""
    viewer = g.get("viewer")
    if (viewer is not None and viewer.read_only and request.method not in ("GET", "HEAD", "OPTIONS")
            and request.endpoint not in SESSION_ONLY_ENDPOINTS and request.blueprint not in TOKEN_BLUEPRINTS):
        abort(403)


def current_viewer() -> Viewer:
    viewer = g.get("viewer")
    if viewer is None:
        abort(401)
    return cast(Viewer, viewer)


def login_required(view: View) -> View:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("viewer") is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return cast(View, wrapped)


@bp.route("/login", methods=["GET", "POST"])
@limits.per_address
@limits.per_user
def login() -> Any:
    next_url = safe_next(request.values.get("next"), url_for("inbox.index"))
    if request.method == "GET":
        if g.get("viewer") is not None:
            return redirect(next_url)
        return render_template("auth/login.html", next=next_url, username="")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    directory = services().directory
    user = directory.users.get(username)
    if user is None:
        check_password_hash(_dummy_hash(), password)
    if user is None or not directory.check_password(username, password):
        current_app.logger.info("failed sign-in for %r", username)
        return render_template("auth/login.html", next=next_url, username=username,
                               error=_("Wrong user name or password.")), 401
    language = session.get("language")
    session.clear()  # a new session for the signed-in user: no fixation
    session.permanent = True
    session["user"] = user.username
    session["sid"] = services().sessions.create(user.username)
    if language in LANGUAGES:
        session["language"] = language
    flash(_("Welcome, %(name)s.", name=user.name), "info")
    return redirect(next_url)


@bp.post("/logout")
def logout() -> Any:
    token = session.get("sid")
    if isinstance(token, str):
        services().sessions.revoke(token)  # a copy of the cookie kept elsewhere no longer signs anyone in
    _end_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language() -> Any:
    chosen = request.form.get("language")
    if chosen in LANGUAGES:
        session["language"] = chosen
    return redirect(safe_next(request.form.get("next"), url_for("inbox.index")))
