"""What one build may cost: refuse a runaway input before an engine sees it, and stop an engine
that runs away anyway.

Not a stage: the reading stage, the checks, WeasyPrint's fetcher and the pipeline call it. A
report folder may come from a partner, and a few kilobytes can cost hours or gigabytes in
pandoc or WeasyPrint (measured before these limits: 200,000 ``^[`` took pandoc 9 GB; a 2.6 KB
SVG of nested ``<use>`` kept layout busy for minutes; a 493 KB PNG of 13,000 × 13,000 pixels
took 1.4 GB). So:

* :func:`screen_markdown` looks at a section's text before pandoc reads it: notes, brackets
  nested deeper than any sentence needs, YAML aliases in a metadata block;
* :func:`check_image` reads an image's header, never its pixels: the pixel count of a raster
  image, and for an SVG its elements and what its ``<use>`` references expand to. The checks
  call it for each image the Markdown names (so ``--check`` reports it with its line), and
  WeasyPrint's fetcher for every image it loads, a template's or a stylesheet's too;
* pandoc runs with a heap limit and a time limit (``pandoc.py``);
* :func:`guard` watches the stages that run inside this process (the template, layout and
  writing the PDF): a watchdog thread stops the build when the stage has run longer than
  :func:`max_seconds` or the process has grown by more than :func:`max_memory`.

Why a watchdog thread and not ``resource.setrlimit``: an address-space limit is process-wide,
so it would also bind the pandoc processes we start (GHC reserves a terabyte of address space
and would not start), and when a C library of WeasyPrint's (GLib, Pango) cannot allocate it
aborts the whole process, so the user would get no message at all. The watchdog instead raises
an exception in the building thread (``PyThreadState_SetAsyncExc``): WeasyPrint's layout is
Python code, so it stops within a few milliseconds and the build fails with a message and exit
code 1. C code that runs long in one call (decoding one image, shaping one word) cannot be
interrupted this way, which is why image pixels, SVG complexity and word length are checked
before layout. The exception is a ``BaseException`` so that no ``except Exception`` of an
engine swallows it, and it is raised again every half second until the stage has unwound.
"""

from __future__ import annotations

import ctypes
import io
import os
import re
import resource
import sys
import threading
import time
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from .errors import BriefingError, Diagnostic

#: layout, template and writing together may take this long (seconds) …
MAX_SECONDS = 180.0
#: … and make the process grow by this much (bytes); the 300-page benchmark grows by 0.3 GB
MAX_MEMORY = 768 * 2**20
#: environment variables that raise (or lower) the two limits above, for a machine that builds
#: very long briefings; never something report.yaml can set
SECONDS_VARIABLE = "BRIEFING_MAX_SECONDS"
MEMORY_VARIABLE = "BRIEFING_MAX_MEMORY_MB"

#: an image may have this many pixels (6,000 × 4,000, a 24-megapixel photo, fits; an A4 page
#: scanned at 300 dpi has 8.7 million); WeasyPrint holds 4 bytes a pixel, some of it twice
MAX_IMAGE_PIXELS = 25_000_000
#: an image file (or a data: URL) may be this large
MAX_IMAGE_BYTES = 20 * 1024 * 1024
#: any other file WeasyPrint loads (a stylesheet, a font of the house style)
MAX_RESOURCE_BYTES = 64 * 1024 * 1024
#: an SVG may hold this many elements …
MAX_SVG_ELEMENTS = 20_000
#: … and draw this many once every ``<use>`` is expanded (a "billion laughs" of nested uses)
MAX_SVG_DRAWN = 50_000
#: notes a section may hold (``^[`` and ``[^label]`` calls): pandoc needs memory for each
MAX_NOTE_MARKS = 10_000
#: brackets (links, citations, notes, spans) open inside each other in one paragraph
MAX_BRACKET_DEPTH = 32
#: '|' on one line: a pipe table's columns (100,000 columns took pandoc 18 s and 0.5 GB)
MAX_TABLE_BARS = 1_000
#: what a runaway layout usually comes from, and what to do
LAYOUT_CAUSE = ("something in the briefing is too costly to lay out (a very long text, a huge "
                "table, image or SVG); shorten or split it")
_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


# --- the guard --------------------------------------------------------------------------------

