"""Finnish and English: the language of a request, texts from the diagrams in that language, dates.

UI texts are in the message catalogues under web/translations (msgids are
English; Finnish is the default language). Texts that come from the diagrams
carry their English twin in a property: `name`/`name_en`,
`documentation`/`documentation_en`, a field's `label`/`label_en` and
`help`/`help_en`. Domain messages written as "suomeksi / in English" are cut
to the half of the current language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, session
from flask_babel import Babel, format_date, format_datetime, get_locale
from flask_babel import gettext as _

LANGUAGES = ("fi", "en")
DEFAULT_LANGUAGE = "fi"


def N_(text: str) -> str:  # noqa: N802 - the name pybabel extracts by default
    """Mark a text for the catalogue; it is translated where it is shown."""
    return text


def language() -> str:
    if has_request_context():
        chosen = session.get("language")
        if chosen in LANGUAGES:
            return str(chosen)
    return DEFAULT_LANGUAGE


def babel_locale() -> str:
    """The locale Babel formats in: British English (31 Dec 2026, not Dec 31, 2026) for English; its
    catalogue falls back to `en`."""
    chosen = language()
    return "en_GB" if chosen == "en" else chosen


def english() -> bool:
    return str(get_locale() or DEFAULT_LANGUAGE).startswith("en")


def localized(properties: Mapping[str, str] | None, key: str, default: str | None) -> str:
    """`default` (the Finnish text from the diagram) or, in English, its `<key>_en` property when given."""
    if english() and properties and properties.get(f"{key}_en"):
        return properties[f"{key}_en"]
    return default or ""


def in_language(text: str) -> str:
    """"Suomeksi. / In English." → the half in the current language (the whole text when not bilingual).

    "Tuntemattomat organisaatiot / unknown organisations: atlantis" keeps its shared tail in Finnish too.
    """
    if " / " not in text:
        return text
    finnish, _sep, in_english = text.partition(" / ")
    if english():
        return in_english
    if ": " in in_english and ": " not in finnish:
        finnish = f"{finnish}: {in_english.split(': ', 1)[1]}"
    return finnish


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIME_ZONE"])


def local_date(moment: datetime) -> date:
    """The calendar day of a moment here."""
    return moment.astimezone(zone()).date()


def deadline_date(due: datetime) -> date:
    """The last day of a deadline. A date-only deadline ends at 23:59:59 here (the engine's local time
    zone) and stays on that day; a period that closes at midnight here (00:00 of the next day) has the
    day before as its last day."""
    here = due.astimezone(zone())
    if (here.hour, here.minute, here.second, here.microsecond) == (0, 0, 0, 0):
        return here.date() - timedelta(days=1)
    return here.date()


def days_left(due: datetime, now: datetime) -> int:
    """Calendar days from today to the deadline's last day in local time; negative when overdue."""
    return (deadline_date(due) - local_date(now)).days


def days_left_text(days: int) -> str:
    if days < 0:
        return _("%(num)d days overdue", num=-days) if days < -1 else _("1 day overdue")
    if days == 0:
        return _("due today")
    return _("%(num)d days left", num=days) if days > 1 else _("1 day left")


PHASES = {
    "strategy": N_("Strategy"),
    "procurement_unit": N_("Procurement unit"),
    "unit": N_("Procurement unit"),
    "preparation": N_("Preparation"),
    "notice": N_("Contract notice"),
    "participation": N_("Requests to participate"),
    "selection": N_("Qualification and selection"),
    "tendering": N_("Tendering"),
    "tenders": N_("Tendering"),
    "initial_tenders": N_("Initial tenders"),
    "negotiation": N_("Negotiations"),
    "final_tenders": N_("Final tenders"),
    "evaluation": N_("Evaluation"),
    "decision": N_("Procurement decision"),
    "standstill": N_("Standstill"),
    "contract": N_("Contract"),
    "development": N_("Development phase"),
    "exit_gate": N_("Exit gate"),
    "implementation": N_("Implementation phase"),
    "closeout": N_("Close-out"),
    "joint_decision": N_("Joint decision"),
    "exit": N_("Exit"),
    "proposal": N_("Proposal"),
    "review": N_("Review"),
}
ROLES = {
    "municipality": N_("Municipality"),
    "orderer": N_("Orderer"),
    "procurement_unit": N_("Procurement unit"),
    "tenderer": N_("Tenderer"),
    "steering_group": N_("Steering group"),
    "producer": N_("Producer"),
    "auditor": N_("Auditor"),
    "designer": N_("Process designer"),
}
STATUSES = {"running": N_("In progress"), "completed": N_("Completed"), "cancelled": N_("Cancelled")}
STATE_WORDS = {"completed": N_("completed"), "active": N_("active"), "waiting": N_("waiting")}
EVENTS = {
    "instance_started": N_("Procurement started"),
    "task_completed": N_("Task completed"),
    "task_claimed": N_("Task claimed"),
    "task_released": N_("Task released"),
    "task_delegated": N_("Task delegated"),
    "instance_cancelled": N_("Procurement cancelled"),
    "instance_reset": N_("Returned to an earlier step"),
    "message_received": N_("Message received"),
    "timers_fired": N_("Deadline reached"),
    "instance_migrated": N_("Moved to a newer version of its process"),
    "element_completed": N_("Step completed"),
    "element_ready": N_("Step opened"),
    "element_waiting": N_("Waiting"),
    "element_started": N_("Step started"),
    "element_cancelled": N_("Step cancelled"),
    "element_error": N_("Step failed"),
}


def phase_label(phase: str | None) -> str:
    if not phase:
        return ""
    known = PHASES.get(phase)
    return _(known) if known else phase.replace("_", " ").capitalize()


def role_label(role: str | None) -> str:
    if not role:
        return ""
    known = ROLES.get(role)
    return _(known) if known else role.replace("_", " ")


def status_label(status: str) -> str:
    return _(STATUSES[status]) if status in STATUSES else status


def event_label(event_type: str) -> str:
    return _(EVENTS[event_type]) if event_type in EVENTS else event_type.replace("_", " ")


def state_words() -> dict[str, str]:
    return {state: _(word) for state, word in STATE_WORDS.items()}


def show_date(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = value
        try:
            value = datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text)
        except ValueError:
            return text
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return str(format_date(value.date(), "medium"))
        return str(format_date(local_date(value), "medium"))
    return str(format_date(value, "medium"))


def show_deadline(value: datetime | None) -> str:
    return str(format_date(deadline_date(value), "medium")) if value else ""


def show_datetime(value: datetime | None) -> str:
    return str(format_datetime(value, "short")) if value else ""


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["TIME_ZONE"])
    Babel(app, locale_selector=babel_locale)
    app.jinja_env.globals.update(
        language=language, localized=localized, in_language=in_language, phase_label=phase_label,
        role_label=role_label, status_label=status_label, event_label=event_label, show_date=show_date,
        show_deadline=show_deadline, show_datetime=show_datetime, days_left_text=days_left_text, LANGUAGES=LANGUAGES,
        state_words=state_words)
