"""Stage 6: the house style's Jinja template -> one HTML document.

In: the config, the written body, headings and reference list. Out: :class:`Page`, the HTML
text plus the folders WeasyPrint may read from. The template and CSS live in ``styles/`` (or the
folder named by ``styles:`` in report.yaml) so the look can change without touching Python.

A template may come from a partner's folder, so it runs in Jinja's immutable sandbox and sees
plain data only (text, numbers, lists and dicts; no paths or objects whose methods could reach
the machine). Autoescaping is on: only the engine's own HTML (body, formatted references) is
marked safe.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import fontpkg_pt_sans
import jinja2
from markupsafe import Markup

from . import __version__
from .config import PAPERS, Config
from .errors import BriefingError
from .fonts import FontFace, faces, font_dirs
from .sandbox import BoundedSandbox
from .writer import Written

TEMPLATE = "briefing.html"


@dataclass(frozen=True)
class Page:
    html: str
    styles_dir: Path  #: the template and CSS folder
    content_dir: Path  #: the report folder: relative URLs (images) resolve here
    font_dirs: tuple[Path, ...]
    root: Path | None = None  #: the wider folder --root allows (images named from there)


def packaged_fonts() -> list[FontFace]:
    """The OFL fonts installed with briefing (``fonts.py``), for the template's @font-face."""
    return list(faces())


def chart_fonts() -> list[Path]:
    """The sans-serif faces charts are drawn in (the headings' family)."""
    return sorted((Path(fontpkg_pt_sans.ROOT) / "files").glob("*.ttf"))


def render_page(config: Config, written: Written) -> Page:
    folder = config.styles_dir
    env = BoundedSandbox(folder)  # immutable sandbox, confined loader, bounded output
    try:
        template = env.get_template(TEMPLATE)
        html = template.render(
            config=template_config(config), version=__version__, body=Markup(written.body),
            abstract=Markup(written.abstract), annexes=Markup(written.annexes),
            acknowledgement=Markup(written.acknowledgement),
            headings=[{"level": h.level, "text": h.text, "id": h.id, "number": h.number,
                       "listed": "unlisted" not in h.classes, "annex": h.annex}
                      for h in written.headings],
            figures=[vars(c) for c in written.figures if c.id],
            tables=[vars(c) for c in written.tables if c.id],
            references=[{"key": e.key, "html": Markup(e.html)} for e in written.references],
            fonts=[vars(f) for f in packaged_fonts()], created=creation_date(config),
            styles_url=folder.as_uri() + "/")
    except jinja2.TemplateSyntaxError as exc:
        raise BriefingError(f"template syntax: {exc.message}",
                            folder / (exc.filename or TEMPLATE), exc.lineno) from None
    except jinja2.TemplateError as exc:
        raise BriefingError(f"template: {exc.message or type(exc).__name__}; the house "
                            "template can only use the variables listed at its top",
                            folder / TEMPLATE) from None
    return Page(html=html, styles_dir=folder, content_dir=config.folder, font_dirs=font_dirs(),
                root=config.root)


def template_config(config: Config) -> dict[str, object]:
    """What the template may know of the config: text, numbers and lists, nothing else."""
    return {
        "title": config.title, "subtitle": config.subtitle, "authors": list(config.authors),
        "organisation": config.organisation, "date": config.date, "lang": config.lang,
        "subject": config.subject, "keywords": list(config.keywords),
        "labels": dict(config.labels), "toc": config.toc, "toc_depth": config.toc_depth,
        "lof": config.lof, "lot": config.lot, "crossref_pages": config.crossref_pages,
        "paper": dict(zip(("size", "width", "height"), PAPERS[config.papersize], strict=True)),
        "short_title": config.short_title, "accent_color": config.accent_color,
        "logo": _relative(config, config.logo), "address": config.address.splitlines(),
        "contact": list(config.contact), "license": config.license,
        "report_number": config.report_number, "isbn": config.isbn, "version": config.version,
        "donors": [{"name": name, "logo": _relative(config, logo)}
                   for name, logo in config.donors],
        "disclaimer": config.disclaimer,
        # the edition (editions.py): its marking, watermark and code
        "edition": config.edition, "marking": config.marking, "watermark": config.watermark,
        "edition_code": config.edition_code,
    }


def _relative(config: Config, path: Path | None) -> str:
    """An image's address for the template: relative to the report folder (the base URL)."""
    if path is None:
        return ""
    try:
        return path.relative_to(config.folder).as_posix()
    except ValueError:
        return path.as_uri()  # under --root, outside the folder: the fetcher allows it


def creation_date(config: Config) -> str:
    """The PDF's date: report.yaml's ``date`` if it reads as one, else SOURCE_DATE_EPOCH."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", config.date)
    if match:
        year, month, day = (int(g) if g else 1 for g in match.groups())
        try:
            return dt.date(year, month, day).isoformat() + "T00:00:00Z"
        except ValueError:
            pass  # the config reports an impossible date; fall back like free text
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        stamp = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return ""
