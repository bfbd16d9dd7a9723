"""State format 2 (engine/pruning.py): a command's cost is bounded by the live part of an instance, not its
history. Finished history is cut out after every command, live and in replay alike; the stored states,
replay digests, diagram marks and the audit log stay exact; format-1 instances keep their whole tree."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from engine import Assignment, Conflict, Database, Engine, Membership, SourceFile, execution, read_bundle
from engine.definitions import compile_bundle
from engine.determinism import deterministic
from engine.pruning import LEGACY_FORMAT, STATE_FORMAT, state_format
from engine.sandbox import make_script_engine
from tests.engine.conftest import EXAMPLE, Clock, make_engine, only, review_round, revise, start_example, submit


def stored_state(engine: Engine, instance_id: str) -> str:
    with engine.db.read() as session:
        return session.execute(text("SELECT state FROM instances WHERE id = :i"), {"i": instance_id}).scalar_one()


def start_payload(engine: Engine, instance_id: str) -> dict[str, Any]:
    return next(e.payload for e in engine.history(instance_id) if e.type == "instance_started")


def test_a_1000_round_loop_completes_with_a_bounded_state() -> None:
    """Each command as the engine runs it (load the stored form, complete, prune, dump), 2,001 of them."""
    process = compile_bundle([SourceFile("e.bpmn", EXAMPLE.read_bytes())])["example_review"]
    script_engine = make_script_engine({})
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with deterministic("start", at):
        state = execution.dump_state(execution.new_workflow(process, script_engine, {"reviewers": ["bob"]},
                                                            STATE_FORMAT))
    sizes: dict[int, int] = {}
    answers = [{"title": "t", "amount": 1, "deadline": "2026-06-01"}]
    for n in range(1, 1001):
        answers += [{"approve": n == 1000}] + ([{"title": f"r{n}"}] if n < 1000 else [])
    for seq, answer in enumerate(answers, 1):
        workflow = execution.load_workflow(state, script_engine)
        with deterministic(f"c:{seq}", at + timedelta(seconds=seq)):
            execution.complete(workflow, only(execution.ready_human_tasks(workflow)).id, answer)
            state = execution.dump_state(workflow)
        sizes[seq] = len(state)
    workflow = execution.load_workflow(state, script_engine)
    assert execution.view_data(workflow)["rounds"] == 1000 and [t.element_id for t in
                                                              execution.pending_timers(workflow)] == ["cooldown"]
    with deterministic("timer", at + timedelta(days=30)):
        execution.fire_timers(workflow)
    assert workflow.is_completed()
    # round 10 and round 1000 store the same number of tasks: the state does not grow with the history
    assert sizes[2 * 1000] <= sizes[2 * 10] + 64, (sizes[20], sizes[2000])
    assert len(workflow.tasks) < 20
    assert execution.element_states(workflow) == {e: "completed" for e in (
        "start", "submit", "prepare", "review", "tally", "approved_gateway", "revise", "next_round", "cooldown",
        "done")}


def test_a_pruned_long_run_replays_every_stored_digest(engine: Engine) -> None:
    instance_id = start_example(engine)
    assert start_payload(engine, instance_id)["state_format"] == STATE_FORMAT
    submit(engine, instance_id)
    sizes, captured = [], {}
    for round_ in range(12):
        review_round(engine, instance_id, approve=False)
        revise(engine, instance_id, title=f"Kierros {round_}")
        sizes.append(len(stored_state(engine, instance_id)))
        captured[engine.history(instance_id)[-1].seq] = engine.instance(instance_id)
    assert max(sizes[2:]) - min(sizes[2:]) <= 64, sizes  # bounded from the second round on
    review_round(engine, instance_id, approve=True)
    due = engine.instance(instance_id).timers[0].due_at
    engine.fire_due_timers(due.replace(year=due.year + 1))
    assert engine.instance(instance_id).status == "completed"

    report = engine.replay(instance_id)
    assert report.consistent, (report.error, report.first_difference)
    assert len(report.steps) == 2 + 12 * 3 + 2 + 1
    assert not any(s.reloaded for s in report.steps)  # continued in memory all along: linear
    for seq, then in list(captured.items())[::4]:
        replayed = engine.state_at(instance_id, seq)
        assert replayed.data == dict(then.data) and replayed.element_states == dict(then.element_states)
        assert sorted(t["id"] for t in replayed.open_tasks) == sorted(t.id for t in then.open_tasks)
    assert engine.verify(instance_id).problems == ()


def test_replay_redoes_a_step_on_the_stored_form_when_memory_differs(engine: Engine,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Without re-reading the task data as stored, a multi-instance child's keys come in another order in
    memory and the next stored bytes differ (docs/spiffworkflow.md): replay notices by the digest and
    redoes that step on the stored form, so every step is still the stored one."""
    instance_id = start_example(engine)
    submit(engine, instance_id)
    for round_ in range(3):
        review_round(engine, instance_id, approve=False)
        revise(engine, instance_id, title=f"Kierros {round_}")
    monkeypatch.setattr(execution, "read_back", lambda workflow, state: None)
    report = engine.replay(instance_id)
    assert report.consistent, (report.error, report.first_difference)
    assert [s.command for s in report.steps if s.reloaded] == ["complete"] * 3  # once per round