class LimitExceeded(BaseException):
    """A limit was hit inside an engine. A ``BaseException``, so that WeasyPrint's ``except
    Exception`` around resources lets it through; :func:`guard` turns it into a
    :class:`BriefingError` about ``path`` (else the guard's)."""

    def __init__(self, message: str = "", path: Path | None = None) -> None:
        super().__init__(message)
        self.message, self.path = message, path


class _Stopped(LimitExceeded):
    """Raised in the building thread by the watchdog (without arguments: see ``_raise_in``)."""


def max_seconds() -> float:
    return _setting(SECONDS_VARIABLE, MAX_SECONDS, 1.0)


def max_memory() -> int:
    return int(_setting(MEMORY_VARIABLE, MAX_MEMORY / 2**20, 2**20))


def _setting(name: str, default: float, unit: float) -> float:
    value = os.environ.get(name, "")
    try:
        number = float(value)
    except ValueError:
        return default * unit
    return number * unit if number > 0 else default * unit


@contextmanager
def guard(stage: str, path: Path | None = None, cause: str = LAYOUT_CAUSE,
          share: float = 1.0) -> Iterator[None]:
    """Stop the code inside when it runs longer than ``share`` of :func:`max_seconds` or the
    process grows by more than :func:`max_memory`; the build then fails with a message naming
    ``stage`` ("the layout") and ``cause`` (what to do), and exit code 1. ``MemoryError`` and
    ``RecursionError`` inside are input problems too: only the input makes the engines run
    out."""
    watchdog = _Watchdog(stage, cause, threading.get_ident(), max_seconds() * share,
                         max_memory())
    watchdog.start()
    try:
        yield
    except LimitExceeded as exc:
        watchdog.stop()
        raise BriefingError(watchdog.message or exc.message, path=exc.path or path) from None
    except (MemoryError, RecursionError) as exc:
        watchdog.stop()
        if watchdog.message:
            raise BriefingError(watchdog.message, path=path) from None
        what = "memory" if isinstance(exc, MemoryError) else "nesting depth"
        raise BriefingError(f"{stage} ran out of {what}: something in the briefing nests too "
                            "deep or is too large; simplify it", path=path) from None
    except BaseException:
        watchdog.stop()
        if watchdog.message:  # an engine caught our exception and raised another
            raise BriefingError(watchdog.message, path=path) from None
        raise
    watchdog.stop()
    if watchdog.message:  # an engine caught our exception and carried on
        raise BriefingError(watchdog.message, path=path)


class _Watchdog:
    """A thread that measures time and memory while a stage runs, and stops it."""

    POLL = 0.05  #: seconds between measurements
    REPEAT = 0.5  #: seconds between stops, should an engine swallow one

    def __init__(self, stage: str, cause: str, target: int, seconds: float,
                 memory: int) -> None:
        self.stage, self.cause, self.target = stage, cause, target
        self.seconds, self.memory = seconds, memory
        self.message = ""
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="briefing-guard", daemon=True)

    def start(self) -> None:
        self._start, self._base = time.monotonic(), _rss()
        self._thread.start()

    def _run(self) -> None:
        fired = 0.0
        while not self._done.wait(self.POLL):
            if not self.message:
                self.message = self._over()
            if self.message and time.monotonic() - fired >= self.REPEAT \
                    and not self._done.is_set():
                _raise_in(self.target, _Stopped)
                fired = time.monotonic()

    def _over(self) -> str:
        elapsed = time.monotonic() - self._start
        if elapsed > self.seconds:
            return (f"{self.stage} took more than {self.seconds:g} s and was stopped: "
                    f"{self.cause}; or allow more time with "
                    f"{SECONDS_VARIABLE}={max_seconds() * 4:g}")
        grown = _rss() - self._base
        if grown > self.memory:
            return (f"{self.stage} needed more than {self.memory / 2**30:.2f} GB of memory and "
                    f"was stopped: {self.cause}; or allow more with "
                    f"{MEMORY_VARIABLE}={self.memory * 2 // 2**20}")
        return ""

    def stop(self) -> None:
        """End the watchdog and clear an exception it may have left pending (an exception
        arriving while we wait is caught: the loop ends only once the thread is gone)."""
        self._done.set()
        while True:
            try:
                self._thread.join()
                _raise_in(self.target, None)
                return
            except _Stopped:
                continue


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    """Raise ``exc`` in the thread ``thread_id`` at its next bytecode (None: cancel)."""
    set_async = getattr(ctypes, "pythonapi", None)
    if set_async is None:  # not CPython: the guard then only reports when the stage ends
        return
    argument = ctypes.py_object(exc) if exc is not None else None
    set_async.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), argument)


