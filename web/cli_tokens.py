"""`allianssi token create|revoke|list`: API tokens from the command line (the same TokenStore the
administrator's web page uses). The secret is printed once, on create, and never again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click

from engine import Database, TokenStore
from web.cli import database_url, emit_json, json_option, reported_errors
from workflows.directory import ROLES, demo_directory


def _store() -> TokenStore:
    return TokenStore(Database(database_url()))


@click.group("token")
def token() -> None:
    """API tokens for systems: each acts as one organisation in one role."""


@token.command()
@click.argument("name")
@click.option("--organisation", required=True, help="The organisation the token acts for.")
@click.option("--role", required=True, type=click.Choice([r for r in ROLES if r not in ("administrator", "designer")]))
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 366), help="How long it is valid.")
@click.option("--by", "created_by", default="cli", show_default=True, help="Who makes it (recorded).")
def create(name: str, organisation: str, role: str, days: int, created_by: str) -> None:
    """Make a token and print its secret (shown only this once)."""
    if organisation not in demo_directory().organisations:
        raise click.BadParameter(f"unknown organisation {organisation!r}", param_hint="--organisation")
    with reported_errors():
        view, secret = _store().create(name, organisation, role, timedelta(days=days), created_by, datetime.now(UTC))
    click.echo(f"token {view.name} ({view.role}@{view.organisation}) valid until {view.expires_at.isoformat()}",
               err=True)
    click.echo(secret)


@token.command()
@click.argument("name")
@click.option("--by", "revoked_by", default="cli", show_default=True, help="Who revokes it (recorded).")
def revoke(name: str, revoked_by: str) -> None:
    """Revoke a token: it stops working at once."""
    with reported_errors():
        view = _store().revoke(name, revoked_by, datetime.now(UTC))
    click.echo(f"revoked {view.name}")


@token.command("list")
@json_option
def list_tokens(as_json: bool) -> None:
    """Every token with its organisation, role, expiry and state (never a secret)."""
    tokens = _store().all()
    now = datetime.now(UTC)
    rows = [{"name": t.name, "organisation": t.organisation, "role": t.role, "created_by": t.created_by,
             "created_at": t.created_at, "expires_at": t.expires_at, "revoked_at": t.revoked_at,
             "state": "revoked" if t.revoked_at else ("active" if t.active(now) else "expired")} for t in tokens]
    if as_json:
        emit_json(rows)
        return
    for t, row in zip(tokens, rows, strict=True):
        click.echo(f"{t.name:<24} {t.role}@{t.organisation:<20} {row['state']:<8} expires {t.expires_at.isoformat()}")
