"""Stage 0: ``report.yaml`` -> a validated, frozen :class:`Config`.

Every key is declared once, in :data:`KEYS`: its name, the :class:`Config` field it fills, its
validator, and a line of documentation (the README's table says the same). pandoc's metadata
names (``title``, ``author``, ``bibliography``, ``csl``, ``toc``, ``link-citations``, …) mean
what they mean to pandoc, so a pandoc user's file works unchanged; pandoc and Quarto keys that
mean nothing for a briefing PDF (``documentclass``, ``geometry``, ``fontsize``, …) are accepted
with one note. Every problem names the yaml file, line and column.

A report folder may come from a partner: the yaml is read with size and alias limits, and every
path it names must stay inside the report folder (or the ``--root`` folder the command line
gives), never leading out through ``..``, an absolute path or a symbolic link.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import BriefingError, Diagnostic, Diagnostics
from .sources import confined, read_text

CONFIG_NAME = "report.yaml"
#: the house style shipped inside the package (templates + CSS)
DEFAULT_STYLES = Path(str(resources.files("briefing.styles")))
DEFAULT_CSL = "chicago-notes-bibliography"
#: the folder, under the current directory, every output goes to unless -o says otherwise
BUILD_DIR = "build"
MAX_YAML_BYTES = 256 * 1024
#: the list of an edition's numbered copies and their checksums, in the copies' folder
COPIES_LIST = "SHA256SUMS"
#: the output kinds briefing can write, each with its file suffix (``outputs:`` and ``--to``)
OUTPUT_KINDS = {"pdf": ".pdf", "html": ".html", "docx": ".docx"}

#: words the house style prints, by language; report.yaml can override the two titles
LABELS = {
    "en": {"prepared_for": "Prepared for", "copy": "Copy",
           "contents": "Contents", "sources": "Sources", "page": "Page", "of": "of",
           "abstract": "Summary",
           "page_short": "p.", "figures": "Figures", "tables": "Tables"},
    "ru": {"prepared_for": "Подготовлено для", "copy": "Экземпляр",
           "contents": "Содержание", "sources": "Источники", "page": "Страница", "of": "из",
           "abstract": "Резюме",
           "page_short": "с.", "figures": "Рисунки", "tables": "Таблицы"},
    "kk": {"prepared_for": "Алушы:", "copy": "Дана",
           "contents": "Мазмұны", "sources": "Дереккөздер", "page": "Бет", "of": "/",
           "abstract": "Түйіндеме",
           "page_short": "б.", "figures": "Суреттер", "tables": "Кестелер"},
    "uk": {"prepared_for": "Підготовлено для", "copy": "Примірник",
           "contents": "Зміст", "sources": "Джерела", "page": "Сторінка", "of": "з",
           "abstract": "Резюме",
           "page_short": "с.", "figures": "Рисунки", "tables": "Таблиці"},
    "de": {"prepared_for": "Erstellt für", "copy": "Exemplar",
           "contents": "Inhalt", "sources": "Quellen", "page": "Seite", "of": "von",
           "abstract": "Zusammenfassung",
           "page_short": "S.", "figures": "Abbildungen", "tables": "Tabellen"},
    "fr": {"prepared_for": "Préparé pour", "copy": "Exemplaire",
           "contents": "Sommaire", "sources": "Sources", "page": "Page", "of": "sur",
           "abstract": "Résumé",
           "page_short": "p.", "figures": "Figures", "tables": "Tableaux"},
    "nl": {"prepared_for": "Opgesteld voor", "copy": "Exemplaar",
           "contents": "Inhoud", "sources": "Bronnen", "page": "Pagina", "of": "van",
           "abstract": "Samenvatting",
           "page_short": "p.", "figures": "Figuren", "tables": "Tabellen"},
    "es": {"prepared_for": "Preparado para", "copy": "Ejemplar",
           "contents": "Índice", "sources": "Fuentes", "page": "Página", "of": "de",
           "abstract": "Resumen",
           "page_short": "p.", "figures": "Figuras", "tables": "Tablas"},
}
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Config:
    """Everything ``report.yaml`` says, validated; paths are absolute."""

    path: Path  #: the yaml file
    root: Path  #: files may be read from here and below (the report folder, or --root)
    title: str
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    organisation: str = ""  #: shown on the cover above the authors
    date: str = ""  #: shown as written
    lang: str = "en-GB"
    bibliography: tuple[Path, ...] = ()
    csl: str = DEFAULT_CSL  #: a style name from the collection or a path to a .csl file
    nocite: tuple[str, ...] = ()
    reference_section_title: str = ""  #: empty: the word for "Sources" in ``lang``
    contents_title: str = ""  #: empty: the word for "Contents" in ``lang``
    toc: bool = True  #: print the contents page
    toc_depth: int = 2  #: heading levels listed on the contents page
    abstract: str = ""  #: Markdown of an executive summary after the cover
    link_citations: bool = False  #: author-date citations link to their reference entry
    link_bibliography: bool = True  #: DOIs and URLs in references are links
    notes_after_punctuation: bool = True  #: a citation's note call moves after the period
    suppress_bibliography: bool = False  #: no reference list
    number_sections: bool = False  #: number headings 1, 1.1, 1.1.1 (annexes A, A.1)
    crossref_prefixes: tuple[tuple[str, str], ...] = ()  #: pandoc-crossref's figPrefix, …
    crossref_pages: bool = False  #: "Figure 2, p. 7": references give the page in print
    lof: bool = False  #: a list of figures after the contents
    lot: bool = False  #: a list of tables after the contents
    sections: tuple[Path, ...] = ()
    subject: str = ""
    keywords: tuple[str, ...] = ()
    styles: Path | None = None  #: folder with briefing.html + briefing.css; None: the default
    annexes_last: bool = False  #: annexes (``# Title {.annex}``) after the reference list
    papersize: str = "a4"  #: "a4" or "letter": every page, cover included
    short_title: str = ""  #: the running heads' title, when the title is long
    logo: Path | None = None  #: the organisation's logo, on the cover and the back cover
    accent_color: str = ""  #: "#1f4e79": titles, rules, the cover band
    address: str = ""  #: the organisation's address (back cover); lines kept
    contact: tuple[str, ...] = ()  #: e-mail, telephone, web site (back cover)
    license: str = ""  #: "CC BY 4.0": the licence line (back cover)
    report_number: str = ""
    isbn: str = ""
    version: str = ""  #: "Version 2, 14 March 2012": on the cover
    donors: tuple[tuple[str, Path | None], ...] = ()  #: (name, logo) for the back cover
    disclaimer: str = ""  #: "The contents are the sole responsibility of …"
    outputs: tuple[str, ...] = ("pdf",)  #: the editions to write (OUTPUT_KINDS), in order
    acknowledgement: str = ""  #: Markdown: the donor acknowledgement, in every output
    # --- distribution (editions.py, copies.py) ---
    edition: str = ""  #: the edition this config is for ("" when report.yaml has none)
    editions: tuple[str, ...] = ()  #: every edition report.yaml defines, in order
    pdf_standard: str = "pdf/ua-1"  #: "pdf/ua-1", "pdf/a-2a", "pdf/a-3a" or "none"
    attach_sources: bool = False  #: PDF/A-3: the Markdown, .bib and yaml attached
    image_dpi: int | None = None  #: images above this resolution are down-sampled
    jpeg_quality: int | None = None  #: JPEG quality of the PDF's images (1-95)
    marking: str = ""  #: "DRAFT — not for distribution": a band on every page, on the cover
    watermark: str = ""  #: "DRAFT": printed diagonally across every page
    edition_code: str = ""  #: "KZ-2024-PUB": in the footer and the PDF's metadata
    distribution: Path | None = None  #: recipients (CSV or yaml): one numbered copy each
    recipients: tuple[tuple[str, str], ...] = ()  #: (name, organisation) from distribution
    lines: dict[str, int] = field(default_factory=dict, compare=False)  #: key -> yaml line
    cols: dict[str, int] = field(default_factory=dict, compare=False)  #: key -> yaml column
    notes: tuple[Diagnostic, ...] = field(default=(), compare=False)  #: accepted, with a note

    @property
    def folder(self) -> Path:
        return self.path.parent

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key)

    @property
    def labels(self) -> dict[str, str]:
        """The house style's words in the briefing's language (English when unknown)."""
        words = dict(LABELS.get(self.lang.split("-")[0].lower(), LABELS["en"]))
        words["sources"] = self.reference_section_title or words["sources"]
        words["contents"] = self.contents_title or words["contents"]
        return words

    @property
    def styles_dir(self) -> Path:
        return self.styles or DEFAULT_STYLES

    def default_output(self) -> Path:
        """``build/<report folder name>.pdf`` under the current directory; for a yaml not
        named report.yaml (several briefings in one folder: kz.yaml, kg.yaml),
        ``build/<yaml name>.pdf``; an edition's is ``build/<name>-<edition>.pdf``."""
        stem = self.folder.name if self.path.name == CONFIG_NAME else self.path.stem
        if self.edition:
            stem = f"{stem}-{self.edition}"
        return Path.cwd() / BUILD_DIR / f"{stem}.pdf"

    def output_for(self, kind: str, output: Path | None = None) -> Path:
        """Where output ``kind`` goes: beside ``output`` (or the default PDF), same stem. An
        edition with a distribution list writes its PDFs into a folder of that stem, with
        their checksums in ``SHA256SUMS`` (the file its reuse record follows)."""
        path = (output or self.default_output()).with_suffix(OUTPUT_KINDS[kind])
        if kind == "pdf" and self.recipients:
            return path.with_suffix("") / COPIES_LIST
        return path

    def targets(self, kinds: tuple[str, ...], output: Path | None = None) -> dict[str, Path]:
        """Each edition's file, beside ``output`` with its own suffix. An ``output`` that is
        no edition's file (``notes.md``) stays as given for the first edition, which the build
        then refuses, rather than becoming ``notes.pdf`` unasked."""
        found = {kind: self.output_for(kind, output).absolute() for kind in kinds}
        if output is not None and kinds and \
                output.suffix.lower() not in OUTPUT_KINDS.values():
            found[kinds[0]] = output.absolute()
        return found


