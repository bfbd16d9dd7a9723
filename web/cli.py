"""`allianssi`: the command line for designers, operators and auditors.

The database comes from DATABASE_URL (default: the SQLite file ./instance/allianssi.db, which
only `init` and `serve` create). Errors go to stderr as one line with exit status 1; listing
commands take --json.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from engine import Database, DefinitionError, Engine, EngineError, FormInvalid, read_bundle

DEFAULT_DATABASE_PATH = Path.cwd() / "instance" / "allianssi.db"
DEFAULT_DATABASE_URL = f"sqlite:///{DEFAULT_DATABASE_PATH}"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def open_database(create: bool = False) -> Database:
    """The configured database. Only `init` and `serve` (create=True) may make a new SQLite file:
    elsewhere a missing one is a mistake (an unset DATABASE_URL, a typo), said in one line."""
    url = database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if not create and path and path != ":memory:" and not Path(path).exists():
            unset = "" if os.environ.get("DATABASE_URL") else "DATABASE_URL is not set and "
            _fail(f"no database: {unset}{path} does not exist (set DATABASE_URL, or run `allianssi init` first)")
    return Database(url)


def blob_store_url() -> str:
    return os.environ.get("BLOB_STORE_URL") or f"file://{Path.cwd() / 'instance' / 'blobs'}"


def public_url() -> str:
    """Where users reach the web app: links in e-mails point there."""
    return os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")


def mail_from() -> str:
    return os.environ.get("MAIL_FROM", "allianssi@localhost")


def build(needs_database: bool = True) -> Engine:
    """The engine on the configured database; validation alone needs none (an unused in-memory one)."""
    from engine.blobs import open_blob_store
    from workflows.service import build_engine

    return build_engine(open_database() if needs_database else Database("sqlite://"),
                        blobs=open_blob_store(blob_store_url()))


def _safe_url() -> str:
    try:
        return make_url(database_url()).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as nothing rather than leaked
        return "DATABASE_URL"


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (tuple, frozenset, set)):
        return list(value)
    return str(value)


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, default=_json_default, ensure_ascii=False, indent=2))


@contextmanager
def reported_errors() -> Iterator[None]:
    """Engine errors become a readable message on stderr and exit status 1."""
    try:
        yield
    except DefinitionError as error:
        click.echo(f"invalid definition ({len(error.problems)} problem(s)):", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    except FormInvalid as error:
        click.echo("invalid form data:", err=True)
        for field, messages in error.errors.items():
            click.echo(f"  {field}: {' '.join(messages)}", err=True)
        sys.exit(1)
    except EngineError as error:
        click.echo(f"error: {type(error).__name__}: {error}", err=True)
        sys.exit(1)
    except (OperationalError, ProgrammingError) as error:
        text = str(error.orig or error)
        if "no such table" in text or ("does not exist" in text and "relation" in text):
            _fail(f"the database at {_safe_url()} has no tables: run `allianssi init`")
        _fail(f"cannot reach the database at {_safe_url()}: {text.strip().splitlines()[0] if text.strip() else ''}")
    except DBAPIError as error:
        _fail(f"database error at {_safe_url()}: {str(error.orig or error).strip().splitlines()[0]}")


def parse_data(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"not JSON: {error}") from None
    if not isinstance(value, dict):
        raise click.BadParameter("must be a JSON object")
    return value


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
actor_option = click.option("--as", "actor", required=True, help="The user acting.")


@click.group()
def main() -> None:
    """Workflow engine for Finnish public alliance procurements."""


@main.command()
def init() -> None:
    """Create or upgrade the database tables."""
    with reported_errors():
        open_database(create=True).migrate()
    click.echo(f"database ready: {_safe_url()}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--strict", is_flag=True, help="Exit 1 on design and bpmnlint errors too (as the workbench's deploy).")
def validate(paths: tuple[str, ...], strict: bool) -> None:
    """Validate .bpmn/.dmn files or folders without storing anything. Prints every problem of the
    engine's validation, the design checks and bpmnlint (.bpmnlintrc) with file, line and element;
    exits 1 when the bundle cannot be deployed (with --strict: on any error)."""
    from web.designer.checks import check_bundle, has_errors

    with reported_errors():
        files = read_bundle(paths)
        engine = build(needs_database=False)
        findings = [f for f in check_bundle(engine, files) if f.source != "validation"]
        for finding in findings:
            click.echo(str(finding), err=finding.severity == "error")
        processes = engine.validate(files)  # the engine's own problems: reported and exit 1
    for process in processes:
        click.echo(f"ok  {process.process_id}  ({process.name})  sha256 {process.sha256[:12]}")
        for note in process.notes:  # what Camunda 7 constructs were ignored (docs/camunda7.md)
            click.echo(f"    note  {note}")
    if strict and has_errors(findings):
        sys.exit(1)


@main.command("test-diagrams")
@click.argument("directory", default="bpmn", type=click.Path(exists=True))
def test_diagrams(directory: str) -> None:
    """Run the scenario files (*.scenario.json) beside the diagrams in DIRECTORY."""
    from engine.scenarios import find_scenarios, run_scenario_files
    from workflows.service import build_engine

    with reported_errors():
        files = read_bundle([directory])
        scenarios = find_scenarios(directory)
        if not scenarios:
            click.echo(f"no scenario files (*.scenario.json) under {directory}", err=True)
            sys.exit(1)
        results = run_scenario_files(scenarios, files, lambda db, clock: build_engine(db, clock=clock))
    for result in results:
        click.echo(str(result))
    failed = [r for r in results if not r.passed]
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        sys.exit(1)


@main.command()
@click.argument("directory", default="bpmn", type=click.Path())
@click.option("--as", "actor", default="designer", show_default=True)
@json_option
def deploy(directory: str, actor: str, as_json: bool) -> None:
    """Deploy a folder of diagrams; unchanged processes keep their version."""
    with reported_errors():
        deployed = build().deploy(read_bundle([directory]), actor)
    if as_json:
        return emit_json(deployed)
    for d in deployed:
        click.echo(f"{'new ' if d.created else 'same'}  {d.process_id}  v{d.version}  sha256 {d.sha256[:12]}")


@main.command()
@click.argument("process_id")
@actor_option
@click.option("--data", help="Start data as a JSON object.")
@click.option("--key", "business_key", help="A business key (e.g. the procurement's case number).")
@json_option
def start(process_id: str, actor: str, data: str | None, business_key: str | None, as_json: bool) -> None:
    """Start an instance of a deployed process."""
    with reported_errors():
        instance = build().start(process_id, actor, parse_data(data), business_key=business_key)
    if as_json:
        return emit_json(instance)
    click.echo(f"started {instance.id} ({instance.process_id} v{instance.definition_version}, {instance.status})")
    for task in instance.open_tasks:
        click.echo(f"  open task {task.id}  {task.name}  [{task.role}: {', '.join(task.organisations)}]")


@main.command()
@actor_option
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True,
              help="Page number (past the end: the last page).")
@click.option("--size", type=click.IntRange(1, 500), default=50, show_default=True, help="Tasks per page.")
@json_option
def tasks(actor: str, page: int, size: int, as_json: bool) -> None:
    """The open tasks a user may do, due first, a page at a time (paged and counted by the database)."""
    with reported_errors():
        found = build().inbox_page(actor, page=page, size=size)
    if as_json:
        return emit_json({"items": found.items, "page": found.number, "pages": found.pages, "size": size,
                          "total": found.total})
    if not found.items:
        click.echo("no open tasks")
    for task in found.items:
        due = f"  due {task.due_at:%Y-%m-%d}" if task.due_at else ""
        key = task.business_key or task.instance_id[:8]
        click.echo(f"{task.id}  {key}  {task.name}  [{task.role}: {', '.join(task.organisations)}]{due}")
    if found.pages > 1 or found.number != page:
        more = f"; --page {found.number + 1} for the next" if found.number < found.pages else ""
        asked = f"there is no page {page}: " if found.number != page else ""  # a later page shows the last one
        click.echo(f"{asked}page {found.number} of {found.pages} ({found.total} tasks){more}")


@main.command()
@click.argument("task_id")
@actor_option
@click.option("--data", help="Form data as a JSON object.")
@json_option
def complete(task_id: str, actor: str, data: str | None, as_json: bool) -> None:
    """Complete an open task with form data."""
    with reported_errors():
        instance = build().complete_task(task_id, actor, parse_data(data))
    if as_json:
        return emit_json(instance)
    click.echo(f"completed; instance {instance.id} is {instance.status}")
    for task in instance.open_tasks:
        click.echo(f"  open task {task.id}  {task.name}  [{task.role}: {', '.join(task.organisations)}]")


@main.command()
@click.argument("task_id")
@actor_option
def claim(task_id: str, actor: str) -> None:
    """Claim an open task so colleagues see it is taken."""
    with reported_errors():
        build().claim(task_id, actor)
    click.echo("claimed")


@main.command()
@click.argument("task_id")
@actor_option
def release(task_id: str, actor: str) -> None:
    """Release a task you claimed."""
    with reported_errors():
        build().release(task_id, actor)
    click.echo("released")


@main.command()
@click.argument("instance_id")
@click.argument("name")
@actor_option
@click.option("--payload", help="Message payload as a JSON object.")
def message(instance_id: str, name: str, actor: str, payload: str | None) -> None:
    """Deliver a message (e.g. a Market Court appeal) to one instance."""
    with reported_errors():
        instance = build().deliver_message(instance_id, name, parse_data(payload), actor)
    click.echo(f"delivered; instance {instance.id} is {instance.status}")


@main.command()
@click.argument("instance_id")
@json_option
def history(instance_id: str, as_json: bool) -> None:
    """Every audit event of an instance, in order."""
    with reported_errors():
        events = build().history(instance_id)
    if as_json:
        return emit_json(events)
    for e in events:
        detail = e.payload.get("element_id") or e.payload.get("process_id") or ""
        click.echo(f"{e.seq:>5}  {e.at:%Y-%m-%d %H:%M:%S}  {e.actor:<20} {e.type:<22} {detail}")


@main.command()
@click.argument("instance_id", required=False)
@click.option("--all", "all_", is_flag=True, help="Verify every chain.")
@click.option("--against", "checkpoint", type=click.Path(exists=True, dir_okay=False),
              help="Also check every chain against a signed checkpoint (deleted events, rewrites).")
@click.option("--public-key", type=click.Path(exists=True, dir_okay=False),
              help="The checkpoint key's public half to trust (default: the key inside the checkpoint).")
@json_option
def verify(instance_id: str | None, all_: bool, checkpoint: str | None, public_key: str | None,
           as_json: bool) -> None:
    """Verify the audit hash chain of one instance or of all, and that the stored rows agree with it."""
    if not instance_id and not all_:
        raise click.UsageError("give an INSTANCE_ID or --all")
    with reported_errors():
        engine = build()
        report = engine.verify(None if all_ else instance_id)
        against = engine.verify_against(Path(checkpoint).read_bytes(), Path(public_key).read_bytes()
                                        if public_key else None) if checkpoint else None
    problems = list(report.problems) + (list(against.problems) if against else [])
    if as_json:
        emit_json({"ok": report.ok and not problems, "streams": report.streams, "events": report.events,
                   "heads": report.heads, "broken": report.broken, "problems": problems})
    elif report.broken is None and not problems:
        heads = "" if all_ else f"; chain head {report.heads.get(instance_id or '', '-')}"
        click.echo(f"ok: {report.events} events in {report.streams} chain(s){heads}")
        if against:
            click.echo(f"ok: all {against.streams} chain(s) of the checkpoint of {against.created_at} are intact "
                       f"(key {against.key_fingerprint})")
    if report.broken:
        b = report.broken
        click.echo(f"BROKEN: chain {b.stream}, event {b.seq}: {b.reason}", err=True)
    for problem in problems:
        click.echo(f"BROKEN: {problem}", err=True)
    if report.broken or problems:
        sys.exit(1)


@main.command("checkpoint-key")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Private key file to create (PEM); the public half is written next to it as .pub.")
def checkpoint_key(output: str) -> None:
    """Make the Ed25519 key that signs checkpoints (keep the private file off the database host)."""
    from engine.checkpoints import new_key, public_pem

    path = Path(output)
    if path.exists():
        _fail(f"{path} exists; not overwriting a key")
    private = new_key()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as f:
        f.write(private)
    path.with_name(path.name + ".pub").write_bytes(public_pem(private))
    click.echo(f"wrote {path} (private, mode 600) and {path}.pub (public)")


@main.command()
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The private key (from `allianssi checkpoint-key`).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: stdout).")
def checkpoint(key_file: str, output: str | None) -> None:
    """Write a signed checkpoint of every chain's head: keep it outside the database
    (it is what `verify --all --against FILE` checks the database against later)."""
    with reported_errors():
        data = build().checkpoint(Path(key_file).read_bytes(), datetime.now().astimezone())
    if output:
        Path(output).write_bytes(data)
        click.echo(f"wrote {output}")
    else:
        click.echo(data.decode(), nl=False)


@main.command("revoke-sessions")
@click.argument("username")
def revoke_sessions(username: str) -> None:
    """End every web session of a user at once (a lost laptop, a leaving employee)."""
    from engine.sessions import SessionStore

    with reported_errors():
        ended = SessionStore(open_database()).revoke_user(username)
    click.echo(f"ended {ended} session(s) of {username}")


@main.command()
@click.argument("instance_id")
@json_option
def replay(instance_id: str, as_json: bool) -> None:
    """Re-execute an instance's command log and compare every step's state digest."""
    with reported_errors():
        report = build().replay(instance_id)
    if as_json:
        emit_json({"consistent": report.consistent, "steps": report.steps, "error": report.error,
                   "final_state_matches": report.final_state_matches})
    else:
        for step in report.steps:
            mark = "ok  " if step.consistent else "DIFF"
            click.echo(f"{mark} step {step.seq:>5}  {step.command:<12} {step.replayed_digest[:16]}")
        click.echo("consistent" if report.consistent else _difference(report))
    if not report.consistent:
        sys.exit(1)


def _difference(report: Any) -> str:
    if report.error:
        return f"NOT consistent: {report.error}"
    first = report.first_difference
    if first:
        return (f"NOT consistent: first difference at step {first.seq} ({first.command}): "
                f"stored {first.stored_digest[:16]}, replayed {first.replayed_digest[:16]}")
    return "NOT consistent: the final state differs from the stored one"


@main.command("fire-timers")
@click.option("--now", help="Fire timers due before this ISO time (default: now).")
def fire_timers(now: str | None) -> None:
    """Fire every due timer once."""
    with reported_errors():
        fired = build().fire_due_timers(datetime.fromisoformat(now) if now else None)
    click.echo(f"{fired} instance(s) advanced")


@main.command()
@click.option("--interval", default=30.0, show_default=True, help="Seconds between polls.")
@click.option("--once", is_flag=True, help="Poll once and exit.")
def worker(interval: float, once: bool) -> None:
    """Fire due timers, record notifications and send them over SMTP_URL, in a loop (run any number of
    these against PostgreSQL). A database outage is logged and waited out (with growing pauses), not a
    reason to stop."""
    import logging

    from engine.worker import run_worker
    from workflows.background import Round, tick
    from workflows.directory import demo_directory

    engine = build()

    def step() -> Round:
        return tick(engine, demo_directory(), public_url(), os.environ.get("SMTP_URL"), mail_from())

    def report(done: Round) -> None:
        if done.fired or done.sent or done.failed:
            click.echo(f"{datetime.now():%H:%M:%S} {done.fired} instance(s) advanced, "
                       f"{done.sent} message(s) sent, {done.failed} failed (retried later)")

    if once:
        with reported_errors():
            report(step())
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        run_worker(step, interval, on_result=report)
    except KeyboardInterrupt:
        pass


@main.command("export-package")
@click.argument("instance_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Archive to write (default: audit-ID.zip).")
def export_package(instance_id: str, output: str | None) -> None:
    """Write an instance's audit package: definition, events with hashes, chain head, summary."""
    from engine.package import export_package as export

    with reported_errors():
        data = export(build(), instance_id, datetime.now().astimezone())
    path = Path(output or f"audit-{instance_id}.zip")
    path.write_bytes(data)
    click.echo(f"wrote {path} ({len(data)} bytes)")


