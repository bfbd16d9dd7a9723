"""Runs diagram scripts, conditions and expressions in RestrictedPython.

SpiffWorkflow's default environment is plain `exec`: a script could import
`os`, and a restricted `__builtins__` is escaped through `__subclasses__()`
(SPIFFWORKFLOW.md trap 3). RestrictedPython rewrites the code at compile
time: no imports, no names or attributes starting with `_`, guarded item and
attribute access. Scripts see task data plus the helpers the caller registers.
"""

from __future__ import annotations

import ast
import copy
import operator
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Literal

from RestrictedPython import compile_restricted, limited_builtins, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.camunda import juel
from engine.determinism import current_time

_EXTRA_BUILTINS: dict[str, Any] = {
    name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
    for name in ("all", "any", "sum", "min", "max", "len", "sorted", "enumerate", "dict", "list", "map", "filter")
}

_INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow,
}


def _inplace(op: str, x: Any, y: Any) -> Any:
    return _INPLACE[op](x, y)


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


class ScriptRejected(Exception):
    """The source breaks the sandbox's rules (an import, a dunder, bad syntax) or ran too long."""


SCRIPT_TIME_LIMIT_S = 5.0  # a diagram's script that runs longer is stopped: it would block a worker
DIAGRAM_FILENAME = "<diagram>"


class _Deadline:
    """A trace function that stops diagram code (only it: helpers run untraced) past its deadline.

    It counts the lines the script runs and looks at the clock every thousand, so an endless
    `while True:` in a diagram fails instead of blocking the process. A single long call into a
    builtin is not interrupted; the sandbox's `range` is limited for that reason.
    """

    def __init__(self, seconds: float):
        self.until = time.monotonic() + seconds
        self.seconds = seconds
        self.lines = 0

    def enter(self, frame: Any, event: str, arg: Any) -> Any:
        return self.line if frame.f_code.co_filename == DIAGRAM_FILENAME else None

    def line(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            self.lines += 1
            if self.lines % 1000 == 0 and time.monotonic() > self.until:
                raise ScriptRejected(f"the script ran longer than {self.seconds:g} s and was stopped")
        return self.line


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    previous = sys.gettrace()
    sys.settrace(_Deadline(seconds).enter)
    try:
        yield
    finally:
        sys.settrace(previous)


@lru_cache(maxsize=4096)
def compile_sandboxed(source: str, mode: Literal["exec", "eval"]) -> Any:
    """Compile once per distinct source; RestrictedPython's compile is the slow part."""
    try:
        tree = ast.parse(source, mode=mode)
        if any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in ast.walk(tree)):
            raise ScriptRejected("imports are not allowed")
        return compile_restricted(source, DIAGRAM_FILENAME, mode)
    except SyntaxError as error:  # RestrictedPython reports no line number; spiff would crash on None
        raise ScriptRejected(f"{error.msg} (line {error.lineno})" if error.lineno else str(error)) from None


def check_source(source: str, mode: Literal["exec", "eval"]) -> str | None:
    """The reason a script ('exec') or expression ('eval') would be refused, or None."""
    if mode == "eval" and juel.is_juel(source):  # Camunda 7's `${...}`: parsed, never compiled
        return juel.check(source)
    try:
        compile_sandboxed(source, mode)
    except ScriptRejected as error:
        return str(error)
    return None


def _now_iso() -> str:
    return current_time().isoformat()


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    def __init__(self, helpers: Mapping[str, Callable[..., Any]], time_limit: float = SCRIPT_TIME_LIMIT_S,
                 service_handlers: Mapping[str, Callable[..., Any]] | None = None):
        super().__init__()
        self.time_limit = time_limit
        self.service_handlers = dict(service_handlers or {})
        self._globals = {
            "__builtins__": {**safe_builtins, **limited_builtins, **_EXTRA_BUILTINS},
            "_getattr_": safer_getattr,
            "_getitem_": default_guarded_getitem,
            "_getiter_": default_guarded_getiter,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_write_": full_write_guard,
            "_inplacevar_": _inplace,
            "_apply_": _apply,
            "now": _now_iso,
            **helpers,
        }
        self.names = frozenset(self._globals)

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        if juel.is_juel(expression):
            return juel.evaluate(expression, {**(external_context or {}), **context})
        code = compile_sandboxed(expression, "eval")
        scope = {**self._globals, **(external_context or {}), **context}
        with _time_limit(self.time_limit):
            return eval(code, scope)  # noqa: S307 - compiled by RestrictedPython

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        code = compile_sandboxed(script, "exec")
        # One scope, not globals + locals: comprehensions must see the data's names.
        scope = {**self._globals, **(external_context or {}), **context}
        with _time_limit(self.time_limit):
            exec(code, scope)  # noqa: S102 - compiled by RestrictedPython
        context.clear()
        context.update({k: v for k, v in scope.items() if not k.startswith("_") and not callable(v)})
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ScriptRejected("service tasks are not supported")

    def has_handler(self, name: str | None) -> bool:
        return name is not None and name in self.service_handlers

    def call_handler(self, name: str, data: Mapping[str, Any]) -> Any:
        """A registered service handler (trusted Python of the deployment) on a copy of the task's data."""
        return self.service_handlers[name](copy.deepcopy(dict(data)))


def make_script_engine(helpers: Mapping[str, Callable[..., Any]],
                       service_handlers: Mapping[str, Callable[..., Any]] | None = None) -> PythonScriptEngine:
    return PythonScriptEngine(environment=SandboxEnvironment(helpers, service_handlers=service_handlers))
