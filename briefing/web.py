"""The web edition: the briefing as one self-contained HTML page, for the organisation's site.

In: the :class:`~briefing.builders.Briefing` (the same citeproc tree the PDF is written from).
Out: ``build/<name>.html``, one file that needs nothing else: the house fonts (subset to the
characters the page uses, WOFF) and every image are inside it as ``data:`` URLs, the
stylesheet is inline, and a Content-Security-Policy forbids every fetch and every script, so
opening the page makes no request at all.

Notes need no script. Each note sits at its call (``writer.Flavour``): on a wide screen CSS
floats it into the margin beside its line; on a narrow one it is closed until the reader
follows the call, which makes it the page's ``:target`` and opens it under the line; its number
links back. Every note is listed again at the end, for print and for readers without CSS.

The template (``web.html``) and stylesheet (``web.css``) are taken from the ``styles:`` folder
when it has them, else from the house style; they run in Jinja's sandbox like the PDF's.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from . import __version__, webfonts
from .builders import Briefing, Output, image_data_url
from .citations import Cited
from .config import DEFAULT_STYLES, Config
from .errors import BriefingError, Diagnostic
from .output import write_atomically
from .reader import Document
from .templates import packaged_fonts, template_config
from .writer import Flavour, Written, write_html

TEMPLATE = "web.html"
STYLESHEET = "web.css"
#: the page may load nothing: no script, no frame, no fetch; only what it carries
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
       "base-uri 'none'; form-action 'none'")
#: characters a browser may need around the text (the fonts have no arrows: none are used)
_CSS_CHARS = "·–—‘’“”«»„…\u00a0"

#: the page's own words, by language (contents, sources and abstract come from the config)
WORDS = {
    "en": {"notes": "Notes", "note": "note", "back": "Back to the text",
           "download": "Download the PDF", "skip": "Skip to the text"},
    "ru": {"notes": "Примечания", "note": "примечание", "back": "Назад к тексту",
           "download": "Скачать PDF", "skip": "Перейти к тексту"},
    "kk": {"notes": "Ескертпелер", "note": "ескертпе", "back": "Мәтінге оралу",
           "download": "PDF жүктеп алу", "skip": "Мәтінге өту"},
    "uk": {"notes": "Примітки", "note": "примітка", "back": "Назад до тексту",
           "download": "Завантажити PDF", "skip": "Перейти до тексту"},
    "de": {"notes": "Anmerkungen", "note": "Anmerkung", "back": "Zurück zum Text",
           "download": "PDF herunterladen", "skip": "Zum Text springen"},
    "fr": {"notes": "Notes", "note": "note", "back": "Retour au texte",
           "download": "Télécharger le PDF", "skip": "Aller au texte"},
    "nl": {"notes": "Noten", "note": "noot", "back": "Terug naar de tekst",
           "download": "PDF downloaden", "skip": "Naar de tekst"},
    "es": {"notes": "Notas", "note": "nota", "back": "Volver al texto",
           "download": "Descargar el PDF", "skip": "Ir al texto"},
}


def words_for(config: Config) -> dict[str, str]:
    words = dict(WORDS.get(config.lang.split("-")[0].lower(), WORDS["en"]))
    labels = config.labels
    words.update(contents=labels["contents"], sources=labels["sources"],
                 abstract=labels["abstract"])
    return words


@dataclass
class Draft:
    """The page written but for its fonts: what :func:`finish` completes."""

    target: Path
    template: jinja2.Template
    template_path: Path
    values: dict[str, Any]
    characters: frozenset[int]  #: what the fonts must cover
    written: Written
    seconds: float  #: spent so far


def write_web(briefing: Briefing, target: Path, pdf: Path | None = None) -> Output:
    """Write the web page to ``target``; ``pdf`` is the PDF published beside it, if any."""
    return finish(draft(briefing, target, pdf))


def draft(briefing: Briefing, target: Path, pdf: Path | None = None) -> Draft:
    """Everything but the fonts: the pipeline starts subsetting them (``webfonts.start``)
    beside the PDF's layout, then calls :func:`finish`."""
    start = time.perf_counter()
    config = briefing.config
    words = words_for(config)
    flavour = Flavour(note=partial(sidenote, words), heading_shift=1,
                      image_src=partial(image_data_url, config=config))
    written = write_html(briefing.cited, briefing.document, config.lang, briefing.corrections,
                         flavour=flavour)
    acknowledgement = write_html(Cited(briefing.acknowledgement, briefing.style),
                                 Document([]), config.lang, briefing.corrections,
                                 flavour=flavour).body if briefing.acknowledgement else ""
    pdf_href = os.path.relpath(pdf, target.parent) if pdf is not None else ""
    folder, template = _template(config)
    values = {
        "config": template_config(config), "words": words, "version": __version__,
        "body": Markup(written.body), "abstract": Markup(written.abstract),
        "acknowledgement": Markup(acknowledgement),
        "headings": [{"level": h.level, "text": h.text, "id": h.id,
                      "listed": "unlisted" not in h.classes} for h in written.headings],
        "references": [{"key": e.key, "html": Markup(e.html)} for e in written.references],
        "notes": [{"number": n.number, "html": Markup(n.html)} for n in written.notes],
        "css": Markup(_stylesheet(config)), "pdf_href": pdf_href,
    }
    page = _render(template, folder / TEMPLATE, values, [])
    text = html.unescape(re.sub(r"<[^>]*>", " ", page)) + _CSS_CHARS
    return Draft(target, template, folder / TEMPLATE, values, webfonts.blocks_of(text),
                 written, time.perf_counter() - start)


