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
