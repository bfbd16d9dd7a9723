"""Names of people and organisations as pages show them, in the viewer's language."""

from __future__ import annotations

from flask import Flask

from engine import InstanceView
from web.definitions import ProcessModel
from web.i18n import english, localized
from web.state import services


def org_name(organisation_id: str | None) -> str:
    if not organisation_id:
        return ""
    organisation = services().directory.organisations.get(organisation_id)
    if organisation is None:
        return organisation_id
    return organisation.name_en if english() and organisation.name_en else organisation.name


def organisation_names() -> dict[str, str]:
    """Every organisation's id → its name in the viewer's language (values that are ids are shown as names)."""
    return {org_id: org_name(org_id) for org_id in services().directory.organisations}


def user_name(username: str | None) -> str:
    if not username:
        return ""
    user = services().directory.users.get(username)
    return user.name if user else username


def element_title(model: ProcessModel | None, element_id: str, fallback: str) -> str:
    """A diagram element's name in the viewer's language (its `name_en` property in English)."""
    element = model.elements.get(element_id) if model else None
    if element is None:
        return fallback
    return localized(element.properties, "name", element.name or fallback)


def process_title(model: ProcessModel | None, fallback: str) -> str:
    return localized(model.properties, "name", model.name) if model else fallback


def procurement_title(instance: InstanceView, model: ProcessModel | None = None) -> str:
    """How a procurement is called: its title from the start form, else its business key, else the process."""
    for key in ("title", "name", "procurement_title", "procurement_name"):
        value = instance.data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return instance.business_key or process_title(model, instance.process_id)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(org_name=org_name, user_name=user_name, element_title=element_title,
                                  process_title=process_title, procurement_title=procurement_title)
