"""Runs diagram scripts, conditions and expressions in RestrictedPython, within limits.

SpiffWorkflow's default environment is plain `exec`: a script could import
`os`, and a restricted `__builtins__` is escaped through `__subclasses__()`
(SPIFFWORKFLOW.md trap 3). RestrictedPython rewrites the code at compile
time: no imports, no names or attributes starting with `_`, guarded item and
attribute access. Scripts see task data plus the helpers the caller registers.

Resources (engine.bounds.SandboxLimits, all configurable):
- operators and builtins that can make large values check the size of their result first
  (engine.bounds), so `'a' * 10**10` fails at once instead of taking 10 GB;
- code that can loop or call (anything but plain comparisons and arithmetic) runs in a forked
  child with an address-space limit and a wall-clock deadline: that ceiling holds even inside
  one long call into C, where nothing in the process itself could interrupt it. The child hands
  back the result (or the error) through a pipe; the parent's state is never touched by it.
  Without fork (or with `isolate=False`) the deadline is checked between traced lines instead.
"""

from __future__ import annotations

import ast
import copy
import io
import os
import pickle
import resource
import select
import signal
import struct
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from functools import lru_cache
from typing import Any, Literal, cast

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

from engine.bounds import (
    DEFAULT_LIMITS,
    BoundedTransformer,
    SandboxLimits,
    TooLarge,
    bounded_binop,
    bounded_builtins,
    bounded_inplace,
    bounded_method,
    constant_problem,
)
from engine.camunda import juel
from engine.determinism import clock_at, current_time

_EXTRA_BUILTINS: dict[str, Any] = {
    name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
    for name in ("all", "any", "sum", "min", "max", "len", "sorted", "enumerate", "dict", "list", "map", "filter")
}

def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


class ScriptRejected(Exception):
    """The source breaks the sandbox's rules (an import, a dunder, bad syntax), ran too long, needed too
    much memory, or would have made a value over a size limit."""


SCRIPT_TIME_LIMIT_S = DEFAULT_LIMITS.time_seconds  # kept for callers that name the old constant
DIAGRAM_FILENAME = "<diagram>"


class _Deadline:
    """A trace function that stops diagram code (only it: helpers run untraced) past its deadline.

    Used when code runs in this process (no fork, or isolation turned off): it counts the lines the
    script runs and looks at the clock every thousand. It cannot interrupt one long call into C.
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
        return compile_restricted(source, DIAGRAM_FILENAME, mode, policy=BoundedTransformer)
    except SyntaxError as error:  # RestrictedPython reports no line number; spiff would crash on None
        raise ScriptRejected(f"{error.msg} (line {error.lineno})" if error.lineno else str(error)) from None


@lru_cache(maxsize=4096)
def needs_isolation(source: str, mode: Literal["exec", "eval"]) -> bool:
    """Whether code can run for long or grow without bound: loops, comprehensions, calls, lambdas,
    f-strings. Anything else (names, constants, comparisons, bounded operators) finishes in time
    proportional to its inputs, and runs in this process without a fork."""
    bounded = (ast.Expression, ast.Module, ast.Expr, ast.Assign, ast.AugAssign, ast.Name, ast.Constant, ast.Load,
               ast.Store, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.IfExp, ast.If, ast.Subscript,
               ast.Attribute, ast.Tuple, ast.List, ast.Dict, ast.Pass, ast.boolop, ast.cmpop, ast.unaryop,
               ast.operator, ast.expr_context)
    return not all(isinstance(node, bounded) for node in ast.walk(ast.parse(source, mode=mode)))


def check_source(source: str, mode: Literal["exec", "eval"], limits: SandboxLimits = DEFAULT_LIMITS) -> str | None:
    """The reason a script ('exec') or expression ('eval') would be refused, or None."""
    if mode == "eval" and juel.is_juel(source):  # Camunda 7's `${...}`: parsed, never compiled
        return juel.check(source)
    try:
        compile_sandboxed(source, mode)
    except ScriptRejected as error:
        return str(error)
    return constant_problem(ast.parse(source, mode=mode), limits)


def _now_iso() -> str:
    return current_time().isoformat()


class _Unpickler(pickle.Unpickler):
    """Reads the child's answer: plain values, dates and exceptions only, nothing that runs code."""

    SAFE = {("builtins", n) for n in ("dict", "list", "tuple", "set", "frozenset", "str", "bytes", "bytearray",
                                       "int", "float", "bool", "complex", "slice", "getattr")}
    SAFE |= {("datetime", n) for n in ("date", "datetime", "time", "timedelta", "timezone")}
    SAFE |= {("decimal", "Decimal"), ("copyreg", "_reconstructor"), ("builtins", "object")}

    def find_class(self, module: str, name: str) -> Any:
        found = getattr(sys.modules.get(module), name, None)
        if (module, name) in self.SAFE or (isinstance(found, type) and issubclass(found, BaseException)):
            if found is None:
                raise pickle.UnpicklingError(f"{module}.{name} is not loaded")
            return found
        raise pickle.UnpicklingError(f"{module}.{name} may not come back from a script")


