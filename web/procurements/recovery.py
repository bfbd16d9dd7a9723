"""Mistakes recoverable: cancelling a procurement, and returning it to an earlier completed step, each with
a reason. Who may is said on the process (`recovery_role`: role ids separated by commas, the first the
viewer holds in this procurement is used); the engine checks the role again and audits the command."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from engine import InstanceView, TaskView
from web import access
from web.auth import current_viewer, login_required
from web.definitions import ProcessModel, process_model
from web.i18n import show_datetime
from web.names import element_title
from web.procurements import bp
from web.state import services

REASON_LIMIT = 2000


def recovery_role(viewer: access.Viewer, instance: InstanceView, model: ProcessModel) -> str | None:
    """The role in which the viewer may cancel or return this procurement, or None."""
    if viewer.read_only or instance.status != "running":
        return None
    resolver = services().engine.resolver
    for role in (r.strip() for r in model.properties.get("recovery_role", "").split(",")):
        if role and resolver.may_act(viewer.username, resolver.assign(role, instance.data)):
            return role
    return None


def returnable(instance: InstanceView, model: ProcessModel) -> list[tuple[TaskView, str]]:
    """(completed step, its title) newest first: the steps the procurement can be returned to."""
    steps = services().engine.completed_steps(instance.id)
    return [(step, element_title(model, step.element_id, step.name)) for step in reversed(steps)]


def _guarded(instance_id: str) -> tuple[InstanceView, str]:
    viewer = current_viewer()
    engine = services().engine
    instance = engine.instance(instance_id)
    if not access.may_see_procurement(viewer, instance, services().directory):
        abort(404)
    role = recovery_role(viewer, instance, process_model(engine, instance.process_id, instance.definition_version))
    if role is None:
        abort(403)
    return instance, role


def _reason() -> str | None:
    reason = request.form.get("reason", "").strip()
    if not reason:
        flash(_("Give a reason: it is recorded in the procurement's history."), "error")
        return None
    return reason[:REASON_LIMIT]


@bp.post("/<instance_id>/cancel")
@login_required
def cancel(instance_id: str) -> Any:
    instance, role = _guarded(instance_id)
    reason = _reason()
    if reason is not None:
        services().engine.cancel(instance.id, current_viewer().username, reason, role=role)
        flash(_("The procurement was cancelled."), "success")
    return redirect(url_for("procurements.show", instance_id=instance.id) + "#recovery-title")


@bp.post("/<instance_id>/return")
@login_required
def return_to(instance_id: str) -> Any:
    instance, role = _guarded(instance_id)
    reason = _reason()
    if reason is not None:
        step = request.form.get("step", "")
        services().engine.return_to(instance.id, step, current_viewer().username, reason, role=role)
        flash(_("The procurement was returned to the step you chose; the later steps were undone."), "success")
    return redirect(url_for("procurements.show", instance_id=instance.id))


def may_move_clock(viewer: access.Viewer, instance: InstanceView) -> bool:
    """Demo mode only: anyone on the orderer side who may change things moves a procurement's demo clock."""
    return (services().engine.demo_clock and instance.status == "running" and bool(instance.timers)
            and access.full_view(viewer) and not viewer.read_only)


@bp.post("/<instance_id>/demo-clock")
@login_required
def advance_clock(instance_id: str) -> Any:
    viewer = current_viewer()
    engine = services().engine
    instance = engine.instance(instance_id)
    if not access.may_see_procurement(viewer, instance, services().directory):
        abort(404)
    if not may_move_clock(viewer, instance):
        abort(404 if not engine.demo_clock else 403)
    moved_to = engine.advance_clock(instance.id, viewer.username)
    flash(_("The demo clock of this procurement is now %(time)s.", time=show_datetime(moved_to)), "success")
    return redirect(url_for("procurements.show", instance_id=instance.id))
