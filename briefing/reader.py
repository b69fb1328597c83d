"""Stage 2: the Markdown sections -> pandoc's document tree, with where everything was written.

In: the section files (``sources.Section``). Out: a :class:`Document`: one pandoc tree per
section, exactly as ``pandoc --from=markdown`` reads it (pandoc's Markdown with all its default
extensions: citations, footnotes, fenced divs, attributes, definition lists, tables, smart
punctuation, …), and typed records of the elements later stages report on — citations, notes,
headings, links and images, raw HTML or TeX, identifiers — each with the file, line and column
it was written at (``locate.py``).

Each section is read on its own (``read.lua``: one pandoc process reads several sections, each
as pandoc reads a file), cached by its text (``cache.py``), so editing one section re-reads only
that one; uncached sections are shared among one pandoc process per processor. Heading
identifiers are made unique across sections, as pandoc does when it reads several files as one
document.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from . import cache, pandoc
from .charts import is_chart
from .crossref import is_label
from .errors import Diagnostic, EngineError
from .limits import screen_markdown
from .locate import Locator, Place
from .pandoc import TooCostly
from .sources import Section
from .tree import Attr, Node, attr_of, children, stringify, table_rows

#: the reader: pandoc's own Markdown, every default extension on (what a pandoc user's files
#: expect), several texts per pandoc process
READER = "read.lua"
#: class of the Div that holds one section file in the joined tree
SECTION_CLASS = "briefing-section"


@dataclass(frozen=True)
class CiteRecord:
    """A citation as written: ``[see @a, 12; @b]`` or ``@a [p. 3]``."""

    keys: tuple[str, ...]
    places: tuple[Place, ...]  #: where each key was written
    in_note: bool  #: inside one of the author's own footnotes
    author_in_text: bool  #: ``@key`` in running text
    crossref: bool = False  #: ``@fig:map``: a reference to a figure, table or section


@dataclass(frozen=True)
class NoteRecord:
    """One of the author's footnotes (``^[…]`` or ``[^label]``)."""

    place: Place  #: where its text is written
    label: str | None  #: the label of a ``[^label]`` note
    chars: int = 0  #: length of its text (before citations are formatted)


@dataclass(frozen=True)
class HeadingRecord:
    level: int
    id: str
    text: str  #: plain text, notes left out
    classes: tuple[str, ...]
    place: Place


@dataclass(frozen=True)
class TargetRecord:
    """A link or an image."""

    kind: str  #: "link" or "image"
    target: str
    text: str  #: the link text or the image's description
    place: Place


@dataclass(frozen=True)
class RawRecord:
    """Raw HTML or TeX the author wrote (pandoc keeps it; briefing never renders it)."""

    format: str
    text: str
    block: bool
    place: Place


@dataclass(frozen=True)
class BlockRecord:
    """A block worth checking: a table (rows × columns), a div, a code block."""

    kind: str
    attr: Attr
    place: Place
    rows: int = 0
    columns: int = 0


@dataclass
class SectionTree:
    """One section file as pandoc read it."""

    path: Path
    blocks: list[Node]
    meta: dict[str, Any]  #: a YAML block at the top of the file, as pandoc metadata
    kind: str = "section"  #: "section", or "abstract" (report.yaml's executive summary)


