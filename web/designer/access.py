"""Who may use the workbench: designers change things; auditors read the definitions page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort

from web.auth import current_viewer, login_required

View = TypeVar("View", bound=Callable[..., Any])
DESIGNER, AUDITOR = "designer", "auditor"


def roles() -> frozenset[str]:
    return current_viewer().roles


def designer_required(view: View) -> View:
    """Only designers change definitions, drafts and versions (403 for everyone else)."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if DESIGNER not in roles():
            abort(403)
        return view(*args, **kwargs)
    return cast(View, login_required(wrapped))


def reader_required(view: View) -> View:
    """Designers and auditors may read definitions; others get 403."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not roles() & {DESIGNER, AUDITOR}:
            abort(403)
        return view(*args, **kwargs)
    return cast(View, login_required(wrapped))
