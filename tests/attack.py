"""What the attack suite shares: a secret to leak, a listener to catch requests, a measured run.

``run_measured`` runs the command line in a fresh process under a small wrapper that reports
the wall-clock time and the peak memory of the largest process of the build (``ru_maxrss`` of
the children: the build and the pandoc processes it waited for), so each runaway case can
assert "a clear error, in seconds, under 1 GB".
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT

SECRET = "TOP-SECRET-7f3a"
BIB = "@book{a, author={Doe, Jane}, title={Title}, year={2001}}\n"
#: the bar for every runaway input: peak memory of the largest process
PEAK_LIMIT = 1024 * 2**20

_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.monotonic()
proc = subprocess.run(sys.argv[2:], capture_output=True, text=True, timeout=float(sys.argv[1]))
print(json.dumps({"code": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr,
                  "seconds": time.monotonic() - start,
                  "peak": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}))
"""


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak: int  #: bytes

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if ": error: " in line]


def run_measured(*args: str, cwd: Path, timeout: float = 300,
                 env: dict[str, str] | None = None) -> Run:
    """``build.py ARGS`` in a fresh process; its exit code, output, time and peak memory."""
    command = [sys.executable, "-c", _WRAPPER, str(timeout), sys.executable,
               str(ROOT / "build.py"), *args]
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=True,
                          env={**os.environ, **(env or {})}, timeout=timeout + 30)
    data = json.loads(proc.stdout)
    return Run(data["code"], data["stdout"], data["stderr"], data["seconds"], data["peak"])


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"")

    do_POST = do_GET  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server recording every request: (base URL, the paths requested)."""
    requests: list[str] = []
    handler = type("Handler", (_Recorder,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
