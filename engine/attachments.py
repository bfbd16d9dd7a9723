"""File form fields: uploads checked before anything is stored, and the references the data keeps.

A `file` form field's value in the instance data is a list of references
`{"sha256", "name", "size", "content_type"}`; the bytes live in the blob store under the hash.
An upload is refused — with a message naming the field — when it is larger than the field allows,
when its type *sniffed from the content* is not one the field accepts, or when its name claims
another type than its content (a disguised file). Field properties (camunda:properties):

    accept    comma-separated MIME types (default: DEFAULT_ACCEPT)
    max_size  bytes, or with a unit: "10 MB", "500 kB" (default: DEFAULT_MAX_SIZE)
    multiple  "true" for more than one file
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import filetype

from engine.blobs import sha256_of
from engine.types import JSON, FormField

FILE_TYPE = "file"
DEFAULT_MAX_SIZE = 20 * 1024 * 1024
DEFAULT_ACCEPT = (
    "application/pdf", "image/png", "image/jpeg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
)
# the file name extensions each accepted type may carry
EXTENSIONS: Mapping[str, frozenset[str]] = {
    "application/pdf": frozenset({"pdf"}), "image/png": frozenset({"png"}),
    "image/jpeg": frozenset({"jpg", "jpeg"}),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": frozenset({"docx"}),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": frozenset({"xlsx"}),
    "application/vnd.oasis.opendocument.text": frozenset({"odt"}),
    "application/vnd.oasis.opendocument.spreadsheet": frozenset({"ods"}),
}
_UNITS = {"": 1, "b": 1, "kb": 1000, "kib": 1024, "mb": 1000 ** 2, "mib": 1024 ** 2, "gb": 1000 ** 3}
MAX_NAME = 200


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: the name the sender gave it and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, with the reference the data will keep."""

    field: str
    content: bytes
    reference: dict[str, JSON]


def is_file_field(field: FormField) -> bool:
    return field.type == FILE_TYPE


def max_size(field: FormField) -> int:
    raw = field.properties.get("max_size", "").strip().lower().replace(" ", "")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([a-z]*)", raw)
    if not match or match.group(2) not in _UNITS:
        return DEFAULT_MAX_SIZE
    return int(float(match.group(1)) * _UNITS[match.group(2)])


def accepted_types(field: FormField) -> tuple[str, ...]:
    raw = field.properties.get("accept", "")
    found = tuple(t.strip() for t in raw.split(",") if t.strip())
    return found or DEFAULT_ACCEPT


def sniffed_type(content: bytes) -> str | None:
    """The MIME type the bytes themselves show (magic numbers), whatever the file is called."""
    kind = filetype.guess(content[:8192] if len(content) > 8192 else content)
    return None if kind is None else str(kind.mime)


def clean_name(name: str) -> str:
    """The bare file name (no folders a browser or an attacker may send), without control characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip()
    return base[:MAX_NAME] or "file"


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} kB"


def check_uploads(fields: Sequence[FormField], uploads: Mapping[str, Sequence[Upload]]) -> tuple[
        list[CheckedFile], dict[str, list[str]]]:
    """(files that passed, errors per field). Nothing is stored here: the caller stores the files only
    when the whole command is valid."""
    by_id = {f.id: f for f in fields if is_file_field(f)}
    checked: list[CheckedFile] = []
    errors: dict[str, list[str]] = {}
    for field_id, files in uploads.items():
        files = [u for u in files if u.name or u.content]  # an empty file input sends an empty part
        if not files:
            continue
        field = by_id.get(field_id)
        if field is None:
            errors[field_id] = ["This form takes no file here."]
            continue
        if len(files) > 1 and field.properties.get("multiple", "").lower() != "true":
            errors[field_id] = ["Attach one file only."]
            continue
        for upload in files:
            problem = _problem(field, upload)
            if problem:
                errors.setdefault(field_id, []).append(problem)
                continue
            content_type = sniffed_type(upload.content)
            assert content_type is not None
            checked.append(CheckedFile(field_id, upload.content, {
                "sha256": sha256_of(upload.content), "name": clean_name(upload.name),
                "size": len(upload.content), "content_type": content_type}))
    for field in by_id.values():
        if field.required and not any(c.field == field.id for c in checked) and field.id not in errors:
            errors[field.id] = ["Missing data for required field."]
    return checked, errors


def _problem(field: FormField, upload: Upload) -> str | None:
    name = clean_name(upload.name)
    limit = max_size(field)
    if not upload.content:
        return f"File is empty: {name}."
    if len(upload.content) > limit:
        return f"File too large: {name} is {_size_text(len(upload.content))}; at most {_size_text(limit)} allowed."
    content_type = sniffed_type(upload.content)
    allowed = accepted_types(field)
    if content_type is None or content_type not in allowed:
        shown = content_type or "unknown"
        return f"File type not accepted: {name} contains {shown}; accepted: {', '.join(_short(t) for t in allowed)}."
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    if extension not in EXTENSIONS.get(content_type, frozenset({extension})):
        return f"File name does not match its content: {name} contains {_short(content_type)}."
    return None


def _short(mime: str) -> str:
    """A MIME type as people know it: PDF, PNG, DOCX."""
    extensions = sorted(EXTENSIONS.get(mime, ()))
    return extensions[0].upper() if extensions else mime


def references_in(payload: Mapping[str, JSON]) -> list[dict[str, JSON]]:
    """The file references an audit event's payload records (its `files` list)."""
    found = payload.get("files")
    return [dict(r) for r in found if isinstance(r, Mapping) and "sha256" in r] if isinstance(found, list) else []
