"""A Schematron check service: the rules compiled and run by Saxon in a long-lived process of its own.

Saxon (saxonche) is a native GraalVM library with its own threads and a heap of its own (it reserves
tens of GB of address space and holds ~0.5 GB once a large rule set is compiled). Kept out of the
web and worker processes, it shares no threads with their request threads nor with the children the
script sandbox forks, and a crash or hang in it costs one check, not the process.

    service = SchematronService("rules.sch", cache_dir, phases=("phase-a", "phase-b"))
    service.check(document_bytes, "phase-a")   # [Failure, …]; SchematronError when it cannot answer

The process (`python -m engine.schematron_worker`) is started on the first check, compiles the rules
once (the XSLT is cached on disk by `Schematron`), then answers one JSON line per request on stdin
with one JSON line on stdout. It is started again when it has died, and killed when it does not
answer in time (the check then fails with a clear error; the next check starts a fresh process).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from engine.schematron import Failure, Schematron, SchematronError

START_TIMEOUT_S = 300.0   # compiling a large rule set on a cold cache and a busy machine
CHECK_TIMEOUT_S = 60.0


class SchematronService:
    """Checks documents against a Schematron schema in a worker process (thread-safe: one at a time)."""

    def __init__(self, path: str | Path, cache_dir: str | Path | None, phases: Sequence[str], *,
                 start_timeout: float = START_TIMEOUT_S, check_timeout: float = CHECK_TIMEOUT_S) -> None:
        self.path, self.cache_dir, self.phases = Path(path), cache_dir, tuple(phases)
        self.start_timeout, self.check_timeout = start_timeout, check_timeout
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    def check(self, document: bytes, phase: str) -> list[Failure]:
        if phase not in self.phases:
            raise SchematronError(f"phase {phase} was not compiled (compiled: {', '.join(self.phases)})")
        request = (json.dumps({"document": document.decode("utf-8"), "phase": phase}) + "\n").encode("utf-8")
        with self._lock:
            try:
                answer = self._ask(request)
            except _Died:                   # it had died (killed, out of memory): once more with a fresh one
                answer = self._ask(request)
        return [Failure(**{**f, "diagnostics": tuple(f["diagnostics"])}) for f in answer["failures"]]

    def _ask(self, request: bytes) -> dict[str, Any]:
        process = self._running()
        try:
            assert process.stdin is not None
            process.stdin.write(request)
            process.stdin.flush()
        except OSError:
            self._stop()
            raise _Died from None
        return self._answer(process, self.check_timeout, "check the document", retry=True)

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stop()
        command = [sys.executable, "-m", "engine.schematron_worker", str(self.path),
                   str(self.cache_dir or ""), *self.phases]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,  # noqa: S603
                                   cwd=Path(__file__).resolve().parents[1], close_fds=True)
        self._process = process
        self._finalizer = weakref.finalize(self, _end, os.getpid(), process)
        self._answer(process, self.start_timeout, "compile the rules")   # {"ready": true}
        return process

    def _answer(self, process: subprocess.Popen[bytes], timeout: float, doing: str,
                retry: bool = False) -> dict[str, Any]:
        line = _read_line(process, time.monotonic() + timeout)
        if line is None:
            status = process.poll()
            self._stop()
            if status is not None and retry:
                raise _Died
            why = f"did not {doing} in {timeout:g} s and was stopped" if status is None else \
                f"ended (exit status {status}) before it could {doing}"
            raise SchematronError(f"The Schematron worker for {self.path.name} {why}; the next check starts "
                                  f"a new one.")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            if answer.get("fatal"):
                self._stop()
            raise SchematronError(str(answer["error"]))
        return answer

    def _stop(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._process, self._finalizer = None, None


class _Died(Exception):
    """The worker process had ended before it answered."""


def _read_line(process: subprocess.Popen[bytes], deadline: float) -> bytes | None:
    """One line from the worker, or None at its end, when it has died, or past the deadline (unbuffered
    reads: select must see what is really still unread). Whether it lives is looked at every half
    second: a killed worker's pipe may stay open a while (a process of its own may still hold it)."""
    assert process.stdout is not None
    fd, chunks = process.stdout.fileno(), bytearray()
    while not chunks.endswith(b"\n"):
        wait = deadline - time.monotonic()
        if wait <= 0:
            return None
        if not select.select([fd], [], [], min(wait, 0.5))[0]:
            if process.poll() is not None:
                return None
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return None
        chunks.extend(chunk)
    return bytes(chunks)


def _end(owner: int, process: subprocess.Popen[bytes]) -> None:
    if os.getpid() != owner:
        return      # a forked child's copy of the service: the worker is its parent's
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass
    if process.poll() is None:
        process.kill()
    process.wait()


def _serve(path: str, cache_dir: str, phases: list[str]) -> None:
    """The worker's loop: compile, say ready, answer each request line until stdin ends."""
    # the answers go to a private copy of stdout; anything else printed (Saxon's own messages) to stderr
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    try:
        validator = Schematron(path, cache_dir or None).validator(phases)
    except Exception as error:  # noqa: BLE001 - told to the parent, which raises it
        out.write(json.dumps({"error": str(error), "fatal": True}).encode() + b"\n")
        out.flush()
        return
    out.write(b'{"ready": true}\n')
    out.flush()
    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
            failures = validator.check(request["document"].encode("utf-8"), request["phase"])
            answer: dict[str, Any] = {"failures": [asdict(f) for f in failures]}
        except Exception as error:  # noqa: BLE001 - one bad document must not end the service
            answer = {"error": f"Schematron check failed: {error}"}
        out.write(json.dumps(answer).encode("utf-8") + b"\n")
        out.flush()


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2], sys.argv[3:])