# --- the keys ---------------------------------------------------------------------------------

class _Context:
    """What a validator needs: the folder, and a way to report at the key's line."""

    def __init__(self, path: Path, root: Path, lines: dict[str, int], cols: dict[str, int],
                 diags: Diagnostics) -> None:
        self.path, self.root, self.lines, self.cols, self.diags = path, root, lines, cols, diags
        self.key = ""

    def error(self, message: str) -> None:
        self.diags.error(message, self.path, self.lines.get(self.key, 1),
                         self.cols.get(self.key))

    def file(self, name: str) -> Path | None:
        """A file named in the yaml: confined to the root, and existing."""
        try:
            path = confined(self.path.parent, name, self.root)
        except BriefingError as exc:
            self.error(f"'{self.key}' names '{name}', which {exc.diagnostics[0].message}")
            return None
        if path.exists() and not path.is_file():
            self.error(f"'{self.key}' names '{name}', which is not a regular file (a folder, "
                       "device or pipe); give a file")
            return None
        if not path.is_file():
            self.error(f"'{self.key}' names '{name}', which does not exist (looked in "
                       f"{self.path.parent})")
            return None
        return path


Validator = Callable[[Any, _Context], Any]


@dataclass(frozen=True)
class Key:
    """One key report.yaml may hold."""

    name: str
    attr: str  #: the Config field it fills ("" for keys accepted and ignored)
    validate: Validator
    doc: str
    pandoc: bool = True  #: one of pandoc's metadata names (else briefing's own)


