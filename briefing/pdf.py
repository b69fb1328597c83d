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

Writing (:func:`write_pdf`) follows the edition's :class:`PdfOptions`: tagged PDF/UA-1 by
default (the structure tree of ``tagging.py``), PDF/A-2a or PDF/A-3a on request (with the
sources attached to a PDF/A-3 when asked), images down-sampled to the edition's resolution,
and briefing's own XMP fields (edition, copy, recipient). A laid-out document can be written
several times (numbered copies: ``copies.py``).
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import re
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pydyf
from weasyprint import HTML, Attachment
from weasyprint.document import Document
from weasyprint.formatting_structure import boxes
from weasyprint.pdf.metadata import NS, DocumentMetadata
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .errors import Diagnostics
from .limits import checked_resource
from .linebreak import fitting_trailing_spaces
from .output import write_atomically
from .placement import Repairs, keeping_notes_with_calls
from .sandbox import scrub
from .tagging import tagging
from .templates import Page
from .typography import refine_html
from .writer import Note

#: the PDF standards an edition may ask for (report.yaml's ``pdf-standard``); "none" writes
#: an untagged PDF (for comparisons: the benchmark measures what tagging costs)
STANDARDS = ("pdf/ua-1", "pdf/a-2a", "pdf/a-3a", "none")


@dataclass(frozen=True)
class PdfOptions:
    """How an edition's PDF is written (report.yaml's keys, per edition)."""

    standard: str = "pdf/ua-1"  #: one of :data:`STANDARDS`
    dpi: int | None = None  #: images above this resolution are down-sampled
    jpeg_quality: int | None = None  #: JPEG quality of the images (1-95)
    #: files attached to a PDF/A-3 (the sources), each as (name in the PDF, file)
    attachments: tuple[tuple[str, Path], ...] = ()
    #: briefing's XMP fields: dc:identifier (edition code and copy number), xmp:Label (the
    #: edition), dc:rights (the copy's recipient and its restriction)
    identifier: str = ""
    label: str = ""
    rights: str = ""

    @property
    def tagged(self) -> bool:
        return self.standard != "none"


_BLOCK_RE = re.compile(r"<(p|li|blockquote|h[1-6]|div class=\"table-wrap\")(?=[ >])")
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
    note_share: dict[int, float] = field(default_factory=dict)  #: note -> share of its page
    fill: list[float] = field(default_factory=list)  #: share of each page's block in use
    overflows: list[str] = field(default_factory=list)  #: what runs off the paper, and where
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


def refine_document(document: str) -> str:
    """The typographic refinements of ``typography.py`` applied to the document's body.

    Temporary: the Markdown writer is to call the text functions itself (docs/design.md).
    """
    head, sep, body = document.partition("<body")
    lang = re.search(r'<html[^>]* lang="([^"]*)"', head)
    if not sep:
        return document
    return head + sep + prepare_tables(refine_html(body, lang.group(1) if lang else "en"))


#: a table with more columns than this is set smaller and may use the outer margin
WIDE_TABLE_COLUMNS = 7
_TABLE_RE = re.compile(r'<div class="table-wrap"><table>(.*?)</tr>(.*?)</table>', re.S)


def prepare_tables(body: str) -> str:
    """Wide tables get the ``wide`` class; every table an empty footer row.

    WeasyPrint draws a split table's bottom rule on every page only when the table has a
    footer (``layout/table.py``: ``remove_end_decoration = resume_at is not None and not
    has_footer``), so a table broken across pages is closed by its rule on each page.
    """
    def prepare(match: re.Match[str]) -> str:
        first_row, rest = match.group(1), match.group(2)
        columns = len(re.findall(r"<t[hd][ >]", first_row))
        wide = columns > WIDE_TABLE_COLUMNS
        opening = ('<div class="table-wrap wide"><table class="wide">' if wide
                   else '<div class="table-wrap"><table>')
        footer = f'<tfoot class="rule"><tr><td colspan="{columns}"></td></tr></tfoot>'
        return f"{opening}{first_row}</tr>{rest}{footer}</table>"
    return _TABLE_RE.sub(prepare, body)


def render_pdf(page: Page, notes: list[Note], target: Path, diags: Diagnostics,
               keep_notes_with_calls: bool = True,
               image_cache: dict[str, Any] | None = None,
               options: PdfOptions | None = None) -> Layout:
    """Lay out, repair note placement, and write ``target`` atomically.

    ``keep_notes_with_calls=False`` leaves WeasyPrint's placement alone (for comparisons).
    """
    options = options or PdfOptions()
    document, layout = lay_out(page, notes, diags, keep_notes_with_calls, image_cache,
                               options)
    start = time.perf_counter()
    with _capture_weasyprint(diags):
        write_pdf(document, target, options)
    layout.seconds["write"] = time.perf_counter() - start
    return layout