def _vsize() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _send(fd: int, value: Any, deadline: float | None = None) -> None:
    """Write one frame; raises TimeoutError past the deadline (a stuck child must not block us)."""
    data = pickle.dumps(value)
    view = memoryview(struct.pack("!Q", len(data)) + data)
    while view:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([], [fd], [], wait)[1]:
                raise TimeoutError
        view = view[os.write(fd, view[:65536]):]


def _receive(fd: int, deadline: float | None = None) -> bytes | None:
    """One frame, or None at end of file; raises TimeoutError past the deadline."""
    def exactly(count: int) -> bytes | None:
        chunks, left = [], count
        while left:
            if deadline is not None:
                wait = deadline - time.monotonic()
                if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                    raise TimeoutError
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    header = exactly(8)
    return None if header is None else exactly(struct.unpack("!Q", header)[0])


class _Child:
    """A forked copy of this process that runs scripts on request, under an address-space limit.

    Forking once (not per script) keeps a call's cost at a pipe round trip and a pickle (well under a
    millisecond, against tens of ms for a fork); a child is killed and replaced when a script overruns
    its time or memory."""

    def __init__(self, work: Callable[[str, str, dict[str, Any], Any], Any], limits: SandboxLimits):
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: serves until the parent closes the pipe, never returns
            status = 0
            try:
                _keep_only(to_child, from_child)
                allowance = _vsize() + limits.memory_mb * 1024 * 1024
                resource.setrlimit(resource.RLIMIT_AS, (allowance, allowance))
                _serve(to_child, from_child, work)
            except BaseException:  # noqa: BLE001 - whatever happens, the child must not go on as the parent
                status = 1
            finally:
                os._exit(status)
        os.close(to_child)
        os.close(from_child)
        self.pid, self.requests, self.answers = pid, from_parent, to_parent
        self._finalizer = weakref.finalize(self, _close, os.getpid(), pid, from_parent, to_parent)

    def call(self, request: tuple[Any, ...], limits: SandboxLimits) -> tuple[str, Any]:
        deadline = time.monotonic() + limits.time_seconds
        _send(self.requests, request, deadline)
        data = _receive(self.answers, deadline)
        if data is None:
            raise EOFError
        return cast(tuple[str, Any], _Unpickler(io.BytesIO(data)).load())

    def close(self) -> None:
        self._finalizer()


def _keep_only(*keep: int) -> None:
    """In a new child: hold no descriptor of the parent's but its own pipe ends. A child holding the
    parent's sockets, files or pipes (another child's, a browser driver's, the terminal's) would keep
    them open after the parent closed them, and whoever waits for their end of file would wait forever."""
    null = os.open(os.devnull, os.O_RDWR)
    for standard in (0, 1, 2):
        os.dup2(null, standard)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep:
            with suppress(OSError):
                os.close(fd)


