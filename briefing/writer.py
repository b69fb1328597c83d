"""Stage 5: pandoc's tree (after citeproc) -> the HTML the house template and WeasyPrint take.

In: :class:`~briefing.citations.Cited` and the reading stage's records. Out: :class:`Written`:
the body HTML, every note as a :class:`Note` (numbered in reading order, with the source line
it came from), the headings for the contents page, and the reference list.

Every element of pandoc's tree has a rendering here, so whatever pandoc reads is printed as
pandoc means it. Notes are numbered here, not by CSS counters, so that call and note link to
each other in the PDF (WeasyPrint makes no links for ``float: footnote``): a note is an inline
``<span class="footnote">`` at its call, which WeasyPrint floats to the page foot. Raw HTML the
author wrote is printed as text, never rendered; only pandoc's own math HTML (``filters.lua``)
is trusted. All text and attribute values are escaped; of an element's attributes only the id,
the classes and ``lang`` are kept (an author's ``style=`` never reaches the CSS).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .citations import Cited
from .corrections import ALL
from .crossref import words_for
from .reader import SECTION_CLASS, Document
from .tree import Attr, Node, attr_of, stringify, walk

#: link schemes a reader's PDF viewer may open; anything else is printed as text
LINK_SCHEMES = ("http", "https", "mailto")
#: quotation marks as the CSL locales have them (primary open, close; secondary open, close)
QUOTES = {
    "en-US": "“”‘’", "en-GB": "‘’“”", "en": "“”‘’", "ru": "«»„“", "uk": "«»„“", "kk": "«»„“",
    "be": "«»„“", "ky": "«»„“", "uz": "«»„“", "tg": "«»„“", "hy": "«»„“", "de": "„“‚‘",
    "de-CH": "«»‹›", "fr": ["«\u00a0", "\u00a0»", "“", "”"], "nl": "‘’“”", "es": "«»“”",
    "it": "«»“”", "pl": "„”«»", "cs": "„“‚‘", "sv": "””’’", "fi": "””’’", "da": "»«›‹",
    "no": "«»‘’", "nb": "«»‘’", "pt": "“”‘’", "tr": "“”‘’", "ka": "„“‚‘",
}
_PAGE_BREAKS = {r"\newpage", r"\pagebreak", r"\clearpage"}
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# a note call and the character before it, when that is plain text
_CALL_RE = re.compile(r'(?<!<span class="fn-word">)([^\s<>;])(<a class="fn-call" [^>]*>\d+</a>)')
_SPACE_BEFORE_CALL = re.compile(r'[ \t]+(<a class="fn-call" )')


def float_note(number: int, kind: str, body: str) -> str:
    """The PDF's note: the call, then the note inline for WeasyPrint to float to the page foot.

    A call must start ``<a class="fn-call" `` and hold only its number: the writer keeps it
    with the character before it and parts two calls in a row by that shape.
    """
    return (f'<a class="fn-call" id="fnref-{number}" href="#fn-{number}">{number}</a>'
            f'<span class="footnote" id="fn-{number}" data-kind="{kind}">'
            f'<a class="fn-mark" href="#fnref-{number}">{number}</a> {body}</span>')


def keep_src(src: str) -> str | None:
    return src


@dataclass(frozen=True)
class Flavour:
    """What differs between the HTML outputs; the defaults are the PDF's.

    The web edition (``web.py``) renders the same tree with notes beside the text, headings
    one level down (the briefing's title is the page's only ``h1``) and images embedded.
    """

    note: Callable[[int, str, str], str] = float_note  #: (number, kind, body) -> markup
    heading_shift: int = 0  #: added to every heading level (at most h6)
    #: an image's src as the output refers to it; None: the image cannot be shown, its
    #: description is printed instead
    image_src: Callable[[str], str | None] = keep_src


PDF = Flavour()


@dataclass(frozen=True)
class Note:
    """One footnote as the reader sees it."""

    number: int
    html: str
    kind: str  #: "citation" (made by the style) or "author" (written in the Markdown)
    path: Path | None
    line: int | None
    keys: tuple[str, ...] = ()  #: the works it cites


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  #: plain text: no note calls, no markup
    id: str
    classes: tuple[str, ...] = ()
    path: Path | None = None
    line: int | None = None
    number: str = ""  #: "3.2", "Annex A" (with number-sections, or an annex)
    annex: bool = False  #: in the annexes printed after the reference list


@dataclass(frozen=True)
class Caption:
    """A numbered figure or table, for the lists of figures and tables."""

    id: str  #: the element's id ("" if it has none: it is then not listed with a link)
    number: str
    text: str


@dataclass(frozen=True)
class Entry:
    key: str
    html: str  #: one formatted reference-list entry


@dataclass
class Written:
    body: str
    abstract: str = ""  #: report.yaml's executive summary, rendered
    notes: list[Note] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    references: list[Entry] = field(default_factory=list)  #: in the style's order
    omitted: list[str] = field(default_factory=list)  #: keys the style gives no entry
    references_in_body: bool = False  #: the author placed ``::: {#refs}`` in the text
    figures: list[Caption] = field(default_factory=list)
    tables: list[Caption] = field(default_factory=list)
    annexes: str = ""  #: the annexes, when they go after the reference list
    acknowledgement: str = ""  #: report.yaml's donor acknowledgement, rendered (pipeline)


def quotes_for(lang: str) -> Any:
    """The quotation marks of ``lang`` (its region's, else its language's, else English)."""
    return QUOTES.get(lang) or QUOTES.get(lang.split("-")[0].lower()) or QUOTES["en-US"]


def write_html(cited: Cited, document: Document, lang: str,
               corrections: frozenset[str] = ALL, annexes_last: bool = False,
               flavour: Flavour | None = None) -> Written:
    """Render the whole document; notes numbered in reading order. ``annexes_last``: the
    annexes (from the first ``# Title {.annex}`` on) are kept apart, for after the sources.
    ``flavour``: how the output renders notes, headings and images (default: the PDF's)."""
    writer = _Writer(document, quotes_for(lang) if "local-quotes" in corrections
                     else None, words_for(lang), flavour or PDF)
    placed = any(b.kind == "div" and b.attr.id == "refs" for b in document.blocks)
    blocks = list(cited.blocks)
    refs_div = None
    if not placed and blocks and blocks[-1]["t"] == "Div" and attr_of(blocks[-1]).id == "refs":
        refs_div = blocks.pop()
    annexes = _split_annexes(blocks) if annexes_last else []
    body = writer.blocks(blocks)
    out = writer.result
    out.body = body
    writer.in_annexes = True
    out.annexes = writer.blocks(annexes)
    out.references_in_body = placed
    if refs_div is not None:
        out.references, out.omitted = writer.entries(refs_div)
    return out


class _Writer:
    """Renders nodes to HTML; keeps the notes, headings and the reading order's records."""

    def __init__(self, document: Document, quotes: Any | None, words: dict[str, Any],
                 flavour: Flavour) -> None:
        self.result = Written(body="")
        self.words = words
        self.flavour = flavour
        # references to figures and tables were resolved before citeproc: not citations
        self.cites = iter([c for c in document.cites if not c.crossref])
        self.author_notes = iter(document.notes)
        self.headings = iter(document.headings)
        self.quotes = quotes
        self.quote_depth = 0
        self.note_depth = 0
        self.note_keys: list[list[str]] = []  #: keys cited in each note being written
        self.in_annexes = False  #: writing the annexes that go after the reference list

    # --- blocks -----------------------------------------------------------------------------

    def blocks(self, nodes: list[Node]) -> str:
        return "".join(self.block(node) for node in nodes)

    def block(self, node: Node) -> str:
        render: Callable[[Any], str] = getattr(self, f"_b_{node['t']}", self._unknown)
        return render(node.get("c"))

    def _unknown(self, content: Any) -> str:
        return ""

    def _b_Plain(self, c: list[Node]) -> str:  # noqa: N802
        return self.inlines(c) + "\n"  # two Plain blocks in a row read as two words

    def _b_Para(self, c: list[Node]) -> str:  # noqa: N802
        return f"<p>{self.inlines(c)}</p>\n"

    def _b_LineBlock(self, c: list[list[Node]]) -> str:  # noqa: N802
        lines = "<br>".join(self.inlines(line) for line in c)
        return f'<div class="line-block">{lines}</div>\n'

    def _b_CodeBlock(self, c: list[Any]) -> str:  # noqa: N802
        attr = Attr.of(c[0])
        return f"<pre{_attrs(attr)}><code>{html.escape(c[1])}</code></pre>\n"

    def _b_RawBlock(self, c: list[str]) -> str:  # noqa: N802
        fmt, text = c
        if fmt in ("tex", "latex") and text.strip() in _PAGE_BREAKS:
            return '<div class="pagebreak"></div>\n'
        if fmt == "html":  # printed as text, never rendered (the checks say so)
            return f'<p class="raw">{html.escape(text)}</p>\n'
        return ""

    def _b_BlockQuote(self, c: list[Node]) -> str:  # noqa: N802
        return f"<blockquote>\n{self.blocks(c)}</blockquote>\n"

    def _b_OrderedList(self, c: list[Any]) -> str:  # noqa: N802
        (start, style, _delim), items = c
        kind = {"LowerAlpha": "a", "UpperAlpha": "A", "LowerRoman": "i",
                "UpperRoman": "I"}.get(style["t"], "")
        attrs = (f' start="{int(start)}"' if start != 1 else "") + \
            (f' type="{kind}"' if kind else "")
        return f"<ol{attrs}>\n{self._items(items)}</ol>\n"

    def _b_BulletList(self, c: list[list[Node]]) -> str:  # noqa: N802
        return f"<ul>\n{self._items(c)}</ul>\n"

    def _items(self, items: list[list[Node]]) -> str:
        return "".join(f"<li>{self._flow(item)}</li>\n" for item in items)

    def _flow(self, blocks: list[Node]) -> str:
        """A list item's or cell's content: one plain block is just its text."""
        if len(blocks) == 1 and blocks[0]["t"] == "Plain":
            return self.inlines(blocks[0]["c"])
        return self.blocks(blocks)

    def _b_DefinitionList(self, c: list[Any]) -> str:  # noqa: N802
        parts = []
        for term, definitions in c:
            parts.append(f"<dt>{self.inlines(term)}</dt>\n")
            parts.extend(f"<dd>{self._flow(d)}</dd>\n" for d in definitions)
        return f"<dl>\n{''.join(parts)}</dl>\n"

    def _b_Header(self, c: list[Any]) -> str:  # noqa: N802
        level, attr_raw, inlines = c
        attr = Attr.of(attr_raw)
        record = next(self.headings, None)
        text = stringify(inlines)
        number = attr.get("number")
        if number and "annex" in attr.classes:
            number = f"{self.words['annex']} {number}"
        self.result.headings.append(Heading(
            level, text, attr.id, attr.classes, record.place.path if record else None,
            record.place.line if record else None, number, self.in_annexes))
        title = html.escape(f"{number} {text}" if number else text, quote=True)
        label = f'<span class="secno">{html.escape(number)}</span> ' if number else ""
        tag = f"h{min(6, level + self.flavour.heading_shift)}"
        return (f"<{tag}{_attrs(attr)} data-title=\"{title}\">{label}"
                f"{self.inlines(inlines)}</{tag}>\n")

    def _b_HorizontalRule(self, c: None) -> str:  # noqa: N802
        return "<hr>\n"

    def _b_Table(self, c: list[Any]) -> str:  # noqa: N802
        attr_raw, caption, specs, head, bodies, foot = c
        attr = Attr.of(attr_raw)
        parts = [f'<div class="table-wrap"><table{_attrs(attr)}>\n']
        caption_html = self._caption(caption)
        number = attr.get("number")
        if caption_html:
            label = self._label("tbl", number, attr.id, caption)
            parts.append(f"<caption>{label}{caption_html}</caption>\n")
        widths = [s[1].get("c") for s in specs]
        if any(isinstance(w, int | float) for w in widths):
            cols = "".join(f'<col style="width: {w * 100:.1f}%">' if isinstance(w, int | float)
                           else "<col>" for w in widths)
            parts.append(f"<colgroup>{cols}</colgroup>\n")
        aligns = [s[0]["t"] for s in specs]
        if head[1]:
            parts.append(f"<thead>\n{self._rows(head[1], aligns, 'th')}</thead>\n")
        # the first body row of a table with a header, whose header repeats overleaf, says
        # what the table is for the running head of the pages it continues on
        first = f' data-continued="{self._continued(number)}"' if head[1] else ""
        for body in bodies:
            rows = self._rows(body[2] + body[3], aligns, "td", int(body[1]), first,
                              heads=len(body[2]))
            first = ""
            parts.append(f"<tbody>\n{rows}</tbody>\n")
        if foot[1]:
            parts.append(f"<tfoot>\n{self._rows(foot[1], aligns, 'td')}</tfoot>\n")
        # the end of the table, for the running head (styles/briefing.css: ``tablecont``)
        parts.append('</table><div class="table-end"></div></div>\n')
        return "".join(parts)

    def _continued(self, number: str) -> str:
        """" · Table 2 (continued)": the running head of the pages a table continues on."""
        word = self.words["caption"]["tbl"] + (f"\u00a0{number}" if number else "")
        return html.escape(f" · {word} ({self.words['continued']})", quote=True)

    def _label(self, kind: str, number: str, ident: str, caption: list[Any]) -> str:
        """"Figure 2." before a caption; the figure or table listed for the lists."""
        if not number:
            return ""
        listed = self.result.figures if kind == "fig" else self.result.tables
        listed.append(Caption(ident, number, stringify(caption[1])))
        word = html.escape(f"{self.words['caption'][kind]}\u00a0{number}.")
        return f'<span class="caption-label">{word}</span> '

    def _caption(self, caption: list[Any]) -> str:
        blocks = caption[1]
        return "".join(self.inlines(b["c"]) if b["t"] in ("Para", "Plain") else self.block(b)
                       for b in blocks)

    def _rows(self, rows: list[Any], aligns: list[str], tag: str, head_cols: int = 0,
              first: str = "", heads: int = 0) -> str:
        """The rows as HTML; the first ``heads`` of them header rows (``th``), and ``first``
        the first row's attributes."""
        out = []
        for index, row in enumerate(rows):
            cells = []
            for n, cell in enumerate(row[1]):
                _attr, align, rowspan, colspan, content = cell
                align = align["t"] if align["t"] != "AlignDefault" else \
                    (aligns[n] if n < len(aligns) else "AlignDefault")
                cell_tag = "th" if tag == "th" or index < heads or n < head_cols else "td"
                extra = (f' rowspan="{int(rowspan)}"' if rowspan > 1 else "") + \
                    (f' colspan="{int(colspan)}"' if colspan > 1 else "")
                cls = {"AlignLeft": "left", "AlignRight": "right",
                       "AlignCenter": "center"}.get(align)
                extra += f' class="{cls}"' if cls else ""
                cells.append(f"<{cell_tag}{extra}>{self._flow(content)}</{cell_tag}>")
            out.append(f"<tr{first if index == 0 else ''}>{''.join(cells)}</tr>\n")
        return "".join(out)

    def _b_Figure(self, c: list[Any]) -> str:  # noqa: N802
        attr_raw, caption, content = c
        attr = Attr.of(attr_raw)
        inner = self.blocks(content)
        caption_html = self._caption(caption)
        label = self._label("fig", attr.get("number"), attr.id, caption)
        source = attr.get("source") or next(
            (Attr.of(n["c"][0]).get("source") for n in walk(content) if n["t"] == "Image"), "")
        if source:
            caption_html += (f' <span class="source">{html.escape(self.words["source"])} '
                             f"{html.escape(source)}</span>")
        figcaption = f"<figcaption>{label}{caption_html}</figcaption>" if caption_html else ""
        return f"<figure{_attrs(attr)}>{inner}{figcaption}</figure>\n"

    def _b_Div(self, c: list[Any]) -> str:  # noqa: N802
        attr = Attr.of(c[0])
        if SECTION_CLASS in attr.classes and "abstract" in attr.classes:
            self.result.abstract = self.blocks(c[1])  # the template places it
            return ""
        if SECTION_CLASS in attr.classes:
            return self.blocks(c[1])
        if attr.id == "refs":
            entries, omitted = self.entries({"t": "Div", "c": c})
            self.result.references.extend(entries)
            self.result.omitted.extend(omitted)
            items = "".join(f'<div class="csl-entry" id="ref-{_id(e.key)}">{e.html}</div>\n'
                            for e in entries)
            return f'<div class="references" id="refs">\n{items}</div>\n'
        return f"<div{_attrs(attr)}>\n{self.blocks(c[1])}</div>\n"

    def entries(self, refs_div: Node) -> tuple[list[Entry], list[str]]:
        """The reference list's entries; the keys of entries the style leaves empty."""
        entries, omitted = [], []
        for child in refs_div["c"][1]:
            key = attr_of(child).id.removeprefix("ref-")
            content = child["c"][1] if child["t"] == "Div" else [child]
            text = " ".join(self.inlines(b["c"]) if b["t"] in ("Para", "Plain")
                            else self.block(b) for b in content).strip()
            if text:
                entries.append(Entry(key, text))
            else:
                omitted.append(key)
        return entries, omitted

    # --- inlines ----------------------------------------------------------------------------

    def inlines(self, nodes: list[Node]) -> str:
        parts: list[str] = []
        previous_call = False
        for node in nodes:
            call = is_call(node)
            if call and previous_call:
                parts.append('<span class="fn-sep">,</span>')  # two calls read as ¹⁰,¹¹
            parts.append(self.inline(node))
            previous_call = call
        out = _SPACE_BEFORE_CALL.sub(r"\1", "".join(parts))
        # a call never starts a line: it stays with the character before it ("media.¹"),
        # and only that character is held, so the word still hyphenates and justifies
        return _CALL_RE.sub(r'<span class="fn-word">\1\2</span>', out)

    def inline(self, node: Node) -> str:
        render: Callable[[Any], str] = getattr(self, f"_i_{node['t']}", self._unknown)
        return render(node.get("c"))

    def _i_Str(self, c: str) -> str:  # noqa: N802
        return html.escape(c, quote=False)

    def _i_Space(self, c: None) -> str:  # noqa: N802
        return " "

    _i_SoftBreak = _i_Space  # a line break in the source is a space (never a break in a note)

    def _i_LineBreak(self, c: None) -> str:  # noqa: N802
        return "<br>"

    def _wrap(self, tag: str, c: list[Node], cls: str = "") -> str:
        attrs = f' class="{cls}"' if cls else ""
        return f"<{tag}{attrs}>{self.inlines(c)}</{tag}>"

    def _i_Emph(self, c: list[Node]) -> str:  # noqa: N802
        return self._wrap("em", c)

    def _i_Strong(self, c: list[Node]) -> str:  # noqa: N802
        return self._wrap("strong", c)

    def _i_Underline(self, c: list[Node]) -> str:  # noqa: N802
        return self._wrap("u", c)

    def _i_Strikeout(self, c: list[Node]) -> str:  # noqa: N802
        return self._wrap("del", c)

    def _i_Superscript(self, c: list[Node]) -> str:  # noqa: N802
        return self._wrap("sup", c)

    def _i_Subscript(self, c: list[Node]) -> str:  # noqa: N802
        return self._wrap("sub", c)

    def _i_SmallCaps(self, c: list[Node]) -> str:  # noqa: N802
        return self._wrap("span", c, "smallcaps")

    def _i_Quoted(self, c: list[Any]) -> str:  # noqa: N802
        kind, inlines = c
        if self.quotes is None:  # pandoc's HTML writer: “double” and ‘single’, as typed
            open_, close = ("‘", "’") if kind["t"] == "SingleQuote" else ("“", "”")
        else:  # the locale's marks by depth, as citeproc does in the notes: the outer pair
            # primary, the pair inside it secondary ('peaceful "and" unarmed' in British English)
            nested = self.quote_depth % 2 == 1
            open_, close = (self.quotes[2], self.quotes[3]) if nested else \
                (self.quotes[0], self.quotes[1])
        self.quote_depth += 1
        try:
            return f"{open_}{self.inlines(inlines)}{close}"
        finally:
            self.quote_depth -= 1

    def _i_Cite(self, c: list[Any]) -> str:  # noqa: N802
        citations, content = c
        record = next(self.cites, None)
        keys = [x["citationId"] for x in citations]
        if self.note_keys:
            self.note_keys[-1].extend(keys)
        if record is not None and list(record.keys) != keys:
            record = None  # the reading order and citeproc's disagree: no place, no harm
        place = record.places[0] if record and record.places else None
        inner = "".join(self._note(n["c"], "citation", place.path if place else None,
                                   place.line if place else None, tuple(keys))
                        if n["t"] == "Note" else self.inline(n) for n in content)
        inner = _SPACE_BEFORE_CALL.sub(r"\1", inner)
        if is_call({"t": "Cite", "c": c}):
            return inner
        return f'<span class="citation" data-cites="{html.escape(" ".join(keys))}">{inner}</span>'

    def _i_Code(self, c: list[Any]) -> str:  # noqa: N802
        return f"<code>{html.escape(c[1], quote=False)}</code>"

    def _i_Math(self, c: list[Any]) -> str:  # noqa: N802
        return f'<span class="math">{html.escape(c[1], quote=False)}</span>'

    def _i_RawInline(self, c: list[str]) -> str:  # noqa: N802
        fmt, text = c
        if fmt == "briefing-html":  # pandoc's own rendering of math (filters.lua)
            return text
        if fmt == "html":
            return html.escape(text, quote=False)
        if fmt in ("tex", "latex") and text.strip() in _PAGE_BREAKS:
            return '<span class="pagebreak"></span>'
        return ""

    def _i_Link(self, c: list[Any]) -> str:  # noqa: N802
        attr_raw, inlines, (url, title) = c
        text = self.inlines(inlines)
        if not link_allowed(url):
            return f"<span{_attrs(Attr.of(attr_raw))}>{text}</span>"
        title_attr = f' title="{html.escape(title)}"' if title else ""
        return f'<a{_attrs(Attr.of(attr_raw))} href="{html.escape(url)}"{title_attr}>{text}</a>'

    def _i_Image(self, c: list[Any]) -> str:  # noqa: N802
        attr_raw, inlines, (src, _title) = c
        alt = html.escape(stringify(inlines))
        shown = self.flavour.image_src(src)
        if shown is None:
            return f'<span class="image-missing">{alt}</span>'
        src = shown
        return f'<img{_attrs(Attr.of(attr_raw))} src="{html.escape(src)}" alt="{alt}">'

    def _i_Note(self, c: list[Node]) -> str:  # noqa: N802
        record = next(self.author_notes, None) if self.note_depth == 0 else None
        return self._note(c, "author", record.place.path if record else None,
                          record.place.line if record else None)

    def _i_Span(self, c: list[Any]) -> str:  # noqa: N802
        attr = Attr.of(c[0])
        inner = self.inlines(c[1])
        classes = tuple(k for k in attr.classes if k != "nocase")
        if not attr.id and not classes and not attr.get("lang"):
            return inner
        return f"<span{_attrs(Attr(attr.id, classes, attr.attributes))}>{inner}</span>"

    # --- notes ------------------------------------------------------------------------------

    def _note(self, blocks: list[Node], kind: str, path: Path | None, line: int | None,
              keys: tuple[str, ...] = ()) -> str:
        number = len(self.result.notes) + 1
        self.result.notes.append(Note(number, "", kind, path, line))  # keeps the number
        self.note_depth += 1
        self.note_keys.append(list(keys))
        try:
            body = self._note_blocks(blocks)
        finally:
            self.note_depth -= 1
            cited = tuple(dict.fromkeys(self.note_keys.pop()))
        self.result.notes[number - 1] = Note(number, body, kind, path, line, cited)
        return self.flavour.note(number, kind, body)

    def _note_blocks(self, blocks: list[Node]) -> str:
        """A note's blocks as inline HTML: it sits inside its call's paragraph."""
        if len(blocks) == 1 and blocks[0]["t"] in ("Para", "Plain"):
            return self.inlines(blocks[0]["c"])
        parts = []
        for block in blocks:
            if block["t"] in ("Para", "Plain"):
                parts.append(f'<span class="fn-p">{self.inlines(block["c"])}</span>')
            else:
                parts.append(_as_spans(self.block(block)))
        return "".join(parts)


def _split_annexes(blocks: list[Node]) -> list[Node]:
    """Take the annexes off the end of the document (from the first level-1 annex heading,
    in whichever section file it is) and return them."""
    for n, block in enumerate(blocks):
        inner = block["c"][1] if block["t"] == "Div" and \
            SECTION_CLASS in attr_of(block).classes else None
        if inner is None:
            if block["t"] == "Header" and block["c"][0] == 1 and \
                    "annex" in attr_of(block).classes:
                taken = blocks[n:]
                del blocks[n:]
                return taken
            continue
        taken = _split_annexes(inner)
        if taken:
            rest = blocks[n + 1:]
            del blocks[n + 1:]
            return taken + rest
    return []


def is_call(node: Node) -> bool:
    """A note, or a citation that prints nothing in the text but its note (a call)."""
    if node["t"] == "Note":
        return True
    if node["t"] == "Cite":
        content = [n for n in node["c"][1] if n["t"] not in ("Space", "SoftBreak")]
        return len(content) == 1 and content[0]["t"] == "Note"
    return False


_BLOCK_TAGS = re.compile(r"<(/?)(p|ul|ol|li|blockquote|pre|dl|dt|dd|div|h[1-6]|table|thead|"
                         r"tbody|tfoot|tr|td|th|caption|figure|figcaption|colgroup|col)"
                         r"(\s[^>]*)?>")


def _as_spans(block_html: str) -> str:
    """Block markup inside a note becomes spans (a block would end the call's paragraph)."""
    def span(match: re.Match[str]) -> str:
        closing, tag = match.group(1), match.group(2)
        return "</span>" if closing else f'<span class="fn-{tag}">'
    return _BLOCK_TAGS.sub(span, block_html).replace("\n", "")


def _attrs(attr: Attr) -> str:
    parts = []
    if attr.id:
        parts.append(f' id="{_id(attr.id)}"')
    if attr.classes:
        parts.append(f' class="{html.escape(" ".join(attr.classes))}"')
    lang = attr.get("lang")
    if lang and _LANG_RE.match(lang):
        parts.append(f' lang="{lang}"')
    return "".join(parts)


def _id(ident: str) -> str:
    return html.escape(ident, quote=True)


def link_allowed(url: str) -> bool:
    if url.startswith("#"):
        return True
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    return scheme in LINK_SCHEMES
