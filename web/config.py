"""Settings: built-in defaults, then the environment, then the caller's override (tests).

| key | environment | default |
|---|---|---|
| DATABASE_URL | DATABASE_URL | `sqlite:///<instance folder>/allianssi.db` |
| SECRET_KEY | SECRET_KEY | random, made once and kept in `<instance folder>/secret_key` (set it for several hosts) |
| BPMN_DIR | BPMN_DIR | `bpmn/` next to the package |
| SESSION_COOKIE_SECURE | SESSION_COOKIE_SECURE | false (set `1` behind HTTPS) |
| BLOB_STORE_URL | BLOB_STORE_URL | `file://<instance folder>/blobs` (S3: `s3://bucket/prefix?endpoint=URL`) |
| PAGE_SIZE | | 20 rows per page |
| ENGINE_FACTORY | | `web.services.default_engine` (database → engine.Engine) |
| DIRECTORY | | the directory the engine's resolver uses, else the demo directory |
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT_KEYS = ("DATABASE_URL", "SECRET_KEY", "BPMN_DIR", "SESSION_COOKIE_SECURE", "BLOB_STORE_URL")


def settings(instance_path: str, override: Mapping[str, Any] | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'allianssi.db'}",
        "SECRET_KEY": None,
        "BPMN_DIR": str(ROOT / "bpmn"),
        "BLOB_STORE_URL": f"file://{Path(instance_path) / 'blobs'}",
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "allianssi_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,  # a form with its attachments; each file field has its own limit
        "PAGE_SIZE": 20,
        "TIME_ZONE": "Europe/Helsinki",
        "ENGINE_FACTORY": None,
        "DIRECTORY": None,
    }
    for key in ENVIRONMENT_KEYS:
        if os.environ.get(key):
            values[key] = os.environ[key]
    values.update(override or {})
    if isinstance(values["SESSION_COOKIE_SECURE"], str):
        values["SESSION_COOKIE_SECURE"] = values["SESSION_COOKIE_SECURE"].lower() in ("1", "true", "yes", "on")
    if not values["SECRET_KEY"]:
        values["SECRET_KEY"] = _kept_secret(Path(instance_path) / "secret_key")
    return values


def _kept_secret(path: Path) -> str:
    """A random key shared by every worker on this host and kept over restarts (created once, mode 0600)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(draft, path)  # atomic: the first worker's key wins, the others read it
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()
