"""Small Camunda 7 models written as Camunda Modeler writes them, for the construct tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine import Assignment, Membership, SourceFile
from engine.types import Candidates

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">\n')


def bpmn(*processes: str) -> str:
    return HEAD + "\n".join(processes) + "\n</bpmn:definitions>\n"


def process(process_id: str, body: str) -> str:
    return f'<bpmn:process id="{process_id}" isExecutable="true">\n{body}\n</bpmn:process>'


def chain(*elements: tuple[str, str]) -> str:
    """Elements (id, xml without closing tag's flows) joined by sequence flows in order."""
    out = []
    for index, (element_id, xml) in enumerate(elements):
        out.append(xml)
        if index + 1 < len(elements):
            out.append(f'<bpmn:sequenceFlow id="f_{element_id}" sourceRef="{element_id}" '
                       f'targetRef="{elements[index + 1][0]}" />')
    return "\n".join(out)


def file(text: str, name: str = "model.bpmn") -> list[SourceFile]:
    return [SourceFile(name, text.encode())]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


class UsersAndGroups:
    """A group or a user is an organisation whose members hold the role "member"."""

    groups = {"ann": ["clerks"], "ben": ["clerks", "bosses"], "cy": []}

    def assign(self, lane: str | None, data: Mapping[str, Any]) -> Assignment:
        return Assignment("member", (lane,) if lane else ())

    def assign_candidates(self, candidates: Candidates, lane: str | None, data: Mapping[str, Any]) -> Assignment:
        users = [f"user:{u}" for u in (candidates.assignee, *candidates.users) if u]
        return Assignment("member", (*candidates.groups, *users))

    def may_act(self, actor: str, assignment: Assignment) -> bool:
        return any(m.organisation in assignment.organisations for m in self.memberships(actor))

    def memberships(self, actor: str) -> list[Membership]:
        return [Membership(g, "member") for g in self.groups.get(actor, [])] + [Membership(f"user:{actor}", "member")]

    def may_start(self, actor: str, process_id: str) -> bool:
        return True
