"""The one place engine errors become HTTP responses.

| error | status |
|---|---|
| DefinitionError, FormInvalid, ScriptFailed | 422 |
| NotAllowed | 403 |
| InstanceNotFound, TaskNotFound, DefinitionNotFound | 404 |
| Conflict (TaskNotReady, StaleInstance) | 409 |

Views that show a form again with its errors ask `status_of(error)` for the
status, so the table above stays the only mapping.
"""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from engine import (
    Conflict,
    DefinitionError,
    DefinitionNotFound,
    EngineError,
    FormInvalid,
    InstanceNotFound,
    NotAllowed,
    ScriptFailed,
    StaleInstance,
    TaskNotFound,
    TaskNotReady,
)
from web.formats import dates_in_text
from web.i18n import N_, in_language

STATUS: tuple[tuple[type[EngineError], int], ...] = (
    (DefinitionError, 422),
    (FormInvalid, 422),
    (ScriptFailed, 422),
    (NotAllowed, 403),
    (InstanceNotFound, 404),
    (TaskNotFound, 404),
    (DefinitionNotFound, 404),
    (Conflict, 409),
)


def status_of(error: EngineError) -> int:
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 500


def reason(error: EngineError) -> str:
    """What went wrong, for the person: a failed script's own reason (without element id and exception
    name), in the viewer's half when the message is bilingual."""
    return dates_in_text(in_language(error.reason if isinstance(error, ScriptFailed) else str(error)))


def explain(error: EngineError) -> tuple[str, str]:
    """A title and a sentence for the person who met the error, in their language."""
    if isinstance(error, TaskNotReady):
        return _("This task is already done"), _(
            "Someone has already completed this task, or it is no longer open. Nothing you entered was saved. "
            "Check the procurement's history and your inbox for what to do next.")
    if isinstance(error, StaleInstance):
        return _("The procurement has changed"), _(
            "Someone else changed this procurement at the same time. Nothing you entered was saved; "
            "open the task again and resubmit.")
    if isinstance(error, Conflict):
        return _("This cannot be done now"), reason(error)
    if isinstance(error, NotAllowed):
        return _("Not allowed"), _("You may not do this. It belongs to another user or organisation.")
    if isinstance(error, TaskNotFound):
        return _("Task not found"), _(
            "There is no open task at this address. It may have been completed already.")
    if isinstance(error, InstanceNotFound | DefinitionNotFound):
        return _("Not found"), _("There is nothing at this address, or you may not see it.")
    if isinstance(error, ScriptFailed):
        return _("The step could not be run"), _(
            "The procurement's rules stopped this step; nothing was saved. Reason: %(reason)s",
            reason=reason(error))
    if isinstance(error, FormInvalid):
        return _("Check the form"), _("Some values are missing or wrong; nothing was saved.")
    if isinstance(error, DefinitionError):
        return _("The process definition is broken"), str(error)
    return _("Something went wrong"), _("The request could not be completed.")


HTTP_TEXTS = {
    400: (N_("Bad request"), N_("The form was out of date or incomplete. Go back, reload the page and try again.")),
    403: (N_("Not allowed"), N_("You may not see this page.")),
    404: (N_("Not found"), N_("There is nothing at this address, or you may not see it.")),
    405: (N_("Not allowed"), N_("This address does not accept that kind of request.")),
    413: (N_("Too large"), N_("What you sent is too large.")),
    500: (N_("Something went wrong"), N_("The request could not be completed. Nothing was saved.")),
}


def _http_error(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    title, text = HTTP_TEXTS.get(status, HTTP_TEXTS[500])
    return render_template("errors.html", status=status, title=_(title), message=_(text)), status


def _engine_error(error: EngineError) -> tuple[str, int]:
    status = status_of(error)
    title, message = explain(error)
    return render_template("errors.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    app.register_error_handler(EngineError, _engine_error)
    app.register_error_handler(HTTPException, _http_error)