def faces() -> list[webfonts.Face]:
    """The packaged faces web.css uses."""
    return [webfonts.Face(f.family, Path(f.url.removeprefix("file://")), f.weight, f.style)
            for f in packaged_fonts() if (f.family, f.weight, f.style) in webfonts.FACES]


def finish(page: Draft, fonts: subprocess.Popen[bytes] | None = None) -> Output:
    """The page with its fonts (subset by ``fonts``, the process ``webfonts.start`` started
    beside the PDF's layout, or here), written atomically."""
    start = time.perf_counter()
    chosen = webfonts.collect(fonts, faces(), page.characters)
    text = _render(page.template, page.template_path, page.values, chosen)
    data = _with_policy(text, page.template_path).encode("utf-8")
    size = write_atomically(page.target, lambda out: out.write(data))
    written = page.written
    return Output("html", page.target, seconds=page.seconds + time.perf_counter() - start,
                  size=size, notes=len(written.notes), sources=len(written.references),
                  note_texts=[n.html for n in written.notes],
                  source_keys=[e.key for e in written.references])


def _render(template: jinja2.Template, path: Path, values: dict[str, Any],
            fonts: list[webfonts.WebFont]) -> str:
    try:
        return template.render(fonts=[vars(f) for f in fonts], **values)
    except jinja2.TemplateError as exc:
        raise BriefingError(f"web template: {exc.message or type(exc).__name__}; the template "
                            "can only use the variables listed at its top", path) from None


def sidenote(words: dict[str, str], number: int, kind: str, body: str) -> str:
    """A note at its call: the call links to the note, the note's number links back."""
    label = html.escape(f"{words['note']} {number}", quote=True)
    back = html.escape(f"{words['back']}: {words['note']} {number}", quote=True)
    return (f'<a class="fn-call" id="fnref-{number}" href="#fn-{number}" role="doc-noteref" '
            f'aria-label="{label}">{number}</a>'
            f'<span class="sidenote" id="fn-{number}" role="note" aria-label="{label}" '
            f'data-kind="{kind}"><a class="fn-back" href="#fnref-{number}" '
            f'aria-label="{back}">{number}</a> {body}</span>')


def _template(config: Config) -> tuple[Path, jinja2.Template]:
    """web.html from the styles folder, else the house style's; sandboxed as the PDF's."""
    folders = [config.styles_dir, DEFAULT_STYLES]
    folder = next(f for f in folders if (f / TEMPLATE).is_file() or f == DEFAULT_STYLES)
    env = ImmutableSandboxedEnvironment(loader=jinja2.FileSystemLoader(folder),
                                        autoescape=True, undefined=jinja2.StrictUndefined,
                                        keep_trailing_newline=True)
    try:
        return folder, env.get_template(TEMPLATE)
    except jinja2.TemplateSyntaxError as exc:
        raise BriefingError(f"template syntax: {exc.message}",
                            folder / (exc.filename or TEMPLATE), exc.lineno) from None


_FETCHING_CSS = re.compile(r"@import|url\(\s*(?!['\"]?data:)|image-set\(", re.I)


def _stylesheet(config: Config) -> str:
    """web.css, refused if it would load anything (the page must open without a request)."""
    folder = config.styles_dir if (config.styles_dir / STYLESHEET).is_file() \
        else DEFAULT_STYLES
    path = folder / STYLESHEET
    text = path.read_text(encoding="utf-8")
    # comments blanked, their lines kept, so a line number still points at the rule
    code = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    problems = [Diagnostic("error", f"'{m.group(0).strip()}' would make the web page load a "
                           "file when it is opened; the web edition carries everything it "
                           "shows (use data: URLs)", path, code[:m.start()].count("\n") + 1)
                for m in _FETCHING_CSS.finditer(code)]
    if problems:
        raise BriefingError(problems)
    # the comments are for whoever edits web.css, not for every reader's download
    code = re.sub(r"\n\s*\n+", "\n", code).strip()
    return code.replace("</", "<\\/")  # never closes the <style> it sits in


def _with_policy(page: str, template: Path) -> str:
    """The Content-Security-Policy as the first thing in <head>, whatever the template says."""
    head = re.search(r"<head(\s[^>]*)?>", page, re.I)
    if head is None:
        raise BriefingError("the web template has no <head>: the page needs one for its "
                            "security policy", template)
    meta = f'\n  <meta http-equiv="Content-Security-Policy" content="{CSP}">'
    return page[:head.end()] + meta + page[head.end():]
