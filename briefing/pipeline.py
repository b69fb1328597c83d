"""The pipeline: ``build(source, output)`` runs the stages in order.

Each stage is a plain call; problems are collected in one :class:`Diagnostics` and a stage that
cannot go on raises :class:`~briefing.errors.BriefingError`. The CLI prints what comes back.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .checks import analyse
from .citations import format_citations
from .config import Config, load_config
from .corrections import ALL
from .errors import BriefingError, Diagnostic, Diagnostics, InternalError
from .limits import guard
from .output import refuse_unsafe_target, target_path
from .pdf import Layout, render_pdf
from .sandbox import output_budget, template_failure
from .templates import TEMPLATE, Page, render_page
from .writer import Written, write_html

T = TypeVar("T")


@dataclass
class BuildResult:
    config: Config
    output: Path
    layout: Layout
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


def build(source: Path, output: Path | None = None, keep_notes_with_calls: bool = True,
          image_cache: dict[str, Any] | None = None, root: Path | None = None,
          corrections: frozenset[str] = ALL,
          on_checked: Callable[[list[Diagnostic]], None] | None = None) -> BuildResult:
    """Run every stage; ``image_cache`` keeps WeasyPrint's decoded images between builds.

    ``on_checked`` hears the checks' problems as soon as they are known, before layout.
    """
    diags = Diagnostics()
    timings: dict[str, float] = {}
    peaks: dict[str, int] = {}

    def timed(stage: str, fn: Callable[[], T]) -> T:
        start = time.perf_counter()
        try:
            return fn()
        except (BriefingError, InternalError, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: name the stage and the input that triggered it
            raise InternalError(stage, source, exc) from exc
        finally:
            timings[stage] = time.perf_counter() - start
            peaks[stage] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    # 0. configuration, and where the PDF goes (never through a symbolic link)
    config = timed("config", lambda: load_config(source, root))
    target = target_path(output or config.default_output())
    _refuse_writing_sources(config, target)
    refuse_unsafe_target(target, output or config.default_output())
    # 1-3. read the sections (pandoc) and the bibliography (pandoc), check it all
    analysis = timed("read+check", lambda: analyse(config, diags, corrections))
    if on_checked is not None:
        on_checked(list(diags.items))
    diags.raise_if_errors()  # every problem of the run at once, before anything is rendered
    assert analysis.style is not None  # an unknown style is an error, raised just above
    style = analysis.style
    # 4. citeproc over the whole document (one pandoc run)
    cited = timed("citations", lambda: format_citations(analysis.document, analysis.refs,
                                                        style, config, corrections))
    timings["citations: pandoc"] = cited.engine_seconds
    # 5. pandoc's tree -> HTML, notes numbered
    written = timed("write", lambda: write_html(cited, analysis.document, config.lang,
                                                corrections))
    for key in written.omitted:
        ref = analysis.refs[key]
        diags.warning(f"'{key}' ({ref.csl_type or 'no type'}) has no entry in the reference "
                      f"list: {style.title} leaves out this kind of source", ref.path, ref.line)
    # 6. the house template (a partner's may be in the folder: bounded in time and memory)
    template = config.styles_dir / TEMPLATE

    def fill_template() -> Page:
        given = len(written.body) + len(written.abstract) + sum(
            len(e.html) for e in written.references) + sum(len(h.text) for h in written.headings)
        with guard("filling the house template", template,  # takes 10 ms for 300 pages
                   "the template repeats or loops too much; simplify it", share=1 / 6), \
                output_budget(given):
            try:
                return render_page(config, written.body, written.headings,
                                   written.references, written.abstract)
            except Exception as exc:  # the template's own code failed ({{ 1 / 0 }})?
                failure = template_failure(exc, config.styles_dir.resolve())
                if failure is None:
                    raise
                raise failure from None

    page = timed("template", fill_template)

    # 7. layout, note placement, PDF (bounded in time and memory: limits.py)
    def lay_out() -> Layout:
        with guard("the layout", config.path):
            return render_pdf(page, written.notes, target, diags, keep_notes_with_calls,
                              image_cache)

    layout = timed("pdf", lay_out)
    return BuildResult(config=config, output=target, layout=layout,
                       notes=len(written.notes), citations=len(analysis.document.cites),
                       references=len(written.references), diagnostics=diags, html=page.html,
                       written=written, note_texts=[n.html for n in written.notes],
                       source_keys=[e.key for e in written.references],
                       timings=timings, peak_rss=peaks)


def _refuse_writing_sources(config: Config, target: Path) -> None:
    sources = {config.path, *config.sections, *config.bibliography}
    if target in sources or target.suffix.lower() != ".pdf":
        raise BriefingError(f"refusing to write {target}: the output must be a .pdf file that "
                            "is not one of the briefing's sources")
