"""Generic BPMN runtime on SpiffWorkflow: definitions, instances, commands, audit log, replay."""

from engine.definitions import read_bundle
from engine.determinism import utc_now
from engine.errors import (
    Conflict,
    DefinitionError,
    DefinitionNotFound,
    EngineError,
    FormInvalid,
    InstanceNotFound,
    NotAllowed,
    Problem,
    ScriptFailed,
    StaleInstance,
    StateTampered,
    TaskNotFound,
    TaskNotReady,
)
from engine.external_tasks import ExternalTaskView, TopicRequest
from engine.forms import form_fields_of_element
from engine.listing import BadCursor, InboxPage, InstancePage
from engine.messages import MessageRefused
from engine.runtime import Engine
from engine.storage import Database
from engine.tokens import TokenInvalid, TokenNotFound, TokenStore, TokenView
from engine.types import (
    Assignment,
    AssignmentResolver,
    AuditEvent,
    ChainReport,
    DeployedProcess,
    FormField,
    FormValidator,
    InstanceView,
    Membership,
    ProcessInfo,
    ReplayReport,
    SourceFile,
    TaskView,
)

__all__ = [
    "Assignment", "AssignmentResolver", "BadCursor", "InboxPage", "InstancePage", "ExternalTaskView", "MessageRefused",
    "TokenInvalid", "TokenNotFound",
    "TokenStore", "TokenView", "TopicRequest", "AuditEvent", "ChainReport", "Conflict", "Database", "DefinitionError",
    "DefinitionNotFound", "DeployedProcess", "Engine", "EngineError", "FormField", "FormInvalid", "FormValidator",
    "InstanceNotFound", "InstanceView", "Membership", "NotAllowed", "Problem", "ProcessInfo", "ReplayReport",
    "ScriptFailed", "SourceFile", "StaleInstance", "StateTampered", "TaskNotFound", "TaskNotReady", "TaskView",
    "form_fields_of_element", "read_bundle", "utc_now",
]
