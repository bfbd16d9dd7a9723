"""Scripts run restricted: the escapes from the SpiffWorkflow probe fail, ordinary scripts work."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.sandbox import SandboxEnvironment, ScriptRejected, check_source

ESCAPES = {
    "import": "import os\nos.system('touch {marker}')",
    "subclasses": ("w = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == '_wrap_close'][0]\n"
                   "w.__init__.__globals__['system']('touch {marker}')"),
    "gateway __import__": "__import__('os').system('touch {marker}') == 0",
    "builtins open": "open('{marker}', 'w').write('x')",
    "format string attribute": "'{{0.__class__}}'.format(1)",
}


@pytest.mark.parametrize("name", ESCAPES)
def test_escapes_fail_and_touch_nothing(name: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    source = ESCAPES[name].format(marker=marker)
    environment = SandboxEnvironment({})
    refused = (ScriptRejected, NameError, AttributeError, TypeError, ValueError, ImportError, NotImplementedError)
    with pytest.raises(refused):
        if "\n" in source or "=" in source.split("==")[0]:
            environment.execute(source, {})
        else:
            environment.evaluate(source, {})
    assert not marker.exists()


def test_rejections_are_known_at_deploy_time() -> None:
    assert check_source("import os", "exec") == "imports are not allowed"
    assert check_source("x.__class__", "eval") is not None
    assert check_source("_secret = 1", "exec") is not None
    assert check_source("x = [a for a in items if a > limit]", "exec") is None


def test_ordinary_scripts_see_data_and_helpers() -> None:
    environment = SandboxEnvironment({"double": lambda v: v * 2})
    data = {"items": [1, 2, 3], "limit": 1, "total": 0}
    environment.execute("big = [a for a in items if a > limit]\ntotal += sum(big)\nd = double(total)", data)
    assert data == {"items": [1, 2, 3], "limit": 1, "total": 5, "big": [2, 3], "d": 10}
    assert environment.evaluate("d > 9 and now() != ''", data) is True


def test_an_endless_loop_is_stopped() -> None:
    environment = SandboxEnvironment({}, time_limit=0.2)
    with pytest.raises(ScriptRejected, match="longer than 0.2 s"):
        environment.execute("n = 0\nwhile True:\n    n += 1", {})
    with pytest.raises(ScriptRejected):
        environment.evaluate("[x for x in items for y in items for z in items]", {"items": list(range(10**6))})
    assert environment.evaluate("sum([1, 2])", {}) == 3, "the limit is lifted after each run"


def test_an_endless_loop_in_a_diagram_fails_the_command_and_changes_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    from engine import ScriptFailed, SourceFile
    from engine.sandbox import SandboxEnvironment as Environment
    from tests.engine.conftest import EXAMPLE, only, start_example

    looping = EXAMPLE.read_text(encoding="utf-8").replace("rounds = 1", "rounds = 1\nwhile True:\n    rounds += 1", 1)
    engine.deploy([SourceFile("example_review.bpmn", looping.encode())], "designer")
    engine.script_engine.environment = Environment({}, time_limit=0.3)
    instance_id = start_example(engine)
    task = only(engine.inbox_page("alice").items)
    version = engine.instance(instance_id).version
    with pytest.raises(ScriptFailed, match="ran longer"):
        engine.complete_task(task.id, "alice", {"title": "x", "amount": 1, "deadline": "2026-04-01"})
    assert engine.instance(instance_id).version == version