def test_task_pages_read_whole_data_from_a_pruned_state(engine: Engine) -> None:
    """The hung task's stored delta is against the start event's data: reading a task straight from the
    stored JSON (task pages) gives the data deserializing gives."""
    instance_id = start_example(engine)
    submit(engine, instance_id, title="Alkuperäinen")
    for round_ in range(3):
        review_round(engine, instance_id, approve=False)
        revise(engine, instance_id, title=f"Kierros {round_}")
    state = stored_state(engine, instance_id)
    workflow = execution.load_workflow(state, None)
    assert "submit" not in {t.task_spec.bpmn_id for t in execution.all_tasks(workflow)}
    for task in execution.all_tasks(workflow):
        stored = execution.task_in_state(state, str(task.id))
        assert stored is not None and stored.data == task.data, task.task_spec.name
    for open_task in engine.instance(instance_id).open_tasks:
        assert engine.task(open_task.id).data["title"] == "Kierros 2"


def test_the_diagram_keeps_the_marks_of_steps_cut_out(engine: Engine) -> None:
    instance_id = start_example(engine, reviewers=("bob",))
    submit(engine, instance_id)
    for _ in range(3):
        review_round(engine, instance_id, approve=False, reviewers=("bob",))
        revise(engine, instance_id)
    workflow = execution.load_workflow(stored_state(engine, instance_id), None)
    assert "submit" not in {t.task_spec.bpmn_id for t in execution.all_tasks(workflow)}  # cut out …
    view = engine.instance(instance_id)
    assert view.element_states["submit"] == view.element_states["prepare"] == "completed"  # … but still marked
    assert view.element_states["review"] == "active"
    assert engine.verify(instance_id).problems == ()  # the stored marks agree with the state


def test_returning_reaches_the_last_step_and_refuses_one_cut_out_clearly(engine: Engine) -> None:
    instance_id = start_example(engine, reviewers=("bob",))
    submit(engine, instance_id)
    [submitted] = engine.completed_steps(instance_id)
    for round_ in range(2):
        review_round(engine, instance_id, approve=False, reviewers=("bob",))
        revise(engine, instance_id, title=f"Kierros {round_}")
    review_round(engine, instance_id, approve=False, reviewers=("bob",))
    steps = engine.completed_steps(instance_id)
    assert submitted.id not in {s.id for s in steps}
    assert [s.element_id for s in steps][-2:] == ["revise", "review"]  # the last revision and the review since
    with pytest.raises(Conflict, match="too far back"):
        engine.return_to(instance_id, submitted.id, "alice", "väärä otsikko")
    last_revision = [s for s in steps if s.element_id == "revise"][-1]
    engine.return_to(instance_id, last_revision.id, "alice", "korjaus jäi kesken")
    assert [t.id for t in engine.instance(instance_id).open_tasks] == [last_revision.id]
    revise(engine, instance_id, title="Korjattu uudelleen")
    assert engine.replay(instance_id).consistent


