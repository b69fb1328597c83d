"""A real browser for the web edition's tests: Debian's headless Chromium driven by Playwright.

Playwright's Python package drives the system's ``/usr/bin/chromium`` (``make`` installs it
as root; ``playwright install`` is never run). Each session gets a fresh profile folder and
the flags that keep Chromium from reaching out on its own (component updates, sync, QUIC,
background networking), so every request the tests see comes from the page.

axe-core, the accessibility engine, comes from the npm registry at test setup (``make``
installs it into ``.venv/npm``; else the fixture runs npm itself); it is never copied into
the repository. Without Chromium, Playwright or axe-core the browser tests are skipped with
the reason, except in CI (``CI`` set), where they must run and their absence fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("BRIEFING_CHROMIUM", "/usr/bin/chromium")
#: the axe-core release the tests run (npm registry)
AXE_VERSION = "4.14.1"
AXE_DIR = ROOT / ".venv" / "npm"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def unavailable(reason: str) -> None:
    """Skip, with the reason, outside CI; fail in CI, which must run the browser tests."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests: run make as root, which "
                    "installs it)")
    pytest.skip(reason)


@dataclass
class Visit:
    """What a page did while it was open."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  #: "url: why", for requests that failed
    console: list[str] = field(default_factory=list)  #: errors and warnings
    errors: list[str] = field(default_factory=list)  #: uncaught exceptions


class Browser:
    """One Chromium for a test session; ``open`` gives a page at a viewport width."""

    def __init__(self, context: Any) -> None:
        self.context = context

    @contextmanager
    def open(self, url: str, width: int, height: int = 900) -> Iterator[tuple[Any, Visit]]:
        page = self.context.new_page()
        visit = Visit()
        page.on("request", lambda r: visit.requests.append(r.url))
        page.on("requestfailed", lambda r: visit.failed.append(f"{r.url}: {r.failure}"))
        page.on("console", lambda m: visit.console.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: visit.errors.append(str(e)))
        page.set_viewport_size({"width": width, "height": height})
        try:
            page.goto(url, wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            yield page, visit
        finally:
            page.close()


@contextmanager
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium chromium-driver)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[test]')")
    profile = tempfile.mkdtemp(prefix="briefing-chromium-")
    try:
        with sync_playwright() as play:
            context = play.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
                device_scale_factor=1)
            try:
                yield Browser(context)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def axe_source() -> str:
    """axe.min.js from the npm registry: installed by make, else fetched now with npm."""
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            unavailable("npm is not installed, so axe-core cannot be fetched")
        done = subprocess.run([npm, "install", "--prefix", str(AXE_DIR), "--no-audit",
                               "--no-fund", f"axe-core@{AXE_VERSION}"],
                              capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0 or not script.is_file():
            unavailable(f"npm could not install axe-core {AXE_VERSION}: "
                        f"{done.stderr.strip()[-300:]}")
    return script.read_text(encoding="utf-8")


def run_axe(page: Any, source: str) -> list[dict[str, Any]]:
    """axe-core's violations on the page (WCAG 2.1 A and AA, and best practices).

    axe is evaluated through the DevTools protocol, so the page's own policy (no scripts)
    stays in force while it runs.
    """
    page.evaluate(source)
    result: dict[str, Any] = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values:
             ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
             resultTypes: ['violations']})""")
    violations: list[dict[str, Any]] = result["violations"]
    return violations