@dataclass
class Document:
    """Every section's tree and the located records, in document order."""

    sections: list[SectionTree]
    cites: list[CiteRecord] = field(default_factory=list)
    notes: list[NoteRecord] = field(default_factory=list)
    headings: list[HeadingRecord] = field(default_factory=list)
    targets: list[TargetRecord] = field(default_factory=list)
    raws: list[RawRecord] = field(default_factory=list)
    blocks: list[BlockRecord] = field(default_factory=list)
    identifiers: dict[str, Place] = field(default_factory=dict)  #: every id -> its place
    duplicate_ids: list[tuple[str, Place]] = field(default_factory=list)
    max_depth: int = 0  #: deepest nesting of blocks (lists, quotations, divs)
    max_depth_place: Place | None = None
    problems: list[Diagnostic] = field(default_factory=list)  #: found while reading
    charts: list[tuple[Node, Place]] = field(default_factory=list)  #: ```{.chart} blocks
    skipped: set[Path] = field(default_factory=set)  #: sections refused before or by pandoc

    def joined(self) -> list[Node]:
        """All sections as one list of blocks, each section in a Div of its own (no paths
        in it: the citation cache must not depend on where the folder is), note numbers
        counted through the whole document as pandoc counts them in one file."""
        blocks = [{"t": "Div", "c": [["", [SECTION_CLASS] + ([s.kind] if s.kind != "section"
                                                             else []), []], s.blocks]}
                  for s in self.sections]
        number_citations(blocks)
        return blocks


def number_citations(blocks: list[Node]) -> None:
    """Set every citation's ``citationNoteNum`` as pandoc's Markdown reader does for one
    document (Readers/Markdown.hs: ``note``, ``inlineNote``, ``cite``): each note and each
    citation outside a note takes the next number; a citation inside a note takes the note's.
    Each section was read on its own, so its numbers started again at 1; citeproc's positions
    (ibid., OSCOLA's "(n 4)") need the whole document's."""
    counter = 0
    stack: list[tuple[Node, int]] = [(b, 0) for b in reversed(blocks)]
    while stack:
        node, note = stack.pop()
        kind = node["t"]
        if kind == "Note" and not note:
            counter += 1
            stack.extend((child, counter) for child in reversed(node["c"]))
            continue
        if kind == "Cite":
            if not note:
                counter += 1
            for citation in node["c"][0]:
                citation["citationNoteNum"] = note or counter
            continue
        stack.extend((child, note) for child in reversed(list(children(node)))
                     if child["t"] not in _LEAVES)


def read_document(sections: list[Section]) -> Document:
    """Read every section with pandoc (cached, in parallel) and locate its elements.

    A section that would make pandoc run away (``limits.screen_markdown``), or that pandoc
    gives up on at its heap or time limit, is reported at its place and read as empty.
    """
    problems: list[Diagnostic] = []
    texts = []
    for section in sections:
        found = screen_markdown(section.text, section.path, section.first_line)
        problems.extend(found)
        texts.append("" if found else section.text)
    trees: list[dict[str, Any]] = []
    for section, read in zip(sections, _read_all(texts), strict=True):
        if isinstance(read, TooCostly):
            message = read.diagnostics[0].message
            line = re.search(r"\(line (\d+), column (\d+)\)", message)
            problems.append(Diagnostic("error", message, section.path,
                                       section.first_line + int(line.group(1)) - 1 if line
                                       else section.first_line,
                                       int(line.group(2)) if line else None))
        trees.append(_EMPTY if isinstance(read, TooCostly) else read)
    skipped = {p.path for p in problems if p.path}  # read as empty: nothing to locate
    document = Document(sections=[SectionTree(s.path, t["blocks"], t["meta"], s.kind)
                                  for s, t in zip(sections, trees, strict=True)])
    document.problems.extend(problems)
    document.skipped = skipped
    taken: set[str] = set()
    for section, tree in zip(sections, document.sections, strict=True):
        if section.path in skipped:
            continue
        locator = Locator(section.path, section.text, section.first_line)
        _Collector(document, locator, taken).collect(tree.blocks)
        _footnote_labels(locator, document.problems)
    return document


def _footnote_labels(locator: Locator, problems: list[Diagnostic]) -> None:
    """pandoc prints a call without a definition as text, and drops a definition never
    called: both silently. Say so."""
    for pos, label in locator.undefined:
        place = locator.place(pos)
        problems.append(Diagnostic(
            "error", f"footnote '{label}' is used but never defined; add '[^{label}]: …' or "
                     "remove the mark", place.path, place.line, place.col))
    for pos, label in locator.unused:
        place = locator.place(pos)
        problems.append(Diagnostic(
            "warning", f"footnote '{label}' is defined but never used; call it with "
                       f"[^{label}] or delete it", place.path, place.line, place.col))