def test_a_format_1_instance_keeps_its_whole_tree_replays_and_continues(database: Database, clock: Clock) -> None:
    old = make_engine(database, clock)
    old.state_format = LEGACY_FORMAT  # as instances started before pruning existed
    old.deploy(read_bundle([EXAMPLE]), "designer")
    instance_id = start_example(old, reviewers=("bob",))
    assert "state_format" not in start_payload(old, instance_id)  # the start event as it always was
    submit(old, instance_id)
    review_round(old, instance_id, approve=False, reviewers=("bob",))
    revise(old, instance_id)

    current = make_engine(database, clock)  # today's engine continues it, in its own format
    sizes = []
    for _ in range(3):
        review_round(current, instance_id, approve=False, reviewers=("bob",))
        revise(current, instance_id)
        sizes.append(len(stored_state(current, instance_id)))
    workflow = execution.load_workflow(stored_state(current, instance_id), None)
    assert state_format(workflow) == LEGACY_FORMAT and sizes[0] < sizes[1] < sizes[2]  # never pruned
    assert "submit" in {t.task_spec.bpmn_id for t in execution.all_tasks(workflow)}
    report = current.replay(instance_id)
    assert report.consistent, (report.error, report.first_difference)
    assert current.verify(instance_id).problems == ()
    new_one = start_example(current, reviewers=("bob",))  # while new instances start in format 2
    assert start_payload(current, new_one)["state_format"] == STATE_FORMAT


# --- a loop with a parallel split and join, a call activity and a boundary timer ---------------------------
LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="rounds" isExecutable="true">
    <bpmn:laneSet id="ls1"><bpmn:lane id="worker" name="worker"><bpmn:flowNodeRef>a</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>b</bpmn:flowNodeRef><bpmn:flowNodeRef>check</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="prep" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>n = 0</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="merge"><bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f12</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:outgoing>f5</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="a"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="b"><bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing></bpmn:userTask>
    <bpmn:parallelGateway id="join"><bpmn:incoming>f6</bpmn:incoming><bpmn:incoming>f7</bpmn:incoming>
      <bpmn:outgoing>f8</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:callActivity id="call" calledElement="inner"><bpmn:incoming>f8</bpmn:incoming>
      <bpmn:outgoing>f9</bpmn:outgoing></bpmn:callActivity>
    <bpmn:userTask id="check"><bpmn:incoming>f9</bpmn:incoming><bpmn:outgoing>f10</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="late" attachedToRef="check"><bpmn:outgoing>f13</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P30D"</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:endEvent id="too_late"><bpmn:incoming>f13</bpmn:incoming></bpmn:endEvent>
    <bpmn:exclusiveGateway id="more" default="f11"><bpmn:incoming>f10</bpmn:incoming>
      <bpmn:outgoing>f11</bpmn:outgoing><bpmn:outgoing>f14</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:scriptTask id="inc" scriptFormat="python"><bpmn:incoming>f11</bpmn:incoming>
      <bpmn:outgoing>f12</bpmn:outgoing><bpmn:script>n += 1</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f14</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prep" />
    <bpmn:sequenceFlow id="f2" sourceRef="prep" targetRef="merge" />
    <bpmn:sequenceFlow id="f3" sourceRef="merge" targetRef="split" />
    <bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="a" />
    <bpmn:sequenceFlow id="f5" sourceRef="split" targetRef="b" />
    <bpmn:sequenceFlow id="f6" sourceRef="a" targetRef="join" />
    <bpmn:sequenceFlow id="f7" sourceRef="b" targetRef="join" />
    <bpmn:sequenceFlow id="f8" sourceRef="join" targetRef="call" />
    <bpmn:sequenceFlow id="f9" sourceRef="call" targetRef="check" />
    <bpmn:sequenceFlow id="f10" sourceRef="check" targetRef="more" />
    <bpmn:sequenceFlow id="f11" sourceRef="more" targetRef="inc" />
    <bpmn:sequenceFlow id="f12" sourceRef="inc" targetRef="merge" />
    <bpmn:sequenceFlow id="f13" sourceRef="late" targetRef="too_late" />
    <bpmn:sequenceFlow id="f14" sourceRef="more" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">done</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
  <bpmn:process id="inner" isExecutable="true">
    <bpmn:laneSet id="ls2"><bpmn:lane id="inner_worker" name="worker">
      <bpmn:flowNodeRef>inner_task</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="inner_start"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="inner_task"><bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="inner_end"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="g1" sourceRef="inner_start" targetRef="inner_task" />
    <bpmn:sequenceFlow id="g2" sourceRef="inner_task" targetRef="inner_end" />
  </bpmn:process>