def _text(value: Any, ctx: _Context) -> str | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    ctx.error(f"'{ctx.key}' must be text")
    return None


def _texts(value: Any, ctx: _Context) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value.strip(),)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value)
    if isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value):
        return tuple(str(v["name"]).strip() for v in value)  # pandoc's author: [{name: …}]
    ctx.error(f"'{ctx.key}' must be text or a list of texts")
    return None


def _bool(value: Any, ctx: _Context) -> bool | None:
    if isinstance(value, bool):
        return value
    ctx.error(f"'{ctx.key}' must be true or false")
    return None


def _depth(value: Any, ctx: _Context) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 6:
        return value
    ctx.error(f"'{ctx.key}' must be a number of heading levels from 1 to 6")
    return None


def _date(value: Any, ctx: _Context) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value).strip()
    ctx.error("'date' must be text such as 'March 2012' or 2012-03-01")
    return None


def _lang(value: Any, ctx: _Context) -> str | None:
    if isinstance(value, str) and _LANG_RE.match(value):
        return value
    ctx.error(f"'lang' must be a BCP 47 tag such as en-GB or ru, not {value!r}")
    return None


def _files(value: Any, ctx: _Context) -> tuple[Path, ...] | None:
    names = _texts(value, ctx)
    if names is None:
        return None
    paths = [ctx.file(name) for name in names]
    return tuple(p for p in paths if p is not None)


def _csl(value: Any, ctx: _Context) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    ctx.error("'csl' must be a style name such as chicago-notes-bibliography or a path to a "
              ".csl file")
    return None


def _nocite(value: Any, ctx: _Context) -> tuple[str, ...] | None:
    texts = _texts(value, ctx)
    if texts is None:
        return None
    return tuple(token.lstrip("@") for text in texts
                 for token in re.split(r"[\s,;\[\]]+", text) if token.lstrip("@"))


def _styles(value: Any, ctx: _Context) -> Path | None:
    name = _text(value, ctx)
    if name is None:
        return None
    try:
        folder = confined(ctx.path.parent, name, ctx.root)
    except BriefingError as exc:
        ctx.error(f"'styles' names '{name}', which {exc.diagnostics[0].message}")
        return None
    if not (folder / "briefing.html").is_file():
        ctx.error(f"'styles' must be a folder holding briefing.html and briefing.css; "
                  f"{folder} has no briefing.html")
        return None
    return folder


#: paper sizes (pandoc's papersize names): CSS size and the page's width and height
PAPERS = {"a4": ("A4", "210mm", "297mm"), "letter": ("letter", "8.5in", "11in")}


def _image(value: Any, ctx: _Context) -> Path | None:
    """An image file in the report folder (SVG, PNG or JPEG)."""
    name = _text(value, ctx)
    if name is None:
        return None
    if not name.lower().endswith((".svg", ".png", ".jpg", ".jpeg")):
        ctx.error(f"'{ctx.key}' must be an SVG, PNG or JPEG file, not '{name}'")
        return None
    return ctx.file(name)