_EMPTY: dict[str, Any] = {"blocks": [], "meta": {}}


def read_markdown(text: str) -> dict[str, Any]:
    """One Markdown text (report.yaml's acknowledgement) as pandoc's tree, cached."""
    tree = _read_all([text])[0]
    if isinstance(tree, TooCostly):
        raise tree
    return tree


def _read_all(texts: list[str]) -> list[dict[str, Any] | TooCostly]:
    """Each text's tree: from the cache, or read by pandoc (the uncached ones in as many
    pandoc processes as there are processors, each reading a share of them)."""
    reader_text = (resources.files("briefing") / READER).read_text(encoding="utf-8")
    keys = [cache.digest("markdown", pandoc.pandoc_version(), reader_text, t) for t in texts]
    found: list[dict[str, Any] | TooCostly | None] = [cache.get("read", k) for k in keys]
    missing = [i for i, tree in enumerate(found) if tree is None]
    if missing:
        shares = min(len(missing), os.cpu_count() or 1)
        chunks = [missing[n::shares] for n in range(shares)]
        with ThreadPoolExecutor(max_workers=shares) as pool:
            for chunk, trees in zip(chunks, pool.map(
                    lambda chunk: _read_several([texts[i] for i in chunk]), chunks),
                    strict=True):
                for i, tree in zip(chunk, trees, strict=True):
                    found[i] = tree
                    if not isinstance(tree, TooCostly):
                        cache.put("read", keys[i], tree)
    return [t for t in found if t is not None]


def _read_several(texts: list[str]) -> list[dict[str, Any] | TooCostly]:
    """Several texts read by one pandoc process (``read.lua``), each as pandoc reads a file;
    if pandoc gives up on the lot, each text again on its own, to find the one at fault."""
    try:
        with resources.as_file(resources.files("briefing") / READER) as reader:
            tree = pandoc.run_json([f"--from={reader}"], json.dumps(texts, ensure_ascii=False))
    except (TooCostly, EngineError) as exc:
        if len(texts) > 1:
            return [result for text in texts for result in _read_several([text])]
        if isinstance(exc, TooCostly):  # this section's problem, reported with its path
            return [exc]
        # pandoc's Markdown reader fails only on a bad YAML block
        detail = exc.diagnostics[0].message.removeprefix("pandoc failed: ")
        return [TooCostly(f"pandoc cannot read this section: {' '.join(detail.split())}")]
    metas = tree["meta"].get("sections", {"c": []})["c"]
    return [{"blocks": div["c"][1], "meta": meta.get("c", {}) if meta.get("t") == "MetaMap"
             else {}} for div, meta in zip(tree["blocks"], metas, strict=True)]


