"""What the terminal shows while a build runs: one live status line, or plain lines in a log.

Not a stage. The CLI makes one :class:`Display` on stderr and feeds it the events a build
reports through ``rebuild.Hooks``: the stage, the pages laid out so far and, for a series, the
briefings finished. Pages come from WeasyPrint's own ``weasyprint.progress`` logger (it logs
"Step 5 - Creating layout - Page 12" for every page it makes), so layout needs no hook of ours;
:func:`following_weasyprint` listens to it while a build runs.

On a terminal the display keeps one line, rewritten in place with ``\\r`` at most ten times a
second (and every half second by a ticker, so the clock moves during long stages), erased
before anything else is printed and when the build ends. When stderr is not a terminal, in CI
(``CI`` set) or with ``TERM=dumb`` it prints a plain line when a stage begins, and one every few
seconds of a long layout, so logs show the build moving without a line per page. It uses no
colour, so ``NO_COLOR`` is honoured as it is.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

#: stage -> the words shown; plain mode prints only the stages in _PLAIN_STAGES
STAGES = {
    "starting": "starting",
    "checking": "checking the sources",
    "citations": "formatting citations",
    "prepare": "preparing the layout",
    "layout": "laying out pages",
    "write": "writing the PDF",
}
_PLAIN_STAGES = ("checking", "layout", "write")
#: in plain mode, a long layout gets a line this often (seconds)
PLAIN_EVERY = 5.0
#: the live line is redrawn at most this often (seconds), and at least this often by the ticker
_REDRAW = 0.1
_TICK = 0.5
_BAR = 20

_PAGE_RE = re.compile(r"^Step 5 - Creating layout - Page %d")
_PASS_RE = re.compile(r"^Step 5 - Creating layout - Repagination #%d")
_PREPARE_RE = re.compile(r"^Step [1-4] - ")  # fetching HTML, CSS, the box tree


def live_terminal(stream: TextIO, environ: dict[str, str] | None = None) -> bool:
    """Whether ``stream`` can take a line rewritten in place: a terminal, not CI, not dumb."""
    env = os.environ if environ is None else environ
    if env.get("CI") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Display:
    """The status of the running build (or series) on ``stream``; thread-safe."""

    def __init__(self, stream: TextIO, live: bool, enabled: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.live, self.enabled, self.clock = stream, live, enabled, clock
        self._lock = threading.RLock()
        self._name = ""
        self._stage = ""
        self._pages = 0
        self._passes = 1
        self._total = 0  #: the pages of the first pass, once WeasyPrint goes over them again
        self._series: tuple[int, int] | None = None
        self._started = clock()
        self._drawn = ""  #: what the live line shows now ("" when nothing is shown)
        self._last_draw = -1.0
        self._last_plain = 0.0
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()

    # --- events ---------------------------------------------------------------------------

    def begin(self, name: str) -> None:
        """The builds that follow are of the briefing ``name``."""
        with self._lock:
            self._name = name

    def stage(self, stage: str, count: int) -> None:
        """The build reached ``stage``; for "layout", ``count`` is the page being made.

        "starting" begins a build (the clock starts). "relayout" (``count`` = the pass) means
        WeasyPrint goes over the pages again to settle page numbers; within a pass the highest
        page seen is shown, because the note repair makes WeasyPrint restart its page maker
        (reusing the pages before) from page 1.
        """
        if not self.enabled:
            return
        with self._lock:
            if stage == "starting":
                self._started, self._pages, self._passes, self._total = self.clock(), 0, 1, 0
            if stage == "relayout":
                self._passes, self._total, self._pages = count + 1, self._pages, 0
                return
            new_stage = stage != self._stage
            self._stage = stage
            self._pages = count if new_stage else max(self._pages, count)
            if self.live:
                self._draw(force=new_stage)
            else:
                self._plain(new_stage)

    def series(self, done: int, total: int) -> None:
        """``done`` of ``total`` briefings of a series are finished."""
        if not self.enabled:
            return
        with self._lock:
            if self._series is None:
                self._started = self.clock()
            self._series = (done, total)
            if self.live:
                self._draw(force=True)

    def end(self) -> None:
        """The build or series is over: erase the live line."""
        with self._lock:
            self._erase()
            self._stage, self._series = "", None

    def close(self) -> None:
        self.end()
        self._stop.set()

    @contextmanager
    def above(self) -> Iterator[None]:
        """Print something else (a problem, a result): the live line steps aside meanwhile."""
        with self._lock:
            shown = self._drawn
            self._erase()
            try:
                yield
            finally:
                if shown and self.enabled and (self._stage or self._series):
                    self._draw(force=True)

    # --- drawing --------------------------------------------------------------------------

    def status(self) -> str:
        """The live line's text: ``kz: laying out pages, page 137, 14 s``, or a series bar."""
        seconds = f"{self.clock() - self._started:.0f} s"
        if self._series is not None:
            done, total = self._series
            filled = _BAR * done // max(total, 1)
            return f"[{'#' * filled}{'-' * (_BAR - filled)}] {done}/{total} briefings, {seconds}"
        words = STAGES.get(self._stage, self._stage)
        if self._stage == "layout" and self._passes > 1:
            words += f", page {self._pages} of {self._total} (pass {self._passes})"
        elif self._stage == "layout" and self._pages:
            words += f", page {self._pages}"
        return f"{self._name}: {words}, {seconds}"

    def _draw(self, force: bool) -> None:
        now = self.clock()
        if not force and now - self._last_draw < _REDRAW:
            return
        width = max(20, shutil.get_terminal_size((80, 24)).columns - 1)
        text = self.status()[:width]  # a wrapped line could not be rewritten in place
        if text == self._drawn:
            return
        self.stream.write("\r" + text + "\x1b[K")
        self.stream.flush()
        self._drawn, self._last_draw = text, now
        self._start_ticker()

    def _erase(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = ""

    def _plain(self, new_stage: bool) -> None:
        now = self.clock()
        if new_stage and self._stage in _PLAIN_STAGES:
            self._line(f"{self._name}: {STAGES[self._stage]}")
            self._last_plain = now
        elif self._stage == "layout" and now - self._last_plain >= PLAIN_EVERY:
            self._line(f"{self._name}: {self._pages} pages laid out "
                       f"({now - self._started:.0f} s)")
            self._last_plain = now

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def _start_ticker(self) -> None:
        if self._ticker is not None:
            return
        self._ticker = threading.Thread(target=self._tick, name="briefing-progress",
                                        daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(_TICK):
            with self._lock:
                if self._drawn:
                    self._draw(force=True)


# --- WeasyPrint's progress ------------------------------------------------------------------

class _PageHandler(logging.Handler):
    """Turns WeasyPrint's progress records into ``progress(stage, page)`` events."""

    def __init__(self, progress: Callable[[str, int], None]) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.pages = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = str(record.msg)
        number = _first_int(record.args)
        if _PAGE_RE.match(message) and number is not None:
            self.pages = max(self.pages, number)
            self.progress("layout", number)
        elif _PASS_RE.match(message) and number is not None:
            self.progress("relayout", number)
        elif message.startswith("Step 6 - Creating PDF"):
            self.progress("write", self.pages)
        elif _PREPARE_RE.match(message):
            self.progress("prepare", 0)


def _first_int(args: object) -> int | None:
    if isinstance(args, tuple) and args and isinstance(args[0], int):
        return args[0]
    return None


@contextmanager
def following_weasyprint(progress: Callable[[str, int], None] | None) -> Iterator[None]:
    """While active, WeasyPrint's pages and PDF writing are reported to ``progress``.

    Uses WeasyPrint's documented ``weasyprint.progress`` logger; if its messages change, the
    display only loses the page count.
    """
    if progress is None:
        yield
        return
    logger = logging.getLogger("weasyprint.progress")
    handler = _PageHandler(progress)
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # INFO records are ours alone, never the root logger's
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate
