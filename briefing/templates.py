"""Stage 6: the house style's Jinja template -> one HTML document.

In: the config, the assembled body, headings and reference list. Out: :class:`Page`, the HTML
text plus the folders WeasyPrint may read from. The template and CSS live in ``styles/`` (or the
folder named by ``styles:`` in report.yaml) so the look can change without touching Python.
Autoescaping is on: only the engine's own HTML (body, formatted references) is marked safe.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import __version__
from .citations import CitationResult
from .config import Config
from .errors import BriefingError
from .fonts import FontFace, faces, font_dirs
from .markdown import Heading

TEMPLATE = "briefing.html"


@dataclass(frozen=True)
class Page:
    html: str
    styles_dir: Path  #: the template and CSS folder
    content_dir: Path  #: the report folder: relative URLs (images) resolve here
    font_dirs: tuple[Path, ...]


def packaged_fonts() -> list[FontFace]:
    """The OFL fonts installed with briefing (``fonts.py``), for the template's @font-face."""
    return list(faces())


def render_page(config: Config, body: str, headings: list[Heading],
                cited: CitationResult) -> Page:
    folder = config.styles_dir
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    try:
        template = env.get_template(TEMPLATE)
        html = template.render(
            config=config, version=__version__, body=Markup(body), headings=headings,
            references=[{"key": e.key, "html": Markup(e.html)} for e in cited.references],
            fonts=packaged_fonts(), created=creation_date(config),
            styles_url=folder.as_uri() + "/")
    except jinja2.TemplateSyntaxError as exc:
        raise BriefingError(f"template syntax: {exc.message}", Path(exc.filename or TEMPLATE),
                            exc.lineno) from None
    except jinja2.UndefinedError as exc:
        raise BriefingError(f"template uses an unknown variable: {exc.message}",
                            folder / TEMPLATE) from None
    return Page(html=html, styles_dir=folder, content_dir=config.folder, font_dirs=font_dirs())


def creation_date(config: Config) -> str:
    """The PDF's date: report.yaml's ``date`` if it reads as one, else SOURCE_DATE_EPOCH."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", config.date)
    if match:
        year, month, day = (int(g) if g else 1 for g in match.groups())
        return dt.date(year, month, day).isoformat() + "T00:00:00Z"
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        stamp = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return ""
