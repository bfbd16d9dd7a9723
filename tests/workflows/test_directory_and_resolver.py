"""Organisations, users and memberships; lanes resolved per instance to organisations."""

from __future__ import annotations

import pytest

from engine import Assignment, Membership
from workflows.directory import ROLES, Directory, Organisation, User, demo_directory
from workflows.errors import InvalidInput, UnknownRole
from workflows.resolver import LANES, ProcurementResolver, organisations_of

MUNICIPALITIES = ["kajaani", "sotkamo", "kuhmo", "suomussalmi", "paltamo", "puolanka", "hyrynsalmi", "ristijarvi"]


def test_the_demo_directory_is_kainuu() -> None:
    d = demo_directory()
    assert d.organisation("kainuu").kind == "region"
    assert [o.id for o in d.municipalities_of("kainuu")] == MUNICIPALITIES
    assert d.organisation("ristijarvi").name == "Ristijärven kunta"
    assert len(d.organisations_of_kind("producer")) == 4
    # every lane role is held somewhere, and there is a read-only auditor and a designer
    held = {m.role for u in d.users.values() for m in u.memberships}
    assert held == set(ROLES)
    assert d.memberships("auditor") == [Membership("kainuu", "auditor")]
    assert d.users_in("kajaani", "municipality")[0].username == "kajaani.council"
    assert d.check_password("kajaani.orderer", "demo") and not d.check_password("kajaani.orderer", "wrong")
    assert all(u.password_hash.startswith("scrypt:") for u in d.users.values())


def test_the_directory_refuses_inconsistent_data() -> None:
    org = Organisation("a", "producer", "A", "A")
    with pytest.raises(InvalidInput, match="unknown organisation"):
        Directory([org], [User("u", "U", "", "", (Membership("b", "tenderer"),), "")])
    with pytest.raises(InvalidInput, match="unknown role"):
        Directory([org], [User("u", "U", "", "", (Membership("a", "boss"),), "")])
    with pytest.raises(InvalidInput, match="twice"):
        Directory([org, org], [])


def test_lanes_resolve_from_the_tasks_data() -> None:
    r = ProcurementResolver()
    data = {"region": "kainuu", "orderers": ["kainuu", "kajaani"], "procurement_unit": ["kajaani"],
            "alliance_parties": ["kainuu", "kajaani", "uraverkko"], "contractor": "uraverkko"}
    assert r.assign("orderer", data) == Assignment("orderer", ("kainuu", "kajaani"))
    assert r.assign("orderer", {"region": "kainuu"}) == Assignment("orderer", ("kainuu",))
    assert r.assign("orderer", {**data, "orderer_vote": {"organisation": "kajaani"}}) == Assignment(
        "orderer", ("kajaani",))
    assert r.assign("procurement_unit", data) == Assignment("procurement_unit", ("kajaani",))
    assert r.assign("steering_group", data).organisations == ("kainuu", "kajaani", "uraverkko")
    assert r.assign("steering_group", {**data, "party_decision": {"organisation": "uraverkko"}}).organisations == (
        "uraverkko",)
    assert r.assign("producer", data) == Assignment("producer", ("uraverkko",))
    assert r.assign("municipality", {"municipality_decision": {"organisation": "sotkamo"}}) == Assignment(
        "municipality", ("sotkamo",))
    assert r.assign("municipality", data) == Assignment("municipality", ())
    with pytest.raises(UnknownRole):
        r.assign("boss", data)
    with pytest.raises(UnknownRole):
        r.assign(None, data)
    assert organisations_of([{"organisation": "a"}, "b", {"x": 1}, "a"]) == ("a", "b")
    assert set(LANES) == {"municipality", "orderer", "procurement_unit", "tenderer", "steering_group", "producer"}


def test_who_may_act_and_start() -> None:
    r = ProcurementResolver()
    unit = Assignment("procurement_unit", ("kajaani",))
    assert r.may_act("kajaani.procurement", unit)
    assert not r.may_act("kainuu.procurement", unit)
    assert not r.may_act("kajaani.orderer", unit)              # the right organisation, the wrong role
    assert not r.may_act("auditor", unit)
    assert not r.may_act("nobody", unit)
    assert not r.may_act("kajaani.procurement", Assignment("procurement_unit", ()))
    assert r.may_start("kainuu.orderer", "alliance_procurement")
    assert r.may_start("kajaani.orderer", "alliance_procurement")          # a municipality may lead one
    assert r.may_start("kajaanin-tyollisyysalue.orderer", "alliance_procurement")   # and an employment area
    assert not r.may_start("kajaani.steering", "alliance_procurement")     # only as an orderer
    assert not r.may_start("vaara-osaamis.producer", "alliance_procurement")
    assert not r.may_start("kainuu.orderer", "alliance_negotiation")       # phases are called, not started
    assert not r.may_start("designer", "alliance_procurement")
