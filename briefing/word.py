"""The Word edition: a .docx for partners who review in Word, written by pandoc's docx writer.

In: the :class:`~briefing.builders.Briefing`, whose citeproc tree (``Cited.blocks``) is the one
the PDF and the web page are written from. Out: ``build/<name>.docx`` with real Word footnotes
(citeproc's notes and the author's are pandoc ``Note`` elements, which the docx writer makes
footnotes), headings in Word's Heading styles, the reference list (Bibliography style) under
its heading, tables, figures with captions, and the cover fields (Title, Subtitle, Author,
Date; subject and keywords in the file's properties), in the house fonts and colours of the
reference document ``styles/reference.docx`` (made by ``tools/make_reference_docx.py``).

What the HTML writer does for the PDF is done here on a copy of the tree before pandoc sees
it: quotation marks of the briefing's language, a comma between two note calls in a row,
math as the PDF shows it (pandoc reads back the HTML filters.lua made of it), raw HTML as
text, links with other schemes than http(s)/mailto as text, images embedded from the report
folder as data: URLs. pandoc then
runs with ``--sandbox``: it reads nothing but the tree and the reference document, so it cannot
fetch an image from the network or read a file outside the report folder.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
import shutil
import struct
import subprocess
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from . import pandoc
from .builders import Briefing, Output, image_data_url
from .config import DEFAULT_STYLES, Config
from .crossref import show_numbers
from .output import atomic_target
from .reader import SECTION_CLASS
from .templates import creation_date
from .tree import Node, attr_of, meta_value, stringify, text_inlines, walk
from .writer import is_call, link_allowed, quotes_for

REFERENCE_DOC = "reference.docx"
#: names each embedded image in pandoc's media bag (runs inside the sandboxed pandoc)
FILTER = "word.lua"
#: Word before 2016 and LibreOffice show no SVG without a bitmap copy; rsvg-convert makes one
RSVG = "rsvg-convert"
_PAGE_BREAKS = {r"\newpage", r"\pagebreak", r"\clearpage"}
_PAGE_BREAK_XML = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def write_docx(briefing: Briefing, target: Path) -> Output:
    """Write the Word file to ``target`` (atomically)."""
    start = time.perf_counter()
    config = briefing.config
    blocks = word_blocks(briefing)
    tree = {"pandoc-api-version": [*pandoc.API_VERSION, 1, 1], "meta": word_meta(config),
            "blocks": blocks}
    payload = json.dumps(tree, ensure_ascii=False, separators=(",", ":"))
    epoch = _epoch(config)
    with atomic_target(target) as tmp, \
            resources.as_file(resources.files("briefing") / FILTER) as lua:
        pandoc.run(["--from=json", "--to=docx", "--sandbox", f"--lua-filter={lua}",
                    f"--reference-doc={reference_doc(config)}", f"--output={tmp}"], payload,
                   env={"SOURCE_DATE_EPOCH": epoch} if epoch else None)
    notes = [stringify(n["c"]) for n in _notes(blocks)]
    refs = next((b for b in walk(blocks) if b["t"] == "Div" and attr_of(b).id == "refs"), None)
    keys = [attr_of(e).id.removeprefix("ref-") for e in refs["c"][1] if stringify([e])] \
        if refs else []
    return Output("docx", target, seconds=time.perf_counter() - start,
                  size=target.stat().st_size, notes=len(notes), sources=len(keys),
                  note_texts=notes, source_keys=keys)


def reference_doc(config: Config) -> Path:
    """reference.docx from the styles folder, else the house style's."""
    own = config.styles_dir / REFERENCE_DOC
    return own if own.is_file() else DEFAULT_STYLES / REFERENCE_DOC


def word_meta(config: Config) -> dict[str, Node]:
    """The cover fields pandoc's docx writer knows; the organisation reads as an author."""
    authors = list(dict.fromkeys(a for a in (*config.authors, config.organisation) if a))
    meta: dict[str, Node] = {"title": _inlines_meta(config.title), "lang": meta_value(config.lang)}
    if config.subtitle:
        meta["subtitle"] = _inlines_meta(config.subtitle)
    if authors:
        meta["author"] = {"t": "MetaList", "c": [_inlines_meta(a) for a in authors]}
    if config.date:
        meta["date"] = _inlines_meta(config.date)
    if config.subject or config.subtitle:
        meta["subject"] = meta_value(config.subject or config.subtitle)
    if config.keywords:
        meta["keywords"] = {"t": "MetaList", "c": [_inlines_meta(k) for k in config.keywords]}
    return meta


def _inlines_meta(text: str) -> Node:
    return {"t": "MetaInlines", "c": text_inlines(text)}