def lay_out(page: Page, notes: list[Note], diags: Diagnostics, keep_notes_with_calls: bool,
            image_cache: dict[str, Any] | None,
            options: PdfOptions) -> tuple[Document, Layout]:
    """The laid-out document and where its notes landed (warnings about them in ``diags``)."""
    html = number_blocks(refine_document(page.html))
    fetcher = SandboxFetcher(page.content_dir, page.styles_dir, *page.font_dirs,
                             *([page.root] if page.root else []))
    with _capture_weasyprint(diags):
        start = time.perf_counter()
        document, layout = _layout(html, page, fetcher, FontConfiguration(),
                                   keep_notes_with_calls, image_cache, options)
        scrub(document, diags)  # no attachment, form or non-web link from a template
        layout.seconds = {"layout": time.perf_counter() - start}
    _report(layout, notes, diags)
    return document, layout


def _layout(html: str, page: Page, fetcher: SandboxFetcher, fonts: FontConfiguration,
            repair: bool, image_cache: dict[str, Any] | None,
            pdf_options: PdfOptions) -> tuple[Document, Layout]:
    base = page.content_dir.as_uri() + "/"
    options: dict[str, Any] = {} if image_cache is None else {"cache": image_cache}
    # images are read (and their resolution fixed) during layout, not when writing
    if pdf_options.dpi:
        options["dpi"] = pdf_options.dpi
    if pdf_options.jpeg_quality:
        options["jpeg_quality"] = pdf_options.jpeg_quality
    # the build's own objects (trees, citations, caches) are frozen out of the garbage
    # collector while WeasyPrint lays out: its collections then walk only the layout's
    gc.freeze()
    try:
        with keeping_notes_with_calls(repair) as repairs, fitting_trailing_spaces():
            document = HTML(string=html, base_url=base, url_fetcher=fetcher).render(
                font_config=fonts, **options)
    finally:
        gc.unfreeze()
    layout = find_notes(document)
    measure_pages(document, layout)
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


#: a note taller than this share of the text block is reported: WeasyPrint cannot continue a
#: note on the next page, so the text before its call ends early and leaves a gap
LONG_NOTE_SHARE = 0.4


def measure_pages(document: Document, layout: Layout) -> None:
    """Each note's share of its page, how full each page is, and what runs off the paper."""
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        height, width = box.height, box.margin_width()
        bottom = box.content_box_y()
        for child in box.children:
            if isinstance(child, boxes.FootnoteAreaBox):
                bottom += child.margin_height()
                for note in child.children:
                    ident = str(note.element.get("id", "")) if note.element is not None else ""
                    if ident.startswith("fn-"):
                        layout.note_share[int(ident[3:])] = note.margin_height() / height
            elif isinstance(child, boxes.BlockBox):
                flow = _flow_bottom(child)
                bottom = max(bottom, flow) if flow else bottom
                layout.overflows.extend(f"page {number}: {what}"
                                        for what in _off_paper(child, width))
        layout.fill.append(min(1.0, (bottom - box.content_box_y()) / height))


def _flow_bottom(root: Any) -> float:
    return max((b.position_y + b.margin_height() for b in root.descendants()
                if isinstance(b, boxes.LineBox)), default=0.0)


def _off_paper(box: Any, width: float) -> Iterator[str]:
    """Tables, images and lines whose right edge is past the paper's (the outermost only)."""
    kind = ("table" if isinstance(box, boxes.TableBox) else "image"
            if isinstance(box, boxes.ReplacedBox) else "line"
            if isinstance(box, boxes.LineBox) else None)
    if kind and box.position_x + box.margin_width() > width + 1:
        text = " ".join(t.text for t in box.descendants() if isinstance(t, boxes.TextBox))
        yield (f"a {kind} runs {(box.position_x + box.margin_width() - width) * 0.2646:.0f} "
               f"mm off the paper ('{text.strip()[:50]}')")
        return
    for child in getattr(box, "children", None) or []:
        yield from _off_paper(child, width)


def _report(layout: Layout, notes: list[Note], diags: Diagnostics) -> None:
    by_number = {n.number: n for n in notes}
    for what in layout.overflows:
        diags.warning(f"{what}: make it narrower (fewer columns, shorter lines)")
    for number, share in sorted(layout.note_share.items()):
        page = layout.note_page.get(number, 0)
        if share <= LONG_NOTE_SHARE or number in layout.clipped:
            continue
        note = by_number.get(number)
        gap = 1 - layout.fill[page - 2] if page >= 2 else 0.0
        hole = f"; page {page - 1} ends {gap:.0%} empty before it" if gap > 0.25 else ""
        diags.warning(f"note {number} fills {share:.0%} of page {page}{hole}: a note cannot "
                      "continue on the next page, so shorten it (under about 1,500 "
                      "characters) or split it into two notes",
                      note.path if note else None, note.line if note else None)
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