def _rss() -> int:
    """This process's resident memory now (bytes); the peak where /proc is missing."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


# --- images -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImageProblem:
    """Why an image is refused (the message reads after the image's name)."""

    message: str


def checked_resource(url: str, response: Any) -> Any:
    """WeasyPrint's fetcher hook: the response, read (bounded) and checked as an image;
    raises :class:`LimitExceeded` for one that is too costly, which stops the build."""
    from weasyprint.urls import URLFetcherResponse

    try:
        data = response.read(MAX_RESOURCE_BYTES + 1)
    finally:
        response.close()
    where = _url_path(url)
    name = where.name if where else url[:40] + ("…" if len(url) > 40 else "")
    if len(data) > MAX_RESOURCE_BYTES:
        raise LimitExceeded(f"'{name}' is larger than {MAX_RESOURCE_BYTES // 2**20} MB; "
                            "briefing does not load it", where)
    problem = check_image(data)
    if problem is not None:
        raise LimitExceeded(f"image '{name}' {problem.message}", where)
    return URLFetcherResponse(response.url, data, response.headers, response.status)


def _url_path(url: str) -> Path | None:
    parts = urlsplit(url)
    return Path(unquote(parts.path)) if parts.scheme.lower() == "file" else None


def check_image(data: bytes) -> ImageProblem | None:
    """None if the image is cheap enough to decode; else why not. Reads headers only."""
    size = _raster_size(data)
    if (size is not None or _looks_like_xml(data)) and len(data) > MAX_IMAGE_BYTES:
        return ImageProblem(f"is {len(data) / 2**20:.0f} MB; the limit is "
                            f"{MAX_IMAGE_BYTES // 2**20} MB: save it smaller (150 dpi is "
                            "plenty)")
    if size is not None:
        width, height = size
        if width * height > MAX_IMAGE_PIXELS:
            return ImageProblem(f"is {width:,} × {height:,} pixels ({width * height / 1e6:.0f} "
                                f"million); the limit is {MAX_IMAGE_PIXELS / 1e6:.0f} million: "
                                "save it smaller (150–300 dpi at its printed size is plenty)")
        return None
    if _looks_like_xml(data):
        return _check_svg(data)
    return None


def _raster_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a raster image's header, or None if Pillow does not know it."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's own bomb warning: we decide here
            with Image.open(io.BytesIO(data)) as image:
                return int(image.width), int(image.height)
    except Image.DecompressionBombError:
        return (2**31, 1)  # more pixels than Pillow allows at all
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return None


def _looks_like_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def _check_svg(data: bytes) -> ImageProblem | None:
    if re.search(rb"<!(DOCTYPE|ENTITY)", data, re.I):
        return ImageProblem("declares a DOCTYPE or entities, which briefing does not read in "
                            "an SVG; save the SVG without them (any drawing program's plain "
                            "SVG export does)")
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, ValueError, RecursionError):
        return None  # WeasyPrint will not draw it either and says so
    count = sum(1 for _ in root.iter())
    if count > MAX_SVG_ELEMENTS:
        return ImageProblem(f"is an SVG of {count:,} elements; the limit is "
                            f"{MAX_SVG_ELEMENTS:,}: simplify it or save it as PNG")
    drawn = _svg_drawn(root)
    if drawn is None:
        return ImageProblem("is an SVG whose <use> elements refer to themselves in a loop; "
                            "fix the drawing or save it as PNG")
    if drawn > MAX_SVG_DRAWN:
        return ImageProblem(f"is an SVG whose <use> elements expand to more than "
                            f"{MAX_SVG_DRAWN:,} shapes; simplify it or save it as PNG")
    return None