def _color(value: Any, ctx: _Context) -> str | None:
    text = _text(value, ctx)
    if text is not None and re.fullmatch(r"#[0-9A-Fa-f]{6}|#[0-9A-Fa-f]{3}", text):
        return text
    if text is not None:
        ctx.error(f"'{ctx.key}' must be a colour such as #1f4e79, not {value!r}")
    return None


def _donors(value: Any, ctx: _Context) -> tuple[tuple[str, Path | None], ...] | None:
    """``donors: [{name: European Union, logo: eu.svg}, …]`` or plain names."""
    items = value if isinstance(value, list) else [value]
    out: list[tuple[str, Path | None]] = []
    for item in items:
        if isinstance(item, str):
            out.append((item.strip(), None))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            logo = _image(item["logo"], ctx) if "logo" in item else None
            out.append((item["name"].strip(), logo))
        else:
            ctx.error("'donors' is a list of names, or of 'name:' and 'logo:' pairs")
            return None
    return tuple(out)


def _papersize(value: Any, ctx: _Context) -> str | None:
    name = str(value).lower().removesuffix("paper")
    if name in PAPERS:
        return name
    ctx.error(f"'papersize' must be a4 or letter, not {value!r}")
    return None


def _abstract(value: Any, ctx: _Context) -> str | None:
    return _text(value, ctx)


def _prefix(value: Any, ctx: _Context) -> tuple[tuple[str, str], ...] | None:
    """pandoc-crossref's figPrefix / tblPrefix / secPrefix: the word before a number."""
    if isinstance(value, list) and value and isinstance(value[0], str):
        value = value[0]  # pandoc-crossref allows [singular, plural]; the singular is used
    text = _text(value, ctx)
    return ((ctx.key[:3], text),) if text is not None else None


def _outputs(value: Any, ctx: _Context) -> tuple[str, ...] | None:
    names = _texts(value, ctx)
    if names is None:
        return None
    unknown = [n for n in names if n not in OUTPUT_KINDS]
    if unknown or not names:
        ctx.error(f"'outputs' lists {', '.join(repr(n) for n in unknown) or 'nothing'}; "
                  f"choose from {', '.join(OUTPUT_KINDS)} (for example: outputs: [pdf, html])")
        return None
    return tuple(dict.fromkeys(names))


def _ignored(value: Any, ctx: _Context) -> None:
    return None


#: report.yaml's names of the PDF standards (``pdf.STANDARDS``)
STANDARDS = {"ua-1": "pdf/ua-1", "a-2a": "pdf/a-2a", "a-3a": "pdf/a-3a", "none": "none"}


def _standard(value: Any, ctx: _Context) -> str | None:
    name = str(value).strip().lower().removeprefix("pdf/").removeprefix("pdf")
    if value is False:
        name = "none"
    if name in STANDARDS:
        return STANDARDS[name]
    ctx.error(f"'pdf-standard' must be ua-1 (tagged, the default), a-2a or a-3a (archival "
              f"and tagged) or none (untagged), not {value!r}")
    return None


def _number(low: int, high: int, what: str) -> Validator:
    def validate(value: Any, ctx: _Context) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        ctx.error(f"'{ctx.key}' must be {what} from {low} to {high}, not {value!r}")
        return None
    return validate


def _distribution(value: Any, ctx: _Context) -> Path | None:
    name = _text(value, ctx)
    if name is None:
        return None
    if not name.lower().endswith((".csv", ".yaml", ".yml")):
        ctx.error(f"'distribution' names a list of recipients: a .csv or .yaml file in the "
                  f"folder (name, organisation), not '{name}'")
        return None
    return ctx.file(name)


