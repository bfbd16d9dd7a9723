"""Bare SpiffWorkflow, the baseline of bench/run.py: a separate process that never imports `engine`.

    python bench/bare.py DIAGRAM.bpmn PROCESS_ID

Reads one command per line on stdin and answers one JSON line on stdout:
- `start`: a new workflow of the process, run until it waits; answers {"size": bytes of the state}
- `step`: deserialize the state → complete the first READY user task (data {"note": …}) →
  run engine steps → serialize; answers {"seconds": the time of exactly that, "size": …}
- `quit`
Only SpiffWorkflow's own parser and serializer (Camunda 7 configuration) are used, with none of the
engine's patches (clocks, seeded ids, depth limit), so this is what the library costs by itself.
"""

from __future__ import annotations

import json
import sys
import time

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState


def main() -> None:
    path, process_id = sys.argv[1], sys.argv[2]
    parser = CamundaParser()
    parser.add_bpmn_file(path)
    spec = parser.get_spec(process_id)
    subprocesses = parser.get_subprocess_specs(process_id)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
    state = ""
    steps = 0
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        if command == "start":
            workflow = BpmnWorkflow(spec, subprocesses)
            workflow.do_engine_steps()
            state = serializer.serialize_json(workflow)
            answer: dict[str, object] = {"size": len(state)}
        elif command == "step":
            steps += 1
            started = time.perf_counter()
            workflow = serializer.deserialize_json(state)
            task = next(t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual)
            task.data.update({"note": f"step {steps}"})
            task.run()
            workflow.do_engine_steps()
            state = serializer.serialize_json(workflow)
            answer = {"seconds": time.perf_counter() - started, "size": len(state)}
        else:
            answer = {"error": f"unknown command {command!r}"}
        assert "engine" not in sys.modules, "the bare baseline must not import the engine"
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