def _svg_drawn(root: ET.Element) -> int | None:
    """How many elements drawing ``root`` visits with every ``<use>`` expanded (capped just
    above the limit); None for a loop of references."""
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    memo: dict[int, int] = {}
    cap = MAX_SVG_DRAWN + 1
    # post-order without recursion: (element, expanded?) on a stack; 'active' finds loops
    active: set[int] = set()
    stack: list[tuple[ET.Element, bool]] = [(root, False)]
    while stack:
        element, expanded = stack.pop()
        key = id(element)
        if key in memo:
            continue
        parts = list(element) + [t for t in [_use_target(element, by_id)] if t is not None]
        if not expanded:
            if key in active:
                return None
            active.add(key)
            stack.append((element, True))
            for part in parts:
                if id(part) in active:
                    return None
                if id(part) not in memo:
                    stack.append((part, False))
            continue
        active.discard(key)
        memo[key] = min(cap, 1 + sum(memo.get(id(p), 0) for p in parts))
    return memo[id(root)]


def _use_target(element: ET.Element, by_id: dict[str | None, ET.Element]) -> ET.Element | None:
    if element.tag not in ("use", f"{_SVG_NS}use"):
        return None
    href = element.get("href") or element.get(_XLINK_HREF) or ""
    return by_id.get(href[1:]) if href.startswith("#") else None


# --- Markdown, before pandoc reads it ---------------------------------------------------------

def screen_markdown(text: str, path: Path, first_line: int = 1) -> list[Diagnostic]:
    """Errors for text that would make pandoc run away: too many notes, brackets nested too
    deep in one paragraph, aliases in a YAML block. Linear in the text; nothing else."""
    from .locate import mask_code

    masked = mask_code(text)
    problems: list[Diagnostic] = []

    def error(message: str, pos: int) -> None:
        line = text.count("\n", 0, pos)
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        problems.append(Diagnostic("error", message, path, first_line + line, col))

    marks = [m.start() for m in re.finditer(r"\^\[|\[\^", masked)]
    if len(marks) > MAX_NOTE_MARKS:
        error(f"{len(marks):,} footnotes in one section; the limit is {MAX_NOTE_MARKS:,}: "
              "split the section or move notes into the text", marks[MAX_NOTE_MARKS])
    deep = _too_deep(masked)
    if deep is not None:
        error(f"brackets opened inside each other more than {MAX_BRACKET_DEPTH} deep in one "
              "paragraph (links, citations, notes or spans); close them or write them apart",
              deep)
    wide = next((m for m in re.finditer(r"[^\n]+", masked)
                 if m.group().count("|") > MAX_TABLE_BARS), None)
    if wide is not None:
        error(f"a table row of {wide.group().count('|') - 1:,} columns; no page holds that "
              "many: split the table", wide.start())
    for pos, message in _yaml_aliases(text):
        error(message, pos)
    return problems


def _too_deep(masked: str) -> int | None:
    """The position where '[' nesting passes the limit inside one paragraph, if it does."""
    depth = 0
    for match in re.finditer(r"\\.|\[|\]|\n[ \t]*\n", masked):
        token = match.group()
        if token == "[":
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                return match.start()
        elif token == "]":
            depth = max(0, depth - 1)
        elif token[0] == "\n":
            depth = 0
    return None


def _yaml_aliases(text: str) -> Iterator[tuple[int, str]]:
    """Aliases in pandoc's YAML metadata blocks: a '---' line (not followed by a blank line,
    after a blank line or at the start) up to a '---' or '...' line, outside code blocks."""
    from .locate import fenced_blocks

    out = list(text)
    for start, end in fenced_blocks(text):
        out[start:end] = [c if c == "\n" else " " for c in text[start:end]]
    lines = "".join(out).split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    n = 0
    while n < len(lines):
        opens = (lines[n].rstrip() == "---" and (n == 0 or not lines[n - 1].strip())
                 and n + 1 < len(lines) and lines[n + 1].strip())
        if not opens:
            n += 1
            continue
        end = next((k for k in range(n + 1, len(lines))
                    if lines[k].rstrip() in ("---", "...")), -1)
        if end < 0:
            return
        block = text[starts[n + 1]:starts[end]]
        alias = _first_alias(block)
        if alias is not None:
            yield (starts[n + 1] + alias, "YAML aliases (*name) are not allowed in a section's "
                                          "metadata block; write the value out")
        n = end + 1


def _first_alias(block: str) -> int | None:
    try:
        for token in yaml.scan(block, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AliasToken):
                return int(token.start_mark.index)
    except yaml.YAMLError:
        return None  # not YAML: pandoc reads it as text
    return None