def _epoch(config: Config) -> str:
    """SOURCE_DATE_EPOCH for pandoc (the file's dates and zip times), as the PDF's date."""
    created = creation_date(config)
    if not created:
        return ""
    stamp = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return str(int(stamp.timestamp()))


# --- the tree pandoc gets ---------------------------------------------------------------------

def word_blocks(briefing: Briefing) -> list[Node]:
    """A copy of the cited tree, prepared for pandoc's docx writer."""
    config = briefing.config
    labels = config.labels
    blocks: list[Node] = json.loads(json.dumps(briefing.cited.blocks))  # never the shared one
    show_numbers(blocks, config.lang)  # Word's styles number nothing: the text carries them
    placed = any(b.kind == "div" and b.attr.id == "refs" for b in briefing.document.blocks)
    out: list[Node] = []
    for block in blocks:
        attr = attr_of(block)
        if block["t"] == "Div" and SECTION_CLASS in attr.classes and "abstract" in attr.classes:
            out.append(_header(1, labels["abstract"], "abstract"))
        elif block["t"] == "Div" and attr.id == "refs" and not placed:
            if not stringify([block]):
                continue  # suppress-bibliography, or a style without a list
            out.append(_header(1, labels["sources"], "references"))
        out.append(block)
    if briefing.acknowledgement:
        ack = json.loads(json.dumps(briefing.acknowledgement))
        out.append({"t": "Div", "c": [["acknowledgement", [], [["custom-style",
                                                                "Acknowledgement"]]], ack]})
    quotes = quotes_for(config.lang) if "local-quotes" in briefing.corrections else None
    return _Prepare(config, quotes, _pandoc_html(out)).blocks(out)


def _pandoc_html(blocks: list[Node]) -> dict[str, list[Node]]:
    """What filters.lua made of TeX math (pandoc's HTML: ``<em>x</em><sup>2</sup>``), read
    back by pandoc as inlines, so the Word file shows the math as the PDF does. One pandoc
    run for all of them, none when there is no math."""
    snippets = list(dict.fromkeys(n["c"][1] for n in walk(blocks)
                                  if n["t"] == "RawInline" and n["c"][0] == "briefing-html"))
    if not snippets:
        return {}
    tree = pandoc.run_json(["--from=html"], "".join(f"<p>{s}</p>\n" for s in snippets))
    read = [b["c"] for b in tree["blocks"] if b["t"] in ("Para", "Plain")]
    return dict(zip(snippets, read, strict=False)) if len(read) == len(snippets) else {}


def _header(level: int, text: str, ident: str) -> Node:
    return {"t": "Header", "c": [level, [ident, [], []], text_inlines(text)]}