KEYS: tuple[Key, ...] = (
    Key("title", "title", _text, "shown on the cover and in the PDF metadata (required)"),
    Key("subtitle", "subtitle", _text, "shown under the title"),
    Key("author", "authors", _texts, "a name or a list of names (pandoc's `- name: …` too)"),
    Key("date", "date", _date, "shown as written; YYYY, YYYY-MM or YYYY-MM-DD is also the "
                               "PDF's date"),
    Key("lang", "lang", _lang, "BCP 47 tag (en-GB, ru, …): hyphenation, quotation marks, "
                               "citation locale, the house style's words"),
    Key("bibliography", "bibliography", _files, "a .bib file or a list of them"),
    Key("csl", "csl", _csl, "a style name from the bundled collection, or a .csl file"),
    Key("nocite", "nocite", _nocite, "keys to list without citing them ('@a, @b', '@*')"),
    Key("reference-section-title", "reference_section_title", _text,
        "heading of the reference list (default: Sources, in lang)"),
    Key("toc", "toc", _bool, "print the contents page (default true)"),
    Key("table-of-contents", "toc", _bool, "the same as toc"),
    Key("toc-title", "contents_title", _text, "heading of the contents page"),
    Key("toc-depth", "toc_depth", _depth, "heading levels on the contents page (default 2)"),
    Key("abstract", "abstract", _abstract, "an executive summary printed after the cover "
                                           "(Markdown)"),
    Key("link-citations", "link_citations", _bool,
        "author-date citations link to their entry in the reference list"),
    Key("link-bibliography", "link_bibliography", _bool,
        "DOIs and URLs in the reference list are links (default true)"),
    Key("notes-after-punctuation", "notes_after_punctuation", _bool,
        "a citation's note call moves after the following punctuation (default true)"),
    Key("suppress-bibliography", "suppress_bibliography", _bool, "no reference list"),
    Key("papersize", "papersize", _papersize, "a4 (default) or letter: every page, the cover "
                                              "included"),
    Key("number-sections", "number_sections", _bool, "number the headings (1, 1.1, …; "
                                                      "annexes A, A.1)"),
    Key("lof", "lof", _bool, "a list of figures after the contents"),
    Key("lot", "lot", _bool, "a list of tables after the contents"),
    Key("figPrefix", "crossref_prefixes", _prefix, "pandoc-crossref: the word before a "
                                                    "figure's number in a reference"),
    Key("tblPrefix", "crossref_prefixes", _prefix, "pandoc-crossref: the same for tables"),
    Key("secPrefix", "crossref_prefixes", _prefix, "pandoc-crossref: the same for sections"),
    Key("keywords", "keywords", _texts, "PDF metadata"),
    Key("subject", "subject", _text, "PDF metadata (default: the subtitle)"),
    Key("description", "subject", _text, "the same as subject"),
    Key("sections", "sections", _files, "the Markdown files in order (default: every *.md "
                                        "in the folder, sorted by name)", pandoc=False),
    Key("organisation", "organisation", _text, "shown at the top of the cover; PDF author "
                                                "when there is no author", pandoc=False),
    Key("contents-title", "contents_title", _text, "the same as toc-title", pandoc=False),
    Key("styles", "styles", _styles, "a folder with your own briefing.html and "
                                      "briefing.css", pandoc=False),
    Key("annexes-after-sources", "annexes_last", _bool, "annexes (# Title {.annex}) go "
                                                        "after the reference list",
        pandoc=False),
    Key("short-title", "short_title", _text, "the title in the running heads, when the title "
                                             "is long", pandoc=False),
    Key("logo", "logo", _image, "the organisation's logo (SVG, PNG or JPEG): cover and back "
                                "cover", pandoc=False),
    Key("accent-color", "accent_color", _color, "the house colour of titles, rules and the "
                                                "cover band, e.g. '#1f4e79'", pandoc=False),
    Key("address", "address", _abstract, "the organisation's address, on the back cover",
        pandoc=False),
    Key("contact", "contact", _texts, "e-mail, telephone, web site: the back cover",
        pandoc=False),
    Key("license", "license", _text, "the licence line, e.g. 'CC BY 4.0'", pandoc=False),
    Key("licence", "license", _text, "the same as license", pandoc=False),
    Key("report-number", "report_number", _text, "the report's number, on the cover and "
                                                 "back cover", pandoc=False),
    Key("isbn", "isbn", _text, "the ISBN, on the back cover", pandoc=False),
    Key("version", "version", _text, "a version line on the cover ('Version 2, 14 March "
                                     "2012')", pandoc=False),
    Key("donors", "donors", _donors, "the donors, each a name and optionally a logo: the "
                                     "back cover, with the acknowledgement", pandoc=False),
    Key("disclaimer", "disclaimer", _abstract, "the donor's disclaimer ('The contents are "
                                               "the sole responsibility of …')", pandoc=False),
    Key("crossref-pages", "crossref_pages", _bool, "references to figures, tables and "
                                                   "sections give the page: 'Figure 2, p. 7'",
        pandoc=False),
    Key("outputs", "outputs", _outputs, "the editions to write: pdf, html (a web page), docx "
                                        "(Word, for review); default [pdf]", pandoc=False),
    Key("acknowledgement", "acknowledgement", _abstract,
        "the donor acknowledgement (Markdown), on the web page, in the Word file and at the "
        "end of the PDF", pandoc=False),
    Key("funding", "acknowledgement", _abstract, "the same as acknowledgement (Quarto's name)",
        pandoc=False),
    Key("pdf-standard", "pdf_standard", _standard, "ua-1 (tagged, accessible: the default), "
        "a-2a or a-3a (archival PDF/A, tagged), none (untagged)", pandoc=False),
    Key("attach-sources", "attach_sources", _bool, "with pdf-standard: a-3a, attach the "
        "Markdown, the .bib files and the yaml to the PDF (default false)", pandoc=False),
    Key("image-dpi", "image_dpi", _number(72, 1200, "a resolution in dots per inch"),
        "down-sample images above this resolution (150 for e-mail, 300 for print)",
        pandoc=False),
    Key("jpeg-quality", "jpeg_quality", _number(1, 95, "a JPEG quality"), "JPEG quality of "
        "the images (1-95; 75 is small, 90 looks like the original)", pandoc=False),
    Key("marking", "marking", _text, "a marking on every page and on the cover, e.g. "
        "'DRAFT — not for distribution' or 'CONFIDENTIAL'", pandoc=False),
    Key("watermark", "watermark", _text, "a word printed diagonally across every page, "
        "e.g. DRAFT", pandoc=False),
    Key("edition-code", "edition_code", _text, "the edition's code, in the footer and the "
        "PDF's metadata, e.g. KZ-2024-PUB", pandoc=False),
    Key("distribution", "distribution", _distribution, "a list of recipients (.csv or "
        ".yaml: name, organisation): one numbered, addressed copy each", pandoc=False),
)
#: the key that defines editions: named sets of overrides of the keys above
EDITIONS_KEY = "editions"
_EDITION_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
#: pandoc and Quarto keys that mean nothing for a briefing PDF: accepted with one note
IGNORED = (
    "documentclass", "classoption", "geometry", "margin-left", "margin-right", "margin-top",
    "margin-bottom", "fontsize", "fontfamily", "fontfamilyoptions", "mainfont", "sansfont",
    "monofont", "mathfont", "CJKmainfont", "mainfontoptions", "linestretch", "indent",
    "colorlinks", "linkcolor", "urlcolor", "citecolor", "filecolor", "toccolor", "links-as-notes",
    "header-includes", "include-before", "include-after", "pagetitle", "title-prefix",
    "css", "output", "format", "execute", "jupyter", "engine", "editor", "pdf-engine",
    "biblio-style", "biblatexoptions", "natbiboptions", "cite-method", "secnumdepth",
    "thanks", "institute", "fig-cap-location", "tbl-cap-location", "highlight-style",
    "code-block-bg", "citation-abbreviations",
    "csquotes", "hyperrefoptions", "pdfa", "subparagraph", "beamer", "aspectratio",
    "lang-section", "dir", "keep-tex", "cap-location", "crossref", "filters",
)
_BY_NAME = {key.name: key for key in KEYS}
#: every key report.yaml may hold
KNOWN_KEYS = frozenset(_BY_NAME) | {EDITIONS_KEY}
#: one name per setting (an alias such as table-of-contents for toc is left out)
MAIN_KEYS = frozenset({key.attr: key.name for key in reversed(KEYS)}.values()) | {EDITIONS_KEY}