</bpmn:definitions>
"""


class AnyoneResolver:
    def assign(self, lane: str | None, data: Mapping[str, Any]) -> Assignment:
        return Assignment("worker", ("org",))

    def may_act(self, actor: str, assignment: Assignment) -> bool:
        return True

    def memberships(self, actor: str) -> list[Membership]:
        return [Membership("org", "worker")]

    def may_start(self, actor: str, process_id: str) -> bool:
        return True


def run_rounds(database: Database, clock: Clock, state_format: int, rounds: int) -> tuple[Engine, str, list[Any]]:
    """The loop diagram driven through `rounds` rounds; returns what the instance showed after each command."""
    engine = Engine(database, AnyoneResolver(), clock=clock, state_format=state_format)
    engine.deploy([SourceFile("rounds.bpmn", LOOP.encode())], "designer")
    instance_id = engine.start("rounds", "u").id
    seen = []

    def do(element: str, data: dict[str, Any]) -> None:
        task = only([t for t in engine.instance(instance_id).open_tasks if t.element_id == element])
        view = engine.complete_task(task.id, "u", data)
        seen.append((dict(view.data), sorted(t.element_id for t in view.open_tasks), dict(view.element_states),
                     [t.element_id for t in view.timers], len(stored_state(engine, instance_id))))

    for round_ in range(rounds):
        do("b", {"from_b": round_})  # the branches in either order
        do("a", {"from_a": round_})
        do("inner_task", {"inner": round_})
        do("check", {"done": round_ == rounds - 1})
    return engine, instance_id, seen


def test_parallel_branches_call_activities_and_boundary_timers_as_on_the_whole_tree(tmp_path: Any) -> None:
    """The same commands on format 1 (whole tree) and format 2 (pruned): the same data, open tasks, diagram
    marks and timers after every command, while only the pruned state stays bounded."""
    runs = {}
    for state_format_ in (LEGACY_FORMAT, STATE_FORMAT):
        database = Database(f"sqlite:///{tmp_path / f'format{state_format_}.db'}")
        database.migrate()
        runs[state_format_] = run_rounds(database, Clock(), state_format_, 15)
    whole, pruned = runs[LEGACY_FORMAT][2], runs[STATE_FORMAT][2]
    assert [step[:4] for step in pruned] == [step[:4] for step in whole]
    assert pruned[-1][0]["n"] == 14 and "end" in pruned[-1][2]
    sizes = [step[4] for step in pruned][:-1]
    # the same phase of later rounds stores the same size
    assert all(abs(later - earlier) <= 64 for earlier, later in zip(sizes[8:-4], sizes[12:], strict=True)), sizes
    assert whole[-2][4] > 3 * pruned[-2][4]  # the whole tree grew meanwhile
    engine, instance_id, _ = runs[STATE_FORMAT]
    assert engine.instance(instance_id).status == "completed"
    report = engine.replay(instance_id)
    assert report.consistent, (report.error, report.first_difference)
    assert engine.verify(instance_id).problems == ()


def test_finished_calls_are_cut_out_with_their_subprocesses(sqlite_database: Database, clock: Clock) -> None:
    engine, instance_id, _ = run_rounds(sqlite_database, clock, STATE_FORMAT, 6)
    stored = json.loads(stored_state(engine, instance_id))
    assert len(stored["subprocesses"]) <= 1  # the last call's, kept with the part one may return to


INNER_LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d2" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="Message_nudge" name="nudge" />
  <bpmn:process id="outer" isExecutable="true">
    <bpmn:laneSet id="ls3"><bpmn:lane id="outer_worker" name="worker">
      <bpmn:flowNodeRef>after</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="o_start"><bpmn:outgoing>o1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:callActivity id="o_call" calledElement="looping"><bpmn:incoming>o1</bpmn:incoming>
      <bpmn:outgoing>o2</bpmn:outgoing></bpmn:callActivity>
    <bpmn:userTask id="after"><bpmn:incoming>o2</bpmn:incoming><bpmn:outgoing>o3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="o_end"><bpmn:incoming>o3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="o1" sourceRef="o_start" targetRef="o_call" />
    <bpmn:sequenceFlow id="o2" sourceRef="o_call" targetRef="after" />
    <bpmn:sequenceFlow id="o3" sourceRef="after" targetRef="o_end" />
  </bpmn:process>
  <bpmn:process id="looping" isExecutable="true">
    <bpmn:laneSet id="ls4"><bpmn:lane id="loop_worker" name="worker">
      <bpmn:flowNodeRef>work</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="l_start"><bpmn:outgoing>l1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="l_merge"><bpmn:incoming>l1</bpmn:incoming><bpmn:incoming>l5</bpmn:incoming>
      <bpmn:outgoing>l2</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="work"><bpmn:incoming>l2</bpmn:incoming><bpmn:outgoing>l3</bpmn:outgoing></bpmn:userTask>
    <bpmn:eventBasedGateway id="l_wait"><bpmn:incoming>l3</bpmn:incoming><bpmn:outgoing>l4</bpmn:outgoing>
      <bpmn:outgoing>l6</bpmn:outgoing></bpmn:eventBasedGateway>
    <bpmn:intermediateCatchEvent id="nudged"><bpmn:incoming>l4</bpmn:incoming><bpmn:outgoing>l5</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="Message_nudge" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="quiet"><bpmn:incoming>l6</bpmn:incoming><bpmn:outgoing>l7</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P1D"</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="l_end"><bpmn:incoming>l7</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="l1" sourceRef="l_start" targetRef="l_merge" />
    <bpmn:sequenceFlow id="l2" sourceRef="l_merge" targetRef="work" />
    <bpmn:sequenceFlow id="l3" sourceRef="work" targetRef="l_wait" />
    <bpmn:sequenceFlow id="l4" sourceRef="l_wait" targetRef="nudged" />
    <bpmn:sequenceFlow id="l5" sourceRef="nudged" targetRef="l_merge" />
    <bpmn:sequenceFlow id="l6" sourceRef="l_wait" targetRef="quiet" />
    <bpmn:sequenceFlow id="l7" sourceRef="quiet" targetRef="l_end" />
  </bpmn:process>
</bpmn:definitions>
"""