class _Prepare:
    """One pass over the tree: what the docx writer would otherwise get wrong or fetch."""

    def __init__(self, config: Config, quotes: Any, html: dict[str, list[Node]]) -> None:
        self.config, self.quotes, self.html, self.depth = config, quotes, html, 0
        self.images = 0

    def blocks(self, nodes: list[Node]) -> list[Node]:
        out: list[Node] = []
        for node in nodes:
            out.extend(self.block(node))
        return out

    def block(self, node: Node) -> list[Node]:
        kind: str = node["t"]
        c: Any = node.get("c")
        if kind == "RawBlock":
            fmt, text = c
            if fmt in ("tex", "latex") and text.strip() in _PAGE_BREAKS:
                return [{"t": "RawBlock", "c": ["openxml", _PAGE_BREAK_XML]}]
            return [{"t": "Para", "c": [{"t": "Str", "c": text}]}] if fmt == "html" else []
        if kind in ("Plain", "Para"):
            return [{"t": kind, "c": self.inlines(c)}]
        if kind == "Header":
            return [{"t": kind, "c": [c[0], c[1], self.inlines(c[2])]}]
        self._recurse(node)
        return [node]

    def _recurse(self, node: Node) -> None:
        """Prepare the children of a block in place (lists, quotes, tables, figures, divs)."""
        kind: str = node["t"]
        c: Any = node.get("c")
        if kind == "BlockQuote":
            node["c"] = self.blocks(c)
        elif kind == "Div":
            c[1] = self.blocks(c[1])
        elif kind == "BulletList":
            node["c"] = [self.blocks(item) for item in c]
        elif kind == "OrderedList":
            c[1] = [self.blocks(item) for item in c[1]]
        elif kind == "DefinitionList":
            node["c"] = [[self.inlines(term), [self.blocks(d) for d in defs]]
                         for term, defs in c]
        elif kind == "LineBlock":
            node["c"] = [self.inlines(line) for line in c]
        elif kind == "Figure":
            c[1][1] = self.blocks(c[1][1])
            c[2] = self.blocks(c[2])
        elif kind == "Table":
            self._table(c)

    def _table(self, c: list[Any]) -> None:
        _attr, caption, _specs, head, bodies, foot = c
        caption[1] = self.blocks(caption[1])
        rows = list(head[1]) + [r for b in bodies for r in (*b[2], *b[3])] + list(foot[1])
        for row in rows:
            for cell in row[1]:
                cell[4] = self.blocks(cell[4])

    def inlines(self, nodes: list[Node]) -> list[Node]:
        out: list[Node] = []
        for node in nodes:
            if is_call(node) and out and is_call(out[-1]):
                # ¹,² and not ¹²: two calls in a row read as one number otherwise
                out.append({"t": "Superscript", "c": [{"t": "Str", "c": ","}]})
            out.extend(self.inline(node))
        return out

    def inline(self, node: Node) -> list[Node]:
        kind: str = node["t"]
        c: Any = node.get("c")
        if kind == "Quoted" and self.quotes is not None:
            return self._quoted(c)
        if kind == "RawInline":
            return self._raw(c)
        if kind == "Image":
            return self._image(node)
        if kind == "Link":
            c[1] = self.inlines(c[1])
            if not link_allowed(c[2][0]):
                return [{"t": "Span", "c": [c[0], c[1]]}]
            return [node]
        if kind == "Note":
            node["c"] = self.blocks(c)
        elif kind in ("Cite", "Span"):
            c[1] = self.inlines(c[1])
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript",
                      "SmallCaps"):
            node["c"] = self.inlines(c)
        return [node]

    def _image(self, node: Node) -> list[Node]:
        """The image's data, read from the report folder (or its description, in italics,
        when it cannot be read), named by its file; an SVG as a PNG where that can be made."""
        c = node["c"]
        c[1] = self.inlines(c[1])
        src: str = c[2][0]
        data = image_data_url(src, self.config)
        if data is None:
            return [{"t": "Emph", "c": c[1]}]
        name = Path(src).name if not src.startswith("data:") else "image"
        if data.startswith("data:image/svg+xml;"):
            png = svg_as_png(data)
            if png is not None:
                data, (width, height) = png
                name = str(Path(name).with_suffix(".png"))
                attrs = c[0][2]
                if not any(k in ("width", "height") for k, _ in attrs):
                    attrs += [["width", f"{width}px"], ["height", f"{height}px"]]
        self.images += 1
        c[0][2] = [*c[0][2], ["briefing-name", f"{self.images}-{name}"]]
        c[2][0] = data
        return [node]

    def _quoted(self, c: list[Any]) -> list[Node]:
        """The language's quotation marks, nested as the HTML writer nests them."""
        kind, inlines = c
        nested = (self.depth % 2 == 1) != (kind["t"] == "SingleQuote")
        open_, close = (self.quotes[2], self.quotes[3]) if nested else \
            (self.quotes[0], self.quotes[1])
        self.depth += 1
        try:
            inner = self.inlines(inlines)
        finally:
            self.depth -= 1
        return [{"t": "Str", "c": open_}, *inner, {"t": "Str", "c": close}]

    def _raw(self, c: list[str]) -> list[Node]:
        fmt, text = c
        if fmt == "briefing-html":
            plain = html.unescape(re.sub(r"<[^>]+>", "", text))
            return self.html.get(text, [{"t": "Str", "c": plain}])
        if fmt == "html":  # printed as text, as in the PDF
            return [{"t": "Str", "c": text}]
        return []


def svg_as_png(data_url: str) -> tuple[str, tuple[float, float]] | None:
    """An SVG (data: URL) drawn at twice its size as a PNG, and its size in CSS pixels; None
    without rsvg-convert. The SVG comes on standard input with no base address, so
    rsvg-convert loads nothing it refers to."""
    exe = shutil.which(RSVG)
    if exe is None:
        return None
    svg = base64.b64decode(data_url.split(",", 1)[1])
    try:
        done = subprocess.run([exe, "--zoom=2", "--format=png"], input=svg,
                              capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        return None
    png = done.stdout
    if done.returncode != 0 or png[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width, height = struct.unpack(">II", png[16:24])
    return ("data:image/png;base64," + base64.b64encode(png).decode("ascii"),
            (width / 2, height / 2))


def _notes(blocks: list[Node]) -> Iterator[Node]:
    """The notes Word will number: every Note, not those inside another (pandoc has none)."""
    return (n for n in walk(blocks, skip=lambda n: n["t"] == "Note") if n["t"] == "Note")
