"""The pipeline: ``build(source, output)`` reads the briefing once and writes each edition.

Reading (config, sections, bibliography, checks, citeproc) is :func:`read`, a plain sequence of
stage calls; each edition is a builder over what it returns (``builders.Briefing``): the PDF
(writer, house template, WeasyPrint), the web page (``web.py``) and the Word file
(``word.py``). Problems are collected in one :class:`Diagnostics` and a stage that cannot go
on raises :class:`~briefing.errors.BriefingError`. The CLI prints what comes back.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from . import web, webfonts
from .builders import Briefing, Output
from .charts import draw_all
from .checks import analyse
from .citations import Cited, format_citations
from .config import COPIES_LIST, OUTPUT_KINDS, Config, load_config
from .corrections import ALL
from .editions import pdf_options
from .errors import BriefingError, Diagnostic, Diagnostics, InternalError
from .limits import guard
from .output import refuse_unsafe_target, target_path
from .pdf import Layout, lay_out, render_pdf
from .reader import Document, read_markdown
from .sandbox import output_budget, template_failure
from .templates import TEMPLATE, Page, chart_fonts, render_page
from .word import write_docx
from .writer import Written, write_html

T = TypeVar("T")


@dataclass
class BuildResult:
    config: Config
    output: Path  #: the first edition's file (the PDF's, when one is written)
    layout: Layout  #: the PDF's layout (no pages when no PDF was written)
    notes: int
    citations: int
    references: int
    diagnostics: Diagnostics
    html: str = ""  #: the HTML document WeasyPrint rendered (before block numbering)
    written: Written | None = None  #: the writer's output: notes, headings, references
    note_texts: list[str] = field(default_factory=list)  #: every note's HTML, in order
    source_keys: list[str] = field(default_factory=list)  #: the reference list's keys
    timings: dict[str, float] = field(default_factory=dict)  #: stage -> seconds
    peak_rss: dict[str, int] = field(default_factory=dict)  #: stage -> peak RSS (KiB) after it
    outputs: list[Output] = field(default_factory=list)  #: every edition written, in order


class Timer:
    """Times each stage and turns a bug into an :class:`InternalError` naming the stage."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.timings: dict[str, float] = {}
        self.peaks: dict[str, int] = {}

    def __call__(self, stage: str, fn: Callable[[], T]) -> T:
        start = time.perf_counter()
        try:
            return fn()
        except (BriefingError, InternalError, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: name the stage and the input that triggered it
            raise InternalError(stage, self.source, exc) from exc
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - start
            self.peaks[stage] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def build(source: Path, output: Path | None = None, keep_notes_with_calls: bool = True,
          image_cache: dict[str, Any] | None = None, root: Path | None = None,
          corrections: frozenset[str] = ALL,
          on_checked: Callable[[list[Diagnostic]], None] | None = None,
          kinds: Sequence[str] | None = None,
          published: Sequence[str] | None = None,
          edition: str | None = None) -> BuildResult:
    """Read the briefing once, then write each edition of ``kinds`` (default: report.yaml's
    ``outputs``); ``image_cache`` keeps WeasyPrint's decoded images between builds.

    ``output`` is the first edition's file; the others go beside it with their own suffix.
    ``published``: every edition published together (the web page links to the PDF when one
    is), when only some of them are written now. ``on_checked`` hears the checks' problems as
    soon as they are known, before anything is written. ``edition``: one of report.yaml's
    ``editions`` (editions.py), whose overrides apply.
    """
    diags = Diagnostics()
    timed = Timer(source)
    # 0. configuration, and where each edition goes
    config = timed("config", lambda: load_config(source, root, edition))
    kinds = tuple(kinds or config.outputs)
    given = config.targets(kinds, output)
    targets = {kind: target_path(path) for kind, path in given.items()}
    _refuse_writing_sources(config, targets)
    for kind, target in targets.items():  # never written through a symbolic link
        refuse_unsafe_target(target, given[kind])
    # 1-4. read, check and cite: once, for every edition
    briefing = read(config, diags, timed, corrections, on_checked)
    # 5+. each edition is a builder over the one reading. While WeasyPrint lays out the PDF,
    # pandoc writes the Word file (a thread: it waits on pandoc) and, on a machine's first
    # web page, fontTools subsets the web fonts (a process: it needs a core of its own)
    pdf_target = targets.get("pdf") or config.output_for("pdf", output).resolve() \
        if "pdf" in (published or kinds) else None
    result = BuildResult(config=config, output=targets[kinds[0]], layout=Layout(pages=0),
                         notes=0, citations=len(briefing.document.cites), references=0,
                         diagnostics=diags, timings=timed.timings, peak_rss=timed.peaks)
    with ThreadPoolExecutor(max_workers=1) as pool:
        word = pool.submit(timed, "docx", lambda: write_docx(briefing, targets["docx"])) \
            if "docx" in targets else None
        page = timed("html", lambda: web.draft(briefing, targets["html"], pdf_target)) \
            if "html" in targets else None
        fonts = webfonts.start(web.faces(), page.characters) \
            if page is not None and "pdf" in targets else None
        if "pdf" in targets:
            result.outputs.append(_write_pdf(briefing, targets["pdf"], diags, timed, result,
                                             keep_notes_with_calls, image_cache))
        if page is not None:
            result.outputs.append(timed("html", lambda: web.finish(page, fonts)))
        if word is not None:
            result.outputs.append(word.result())
    result.outputs.sort(key=lambda o: kinds.index(o.kind))
    first = result.outputs[0]
    result.notes = result.notes or first.notes
    result.references = result.references or first.sources
    return result


def read(config: Config, diags: Diagnostics, timed: Timer,
         corrections: frozenset[str] = ALL,
         on_checked: Callable[[list[Diagnostic]], None] | None = None) -> Briefing:
    """Stages 1-4: read the sections and the bibliography (pandoc), check it all, and run
    citeproc over the whole document (one pandoc run). Errors stop here, before any edition
    is written."""
    analysis = timed("read+check", lambda: analyse(config, diags, corrections))
    acknowledgement = timed("read+check", lambda: read_markdown(config.acknowledgement)
                            ["blocks"]) if config.acknowledgement else []
    if on_checked is not None:
        on_checked(list(diags.items))
    diags.raise_if_errors()  # every problem of the run at once, before anything is rendered
    assert analysis.style is not None  # an unknown style is an error, raised just above
    style = analysis.style
    # charts drawn from their data (the blocks become figures)
    timed("charts", lambda: draw_all(analysis.charts, chart_fonts()))
    cited = timed("citations", lambda: format_citations(analysis.blocks, analysis.refs,
                                                        style, config, corrections))
    timed.timings["citations: pandoc"] = cited.engine_seconds
    return Briefing(config=config, document=analysis.document, refs=analysis.refs,
                    style=style, cited=cited, acknowledgement=acknowledgement,
                    corrections=corrections)


def _write_pdf(briefing: Briefing, target: Path, diags: Diagnostics, timed: Timer,
               result: BuildResult, keep_notes_with_calls: bool,
               image_cache: dict[str, Any] | None) -> Output:
    """The PDF builder: pandoc's tree -> HTML (notes numbered), the house template, layout."""
    config = briefing.config
    start = time.perf_counter()
    written = timed("writer", lambda: write_html(briefing.cited, briefing.document,
                                                config.lang, briefing.corrections,
                                                annexes_last=config.annexes_last))
    for key in written.omitted:
        ref = briefing.refs[key]
        diags.warning(f"'{key}' ({ref.csl_type or 'no type'}) has no entry in the reference "
                      f"list: {briefing.style.title} leaves out this kind of source", ref.path,
                      ref.line)
    written.acknowledgement = _acknowledgement_html(briefing)
    # the house template (a partner's may be in the folder: bounded in time and memory)
    template = config.styles_dir / TEMPLATE

    def fill_template() -> Page:
        given = len(written.body) + len(written.abstract) + len(written.annexes) + sum(
            len(e.html) for e in written.references) + sum(len(h.text) for h in written.headings)
        with guard("filling the house template", template,  # takes 10 ms for 300 pages
                   "the template repeats or loops too much; simplify it", share=1 / 6), \
                output_budget(given):
            try:
                return render_page(config, written)
            except Exception as exc:  # the template's own code failed ({{ 1 / 0 }})?
                failure = template_failure(exc, config.styles_dir.resolve())
                if failure is None:
                    raise
                raise failure from None

    page = timed("template", fill_template)
    if config.recipients:  # numbered copies: laid out once, one PDF per recipient
        return _write_copies(briefing, target, diags, timed, result, written, page,
                             keep_notes_with_calls, image_cache, start)

    def render() -> Layout:  # bounded in time and memory (limits.py)
        with guard("the layout", config.path):
            return render_pdf(page, written.notes, target, diags, keep_notes_with_calls,
                              image_cache, pdf_options(config))

    layout = timed("pdf", render)
    return _pdf_output(result, layout, page, written, target, start, target.stat().st_size)


def _pdf_output(result: BuildResult, layout: Layout, page: Page, written: Written,
                target: Path, start: float, size: int, copies: int = 0) -> Output:
    """What the PDF builder wrote, recorded in ``result`` too (for the build's summary)."""
    result.layout, result.html, result.written = layout, page.html, written
    result.note_texts = [n.html for n in written.notes]
    result.source_keys = [e.key for e in written.references]
    result.notes, result.references = len(written.notes), len(written.references)
    return Output("pdf", target, seconds=time.perf_counter() - start, size=size,
                  pages=layout.pages, notes=result.notes, sources=result.references,
                  note_texts=result.note_texts, source_keys=result.source_keys, copies=copies)


def _write_copies(briefing: Briefing, target: Path, diags: Diagnostics, timed: Timer,
                  result: BuildResult, written: Written, page: Page,
                  keep_notes_with_calls: bool, image_cache: dict[str, Any] | None,
                  start: float) -> Output:
    """The edition laid out once, then written once per recipient (copies.py)."""
    from .copies import write_copies

    config = briefing.config

    def laid_out() -> tuple[Any, Layout]:  # bounded in time and memory (limits.py)
        with guard("the layout", config.path):
            return lay_out(page, written.notes, diags, keep_notes_with_calls, image_cache,
                           pdf_options(config))

    document, layout = timed("pdf", laid_out)
    made = timed("copies", lambda: write_copies(document, config, target, diags))
    return _pdf_output(result, layout, page, written, target, start,
                       sum(c.size for c in made), len(made))


def _acknowledgement_html(briefing: Briefing) -> str:
    """The donor acknowledgement as HTML, for the template's back matter."""
    if not briefing.acknowledgement:
        return ""
    return write_html(Cited(briefing.acknowledgement, briefing.style), Document([]),
                      briefing.config.lang, briefing.corrections).body


def _refuse_writing_sources(config: Config, targets: dict[str, Path]) -> None:
    sources = {config.path, *config.sections, *config.bibliography}
    for kind, target in targets.items():
        copies = kind == "pdf" and config.recipients and target.name == COPIES_LIST
        if target in sources or (target.suffix.lower() != OUTPUT_KINDS[kind] and not copies):
            raise BriefingError(f"refusing to write {target}: the output must be a "
                                f"{OUTPUT_KINDS[kind]} file that is not one of the briefing's "
                                "sources")