def drive_inner_loop(database: Database, state_format_: int) -> list[Any]:
    """12 rounds of work and a message inside the call, then the timer ends it; what showed after each."""
    clock = Clock()
    engine = Engine(database, AnyoneResolver(), clock=clock, state_format=state_format_)
    engine.deploy([SourceFile("inner.bpmn", INNER_LOOP.encode())], "designer")
    instance_id = engine.start("outer", "u").id
    views = []

    def record(view: Any) -> None:
        views.append((dict(view.data), sorted(t.element_id for t in view.open_tasks), dict(view.element_states),
                      sorted(view.awaited_messages), len(view.timers), len(stored_state(engine, instance_id))))

    for round_ in range(12):
        task = only(engine.instance(instance_id).open_tasks)
        assert task.element_id == "work"
        record(engine.complete_task(task.id, "u", {"round": round_}))
        record(engine.deliver_message(instance_id, "nudge", {"n": round_}, "u"))
    record(engine.complete_task(only(engine.instance(instance_id).open_tasks).id, "u", {"round": 12}))
    assert engine.fire_due_timers(clock.now + timedelta(days=2)) == 1
    record(engine.complete_task(only(engine.instance(instance_id).open_tasks).id, "u", {"last": True}))
    assert engine.instance(instance_id).status == "completed"
    report = engine.replay(instance_id)
    assert report.consistent, (report.error, report.first_difference)
    assert engine.verify(instance_id).problems == ()
    return views


def test_a_loop_inside_a_call_with_messages_and_timers_is_pruned_too(tmp_path: Any) -> None:
    """The called process's own tree is pruned as the top one: a message-or-timer loop inside a call
    activity stays bounded, and shows what the whole tree shows after every command."""
    seen = {}
    for state_format_ in (LEGACY_FORMAT, STATE_FORMAT):
        database = Database(f"sqlite:///{tmp_path / f'inner{state_format_}.db'}")
        database.migrate()
        seen[state_format_] = drive_inner_loop(database, state_format_)
    whole, pruned = seen[LEGACY_FORMAT], seen[STATE_FORMAT]
    assert [v[:5] for v in pruned] == [v[:5] for v in whole]
    sizes = [v[5] for v in pruned][:24]
    assert all(abs(later - earlier) <= 64 for earlier, later in zip(sizes[4:-2], sizes[6:], strict=True)), sizes
    assert whole[23][5] > 2 * pruned[23][5]  # the whole tree grew meanwhile
