"""The pandoc engine: where it is, which version, and one way to run it.

Not a stage: the reading, bibliography and citation stages call :func:`run_json` with their
arguments. pandoc comes as a binary inside the ``pypandoc-binary`` wheel, so every install has the
same version. Its JSON document tree is a contract between pandoc and us: :func:`check_api`
refuses a tree whose ``pandoc-api-version`` we were not written for (citeproc's own cabal file
bounds pandoc-types the same way), instead of misreading it.
"""

from __future__ import annotations

import json
import os
import subprocess
from functools import cache
from typing import Any

from .errors import BriefingError, EngineError

#: the pandoc-types major.minor our writer understands (pandoc 3.x writes 1.23)
API_VERSION = (1, 23)
#: seconds a single pandoc run may take before the build gives up (a runaway input; reading a
#: 2 MB section takes about 4 s, citeproc over the 300-page benchmark about 1 s)
TIMEOUT = 60.0
#: pandoc's heap (GHC's ``-M``, the limit pandoc's manual recommends for untrusted input; the
#: 300-page benchmark's citeproc run needs 170 MB). Measured before it: 200,000 ``^[`` in a
#: section took pandoc 9 GB; with it, pandoc stops at about 640 MB in 4 s.
HEAP = "512m"
#: GHC's exit code when the heap limit is reached
_HEAP_EXHAUSTED = 251


class TooCostly(BriefingError):
    """pandoc hit the heap or time limit: the input, not pandoc, is at fault (exit 1). The
    caller names the file."""


@cache
def pandoc_path() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


@cache
def pandoc_version() -> str:
    """``pandoc 3.9`` (the first line of ``pandoc --version``)."""
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True,
                         check=False, timeout=TIMEOUT)
    return out.stdout.split("\n", 1)[0]


def run(args: list[str], stdin: str = "", env: dict[str, str] | None = None) -> str:
    """Run pandoc with ``args``; return its standard output (UTF-8 text).

    pandoc gets a minimal environment: no proxy settings, no user data directory (so no
    user's defaults, filters or templates can change its behaviour), ``LANG`` only when given.
    """
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent",
                   "LC_ALL": "C.UTF-8"}
    environment.update(env or {})
    command = [pandoc_path(), "+RTS", f"-M{HEAP}", "-RTS", "--data-dir=/nonexistent", *args]
    try:
        proc = subprocess.run(command, input=stdin, capture_output=True, text=True,
                              encoding="utf-8", check=False, env=environment, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise TooCostly(f"pandoc took more than {TIMEOUT:.0f} s over it and was stopped; "
                        "something in it is too costly to read (thousands of unclosed "
                        "brackets or notes?); simplify or split it") from None
    if proc.returncode == _HEAP_EXHAUSTED or "Heap exhausted" in proc.stderr:
        raise TooCostly(f"pandoc needed more than {HEAP.upper()}B of memory for it and was "
                        "stopped; something in it is too costly to read (thousands of "
                        "unclosed brackets or notes, a huge table?); simplify or split it")
    if proc.returncode != 0:
        raise EngineError(f"pandoc failed: {proc.stderr.strip()[:2000]}")
    return proc.stdout


def run_json(args: list[str], stdin: str = "", env: dict[str, str] | None = None,
             ) -> dict[str, Any]:
    """Run pandoc with ``--to=json`` and return the document tree, API version checked."""
    tree: dict[str, Any] = json.loads(run([*args, "--to=json"], stdin, env))
    check_api(tree)
    return tree


def check_api(tree: dict[str, Any]) -> None:
    version = tuple(tree.get("pandoc-api-version", ())[:2])
    if version != API_VERSION:
        raise EngineError(f"pandoc wrote a document tree of API version {version}; briefing "
                          f"reads {API_VERSION}: install the pypandoc-binary version "
                          "pyproject.toml names")
