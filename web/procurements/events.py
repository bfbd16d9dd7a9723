"""Every event a button: the messages a procurement waits for now, read from its diagram's catch events
(intermediate and boundary events with a message), offered to the viewers whose role may send them
(`sender_role`), each with the form the catch event declares (`camunda:formData`). No page per event:
a new catch event in a diagram is a new button."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import FormInvalid, InstanceView, ScriptFailed
from web import access
from web.auth import current_viewer, login_required
from web.choices import field_choices
from web.definitions import Element, ProcessModel, process_model
from web.errors import reason, status_of
from web.i18n import localized
from web.names import element_title, procurement_title
from web.procurements import bp
from web.state import services
from web.tasks.forms import field_views, outside_choices, submitted
from workflows.forms import validate_form


@dataclass(frozen=True)
class EventOffer:
    element: Element
    title: str
    help: str


def _may_send(viewer: access.Viewer, element: Element, instance: InstanceView) -> bool:
    """The engine's own rule: a `sender_role` names who may deliver it; the resolver decides from the data."""
    if viewer.read_only:
        return False
    role = element.properties.get("sender_role")
    if not role:
        return access.full_view(viewer)  # an event that names no sender: the orderer side
    resolver = services().engine.resolver
    return resolver.may_act(viewer.username, resolver.assign(role, instance.data))


def offered(viewer: access.Viewer, instance: InstanceView, model: ProcessModel) -> list[EventOffer]:
    """The catch events waiting now whose message the viewer may send, in diagram order."""
    if instance.status != "running":
        return []
    waiting = [e for e in model.elements.values()
               if e.message in instance.awaited_messages and instance.element_states.get(e.id) == "waiting"]
    return [EventOffer(e, element_title(model, e.id, e.name or e.message or e.id),
                       localized(e.properties, "documentation", e.documentation))
            for e in waiting if _may_send(viewer, e, instance)]


def _offer(instance_id: str, element_id: str) -> tuple[InstanceView, ProcessModel, EventOffer]:
    viewer = current_viewer()
    engine = services().engine
    instance = engine.instance(instance_id)
    if not access.may_see_procurement(viewer, instance, services().directory):
        abort(404)
    model = process_model(engine, instance.process_id, instance.definition_version)
    offer = next((o for o in offered(viewer, instance, model) if o.element.id == element_id), None)
    if offer is None:
        abort(404)  # not waited for now, or not the viewer's to send
    return instance, model, offer


def _render(instance: InstanceView, model: ProcessModel, offer: EventOffer, values: dict[str, str] | None = None,
            errors: dict[str, list[str]] | None = None, problem: str | None = None, status: int = 200) -> Any:
    fields = field_views(offer.element.form, values, errors,
                         field_choices(offer.element.form, instance.data, instance.participants))
    return render_template("procurements/event.html", instance=instance, offer=offer, fields=fields,
                           procurement=procurement_title(instance, model), problem=problem,
                           error_count=sum(1 for f in fields if f.errors)), status


@bp.get("/<instance_id>/events/<element_id>")
@login_required
def event_form(instance_id: str, element_id: str) -> Any:
    return _render(*_offer(instance_id, element_id))


@bp.post("/<instance_id>/events/<element_id>")
@login_required
def send_event(instance_id: str, element_id: str) -> Any:
    instance, model, offer = _offer(instance_id, element_id)
    data, shown = submitted(offer.element.form, request.form)
    wrong = outside_choices(offer.element.form, data,
                            field_choices(offer.element.form, instance.data, instance.participants))
    if wrong:
        return _render(instance, model, offer, shown, wrong, status=422)
    try:
        payload = validate_form(offer.element.form, data) if offer.element.form else {}
        services().engine.deliver_message(instance.id, offer.element.message or "", payload,
                                          current_viewer().username)
    except FormInvalid as error:
        return _render(instance, model, offer, shown, error.errors, status=status_of(error))
    except ScriptFailed as error:
        return _render(instance, model, offer, shown, problem=reason(error), status=status_of(error))
    flash(_("Recorded: %(event)s.", event=offer.title), "success")
    return redirect(url_for("procurements.show", instance_id=instance.id))
