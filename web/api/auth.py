"""Bearer tokens: the only way into the API. A browser session does not open it (the session
cookie is never read here) and a token does not open the web pages (they read only the session).

The token acts as a viewer with its one membership, so the API asks the same access rules
as the web pages (`web.access`) and the engine checks every command again.
"""

from __future__ import annotations

from typing import cast

from flask import Response, g, request

from engine import TokenInvalid, TokenStore, TokenView
from engine.tokens import act_as, stop_acting
from web.access import Viewer
from web.api.problems import ApiProblem
from web.state import services
from workflows.directory import User

PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.docs"})
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="allianssi"'}


def token_viewer(token: TokenView) -> Viewer:
    directory = services().directory
    user = User(token.actor, token.name, "", "API token", (token.membership,), "")
    organisation = directory.organisations.get(token.organisation)
    return Viewer(user, {organisation.id: organisation} if organisation else {})


def authenticate() -> None:
    """before_request of the API: a valid token sets g.api_viewer; anything else is 401."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiProblem(401, "send an API token: Authorization: Bearer <token>", headers=CHALLENGE)
    try:
        token = TokenStore(services().database).authenticate(secret.strip(), services().engine.clock())
    except TokenInvalid:
        raise ApiProblem(401, "the token is unknown, revoked or expired", headers=CHALLENGE) from None
    g.api_token = token
    g.api_viewer = token_viewer(token)
    g.api_acting = act_as(token)


def record(response: Response) -> Response:
    """after_request of the API: every call made with a token is logged under the token's name."""
    token = g.get("api_token")
    if token is not None:
        TokenStore(services().database).record_call(token.name, request.method, request.path,
                                                    response.status_code, services().engine.clock())
    return response


def forget(_error: BaseException | None = None) -> None:
    """teardown of the API: the next request on this thread acts with its own token, not this one."""
    handle = g.pop("api_acting", None)
    if handle is not None:
        stop_acting(handle)


def api_viewer() -> Viewer:
    return cast(Viewer, g.api_viewer)


def current_or_none() -> Viewer | None:
    return cast(Viewer | None, g.get("api_viewer"))


def actor() -> str:
    return cast(TokenView, g.api_token).actor
