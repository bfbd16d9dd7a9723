"""A procurement's files: downloading attachments and archived documents, generating documents
(decision, § 124 report, …) as PDF, and the unit's side-by-side comparison of tenders.

Every file goes through the procurement's confidentiality filter (web/access.py →
workflows.confidentiality): a file is served only to someone who may see the field or document
that recorded it; anyone else gets 403, and someone who may not see the procurement at all 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import InstanceView
from engine.blobs import BlobMissing
from web import access
from web.auth import current_viewer, login_required
from web.definitions import process_model
from web.names import procurement_title
from web.state import services
from workflows import documents as docs
from workflows.confidentiality import Audience
from workflows.tenders import comparison

bp = Blueprint("documents", __name__, template_folder="templates")


@dataclass(frozen=True)
class Offer:
    """A document the viewer may generate now."""

    kind: str
    tenderer: str | None = None


def _procurement(instance_id: str) -> tuple[InstanceView, access.Viewer]:
    viewer = current_viewer()
    instance = services().engine.instance(instance_id)
    if not access.may_see_procurement(viewer, instance):
        abort(404)
    return instance, viewer


def available(viewer: access.Viewer, instance: InstanceView, audience: Audience) -> list[Offer]:
    """The documents the procurement unit can generate from the data as it stands."""
    if not audience.unit or viewer.read_only or instance.status != "running":
        return []
    data = instance.data
    offers: list[Offer] = []
    if data.get("ranking"):
        offers.append(Offer("decision"))
    if data.get("negotiation_outcome") == "no_tenders":
        offers.append(Offer("discontinuation"))
    selection = data.get("selection")
    if selection:
        offers.append(Offer("report_124"))
    excluded = selection.get("excluded") if isinstance(selection, dict) else None
    for item in excluded or []:
        organisation = item.get("organisation") if isinstance(item, dict) else item
        if isinstance(organisation, str) and organisation:
            offers.append(Offer("exclusion", organisation))
    for item in data.get("round_tenders") or []:
        if isinstance(item, dict) and item.get("organisation"):
            offers.append(Offer("minutes", str(item["organisation"])))
    for item in data.get("dropped_tenderers") or []:
        if isinstance(item, dict) and item.get("organisation"):
            offers.append(Offer("dropped", str(item["organisation"])))
    return offers


def document_label(kind: str) -> str:
    labels = {"decision": _("Procurement decision"), "exclusion": _("Decision on exclusion"),
              "dropped": _("Decision on dropping a tenderer"), "discontinuation": _("Decision to discontinue"),
              "report_124": _("Report on the procedure (§ 124)"), "minutes": _("Negotiation minutes")}
    return labels.get(kind, kind)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"document_label": document_label}


@bp.get("/<instance_id>/files/<sha256>")
@login_required
def download(instance_id: str, sha256: str) -> Response:
    instance, viewer = _procurement(instance_id)
    engine = services().engine
    model = process_model(engine, instance.process_id, instance.definition_version)
    conf = access.confidentiality(instance, model, services().directory)
    history = engine.history(instance.id)
    audience = access.audience(viewer, instance)
    visible = [ref for _event, ref in conf.files(audience, history) if ref.get("sha256") == sha256]
    if not visible:
        known = any(r.get("sha256") == sha256 for e in history for r in (e.payload.get("files") or []))
        abort(403 if known else 404)
    if engine.blobs is None:
        abort(404)
    try:
        content = engine.blobs.get(sha256)  # checked against its hash on the way out
    except BlobMissing:
        abort(404)
    ref = visible[0]
    name = str(ref.get("name") or sha256)
    return Response(content, mimetype=str(ref.get("content_type") or "application/octet-stream"), headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


@bp.post("/<instance_id>/documents")
@login_required
def generate(instance_id: str) -> Any:
    """Render a document from the procurement's data and archive it (its hash in the audit log)."""
    instance, viewer = _procurement(instance_id)
    audience = access.audience(viewer, instance)
    kind, _sep, tenderer = request.form.get("choice", "").partition("|")
    offer = Offer(kind, tenderer or None)
    if offer not in available(viewer, instance, audience):
        abort(403)
    lang = request.form.get("lang", "fi")
    if lang not in docs.LANGUAGES:
        abort(400)
    wired = services()
    pdf = docs.render(offer.kind, instance.data, lang, wired.directory, offer.tenderer)
    meta: dict[str, Any] = {"kind": offer.kind, "lang": lang, "visibility": docs.VISIBILITY[offer.kind],
                            "generated_from_version": instance.version}
    if offer.tenderer:
        meta["owner"] = offer.tenderer
    ref = wired.engine.attach_file(instance.id, viewer.username,
                                   docs.file_name(offer.kind, lang, instance.business_key, offer.tenderer),
                                   pdf, "application/pdf", meta)
    flash(_("The document was generated and archived: %(name)s.", name=ref["name"]), "success")
    return redirect(url_for("procurements.show", instance_id=instance.id) + "#files-title")


@bp.get("/<instance_id>/tenders")
@login_required
def tenders(instance_id: str) -> Any:
    """All tenders side by side: for the procurement unit (and auditors) only."""
    instance, viewer = _procurement(instance_id)
    audience = access.audience(viewer, instance)
    if not (audience.unit or audience.auditor):
        abort(403)
    from web.procurements.overview import field_labels  # here: web.procurements imports this module

    engine = services().engine
    model = process_model(engine, instance.process_id, instance.definition_version)
    history = engine.history(instance.id)
    conf = access.confidentiality(instance, model, services().directory)
    return render_template("documents/tenders.html", instance=instance, title=procurement_title(instance, model),
                           labels=field_labels(model),
                           rounds=comparison(instance.data, history, conf.files(audience, history),
                                             services().directory.memberships))


@bp.get("/<instance_id>/notice/<kind>.xml")
@login_required
def notice(instance_id: str, kind: str) -> Any:
    """The eForms notice generated from the procurement's data now, checked by the SDK's XSD and
    Schematron: the XML when it passes, else the failed rules with their fields (422). For the unit
    and auditors; the notice actually sent is the one archived when its task was completed."""
    from workflows.eforms import KINDS, generate
    from workflows.errors import WorkflowsError

    if kind not in KINDS:
        abort(404)
    instance, viewer = _procurement(instance_id)
    audience = access.audience(viewer, instance)
    if not (audience.unit or audience.auditor):
        abort(403)
    wired = services()
    data = dict(instance.data)
    if instance.open_tasks:      # a running phase (call activity) holds the newest data
        data.update(wired.engine.task(instance.open_tasks[0].id).data)
    model = process_model(wired.engine, instance.process_id, instance.definition_version)
    try:
        made = generate(kind, data, wired.directory, instance_id=instance.id,
                        reference=instance.business_key or instance.id)
        problems = [str(p) for p in made.problems]
    except WorkflowsError as error:
        made, problems = None, [str(error)]
    if problems or made is None:
        return render_template("documents/notice_refused.html", instance=instance, kind=kind, problems=problems,
                               title=procurement_title(instance, model)), 422
    return Response(made.xml, mimetype="application/xml", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(made.file_name)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})
