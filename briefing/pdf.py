"""Stage 7: HTML -> PDF with WeasyPrint, every footnote on its call's page.

In: the :class:`~briefing.templates.Page` and the note records. Out: the PDF bytes written
atomically to the target, and a :class:`Layout` report (pages, where each note landed).

WeasyPrint's ``float: footnote`` sometimes defers a note to the next page while its call stays
(its orphans heuristic reports notes to fit one more line of the paragraph at the page foot).
``placement.py`` repairs that inside WeasyPrint's pagination; afterwards we read where every
call and note landed (``Page.anchors``) and warn, naming the note's source line, about any note
still off its page or cut off because it is taller than a page.

Rendering reads nothing but the report folder, the styles folder, the packaged fonts and
``data:`` URLs (:class:`SandboxFetcher`); nothing is fetched from the network.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .errors import Diagnostics
from .limits import checked_resource
from .output import write_atomically
from .placement import Repairs, keeping_notes_with_calls
from .sandbox import scrub
from .templates import Page
from .writer import Note

_BLOCK_RE = re.compile(r"<(p|li|blockquote|div class=\"table-wrap\")(?=[ >])")
# WeasyPrint messages that say nothing about the user's input
_QUIET = ("Using fontTools instead of HarfBuzz",)


@dataclass
class Layout:
    """Where things landed in the final layout."""

    pages: int
    call_page: dict[int, int] = field(default_factory=dict)  #: note number -> page (1-based)
    note_page: dict[int, int] = field(default_factory=dict)
    misplaced: list[int] = field(default_factory=list)  #: notes not on their call's page
    clipped: list[int] = field(default_factory=list)  #: notes taller than the note area
    doubled: list[int] = field(default_factory=list)  #: notes drawn on two pages (a bug)
    repairs: Repairs = field(default_factory=Repairs)  #: what the in-layout repair did
    seconds: dict[str, float] = field(default_factory=dict)  #: "layout", "write"


class SandboxFetcher(URLFetcher):  # type: ignore[misc]
    """Reads files under the allowed folders and ``data:`` URLs; refuses everything else."""

    def __init__(self, *roots: Path) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.roots = [r.resolve() for r in roots]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if not path.is_file() or not any(path.is_relative_to(r) for r in self.roots):
                self.refused.append(url)
                raise ValueError(f"briefing reads only files in the report, styles and font "
                                 f"folders; refused {url}")
        elif scheme != "data":
            self.refused.append(url)
            raise ValueError(f"briefing does not fetch from the network; refused {url}")
        return checked_resource(url, super().fetch(url, headers))  # size, pixels, SVG


def number_blocks(html: str) -> str:
    """Number every block (``data-b``) so the placement repair can name what it moved."""
    counter = iter(range(1, 1 << 30))
    return _BLOCK_RE.sub(lambda m: f'<{m.group(1)} data-b="{next(counter)}"', html)


def render_pdf(page: Page, notes: list[Note], target: Path, diags: Diagnostics,
               keep_notes_with_calls: bool = True,
               image_cache: dict[str, Any] | None = None) -> Layout:
    """Lay out, repair note placement, and write ``target`` atomically.

    ``keep_notes_with_calls=False`` leaves WeasyPrint's placement alone (for comparisons).
    """
    html = number_blocks(page.html)
    fetcher = SandboxFetcher(page.content_dir, page.styles_dir, *page.font_dirs)
    fonts = FontConfiguration()
    with _capture_weasyprint(diags):
        start = time.perf_counter()
        document, layout = _layout(html, page, fetcher, fonts, keep_notes_with_calls,
                                   image_cache)
        scrub(document, diags)  # no attachment, form or non-web link from a template
        middle = time.perf_counter()
        _write_atomically(document, target)
        layout.seconds = {"layout": middle - start, "write": time.perf_counter() - middle}
    _report(layout, notes, diags)
    return layout


def _layout(html: str, page: Page, fetcher: SandboxFetcher, fonts: FontConfiguration,
            repair: bool, image_cache: dict[str, Any] | None) -> tuple[Document, Layout]:
    base = page.content_dir.as_uri() + "/"
    options: dict[str, Any] = {} if image_cache is None else {"cache": image_cache}
    with keeping_notes_with_calls(repair) as repairs:
        document = HTML(string=html, base_url=base, url_fetcher=fetcher).render(
            font_config=fonts, **options)
    layout = find_notes(document)
    layout.repairs = repairs
    return document, layout


def find_notes(document: Document) -> Layout:
    """Read each call's and note's page (and whether a note was cut off) from the layout."""
    layout = Layout(pages=len(document.pages))
    for index, pg in enumerate(document.pages, start=1):
        for name, (_, top, _, bottom) in pg.anchors.items():
            if name.startswith("fnref-"):
                layout.call_page[int(name[6:])] = index
            elif name.startswith("fn-"):
                if int(name[3:]) in layout.note_page:
                    layout.doubled.append(int(name[3:]))
                layout.note_page[int(name[3:])] = index
                if top < 0 or bottom > pg.height:
                    layout.clipped.append(int(name[3:]))
    layout.misplaced = sorted({n for n, p in layout.call_page.items()
                               if layout.note_page.get(n) != p} | set(layout.doubled))
    return layout


def _report(layout: Layout, notes: list[Note], diags: Diagnostics) -> None:
    by_number = {n.number: n for n in notes}
    too_tall = set(layout.clipped) | {n for n in layout.call_page if n not in layout.note_page}
    for number in sorted(too_tall):
        note = by_number.get(number)
        diags.warning(f"note {number} is too long to fit on one page and is cut off or "
                      "missing in the PDF; shorten it or split it into two notes",
                      note.path if note else None, note.line if note else None)
    for number in layout.misplaced:
        if number in too_tall:
            continue
        note = by_number.get(number)
        diags.warning(f"note {number} landed on page {layout.note_page.get(number)}, not on "
                      f"page {layout.call_page[number]} with its call",
                      note.path if note else None, note.line if note else None)


def _write_atomically(document: Document, target: Path) -> None:
    write_atomically(target, document.write_pdf)  # temp file, fsync, mode, rename


class _WeasyHandler(logging.Handler):
    def __init__(self, diags: Diagnostics) -> None:
        super().__init__(logging.WARNING)
        self.diags = diags

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not any(message.startswith(q) for q in _QUIET) and "No anchor #fn-" not in message:
            self.diags.warning(f"renderer: {message}")


@contextmanager
def _capture_weasyprint(diags: Diagnostics) -> Iterator[None]:
    """WeasyPrint's warnings (bad CSS, refused URLs) become our warnings."""
    logger = logging.getLogger("weasyprint")
    handler = _WeasyHandler(diags)
    old_propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = old_propagate
