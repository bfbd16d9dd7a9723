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
from engine.forms import form_fields_of_element
from engine.runtime import Engine
from engine.storage import Database
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
    "Assignment", "AssignmentResolver", "AuditEvent", "ChainReport", "Conflict", "Database", "DefinitionError",
    "DefinitionNotFound", "DeployedProcess", "Engine", "EngineError", "FormField", "FormInvalid", "FormValidator",
    "InstanceNotFound", "InstanceView", "Membership", "NotAllowed", "Problem", "ProcessInfo", "ReplayReport",
    "ScriptFailed", "SourceFile", "StaleInstance", "StateTampered", "TaskNotFound", "TaskNotReady", "TaskView",
    "form_fields_of_element", "read_bundle", "utc_now",
]
