"""Messages from outside: delivered by business key and correlation values, at most once per
`Idempotency-Key`; an unmatched, ambiguous or duplicate message is refused and stored nowhere."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from web.api import bp, schemas
from web.api.auth import actor, api_viewer
from web.api.problems import ApiProblem
from web.api.replies import command_result, etag, reply
from web.api.spec import header_parameter, operation
from web.api.visibility import procurement_for
from web.state import services

KEY_HEADER = header_parameter("Idempotency-Key", "the sender's own id for this message: sent twice, refused twice",
                              {"type": "string", "minLength": 1, "maxLength": 200})


@operation(bp, "/messages", "post", "Deliver a message to the procurement with a business key", tag="messages",
           body=schemas.MessageRequest, response=schemas.CommandResult, errors=(403, 404, 409),
           parameters=(KEY_HEADER,))
def deliver_message(body: dict[str, Any]) -> Response:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key.strip()) <= 200:
        raise ApiProblem(422, "the Idempotency-Key must be 1 to 200 characters",
                         errors={"Idempotency-Key": ["1 to 200 characters"]})
    engine = services().engine
    found = engine.instance_page(business_key=body["business_key"], limit=1).items
    viewer = api_viewer()
    # a party may send what is correlated to itself (a tender from tenderer X) before it takes part
    own = viewer.organisation_ids & {v for v in body["correlation"].values() if isinstance(v, str)}
    if not found or (procurement_for(viewer, found[0]) is None and not own):
        raise ApiProblem(404, f"no procurement with the business key {body['business_key']!r}")
    instance = engine.route_message(body["business_key"], body["name"], body["payload"], actor(),
                                    correlation=body["correlation"], idempotency_key=key.strip() if key else None)
    return reply(schemas.CommandResult, command_result(instance), headers=etag(instance.version))