def open_with_title_and_outline(document: Document, pdf: Any) -> None:
    """Viewer preferences: show the title, not the file name, and open the bookmarks pane.

    A diplomat's viewer then reads "Kazakhstan: Country briefing…" in its title bar and shows
    the sections on opening (PDF 1.7, 12.2 ViewerPreferences, PageMode).
    """
    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    if document.make_bookmark_tree():
        pdf.catalog["PageMode"] = "/UseOutlines"


def write_pdf(document: Document, target: Path, options: PdfOptions) -> None:
    """Write ``document`` to ``target`` through a temporary file (with the user's umask)."""
    variant = None if options.standard in ("none", "") else options.standard
    extra: dict[str, Any] = {}
    if options.attachments and variant == "pdf/a-3a":
        # dated as the briefing is (not by the files' mtimes), so the PDF stays reproducible
        when = _date(document.metadata.created)
        extra["attachments"] = [
            Attachment(string=path.read_bytes(), name=name, relationship="Source",
                       created=when, modified=when, description=f"source: {name}")
            for name, path in options.attachments]
    document.metadata = BriefingMetadata.of(document.metadata, options)
    with tagging(options.tagged), warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB profile for PDF/A and never closes it
        # (pdf/__init__.py: files(__package__) / 'sRGB2014.icc').open('rb')
        warnings.simplefilter("ignore", ResourceWarning)
        # temp file, fsync, the user's umask, rename (output.py); opens on the title
        write_atomically(target, lambda out: document.write_pdf(
            out, finisher=open_with_title_and_outline, pdf_variant=variant,
            pdf_tags=options.tagged, **extra))


def _date(text: str | None) -> dt.datetime:
    """The document's date (``dcterms.created``) as a datetime; 1980-01-01 without one."""
    try:
        return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


class BriefingMetadata(DocumentMetadata):  # type: ignore[misc]
    """WeasyPrint's metadata plus briefing's XMP fields, all in schemas PDF/A predefines (no
    extension schema needed): dc:identifier, xmp:Label, dc:rights; and a PDF/A-a edition,
    tagged as PDF/UA asks, says so with pdfuaid:part."""

    options: PdfOptions = PdfOptions()

    @classmethod
    def of(cls, metadata: DocumentMetadata, options: PdfOptions) -> BriefingMetadata:
        new = cls(**{k: getattr(metadata, k) for k in (
            "title", "authors", "description", "keywords", "generator", "created",
            "modified", "attachments", "lang", "custom", "xmp_metadata")})
        new.options = options
        return new

    def generate_rdf_metadata(self, variant: str, version: int, conformance: Any) -> bytes:
        from xml.etree.ElementTree import SubElement, fromstring, tostring

        rdf = fromstring(super().generate_rdf_metadata(variant, version, conformance))
        options = self.options
        about = f"{{{NS['rdf']}}}about"
        if variant == "a" and options.tagged:
            SubElement(rdf, f"{{{NS['rdf']}}}Description", {
                about: "", f"{{{NS['pdfuaid']}}}part": "1"})
        for name, value in (("identifier", options.identifier), ("rights", options.rights)):
            if value:
                description = SubElement(rdf, f"{{{NS['rdf']}}}Description", {about: ""})
                field = SubElement(description, f"{{{NS['dc']}}}{name}")
                if name == "rights":  # a language alternative
                    alt = SubElement(field, f"{{{NS['rdf']}}}Alt")
                    field = SubElement(alt, f"{{{NS['rdf']}}}li", {"xml:lang": "x-default"})
                field.text = value
        if options.label:
            description = SubElement(rdf, f"{{{NS['rdf']}}}Description", {about: ""})
            SubElement(description, f"{{{NS['xmp']}}}Label").text = options.label
        return tostring(rdf, encoding="utf-8")  # type: ignore[no-any-return]


_NOTDEF_RE = re.compile(r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.*)"')


class _WeasyHandler(logging.Handler):
    def __init__(self, diags: Diagnostics) -> None:
        super().__init__(logging.WARNING)
        self.diags = diags
        self.missing: list[str] = []  #: characters drawn as empty boxes, one message at the end

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        notdef = _NOTDEF_RE.match(message)
        if notdef:
            self.missing.append(notdef.group(1))
        elif not any(message.startswith(q) for q in _QUIET) and "No anchor #fn-" not in message:
            self.diags.warning(f"renderer: {message}")

    def flush_missing(self) -> None:
        if self.missing:
            self.diags.warning(f"renderer: no font has {''.join(dict.fromkeys(self.missing))}: "
                               "drawn as empty boxes (the warnings above say where)")


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
        handler.flush_missing()
    finally:
        logger.removeHandler(handler)
        logger.propagate = old_propagate
