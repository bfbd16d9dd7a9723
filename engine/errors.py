"""One exception root for the engine; the web layer maps these to HTTP in one place."""

from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Root of every error the engine raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a definition bundle, located for the designer."""

    file: str
    line: int | None
    element_id: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        element = f" [{self.element_id}]" if self.element_id else ""
        return f"{where}{element}: {self.message}"


class DefinitionError(EngineError):
    """A bundle of .bpmn/.dmn files failed validation; nothing was stored."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InstanceNotFound(EngineError):
    pass


class TaskNotFound(EngineError):
    pass


class DefinitionNotFound(EngineError):
    pass


class NotAllowed(EngineError):
    """The actor may not do this (wrong organisation, role or claim)."""


class FormInvalid(EngineError):
    """Submitted data does not match the task's form; `errors` maps field id to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


class Conflict(EngineError):
    """The request was based on a state that no longer holds."""


class TaskNotReady(Conflict):
    pass


class StaleInstance(Conflict):
    pass


class StateTampered(EngineError):
    """Stored state does not match its digest or its audit chain: it was changed outside the engine.
    Commands on it are refused until an operator has looked (`allianssi verify`)."""


class ScriptFailed(EngineError):
    """A script, condition or expression failed while running; nothing was stored.

    `reason` is what the failing code said (a helper's refusal, "division by zero"), for people;
    the full message also names the element and the kind of error, for designers and logs.
    """

    def __init__(self, element_id: str | None, message: str, reason: str | None = None):
        self.element_id = element_id
        self.reason = reason or message
        super().__init__(f"{element_id or 'script'}: {message}")
