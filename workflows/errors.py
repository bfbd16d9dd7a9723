"""The domain's exceptions: one root, `WorkflowsError`.

Helpers raise these from scripts in the diagrams; the engine reports them as a failed script
(nothing is stored), so the message is what the user reads: say what is wrong and what is
allowed, in Finnish and English.
"""

from __future__ import annotations


class WorkflowsError(Exception):
    """Root of the domain's errors."""


def bilingual_label(label: str) -> tuple[str, str]:
    """("suomeksi", "in English") from "suomeksi / in English" (the same text twice if not bilingual).

    Messages carry Finnish and English separated by the one " / " the web splits on, so labels
    that are themselves bilingual are split first and each half goes to its side.
    """
    fi, sep, en = label.partition(" / ")
    return (fi, en) if sep else (label, label)


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
