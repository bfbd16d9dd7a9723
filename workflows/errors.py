"""The domain's exceptions: one root, `WorkflowsError`.

Helpers raise these from scripts in the diagrams; the engine reports them as a failed script
(nothing is stored), so the message is what the user reads: say what is wrong and what is
allowed, in Finnish and English.
"""

from __future__ import annotations


class WorkflowsError(Exception):
    """Root of the domain's errors."""


class RuleViolation(WorkflowsError, ValueError):
    """A step would break a procurement rule (a statutory limit, unanimity, a locked term)."""


class PeriodTooShort(RuleViolation):
    """A time limit is shorter than the statutory minimum."""


class InvalidInput(WorkflowsError, ValueError):
    """A helper was given a value it cannot use (a malformed date, an unknown organisation)."""


class UnknownRole(WorkflowsError, LookupError):
    """A lane names a role the domain does not know."""


class UnknownOrganisation(WorkflowsError, LookupError):
    """An organisation id is not in the directory."""


class UnknownUser(WorkflowsError, LookupError):
    """A user name is not in the directory."""