_CHART_FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[ \t]*\{?[^\n]*\bchart\b", re.M)
_LEAVES = frozenset({"Str", "Space", "SoftBreak", "LineBreak", "Code", "Math"})


@dataclass
class _Context:
    region: str = ""  #: "" the body, else the label of the note being read
    in_note: bool = False
    depth: int = 0


class _Collector:
    """Walks one section's tree in document order, recording and locating elements."""

    def __init__(self, document: Document, locator: Locator, taken: set[str]) -> None:
        self.doc, self.loc, self.taken = document, locator, taken
        self.next_marker = 0
        self.unclosed: dict[int, str] = {}  #: Cite nodes after a '[' pandoc left as text
        self._handlers = {name[4:]: getattr(self, name) for name in dir(self)
                          if name.startswith("_on_")}


    def collect(self, blocks: list[Node]) -> None:
        stack: list[tuple[Node, _Context]] = [(b, _Context()) for b in reversed(blocks)]
        while stack:
            node, ctx = stack.pop()
            inner = self._visit(node, ctx)
            # words and spaces are most of a tree and hold nothing to record: never pushed
            stack.extend((child, inner) for child in reversed(list(children(node)))
                         if child["t"] not in _LEAVES)

    def _visit(self, node: Node, ctx: _Context) -> _Context:
        kind = node["t"]
        handler = self._handlers.get(kind)
        inner: _Context = handler(node, ctx) if handler else ctx
        if kind in ("BlockQuote", "BulletList", "OrderedList", "Div", "DefinitionList"):
            inner = _Context(inner.region, inner.in_note, inner.depth + 1)
            if inner.depth > self.doc.max_depth:
                self.doc.max_depth = inner.depth
                self.doc.max_depth_place = self.loc.last(ctx.region)
        return inner

    def _on_Cite(self, node: Node, ctx: _Context) -> _Context:  # noqa: N802
        citations = node["c"][0]
        keys = tuple(c["citationId"] for c in citations)
        places = tuple(self.loc.find_key(k, ctx.region) for k in keys)
        intext = citations[0]["citationMode"]["t"] == "AuthorInText"
        self.doc.cites.append(CiteRecord(keys, places, ctx.in_note, intext,
                                         any(is_label(k) for k in keys)))
        problem = self.unclosed.get(id(node))
        if problem and places:
            message = (f"'[@{keys[0]}][@…]': two bracketed citations written together are "
                       "read as text; write them in one bracket ([@a; @b]) or put a space "
                       "between them" if problem == "glued" else
                       "citation bracket is not closed: add ']' after the citation")
            self.doc.problems.append(Diagnostic("error", message, places[0].path,
                                                places[0].line, places[0].col))
        return ctx

    def _on_Para(self, node: Node, ctx: _Context) -> _Context:  # noqa: N802
        """Brackets pandoc did not read as a citation, though the author meant one.

        ``[see @a, 12`` without its ']': '[see' is text and @a a citation in the running text.
        ``[@a][@b]`` (two citations written together) reads as '[', @a in the text, ']', @b.
        """
        inlines = node["c"]
        if not any(child["t"] == "Cite" for child in inlines):
            return ctx
        opened: Node | None = None
        for n, child in enumerate(inlines):
            after = inlines[n + 1] if n + 1 < len(inlines) else None
            if child["t"] == "Cite" and opened is not None:
                glued = (opened["c"].endswith("[") and after is not None
                         and after["t"] == "Str" and after["c"].startswith("]"))
                self.unclosed[id(child)] = "glued" if glued else "open"
                opened = None
            elif child["t"] == "Str" and child["c"].count("[") > child["c"].count("]"):
                opened = child
            elif child["t"] == "Str" and "]" in child["c"]:
                opened = None
        return ctx

    _on_Plain = _on_Para

    def _on_Note(self, node: Node, ctx: _Context) -> _Context:  # noqa: N802
        if ctx.in_note:
            return ctx
        label: str | None = None
        place = self.loc.last(ctx.region)
        if self.next_marker < len(self.loc.markers):
            pos, label = self.loc.markers[self.next_marker]
            self.next_marker += 1
            start = self.loc.definitions.get(label or "", (pos, pos))[0]
            place = self.loc.place(start if label else pos)
        chars = len(stringify(node["c"], notes=True))
        self.doc.notes.append(NoteRecord(place, label, chars))
        region = label if label and label in self.loc.definitions else ctx.region
        return _Context(region, True, ctx.depth)

    def _on_Header(self, node: Node, ctx: _Context) -> _Context:  # noqa: N802
        level, attr_raw, inlines = node["c"]
        attr = Attr.of(attr_raw)
        place = self.loc.find_heading(ctx.region)
        ident = self._unique(attr.id, node, place) if attr.id else ""
        self.doc.headings.append(HeadingRecord(level, ident, stringify(inlines), attr.classes,
                                               place))
        return ctx

    def _unique(self, ident: str, node: Node, place: Place) -> str:
        """pandoc's rule for several files read as one: a repeated id gets -1, -2, …"""
        if ident in self.taken:
            if "{#" + ident in self.loc.text:  # an explicit id written twice: the author's
                self.doc.duplicate_ids.append((ident, place))
                return ident
            n = 1
            while f"{ident}-{n}" in self.taken:
                n += 1
            ident = f"{ident}-{n}"
            node["c"][1][0] = ident
        self.taken.add(ident)
        self.doc.identifiers.setdefault(ident, place)
        return ident

    def _on_Link(self, node: Node, ctx: _Context) -> _Context:  # noqa: N802
        return self._target("link", node, ctx)

    def _on_Image(self, node: Node, ctx: _Context) -> _Context:  # noqa: N802
        return self._target("image", node, ctx)

    def _target(self, kind: str, node: Node, ctx: _Context) -> _Context:
        target = node["c"][2][0]
        place = self.loc.find_target(target, ctx.region) if target \
            else self.loc.last(ctx.region)
        self.doc.targets.append(TargetRecord(kind, target, stringify(node["c"][1]), place))
        self._identifier(node, place)
        return ctx

    def _on_RawInline(self, node: Node, ctx: _Context) -> _Context:  # noqa: N802
        return self._raw(node, ctx, block=False)

    def _on_RawBlock(self, node: Node, ctx: _Context) -> _Context:  # noqa: N802
        return self._raw(node, ctx, block=True)

    def _raw(self, node: Node, ctx: _Context, block: bool) -> _Context:
        fmt, text = node["c"]
        first = text.strip().split("\n", 1)[0][:80]
        place = self.loc.find_text(first, ctx.region, "raw", in_code=block) if first \
            else self.loc.last(ctx.region)
        self.doc.raws.append(RawRecord(fmt, text, block, place))
        return ctx

    def _on_Div(self, node: Node, ctx: _Context) -> _Context:  # noqa: N802
        place = self.loc.find_div(ctx.region)
        self.doc.blocks.append(BlockRecord("div", attr_of(node), place))
        self._identifier(node, place)
        return ctx

    def _on_Span(self, node: Node, ctx: _Context) -> _Context:  # noqa: N802
        ident = attr_of(node).id
        place = self.loc.find_id(ident, ctx.region) if ident else self.loc.last(ctx.region)
        self._identifier(node, place)
        return ctx

    def _on_CodeBlock(self, node: Node, ctx: _Context) -> _Context:  # noqa: N802
        if is_chart(node):
            place = self.loc.find(_CHART_FENCE, ctx.region, "chart", in_code=True)
            self.doc.charts.append((node, place))
            return ctx
        place = self.loc.last(ctx.region)
        self.doc.blocks.append(BlockRecord("code", attr_of(node), place))
        self._identifier(node, place)
        return ctx

    def _on_Figure(self, node: Node, ctx: _Context) -> _Context:  # noqa: N802
        ident = attr_of(node).id
        self._identifier(node, self.loc.find_id(ident, ctx.region) if ident
                         else self.loc.last(ctx.region))
        return ctx

    def _on_Table(self, node: Node, ctx: _Context) -> _Context:  # noqa: N802
        _attr, _caption, specs, head, bodies, foot = node["c"]
        place = self.loc.find_table(ctx.region)
        rows = len(table_rows(head, bodies, foot))
        self.doc.blocks.append(BlockRecord("table", attr_of(node), place, rows, len(specs)))
        self._identifier(node, place)
        return ctx

    def _identifier(self, node: Node, place: Place) -> None:
        ident = attr_of(node).id
        if not ident:
            return
        if ident in self.doc.identifiers:
            self.doc.duplicate_ids.append((ident, place))
        else:
            self.doc.identifiers[ident] = place
        self.taken.add(ident)


def iter_blocks(blocks: list[Node]) -> Iterator[Node]:
    """Top-level blocks, with each section's Div opened (for writers that want sections)."""
    for block in blocks:
        if block["t"] == "Div" and SECTION_CLASS in attr_of(block).classes:
            yield from block["c"][1]
        else:
            yield block
