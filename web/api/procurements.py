"""Procurements: start, list (filter, sort, cursor paging in SQL), read one, its history, its chain
verification and its documents (the OCDS release package, the audit package)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, json, request

from engine import InstanceView
from engine.package import export_package
from web import access
from web.api import bp, schemas
from web.api.auth import actor, api_viewer
from web.api.problems import ApiProblem
from web.api.replies import command_result, etag, reply
from web.api.spec import operation, path_parameter, query_parameter
from web.api.visibility import procurement_for
from web.state import services
from workflows.ocds import release_package

TAG = "procurements"
INSTANCE = path_parameter("instance_id", "the procurement's id")
SORTS = ("started_at", "-started_at", "updated_at", "-updated_at")
STATUSES = ("running", "completed", "cancelled")


def _visible(instance_id: str) -> tuple[InstanceView, dict[str, Any]]:
    """The procurement and what the caller may see of it; 404 when it may see nothing (as on the web)."""
    instance = services().engine.instance(instance_id)
    shown = procurement_for(api_viewer(), instance)
    if shown is None:
        raise ApiProblem(404, f"no procurement {instance_id}")
    return instance, shown


@operation(bp, "/procurements", "post", "Start a procurement", tag=TAG, body=schemas.StartRequest, ok=201,
           response=schemas.CommandResult, errors=(403, 404, 409))
def start_procurement(body: dict[str, Any]) -> Response:
    instance = services().engine.start(body["process_id"], actor(), body["data"], business_key=body["business_key"])
    return reply(schemas.CommandResult, command_result(instance), 201,
                 {"Location": f"/api/v1/procurements/{instance.id}", **etag(instance.version)})


@operation(bp, "/procurements", "get", "List the procurements the token may see", tag=TAG,
           response=schemas.ProcurementPage, errors=(400, 422), parameters=(
               query_parameter("status", "only these", {"type": "string", "enum": list(STATUSES)}),
               query_parameter("process_id", "only this process", {"type": "string", "maxLength": 200}),
               query_parameter("business_key", "only this key", {"type": "string", "maxLength": 200}),
               query_parameter("sort", "order; '-' for newest first", {"type": "string", "enum": list(SORTS),
                                                                          "default": "-started_at"}),
               query_parameter("limit", "rows per page", {"type": "integer", "minimum": 1, "maximum": 100,
                                                         "default": 20}),
               query_parameter("cursor", "next_cursor of the previous page", {"type": "string", "maxLength": 500})))
def list_procurements() -> Response:
    args = request.args
    errors: dict[str, list[str]] = {}
    sort = args.get("sort", "-started_at")
    if sort not in SORTS:
        errors["sort"] = [f"one of {', '.join(SORTS)}"]
    status = args.get("status") or None
    if status is not None and status not in STATUSES:
        errors["status"] = [f"one of {', '.join(STATUSES)}"]
    limit_text = args.get("limit", "20")
    limit = int(limit_text) if limit_text.isdigit() else 0
    if not 1 <= limit <= 100:
        errors["limit"] = ["a whole number from 1 to 100"]
    if errors:
        raise ApiProblem(422, "the query is not valid", errors=errors)
    viewer = api_viewer()
    page = services().engine.instance_page(
        sort=sort.lstrip("-"), descending=sort.startswith("-"), cursor=args.get("cursor") or None, limit=limit,
        process_id=args.get("process_id") or None, status=status, business_key=args.get("business_key") or None,
        organisations=None if viewer.auditor else viewer.organisation_ids)
    items = [shown for shown in (procurement_for(viewer, i) for i in page.items) if shown is not None]
    return reply(schemas.ProcurementPage, {"items": items, "next_cursor": page.next_cursor})


@operation(bp, "/procurements/<instance_id>", "get", "Read one procurement (what the token may see of it)",
           tag=TAG, response=schemas.Procurement, errors=(404,), parameters=(INSTANCE,),
           headers={"ETag": {"description": "the procurement's version, for If-Match", "schema": {"type": "string"}}})
def read_procurement(instance_id: str) -> Response:
    instance, shown = _visible(instance_id)
    return reply(schemas.Procurement, shown, headers=etag(instance.version))


@operation(bp, "/procurements/<instance_id>/history", "get", "The procurement's audit events", tag=TAG,
           response=schemas.History, errors=(404,), parameters=(INSTANCE,))
def procurement_history(instance_id: str) -> Response:
    _visible(instance_id)
    viewer = api_viewer()
    events = services().engine.history(instance_id)
    if not access.full_view(viewer):  # a tenderer sees only what its own organisation did, as on the web
        events = [e for e in events if "op" in e.payload and _own(viewer, e.actor)]
    return reply(schemas.History, {"items": events})


def _own(viewer: access.Viewer, event_actor: str) -> bool:
    if event_actor == viewer.username:
        return True
    return bool(viewer.organisation_ids & {m.organisation for m in services().engine.resolver.memberships(event_actor)})


def _auditor_only(instance_id: str) -> None:
    _visible(instance_id)
    if not api_viewer().auditor:
        raise ApiProblem(403, "only an auditor's token may do this")


@operation(bp, "/procurements/<instance_id>/verify", "get", "Verify the procurement's hash chain (auditors)",
           tag=TAG, response=schemas.Verification, errors=(403, 404), parameters=(INSTANCE,))
def verify_procurement(instance_id: str) -> Response:
    _auditor_only(instance_id)
    report = services().engine.verify(instance_id)
    broken = report.broken
    return reply(schemas.Verification, {
        "ok": report.ok, "events": report.events, "head": report.heads.get(instance_id),
        "broken_at": broken.seq if broken else None, "reason": broken.reason if broken else None})


@operation(bp, "/procurements/<instance_id>/audit-package", "get", "Download the audit package (auditors)",
           tag=TAG, media_type="application/zip", errors=(403, 404), parameters=(INSTANCE,))
def audit_package(instance_id: str) -> Response:
    _auditor_only(instance_id)
    content = export_package(services().engine, instance_id, datetime.now(UTC))
    return Response(content, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="audit-package-{instance_id}.zip"'})


@operation(bp, "/procurements/<instance_id>/ocds", "get", "Download the OCDS release package", tag=TAG,
           media_type="application/json", errors=(403, 404), parameters=(INSTANCE,))
def ocds_package(instance_id: str) -> Response:
    instance, _shown = _visible(instance_id)
    if not access.full_view(api_viewer()):
        raise ApiProblem(403, "the release package shows every party: a tenderer's token may not read it")
    engine = services().engine
    package = release_package(instance, services().directory, engine.history(instance_id))
    return Response(json.dumps(package), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="ocds-{instance_id}.json"'})
