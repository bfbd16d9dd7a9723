"""SpiffWorkflow's depth limit (trap 1) and shared nested data (trap 4) are worked around."""

from __future__ import annotations

from engine import Database, SourceFile, execution, read_bundle
from engine.definitions import compile_bundle
from engine.sandbox import make_script_engine
from tests.engine.conftest import EXAMPLE, Clock, make_engine, review_round, revise, start_example, submit

ROUNDS = 300


def test_a_300_round_loop_runs_and_completes(sqlite_database: Database, clock: Clock) -> None:
    engine = make_engine(sqlite_database, clock)  # the depth limit is the point here, not the storage
    engine.deploy(read_bundle([EXAMPLE]), "designer")
    instance_id = start_example(engine, reviewers=("bob",))
    submit(engine, instance_id)
    for _ in range(ROUNDS - 1):
        review_round(engine, instance_id, approve=False, reviewers=("bob",))
        revise(engine, instance_id)
    review_round(engine, instance_id, approve=True, reviewers=("bob",))
    view = engine.instance(instance_id)
    assert view.data["rounds"] == ROUNDS and view.status == "running" and len(view.timers) == 1
    engine.fire_due_timers(view.timers[0].due_at.replace(year=2030))
    assert engine.instance(instance_id).status == "completed"
    report = engine.replay(instance_id)  # pruned after every command (state format 2): every digest again
    assert report.consistent and len(report.steps) == 2 * ROUNDS + 2, (report.error, report.first_difference)


def test_completed_tasks_keep_their_data_when_later_scripts_edit_nested_values() -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'reviews = [{"reviewer": r["reviewer"]} for r in reviews]',
        'reviews[0]["approve"] = "edited later"', 1)
    process = compile_bundle([SourceFile("e.bpmn", text.encode())])["example_review"]
    workflow = execution.new_workflow(process, make_script_engine({}), {"reviewers": ["bob"]})
    execution.complete(workflow, execution.ready_human_tasks(workflow)[0].id,
                       {"title": "t", "amount": 1, "deadline": "2026-04-01"})
    review = execution.ready_human_tasks(workflow)[0]
    execution.complete(workflow, review.id, {"approve": False})
    execution.complete(workflow, execution.ready_human_tasks(workflow)[0].id, {"title": "t2"})  # revise → edit
    completed_review = execution.find_task(workflow, review.id)
    assert completed_review.data["review"] == {"reviewer": "bob", "approve": False}
    assert execution.view_data(workflow)["reviews"][0]["approve"] == "edited later"