@main.command("verify-package")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def verify_package(file: str) -> None:
    """Verify an audit package offline (no database): manifest, definition and hash chain."""
    from engine.package import verify_package as check

    report = check(Path(file).read_bytes())
    if report.ok:
        click.echo(f"ok: {report.events} events, chain head {report.chain_head}")
        return
    for problem in report.problems:
        click.echo(f"BROKEN: {problem}", err=True)
    sys.exit(1)


@main.command()
@click.argument("instance_id")
@click.argument("kind")
@click.option("--lang", type=click.Choice(["fi", "en"]), default="fi", show_default=True)
@click.option("--tenderer", help="The tenderer a per-tenderer document concerns (minutes, dropped, exclusion).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="PDF file to write.")
@click.option("--archive-as", "archive_as", help="Also archive it in the procurement, as this user.")
def document(instance_id: str, kind: str, lang: str, tenderer: str | None, output: str,
             archive_as: str | None) -> None:
    """Generate a document (decision, exclusion, dropped, discontinuation, report_124, minutes) as PDF
    from the procurement's data."""
    from workflows import documents
    from workflows.errors import WorkflowsError

    engine = build()
    with reported_errors():
        instance = engine.instance(instance_id)
        try:
            pdf = documents.render(kind, instance.data, lang, tenderer=tenderer)
        except WorkflowsError as error:
            raise click.ClickException(str(error)) from None
        if archive_as:
            meta = {"kind": kind, "lang": lang, "visibility": documents.VISIBILITY[kind],
                    "generated_from_version": instance.version, **({"owner": tenderer} if tenderer else {})}
            ref = engine.attach_file(instance_id, archive_as, documents.file_name(
                kind, lang, instance.business_key, tenderer), pdf, "application/pdf", meta)
            click.echo(f"archived {ref['name']} sha256 {ref['sha256']}")
    Path(output).write_bytes(pdf)
    click.echo(f"wrote {output} ({len(pdf)} bytes)")


@main.command()
@click.argument("instance_id")
@click.argument("kind", type=click.Choice(["contract-notice", "award-notice", "change-notice"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="XML file to write.")
@click.option("--reason", default="", help="change-notice: why the sent contract notice changes.")
def notice(instance_id: str, kind: str, output: str, reason: str) -> None:
    """Generate the procurement's eForms notice (contract-notice, award-notice, or change-notice: what
    changed since the archived contract notice) and check it against the eForms SDK's XSD and Schematron
    rules; a notice that fails is not written: each failed rule is listed with its field."""
    from workflows.directory import demo_directory
    from workflows.eforms import generate
    from workflows.eforms.changes import change_notice
    from workflows.eforms.sending import notice_in_force
    from workflows.errors import WorkflowsError

    engine = build()
    with reported_errors():
        instance = engine.instance(instance_id)
        data = current_data(engine, instance)
        reference = instance.business_key or instance.id
        try:
            if kind == "change-notice":
                sent = notice_in_force(engine.history(instance.id), engine.blobs)   # the last one archived
                if sent is None:
                    raise click.ClickException("no contract notice has been sent (archived) in this procurement")
                made, found = change_notice(sent, data, demo_directory(), instance_id=instance.id,
                                            reference=reference, reason=reason)
                made.require_valid()
                for change in found:
                    click.echo(f"changed: {change}")
            else:
                made = generate(kind, data, demo_directory(), instance_id=instance.id,
                                reference=reference).require_valid()
        except WorkflowsError as error:
            raise click.ClickException(str(error)) from None
    Path(output).write_bytes(made.xml)
    click.echo(f"wrote {output} ({len(made.xml)} bytes): eForms subtype {made.subtype}, notice id "
               f"{made.content['notice_id']}; XSD and Schematron: 0 errors")


def current_data(engine: Engine, instance: Any) -> dict[str, Any]:
    """The procurement's data now: the main process's, with what a running phase (call activity) holds."""
    data = dict(instance.data)
    for task in instance.open_tasks:
        data.update(engine.task(task.id).data)
        break
    return data


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Deploy bpmn/ and load the demo procurements first.")
def serve(host: str, port: int, demo: bool) -> None:
    """Run the web app (development server; use gunicorn in production)."""
    from web.app import create_app, prepare
    from workflows.directory import demo_directory

    open_database(create=True)
    app = create_app({"DATABASE_URL": database_url(), "BLOB_STORE_URL": blob_store_url(), "DEMO": demo})
    with reported_errors():
        for line in prepare(app, deploy=True, demo=demo):
            click.echo(line)
    click.echo(f"\nallianssi is running: open http://{host}:{port}/  (stop with Ctrl+C)")
    if demo:
        directory = demo_directory()
        engine = app.extensions["allianssi"].engine
        click.echo("demo users (password: demo); the number is their open tasks now:")
        for user in sorted(directory.users.values(), key=lambda u: u.username):
            roles = ", ".join(f"{m.role}@{m.organisation}" for m in user.memberships)
            waiting = engine.inbox_page(user.username, size=1).visible
            click.echo(f"  {user.username:<28} {waiting or '':>2}  {roles}")
    if demo:  # the demo runs its own timer worker and outbox, so no step waits for a command line
        from workflows.background import run_in_thread

        run_in_thread(app.extensions["allianssi"].engine, app.extensions["allianssi"].directory,
                      os.environ.get("PUBLIC_URL", f"http://{host}:{port}"), os.environ.get("SMTP_URL"))
        click.echo("timer worker and outbox running" + ("" if os.environ.get("SMTP_URL") else
                                                        " (no SMTP_URL: notifications are shown in the app only)"))
    app.run(host=host, port=port, debug=False, use_reloader=False)


def _register_token_commands() -> None:
    from web.cli_tokens import token  # its own module; it imports this one's helpers

    main.add_command(token)


_register_token_commands()

if __name__ == "__main__":
    main()
