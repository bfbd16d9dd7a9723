"""Builds the engine for the procurement domain: its resolver, script helpers and form validator."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from engine import Database, Engine, InstanceView, TokenStore, utc_now
from engine.attachments import Upload
from engine.blobs import BlobStore
from engine.service_handlers import installed_handlers
from workflows.demo import load_demo
from workflows.directory import Directory, demo_directory
from workflows.forms import form_validator_for
from workflows.helpers import helpers_for
from workflows.resolver import ProcurementResolver


class ProcurementEngine(Engine):
    """The engine with the procurement's one extra rule on commands: a task that records an eForms
    notice as sent completes only when the notice passes the EU's rules, and the exact notice is
    archived (`workflows/eforms/sending.py`)."""

    def __init__(self, *args: Any, directory: Directory, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.directory = directory

    def complete_task(self, task_id: str, actor: str, data: Mapping[str, Any],
                      expected_version: int | None = None,
                      files: Mapping[str, Sequence[Upload]] | None = None) -> InstanceView:
        from workflows.eforms.sending import NOTICE_TASKS, archive_meta, checked_notice, notice_in_force

        kind = NOTICE_TASKS.get(self.element_of_task(task_id) or "")
        if kind is None:  # every other task: no second read of the task and its state before the command
            return super().complete_task(task_id, actor, data, expected_version, files)
        task = self.task(task_id)
        clean = self.form_validator(task.form, data) if self.form_validator else dict(data)
        # the instance's own time (a demonstration may have moved it forward): the notice's dates must agree
        # with the dates the procedure recorded by that clock (a contract cannot be signed after its notice)
        sent = notice_in_force(self.history(task.instance_id), self.blobs) if kind == "change-notice" else None
        notice = checked_notice(kind, task, clean, self.clock_of(task.instance_id), self.directory, sent)
        view = super().complete_task(task_id, actor, data, expected_version, files)
        if notice is not None and self.blobs is not None:
            self.attach_file(task.instance_id, actor, notice.file_name, notice.xml, "application/xml",
                             archive_meta(notice, task.element_id))
        return view


def build_engine(database: Database, directory: Directory | None = None,
                 clock: Callable[[], datetime] = utc_now, blobs: BlobStore | None = None) -> Engine:
    directory = directory or demo_directory()
    tokens = TokenStore(database)  # API tokens act as one (organisation, role) membership each
    resolver = ProcurementResolver(directory, accounts=lambda actor: tokens.memberships(actor, clock))
    return ProcurementEngine(database, resolver, helpers=helpers_for(directory),
                             form_validator=form_validator_for(directory), clock=clock,
                             local_timezone="Europe/Helsinki", blobs=blobs,
                             service_handlers=installed_handlers(),  # the deployment's, from entry points
                             directory=directory)



__all__ = ["ProcurementEngine", "build_engine", "load_demo"]