def find_config(source: Path) -> Path:
    """The yaml file for SOURCE: a report folder holding ``report.yaml``, or the file itself."""
    if source.is_dir():
        candidate = source / CONFIG_NAME
        if not candidate.is_file():
            raise BriefingError(f"no {CONFIG_NAME} in the folder {source.resolve()}; create "
                                "one (see README, 'Source format') or run 'briefing init'",
                                path=source)
        return candidate.resolve()
    if source.is_file():
        return source.resolve()
    raise BriefingError(f"no such file or folder ({source.resolve()}); give a report folder "
                        "or its report.yaml", path=source)


def load_config(source: Path, root: Path | None = None, edition: str | None = None) -> Config:
    """Read and validate the report's yaml; raise with every problem found.

    ``root``: the folder files may be read from (default: the report folder itself).
    ``edition``: one of the yaml's ``editions:``, whose overrides apply (editions.py); every
    edition's overrides are validated whichever is asked for.
    """
    path = find_config(source)
    root = (root or path.parent).resolve()
    data, lines, cols = read_yaml(path)
    diags = Diagnostics()
    editions = _edition_overrides(path, data.pop(EDITIONS_KEY, None), lines, diags)
    values = _validate(path, root, data, lines, cols, diags)
    chosen: dict[str, Any] = {}
    for name, overrides in editions.items():
        ctx = _Context(path, root, _under(lines, name), _under(cols, name), diags)
        found, ignored = _read_keys(ctx, overrides)
        for key in ignored:
            ctx.key = key
            ctx.error(f"'{key}' means nothing for a briefing PDF; an edition overrides "
                      "briefing's keys (see the README's table of keys)")
        if name == edition:
            chosen = found
            lines, cols = {**lines, **ctx.lines}, {**cols, **ctx.cols}
    if edition is not None and edition not in editions:
        have = ", ".join(editions) or "none"
        diags.error(f"no edition '{edition}' in {path.name} (its editions: {have})", path,
                    lines.get(EDITIONS_KEY, 1))
    values.update(chosen)
    _check_together(path, values, lines, diags)
    diags.raise_if_errors()
    return Config(path=path, root=root, lines=lines, cols=cols, notes=tuple(diags.items),
                  edition=edition or "", editions=tuple(editions), **values)


def _under(positions: dict[str, int], edition: str) -> dict[str, int]:
    """The positions of one edition's keys (read_yaml files them as editions.NAME.KEY)."""
    prefix = f"{EDITIONS_KEY}.{edition}."
    return {k[len(prefix):]: v for k, v in positions.items() if k.startswith(prefix)}


