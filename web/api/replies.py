"""JSON replies dumped through the response schemas, and the If-Match/ETag version header."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Response, json, request
from marshmallow import Schema

from engine import InstanceView
from web.api.problems import ApiProblem

ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def reply(schema: type[Schema], value: Any, status: int = 200, headers: Mapping[str, str] | None = None,
          many: bool = False) -> Response:
    response = Response(json.dumps(schema(many=many).dump(value)), status=status, mimetype="application/json")
    response.headers.update(dict(headers or {}))
    return response


def command_result(instance: InstanceView) -> dict[str, Any]:
    return {"instance_id": instance.id, "business_key": instance.business_key, "status": instance.status,
            "version": instance.version}


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def if_match() -> int | None:
    """The instance version the client based its request on (If-Match), or None when not sent."""
    given = request.headers.get("If-Match")
    if given is None:
        return None
    found = ETAG.match(given)
    if found is None:
        raise ApiProblem(412, 'If-Match must be the version the procurement had, e.g. "3"')
    return int(found.group(1))
