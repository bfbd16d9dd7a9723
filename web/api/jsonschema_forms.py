"""A task's `camunda:formData` fields as a JSON Schema (draft 2020-12), for API clients: the same
constraints `workflows.forms` checks on submission."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine import FormField

TYPES = {"string": "string", "long": "integer", "double": "number", "boolean": "boolean", "date": "string",
         "enum": "string"}


def field_schema(field: FormField) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": TYPES.get(field.type, "string"), "title": field.label}
    if field.type == "date":
        schema["format"] = "date"
    if field.type == "enum":
        schema["enum"] = [key for key, _ in field.options]
    if field.minimum is not None:
        schema["minimum"] = field.minimum
    if field.maximum is not None:
        schema["maximum"] = field.maximum
    if field.min_length is not None:
        schema["minLength"] = field.min_length
    if field.max_length is not None:
        schema["maxLength"] = field.max_length
    if field.properties.get("help"):
        schema["description"] = field.properties["help"]
    if field.readonly:  # shown with its value; a value sent for it is refused
        schema["readOnly"] = True
    return schema


def form_schema(fields: Sequence[FormField], generic: bool = False) -> dict[str, Any]:
    """`generic`: Camunda's generic form, whose fields are the task's variables; a new variable (text,
    number or boolean) may be sent beside them."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
              "properties": {f.id: field_schema(f) for f in fields},
              "required": [f.id for f in fields if f.required]}
    if generic:
        schema["additionalProperties"] = {"type": ["string", "number", "boolean"]}
    return schema