def _edition_overrides(path: Path, value: Any, lines: dict[str, int],
                       diags: Diagnostics) -> dict[str, dict[str, Any]]:
    """``editions: {draft: {watermark: DRAFT}, public: {…}}``, names checked."""
    if value is None:
        return {}
    line = lines.get(EDITIONS_KEY, 1)
    if not isinstance(value, dict) or not value:
        diags.error("'editions' must name each edition and what it changes, for example "
                    "'editions: {draft: {watermark: DRAFT}, public: {}}'", path, line)
        return {}
    out: dict[str, dict[str, Any]] = {}
    for name, overrides in value.items():
        where = lines.get(f"{EDITIONS_KEY}.{name}", line)
        if not isinstance(name, str) or not _EDITION_NAME.match(name):
            diags.error(f"edition name {name!r}: use lower-case letters, digits and hyphens "
                        "(it is part of the file name: build/<name>-<edition>.pdf)", path,
                        where)
            continue
        if overrides is None:
            overrides = {}
        if not isinstance(overrides, dict):
            diags.error(f"edition '{name}' must be a mapping of keys to values (or empty)",
                        path, where)
            continue
        if EDITIONS_KEY in overrides:
            diags.error(f"edition '{name}' cannot define editions of its own", path,
                        lines.get(f"{EDITIONS_KEY}.{name}.{EDITIONS_KEY}", where))
            continue
        out[name] = overrides
    return out


def _check_together(path: Path, values: dict[str, Any], lines: dict[str, int],
                    diags: Diagnostics) -> None:
    """Keys that only mean something together."""
    if values.get("attach_sources") and values.get("pdf_standard", "pdf/ua-1") != "pdf/a-3a":
        diags.error("'attach-sources' needs 'pdf-standard: a-3a' (only PDF/A-3 may carry "
                    "the sources; PDF/A-2 forbids attachments)", path,
                    lines.get("attach-sources", 1))
    if values.get("distribution") is not None:
        from .copies import read_recipients

        values["recipients"] = read_recipients(values["distribution"], diags)


class ExplainedYAMLError(yaml.MarkedYAMLError):
    """A YAML error whose message is briefing's own, saying what to do (printed as it is)."""


class NoAliasLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: a few lines of aliases can expand to gigabytes."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in stubs
            raise ExplainedYAMLError(None, None, "aliases (*name) are not allowed in "
                                       "report.yaml; write the value out", event.start_mark)
        return super().compose_node(parent, index)

    def construct_checked_timestamp(self, node: yaml.ScalarNode) -> Any:
        """A date YAML recognises but the calendar does not (2012-13-45) is an error at its
        place, not a crash."""
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise ExplainedYAMLError(None, None, f"'{node.value}' is not a real date; write "
                                       "it as YYYY-MM-DD (month 1-12, a day the month has) or "
                                       "in quotes to show it as written",
                                       node.start_mark) from None


NoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp",
                              NoAliasLoader.construct_checked_timestamp)


def _regular_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


#: PyYAML's words for a syntax error, and what they mean to someone writing report.yaml
_YAML_ADVICE = (
    ("found unexpected end of stream", "a quotation mark is opened and never closed; close it "
     "on the line where it opens"),
    ("but found '<block sequence start>'", "a list item ('- …') is indented differently from "
     "the items above it; line the dashes up"),
    ("but found '<block mapping start>'", "a key is indented differently from the keys above "
     "it; line them up (two spaces for a key inside another)"),
    ("mapping values are not allowed here", "a second ': ' on one line; put the value in "
     "quotes (title: \"Kazakhstan: a briefing\")"),
    ("that cannot start any token", "a tab or another character YAML cannot start a value "
     "with; indent with spaces, and put a value starting with @, ` or % in quotes"),
    ("expected ',' or ']'", "a list in [ ] is not closed, or an item holds ': '; close it or "
     "put the item in quotes"),
    ("expected ',' or '}'", "a mapping in { } is not closed, or a value holds ': '; close it "
     "or put the value in quotes"),
)
_QUOTED_START = re.compile(r"^\s*(?:-\s+)?[\w-]+:\s+([\"'])(.*?)\s*(?:#.*)?$")


