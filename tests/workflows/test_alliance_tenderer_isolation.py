"""A tenderer sees and completes only its own tasks: never another tenderer's."""

from __future__ import annotations

import pytest

from engine import Assignment, NotAllowed
from tests.workflows import scenario as s
from tests.workflows.driver import Procurement
from workflows.resolver import ProcurementResolver

UNIT = "kainuu.procurement"


def test_a_tenderer_cannot_see_or_complete_another_tenderers_task(procurement: Procurement) -> None:
    p = procurement
    s.through_strategy(p)
    s.joint_unit(p, s.JOINED)
    s.publish_notice(p, UNIT)
    s.select_candidates(p, UNIT, s.TENDERERS, s.TENDERERS, s.TENDERERS)
    s.invite(p, UNIT)
    p.clock.set("2026-03-02")

    own = {org: p.task(f"{org}.tenderer", "submit_initial_tender") for org in s.TENDERERS}
    for org, task in own.items():
        assert task.organisations == (org,) and task.role == "tenderer"
        assert [t.id for t in p.tasks(f"{org}.tenderer")] == [task.id]   # its inbox holds its own task only
        # the producer's other people (delivery, steering group) do not get tender tasks either
        assert p.tasks(f"{org}.producer") == [] and p.tasks(f"{org}.steering") == []
    assert p.tasks("oulujarven-kehitys.tenderer") == []               # not invited, nothing to see

    theirs = own["yrityspolku"]
    with pytest.raises(NotAllowed):
        p.engine.complete_task(theirs.id, "vaara-osaamis.tenderer", {"tender_reference": "forged",
                                                                     "fee_percent": 1.0})
    with pytest.raises(NotAllowed):
        p.engine.claim(theirs.id, "vaara-osaamis.tenderer")
    with pytest.raises(NotAllowed):                                    # nor hand it to someone else
        p.engine.delegate(own["vaara-osaamis"].id, "vaara-osaamis.tenderer", "yrityspolku.tenderer")
    # nothing was stored: yrityspolku still has its task, unsubmitted
    assert p.tasks("yrityspolku.tenderer", "submit_initial_tender")[0].id == theirs.id
    p.complete("yrityspolku.tenderer", "submit_initial_tender", {"tender_reference": "Y-1", "fee_percent": 9.0})
    assert p.tasks("yrityspolku.tenderer") == []
    assert [t.id for t in p.tasks("vaara-osaamis.tenderer")] == [own["vaara-osaamis"].id]

    # a tenderer that misses the deadline: its task closes and it is recorded as not submitted
    p.complete("vaara-osaamis.tenderer", "submit_initial_tender", {"tender_reference": "V-1", "fee_percent": 8.0})
    assert p.fire_timers("2026-03-18", 8) == 1
    assert p.tasks("uraverkko.tenderer") == []
    assert [(t["organisation"], t["submitted"]) for t in p.data["initial_tenders"]] == [
        ("vaara-osaamis", True), ("yrityspolku", True), ("uraverkko", False)]
    assert p.data["tenderers"] == ["vaara-osaamis", "yrityspolku"]


def test_the_tenderer_lane_without_its_own_tender_is_nobodys(procurement: Procurement) -> None:
    resolver = ProcurementResolver(procurement.directory)
    everyone = {"tenderers": s.TENDERERS, "orderers": s.JOINED, "procurement_unit": s.JOINED}
    assert resolver.assign("tenderer", everyone) == Assignment("tenderer", ())
    assert not resolver.may_act("vaara-osaamis.tenderer", resolver.assign("tenderer", everyone))
    own = resolver.assign("tenderer", {**everyone, "tender": {"organisation": "yrityspolku"}})
    assert own == Assignment("tenderer", ("yrityspolku",))
    assert resolver.may_act("yrityspolku.tenderer", own)
    assert not resolver.may_act("vaara-osaamis.tenderer", own)
    assert not resolver.may_act("yrityspolku.producer", own)