def _close(owner: int, pid: int, *fds: int) -> None:
    if os.getpid() != owner:
        return  # a copy of this object in another child, collected there: not that child's to end
    for fd in fds:
        with suppress(OSError):
            os.close(fd)
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)  # idle or overrunning: either way it has nothing left to do
    with suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _serve(requests: int, answers: int, work: Callable[[str, str, dict[str, Any], Any], Any]) -> None:
    while (data := _receive(requests)) is not None:
        source, mode, context, external, at = pickle.loads(data)  # noqa: S301 - from our own parent
        try:
            with clock_at(at):
                answer: tuple[str, Any] = ("ok", work(source, mode, context, external))
        except MemoryError:
            answer = ("memory", None)
        except BaseException as error:  # noqa: BLE001 - handed to the parent as it is
            answer = ("error", error)
        try:
            pickle.loads(pickle.dumps(answer))  # noqa: S301 - our own bytes: can the parent read it back?
        except Exception as error:  # noqa: BLE001 - e.g. an object a script made, or an odd exception
            kind = type(answer[1]).__name__ if answer[0] == "error" else "value"
            answer = ("error", TypeError(f"{kind}: {answer[1]} (and it cannot be handed back: {error})"))
        _send(answers, answer)
        if answer[0] == "memory":
            return  # its heap may stay large: the parent starts a fresh child


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    def __init__(self, helpers: Mapping[str, Callable[..., Any]], time_limit: float | None = None,
                 limits: SandboxLimits = DEFAULT_LIMITS,
                 service_handlers: Mapping[str, Callable[..., Any]] | None = None):
        super().__init__()
        self.service_handlers = dict(service_handlers or {})
        if time_limit is not None:
            limits = SandboxLimits(**{**limits.__dict__, "time_seconds": time_limit})
        self.limits = limits
        self.time_limit = limits.time_seconds
        self.isolate = limits.isolate and hasattr(os, "fork")

        def guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
            return bounded_method(obj, name, safer_getattr(obj, name, *default), limits)

        self._globals = {
            "__builtins__": {**safe_builtins, **limited_builtins, **_EXTRA_BUILTINS, **bounded_builtins(limits)},
            "_getattr_": guarded_getattr,
            "_getitem_": default_guarded_getitem,
            "_getiter_": default_guarded_getiter,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_write_": full_write_guard,
            "_inplacevar_": bounded_inplace(limits),
            "_binop_": bounded_binop(limits),
            "_apply_": _apply,
            "now": _now_iso,
            **helpers,
        }
        self.names = frozenset(self._globals)
        # Idle children, reused by any thread; a thread that finds none forks one, so concurrent
        # commands never queue for a child and a thread-per-request server does not fork per request.
        self._idle: list[_Child] = []
        self._idle_lock = threading.Lock()

    def _work(self, source: str, mode: str, context: dict[str, Any], external_context: Any) -> Any:
        # One scope, not globals + locals: comprehensions must see the data's names.
        scope = {**self._globals, **(external_context or {}), **context}
        if mode == "eval":
            return eval(compile_sandboxed(source, "eval"), scope)  # noqa: S307 - compiled by RestrictedPython
        exec(compile_sandboxed(source, "exec"), scope)  # noqa: S102 - compiled by RestrictedPython
        return {k: v for k, v in scope.items() if not k.startswith("_") and not callable(v)}

    def _isolated(self, request: tuple[Any, ...]) -> Any:
        with self._idle_lock:
            child = self._idle.pop() if self._idle else None
        if child is None:
            child = _Child(self._work, self.limits)
        try:
            kind, value = child.call(request, self.limits)
        except TimeoutError:
            child.close()
            raise ScriptRejected(f"the script ran longer than {self.limits.time_seconds:g} s and was stopped") from None
        except (EOFError, OSError):
            child.close()
            raise ScriptRejected(f"the script was stopped: it needed more than {self.limits.memory_mb} MB "
                                 "or ended its process") from None
        if kind == "memory":
            child.close()
            raise ScriptRejected(f"the script needed more than {self.limits.memory_mb} MB of memory and was stopped")
        with self._idle_lock:
            self._idle.append(child)
        if kind == "error":
            raise value
        return value

    def _run(self, source: str, mode: Literal["exec", "eval"], context: dict[str, Any], external_context: Any) -> Any:
        compile_sandboxed(source, mode)  # refusals are raised here, in the caller's process
        try:
            if self.isolate and needs_isolation(source, mode):
                return self._isolated((source, mode, context, external_context, current_time()))
            with _time_limit(self.time_limit):
                return self._work(source, mode, context, external_context)
        except TooLarge as error:
            raise ScriptRejected(f"the script was stopped: {error}") from None

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        if juel.is_juel(expression):
            return juel.evaluate(expression, {**(external_context or {}), **context})
        return self._run(expression, "eval", context, external_context)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        result = self._run(script, "exec", context, external_context)
        context.clear()
        context.update(result)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ScriptRejected("service tasks are not supported")

    def has_handler(self, name: str | None) -> bool:
        return name is not None and name in self.service_handlers

    def call_handler(self, name: str, data: Mapping[str, Any]) -> Any:
        """A registered service handler (trusted Python of the deployment) on a copy of the task's data."""
        return self.service_handlers[name](copy.deepcopy(dict(data)))


def make_script_engine(helpers: Mapping[str, Callable[..., Any]],
                       service_handlers: Mapping[str, Callable[..., Any]] | None = None,
                       limits: SandboxLimits = DEFAULT_LIMITS) -> PythonScriptEngine:
    return PythonScriptEngine(environment=SandboxEnvironment(helpers, limits=limits,
                                                             service_handlers=service_handlers))