def yaml_syntax_error(exc: yaml.MarkedYAMLError, text: str, path: Path) -> Diagnostic:
    """A YAML syntax error where the mistake most likely is, in words: PyYAML reports where
    it noticed, often lines later (a quotation mark never closed shows up at the next key)."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    problem = str(exc.problem or exc.context or "")
    if isinstance(exc, ExplainedYAMLError):
        return Diagnostic("error", f"YAML syntax: {problem}", path, line, col)
    for number, source in enumerate(text.split("\n")[:line or None], start=1):
        quoted = _QUOTED_START.match(source)
        if quoted and not _closes(quoted.group(2), quoted.group(1)):
            return Diagnostic("error", "YAML syntax: this value opens a quotation mark "
                              f"({quoted.group(1)}) it never closes; close it at the end of "
                              "the value, or write the value without quotes"
                              + (" (an apostrophe inside '…' is written twice: 'It''s')"
                                 if quoted.group(1) == "'" else ""),
                              path, number, source.index(quoted.group(1)) + 1)
    advice = next((words for key, words in _YAML_ADVICE if key in problem),
                  "check the indentation, quotation marks and colons on this line and the "
                  "one above")
    return Diagnostic("error", f"YAML syntax: {advice} (YAML says: {problem})", path, line,
                      col)


def _closes(rest: str, mark: str) -> bool:
    """Whether a value that opened with ``mark`` closes it on its line."""
    if mark == "'":
        return rest.replace("''", "").endswith("'")
    return re.sub(r'\\.', "", rest).endswith('"')


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, int], dict[str, int]]:
    """The yaml's mapping, and each top-level key's line and column."""
    diags = Diagnostics()
    text = read_text(path, MAX_YAML_BYTES, diags, what="report.yaml")
    diags.raise_if_errors()
    assert text is not None
    try:
        node = yaml.compose(text, Loader=NoAliasLoader)
        data = NoAliasLoader(text).get_single_data() if node is not None else None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise BriefingError(f"character U+{exc.character:04X} is not allowed in YAML; delete "
                            "it", path=path, line=line) from None
    except yaml.MarkedYAMLError as exc:
        raise BriefingError([yaml_syntax_error(exc, text, path)]) from None
    except (RecursionError, yaml.YAMLError) as exc:
        raise BriefingError(f"YAML: {exc.__class__.__name__}: nested too deep or malformed",
                            path=path, line=1) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value no constructor can make
        raise BriefingError(f"YAML: a value cannot be read ({exc}); put it in quotes",
                            path=path, line=1) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BriefingError("report.yaml must be a mapping of keys to values "
                            "(for example 'title: Kazakhstan')", path=path, line=1)
    lines: dict[str, int] = {}
    cols: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            lines[str(key_node.value)] = key_node.start_mark.line + 1
            cols[str(key_node.value)] = key_node.start_mark.column + 1
            if key_node.value == EDITIONS_KEY:
                _nested_positions(value_node, EDITIONS_KEY, 2, lines, cols)
    return data, lines, cols


def _nested_positions(node: Any, prefix: str, depth: int, lines: dict[str, int],
                      cols: dict[str, int]) -> None:
    """Positions of keys inside a mapping, filed as ``prefix.key`` (editions.draft.title)."""
    if depth == 0 or not isinstance(node, yaml.MappingNode):
        return
    for key_node, value_node in node.value:
        name = f"{prefix}.{key_node.value}"
        lines[name] = key_node.start_mark.line + 1
        cols[name] = key_node.start_mark.column + 1
        _nested_positions(value_node, name, depth - 1, lines, cols)


def _read_keys(ctx: _Context, data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Each key's validated value (by Config field), and the ignored pandoc keys met."""
    out: dict[str, Any] = {}
    ignored = []
    for name, value in data.items():
        key = _BY_NAME.get(str(name))
        ctx.key = str(name)
        if key is None:
            if str(name) in IGNORED:
                ignored.append(str(name))
            else:
                close = difflib.get_close_matches(str(name), sorted(_BY_NAME), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else \
                    " (see the README's table of keys)"
                ctx.error(f"unknown key '{name}'{hint}")
            continue
        result = key.validate(value, ctx)
        if result is not None and key.attr == "crossref_prefixes":
            out[key.attr] = out.get(key.attr, ()) + result
        elif result is not None:
            out[key.attr] = result
    return out, ignored


def _validate(path: Path, root: Path, data: dict[str, Any], lines: dict[str, int],
              cols: dict[str, int], diags: Diagnostics) -> dict[str, Any]:
    ctx = _Context(path, root, lines, cols, diags)
    out, ignored = _read_keys(ctx, data)
    if ignored:
        first = min(lines.get(n, 1) for n in ignored)
        diags.note(f"ignored, they mean nothing for a briefing PDF: {', '.join(ignored)}",
                   path, first)
    if not out.get("title"):
        diags.error("'title' is required: the briefing's title, shown on the cover",
                    path, lines.get("title", 1))
    if "sections" not in data:  # regular files only: not a folder, pipe or device named *.md
        found = tuple(sorted(p.resolve() for p in path.parent.glob("*.md")
                             if _regular_file(p) and (
                                 p.resolve().is_relative_to(path.parent.resolve())
                                 or p.resolve().is_relative_to(root))))
        if not found:
            diags.error("no sections: list Markdown files under 'sections:' or put *.md "
                        "files beside report.yaml", path, 1)
        out["sections"] = found
    known = {f.name for f in fields(Config)}
    return {k: v for k, v in out.items() if k in known}
