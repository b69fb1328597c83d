"""The PDF's structure tree: what a screen reader reads (PDF/UA-1), inside WeasyPrint's writer.

Part of the PDF stage (``pdf.py``). WeasyPrint 70 tags a PDF from HTML tag names only
(``weasyprint/pdf/tags.py``: ``_get_pdf_tag``, ``_build_box_tree``): a footnote comes out as
``NonStruct``/``Span``, not as a ``Note`` linked to its call; the contents is a list of links;
the cover title is an ``H1`` and the contents heading an ``H2`` before the first section's
``H1``; every run of text gets a ``Span`` of its own; running heads and folios are tagged
content that hangs outside the tree; and a paragraph continued on the next page becomes two.
This module replaces the tree builder while briefing writes a PDF, the way ``placement.py``
hooks layout (pinned to WeasyPrint 70.x; :func:`tagging` checks the internals exist and
otherwise leaves WeasyPrint's own tagging alone):

- the call ``<a class="fn-call">`` is a ``Reference`` holding its ``Link``; the note
  ``<span class="footnote" id="fn-N">`` is a ``Note`` with ``/ID (fn-N)``, the name its call's
  link goes to, placed in the tree right after its ``Reference`` (a screen reader meets it
  where the call is); its number is a ``Lbl`` holding the link back to the call;
- the contents page is a ``TOC`` of ``TOCI`` items, each a ``Reference`` to its heading, and
  its title a ``Caption``; the cover title is ``Title`` (role-mapped to ``P``), so the
  document's headings start at the first section's ``H1``;
- running heads, folios, the edition's marking and watermark and the contents' dot leaders
  are drawn as ``Artifact``; so are images with an empty ``alt`` (decorative);
- text runs are content of their element (no ``Span`` per run); ``Span`` is kept for text in
  another language (``/Lang``); an element continued on the next page stays one element;
- text boxes drawn one after another for the same element (the words and lines of a
  paragraph) are one marked-content sequence with one MCID, not one each (WeasyPrint's), so
  the content stream and the parent tree carry a third as many; adjacent artifacts too;
- table header cells carry ``/Scope`` (``Column`` in the head, ``Row`` in the body) and every
  data cell its ``/Headers``; images are ``Figure`` with their ``alt`` as ``/Alt``.

Why a hook rather than post-processing the written PDF with pikepdf: only during writing do we
know which HTML element (its classes, id and lang) made which marked content; afterwards the
PDF holds only text runs and numbers. It also costs nothing extra: no second parse and write.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pydyf

#: classes whose boxes are drawn as artifacts (the edition's marking, its watermark)
ARTIFACT_CLASSES = frozenset({"artifact", "watermark", "marking-band"})
#: custom structure types and the standard ones they stand for (the catalog's RoleMap)
ROLE_MAP = {"Title": "P"}

_HEADINGS = {f"h{n}": f"H{n}" for n in range(1, 7)}
_BLOCKS = {
    "p": "P", "blockquote": "BlockQuote", "main": "Part", "article": "Art", "section": "Sect",
    "div": "Div", "figure": "Div", "nav": "Div", "ul": "L", "ol": "L", "dl": "L", "li": "LI",
    "dt": "LI", "dd": "LI", "caption": "Caption", "figcaption": "Caption", "pre": "Code",
    "code": "Code", "q": "Quote", "tr": "TR", "th": "TH", "td": "TD", "thead": "THead",
    "tbody": "TBody", "tfoot": "TFoot",
}


@dataclass
class _State:
    """What the builder keeps across the pages of one PDF."""

    #: (HTML element, pseudo-element) -> its structure element
    elements: dict[tuple[int, str], pydyf.Dictionary] = field(default_factory=dict)
    notes: dict[str, pydyf.Dictionary] = field(default_factory=dict)  #: "fn-3" -> Note
    references: dict[str, pydyf.Dictionary] = field(default_factory=dict)  #: "fn-3" -> Reference
    ids: dict[str, pydyf.Dictionary] = field(default_factory=dict)  #: /ID -> element
    #: element number -> the HTML element (and pseudo-element) it was made for: WeasyPrint's
    #: anonymous boxes carry their parent's element, and add nothing to the tree
    owners: dict[int, tuple[int, str]] = field(default_factory=dict)
    created: list[pydyf.Dictionary] = field(default_factory=list)  #: every element made


@dataclass(eq=False)
class _Part:
    """A text box's place in its element's ``/K`` until its MCID is known (:func:`_resolve`)."""

    mcid: int | None = None
    drawn: bool = True
    #: the drawn part right before it in its element's /K, if the kid before it is one
    before: _Part | None = None


@dataclass
class _Page:
    """One page being tagged: WeasyPrint's arguments to ``_build_box_tree``."""

    pdf: Any
    number: int
    nums: dict[int, Any]
    annotations: list[Any]
    tags: dict[Any, Any]
    state: _State
    #: the text boxes met, in the order met: (their sequence as drawn, element, place in its K)
    parts: list[tuple[dict[str, Any], pydyf.Dictionary, _Part]] = field(default_factory=list)

    @property
    def ref(self) -> Any:
        return self.pdf.page_references[self.number]


# --- drawing: what is an artifact ---------------------------------------------------------------

_artifact_depth = [0]


def _classes(box: Any) -> set[str]:
    element = getattr(box, "element", None)
    if element is None or not hasattr(element, "get"):
        return set()
    return set(str(element.get("class", "")).split())


def _is_artifact(box: Any) -> bool:
    """Boxes drawn as artifacts: page margins, the marking, leaders, decorative images."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox) or getattr(box, "is_leader", False):
        return True
    if ARTIFACT_CLASSES & _classes(box) and getattr(box, "element_tag", "") == \
            getattr(getattr(box, "element", None), "tag", None):
        return True
    if getattr(box, "element_tag", "") == "tfoot" and "rule" in _classes(box):
        return True  # the engine's empty footer row (pdf.prepare_tables): no content
    element = getattr(box, "element", None)
    return (isinstance(box, boxes.ReplacedBox) and element is not None
            and getattr(box, "element_tag", "") == "img" and element.get("alt") == "")


def _marked(original: Any) -> Any:
    @contextmanager
    def marked(stream: Any, box: Any, tag: str) -> Iterator[None]:
        if _artifact_depth[0] or _is_artifact(box):
            with _artifact(stream):
                yield
        elif stream._tags is None:
            with original(stream, box, tag):
                yield
        else:
            with _sequence(stream, box, tag):
                yield
    return marked


# --- marked content: one sequence for a run of text boxes ---------------------------------------
#
# WeasyPrint marks each text box as a sequence of its own (``/Span <</MCID n>> BDC BT … ET EMC``):
# 9,176 sequences on the 112-page test document, each with its own parent tree entry. Text boxes
# drawn one right after the other (the words of a line, the lines of a paragraph) are instead
# drawn as one sequence: the EMC just written is taken back, and the stream, finding ``ET`` last,
# continues the text object as it does untagged. Whether two boxes belong to the same element is
# only known when the tree is built, after drawing; where they do not, the sequence is split
# there again (:func:`_resolve`), so the file says exactly what it said with one box a sequence.


_seams = itertools.count()


@dataclass(eq=False)
class _Seam:
    """Where a text box's content starts inside a sequence it joined."""

    stream: Any
    index: int  #: position in ``stream.stream`` of the box's first item
    in_text: bool = False  #: the box continues the text object of the box before it
    empty: bool = False  #: the box drew nothing
    split: int | None = None  #: a new sequence starts here, with this MCID
    #: when it was made: two seams can end up at one index (a box that drew only the ``ET``
    #: the next box took back), and must then be split in the order drawn
    order: int = field(default_factory=lambda: next(_seams))


@dataclass(eq=False)
class _Run:
    """One marked-content sequence as drawn: its MCID, and a seam for each box after the first."""

    mcid: int
    seams: list[_Seam] = field(default_factory=list)


@dataclass(eq=False)
class _Marks:
    """A page's MCIDs (its content stream and the groups drawn for it share one ``tags``)."""

    tags: dict[Any, Any]
    count: int = 0

    def new(self) -> int:
        self.count += 1
        return self.count - 1


#: id(page's tags) -> its marks, while a PDF is written
_marks: dict[int, _Marks] = {}


def _marks_for(tags: dict[Any, Any]) -> _Marks:
    marks = _marks.get(id(tags))
    if marks is None or marks.tags is not tags:
        marks = _marks[id(tags)] = _Marks(tags)
    return marks


@contextmanager
def _sequence(stream: Any, box: Any, tag: str) -> Iterator[None]:
    """``Stream.marked``: a text box drawn right after another one joins its sequence."""
    from weasyprint.formatting_structure import boxes

    text = isinstance(box, boxes.TextBox)
    body = stream.stream
    last = getattr(stream, "_briefing_open", None)
    seam = None
    if text and last is not None and last[1] == len(body) and body[-1] == b"EMC":
        run = last[0]
        body.pop()
        seam = _Seam(stream, len(body))
        run.seams.append(seam)
        position = len(run.seams)
    else:
        run, position = _Run(_marks_for(stream._tags).new()), 0
        stream.begin_marked_content(tag, pydyf.Dictionary({"MCID": run.mcid}))
    assert box not in stream._tags
    stream._tags[box] = {"tag": tag, "mcid": run.mcid, "run": run, "position": position}
    stream._briefing_open = None
    stream._briefing_seam = seam
    try:
        yield
    finally:
        stream._briefing_seam = None
        if seam is not None and len(body) <= seam.index:
            seam.empty = True  # nothing drawn: no content to give an element
        stream.end_marked_content()
        stream._briefing_open = (run, len(body)) if text else None


@contextmanager
def _artifact(stream: Any) -> Iterator[None]:
    """``Stream.artifact``; an artifact drawn right after another one continues it (the
    contents' dot leaders are a text box for each dot)."""
    body = stream.stream
    if stream._tags is not None and getattr(stream, "_briefing_artifact", None) == len(body) \
            and body[-1] == b"EMC":
        body.pop()
        yield
        stream.end_marked_content()
    else:
        with stream.artifact():
            yield
    stream._briefing_artifact = len(body)


def _begin_text(original: Any) -> Any:
    def begin_text(stream: Any) -> None:
        seam = getattr(stream, "_briefing_seam", None)
        if seam is not None:
            stream._briefing_seam = None  # only a box's first text object can continue one
            if seam.index == len(stream.stream) and stream.stream and \
                    stream.stream[-1] == b"ET":
                seam.index -= 1  # the stream takes back the ET: the box starts there
                seam.in_text = True
        original(stream)
    return begin_text


def _as_artifact(original: Any, test: Any) -> Any:
    def draw(stream: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        artifact = test(context)
        _artifact_depth[0] += artifact
        try:
            return original(stream, context, *args, **kwargs)
        finally:
            _artifact_depth[0] -= artifact
    return draw


def _inline_as_artifact(original: Any) -> Any:
    def draw(stream: Any, page: Any, box: Any, *args: Any, **kwargs: Any) -> Any:
        artifact = bool(getattr(box, "is_leader", False))
        _artifact_depth[0] += artifact
        try:
            return original(stream, page, box, *args, **kwargs)
        finally:
            _artifact_depth[0] -= artifact
    return draw


# --- the tree -----------------------------------------------------------------------------------

def _tag(box: Any, parent: pydyf.Dictionary) -> str | None:
    """The structure type of ``box``; None: the box adds no element (its content goes to the
    parent's)."""
    from weasyprint.formatting_structure import boxes

    tag = getattr(box, "element_tag", None) if box.element is not None else None
    if tag is None or tag in ("html", "body") or isinstance(box, boxes.FootnoteAreaBox):
        return None
    classes = _classes(box)
    within = str(parent["S"])[1:]
    if tag.startswith("a::") or (tag == "a" and isinstance(box, boxes.TableBox)):
        return None
    if tag.split(":")[0] == "a":
        return "Link" if box.element.get("href") is not None else None
    if tag == "table":
        return "Table" if box.is_table_wrapper else None
    if tag == "img" or tag == "{http://www.w3.org/2000/svg}svg":
        return "Figure"
    if tag == "li::marker":
        return "Lbl"
    if tag == "span":
        if "footnote" in classes:
            return "Note"
        return "Span" if box.element.get("lang") else None
    if tag in _HEADINGS:
        if "cover-title" in classes:
            return "Title"
        return "Caption" if within == "TOC" else _HEADINGS[tag]
    if within == "TOC":
        return {"ol": None, "ul": None, "li": "TOCI", "section": "TOC"}.get(tag, "P")
    if tag == "nav" and "contents" in classes:
        return "TOC"
    if "::" in tag:
        return None
    tag = _BLOCKS.get(tag, "")
    if tag in ("TD", "TH") and within in ("TD", "TH"):
        return None
    return tag or None


def _new(page: _Page, tag: str, parent: pydyf.Dictionary) -> pydyf.Dictionary:
    element = pydyf.Dictionary({"Type": "/StructElem", "S": f"/{tag}", "K": pydyf.Array(),
                                "Pg": page.ref, "P": parent.reference})
    page.pdf.add_object(element)
    page.state.created.append(element)
    return element


def _add_content(page: _Page, element: pydyf.Dictionary, mcid: int) -> None:
    """Marked content ``mcid`` of this page belongs to ``element``."""
    if element.get("Pg") == page.ref:
        element["K"].append(mcid)
    else:  # an element continued from an earlier page
        element["K"].append(pydyf.Dictionary({"Type": "/MCR", "Pg": page.ref, "MCID": mcid}))
    page.nums[mcid] = element.reference


def _add_text(page: _Page, element: pydyf.Dictionary, kid: dict[str, Any]) -> None:
    """A text box drawn as (part of) a marked-content sequence belongs to ``element``."""
    if "run" not in kid:  # drawn by WeasyPrint's own Stream.marked
        _add_content(page, element, kid["mcid"])
        return
    part = _Part()
    element["K"].append(part)
    page.parts.append((kid, element, part))


def _resolve(page: _Page) -> None:
    """Give each text box met on this page its MCID: its sequence's, or a new sequence's where
    it does not directly follow, in the same element's ``/K``, the box drawn before it (another
    element's text, or a kid between them: a note's call drawn later, being raised); the stream
    is split there. Then write the MCIDs into the elements' ``/K``, each once."""
    marks = _marks_for(page.tags)
    runs: dict[int, list[tuple[int, pydyf.Dictionary, _Part, _Run]]] = {}
    elements: dict[int, pydyf.Dictionary] = {}
    for kid, element, part in page.parts:
        run, position = kid["run"], kid["position"]
        part.drawn = not (position and run.seams[position - 1].empty)
        runs.setdefault(id(run), []).append((position, element, part, run))
        elements[element.number] = element
    for element in elements.values():
        before = None
        for k in element["K"]:
            if not isinstance(k, _Part):
                before = None
            elif k.drawn:
                k.before, before = before, k
    splits: dict[int, list[_Seam]] = {}
    for parts in runs.values():
        parts.sort(key=lambda p: p[0])
        last: _Part | None = None
        mcid = -1
        for position, element, part, run in parts:
            if not part.drawn:
                continue
            if last is None:
                mcid = run.mcid
                page.nums[mcid] = element.reference
            elif part.before is not last:
                seam = run.seams[position - 1]
                mcid = seam.split = marks.new()
                splits.setdefault(id(seam.stream), []).append(seam)
                page.nums[mcid] = element.reference
            part.mcid, last = mcid, part
    for seams in splits.values():
        for seam in sorted(seams, key=lambda s: (s.index, s.order), reverse=True):
            property_list = pydyf.Dictionary({"MCID": seam.split})
            items = [b"EMC", b"/Span", property_list, b"BDC"]
            if seam.in_text:
                items = [b"ET", *items, b"BT"]
            seam.stream.stream[seam.index:seam.index] = items
    for element in elements.values():
        here = element.get("Pg") == page.ref
        kids, seen = [], set()
        for k in element["K"]:
            if isinstance(k, _Part):
                if not k.drawn or k.mcid in seen:
                    continue
                seen.add(k.mcid)
                k = k.mcid if here else pydyf.Dictionary(
                    {"Type": "/MCR", "Pg": page.ref, "MCID": k.mcid})
            kids.append(k)
        element["K"][:] = kids
    page.parts.clear()


def _element_for(box: Any, tag: str, parent: pydyf.Dictionary,
                 page: _Page) -> tuple[pydyf.Dictionary, bool]:
    """The element for ``box``: the one its HTML element already has (a paragraph continued
    from the page before, a link broken over two lines), else a new one. True if new."""
    key = _key(box)
    known = page.state.elements.get(key)
    if known is not None and known["P"] == parent.reference and known["S"] == f"/{tag}":
        return known, False
    element = _new(page, tag, parent)
    page.state.elements[key] = element
    page.state.owners[element.number] = key
    return element, True


def _key(box: Any) -> tuple[int, str]:
    return id(box.element), str(box.element_tag)


def build_box_tree(box: Any, parent: pydyf.Dictionary, pdf: Any, page_number: int,
                   nums: dict[int, Any], annotations: list[Any],
                   tags: dict[Any, Any]) -> Iterator[pydyf.Dictionary]:
    """WeasyPrint's ``_build_box_tree`` (same arguments): the elements to add to ``parent``."""
    page = _Page(pdf, page_number, nums, annotations, tags, pdf.briefing_tags)
    _build(box, parent, page)
    if tags:  # drawn as content but not met in the boxes: keep it tagged, never lost
        rest = _new(page, "NonStruct", parent)
        for kid in sorted(tags.values(), key=lambda k: (k["mcid"], k.get("position", 0))):
            _add_text(page, rest, kid)
        tags.clear()
        parent["K"].append(rest.reference)
    _resolve(page)
    # the elements are in parent["K"] already (WeasyPrint's caller would append them)
    yield from ()


def _build(box: Any, parent: pydyf.Dictionary, page: _Page) -> None:
    """Add ``box`` (and what it holds) to ``parent``."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder

    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    if _is_artifact(box):
        if parent["S"] == "/Link":  # a contents entry's dot leader: drawn as an artifact,
            _annotations(box, parent, page)  # but its part of the link's area is the link's
        return
    if isinstance(box, boxes.TextBox):
        kid = page.tags.pop(box, None)
        if kid is not None:
            _add_text(page, parent, kid)
        return
    tag = _tag(box, parent)
    if tag is None or page.state.owners.get(parent.number) == _key(box):
        # a link's inner boxes (a span, the ::after of a contents entry) carry a link
        # annotation of their own: it belongs to the enclosing Link
        if getattr(box, "link_annotation", None) and parent["S"] != "/Link":
            tag = "Link"
        else:
            _annotations(box, parent, page)
            _children(box, parent, page)
            return
    element, new = _element_for(box, tag, parent, page)
    if new:
        _describe(box, element, page)
        parent["K"].append(_wrapped(box, element, parent, page).reference)
    _annotations(box, element, page)
    if tag == "LI":
        _list_item(box, element, page)
    elif tag == "Table":
        _table(box, element, page)
    else:
        _children(box, element, page)
    if isinstance(box, boxes.ReplacedBox):
        kid = page.tags.pop(box, None)
        if kid is not None:
            _add_content(page, element, kid["mcid"])


def _children(box: Any, element: pydyf.Dictionary, page: _Page) -> None:
    from weasyprint.formatting_structure import boxes

    for child in getattr(box, "children", None) or ():
        if isinstance(child, boxes.LineBox):
            for grandchild in child.children:
                _build(grandchild, element, page)
        else:
            _build(child, element, page)


def _describe(box: Any, element: pydyf.Dictionary, page: _Page) -> None:
    """What an element says about itself: alt text, language, note ids, cell scope."""
    tag = str(element["S"])[1:]
    lang = box.element.get("lang")
    if lang and tag != "Document":
        element["Lang"] = pydyf.String(lang)
    if tag == "Figure":
        x, y = box.content_box_x(), box.content_box_y()
        element["A"] = pydyf.Dictionary({"O": "/Layout", "BBox": pydyf.Array(
            (x, y, x + box.width, y + box.height))})
        alt = box.element.get("alt") or ""
        if box.element.tag == "{http://www.w3.org/2000/svg}svg":
            title = box.element.find("{http://www.w3.org/2000/svg}title")
            alt = title.text if title is not None and title.text else ""
        if alt:
            element["Alt"] = pydyf.String(alt)
    elif tag == "Note":
        ident = str(box.element.get("id", ""))
        element["ID"] = pydyf.String(ident)
        page.state.notes[ident] = element
        page.state.ids[ident] = element
    elif tag in ("TH", "TD"):
        element["A"] = pydyf.Dictionary({"O": "/Table"})
        if box.colspan != 1:
            element["A"]["ColSpan"] = box.colspan
        if box.rowspan != 1:
            element["A"]["RowSpan"] = box.rowspan
        box.mark = element


def _wrapped(box: Any, element: pydyf.Dictionary, parent: pydyf.Dictionary,
             page: _Page) -> pydyf.Dictionary:
    """A note's call is a Reference holding its Link, a contents entry's link too; a note's
    number is a Lbl holding the link back."""
    if element["S"] != "/Link":
        return element
    classes = _classes(box)
    if "fn-mark" in classes:
        outer = _new(page, "Lbl", parent)
    elif "fn-call" in classes or parent["S"] == "/TOCI":
        outer = _new(page, "Reference", parent)
        if "fn-call" in classes:
            page.state.references[str(box.element.get("href", ""))[1:]] = outer
    else:
        return element
    outer["K"].append(element.reference)
    element["P"] = outer.reference
    return outer


def _annotations(box: Any, element: pydyf.Dictionary, page: _Page) -> None:
    """Link and form annotations belong to their element (OBJR)."""
    for name in ("link_annotation", "widget_annotation"):
        annotation = getattr(box, name, None)
        if not annotation:
            continue
        # a direct object: an indirect one costs an xref entry and an offset per link
        objr = pydyf.Dictionary({"Type": "/OBJR", "Obj": annotation.reference, "Pg": page.ref})
        holder = element
        if name == "widget_annotation":
            holder = _new(page, "Form", element)
            element["K"].append(holder.reference)
        holder["K"].append(objr)
        page.annotations.append((holder.reference, annotation))


def _list_item(box: Any, element: pydyf.Dictionary, page: _Page) -> None:
    """LI: the marker as Lbl, everything else in one LBody."""
    body: pydyf.Dictionary | None = None
    for child in _flat(box):
        if getattr(child, "element_tag", "") == "li::marker":
            _build(child, element, page)
            continue
        if body is None:
            body = _new(page, "LBody", element)
            element["K"].append(body.reference)
            page.state.owners[body.number] = _key(box)
        _build(child, body, page)


def _flat(box: Any) -> Iterator[Any]:
    from weasyprint.formatting_structure import boxes

    for child in box.children:
        if isinstance(child, boxes.LineBox):
            yield from child.children
        else:
            yield child


def _table(box: Any, element: pydyf.Dictionary, page: _Page) -> None:
    """The wrapper's caption and the table's row groups; then each cell's headers."""
    table = box.get_wrapped_table()
    for child in box.children:
        for part in (child.children if child is table else [child]):
            _build(part, element, page)
    if table is not None:
        _link_headers(table, element)


def _link_headers(table: Any, element: pydyf.Dictionary) -> None:
    """Header cells get an /ID and a /Scope; data cells list their headers (as WeasyPrint's
    own tagging does, plus the scope PDF/UA asks for)."""
    columns: dict[int, list[pydyf.String]] = {}
    rows: dict[int, list[pydyf.String]] = {}
    grid = list(_cells(table))
    for i, j, cell, head in grid:
        mark = getattr(cell, "mark", None)
        if mark is None or cell.element_tag != "th":
            continue
        key = pydyf.String(f"{element.number}-{i}-{j}")
        mark["ID"] = key
        by_row = cell.element.get("scope") == "row" or (not head and j == 0)
        mark["A"]["Scope"] = "/Row" if by_row else "/Column"
        (rows.setdefault(i, []) if by_row else columns.setdefault(j, [])).append(key)
    for i, j, cell, _head in grid:
        mark = getattr(cell, "mark", None)
        if mark is None or cell.element_tag != "td":
            continue
        headers = [h for n in range(cell.rowspan) for h in rows.get(i + n, [])]
        headers += [h for n in range(cell.colspan) for h in columns.get(j + n, [])]
        mark["A"]["Headers"] = pydyf.Array(headers)


def _cells(table: Any) -> Iterator[tuple[int, int, Any, bool]]:
    """(row, column, cell box, in the head) for every cell, spans counted."""
    taken: set[tuple[int, int]] = set()
    i = 0
    for group in table.children:
        head = bool(getattr(group, "is_header", False))
        for row in group.children:
            j = 0
            for cell in row.children:
                while (i, j) in taken:
                    j += 1
                for di in range(cell.rowspan):
                    for dj in range(cell.colspan):
                        taken.add((i + di, j + dj))
                yield i, j, cell, head
                j += cell.colspan
            i += 1


# --- after the tree: notes beside their calls, ids, role map --------------------------------------

def _finish(pdf: Any) -> None:
    state: _State = pdf.briefing_tags
    root = pdf.objects[int(pdf.catalog["StructTreeRoot"].split()[0])]
    for ident, note in state.notes.items():
        reference = state.references.get(ident)
        if reference is None:
            continue
        _move_after(pdf, note, reference)
    if state.ids:
        names = pydyf.Array()
        for ident in sorted(state.ids):
            names.extend((pydyf.String(ident), state.ids[ident].reference))
        tree = pydyf.Dictionary({"Names": names})
        pdf.add_object(tree)
        root["IDTree"] = tree.reference
    root["RoleMap"] = pydyf.Dictionary({k: f"/{v}" for k, v in ROLE_MAP.items()})
    for element in state.created:  # what can be left out is (bytes: docs/design.md)
        del element["Type"]  # optional for structure elements
        if not any(isinstance(k, int) for k in element["K"]):
            del element["Pg"]  # needed only for the element's own content items
            continue
        for kid in element["K"]:  # a link's OBJR on its element's page inherits its /Pg
            if isinstance(kid, pydyf.Dictionary) and kid.get("Pg") == element["Pg"]:
                del kid["Pg"]


def _move_after(pdf: Any, note: pydyf.Dictionary, reference: pydyf.Dictionary) -> None:
    """Put the note right after its call's Reference, so it is read where it is called."""
    old = pdf.objects[int(note["P"].split()[0])]
    new = pdf.objects[int(reference["P"].split()[0])]
    old["K"][:] = [k for k in old["K"] if k != note.reference]
    position = list(new["K"]).index(reference.reference) + 1
    new["K"].insert(position, note.reference)
    note["P"] = new.reference


# --- the switch ---------------------------------------------------------------------------------

@dataclass
class Tagging:
    """Whether briefing's tagging was in force (False: WeasyPrint's own, or none)."""

    active: bool = False


def _internals() -> tuple[Any, Any, Any, Any] | None:
    try:
        import weasyprint.draw as draw
        import weasyprint.pdf as wpdf
        import weasyprint.pdf.stream as stream
        import weasyprint.pdf.tags as tags
    except ImportError:
        return None
    wanted = ((tags, "_build_box_tree"), (wpdf, "add_tags"), (draw, "draw_stacking_context"),
              (draw, "draw_inline_level"), (stream.Stream, "marked"),
              (stream.Stream, "artifact"), (stream.Stream, "begin_text"))
    if not all(callable(getattr(obj, name, None)) for obj, name in wanted):
        return None
    return draw, wpdf, stream, tags


@contextmanager
def tagging(enabled: bool = True) -> Iterator[Tagging]:
    """While a PDF is written: briefing's structure tree instead of WeasyPrint's."""
    found = _internals() if enabled else None
    if found is None:
        yield Tagging(False)
        return
    draw, wpdf, stream, tags = found
    from weasyprint.formatting_structure import boxes

    saved = [(tags, "_build_box_tree", tags._build_box_tree),
             (wpdf, "add_tags", wpdf.add_tags),
             (draw, "draw_stacking_context", draw.draw_stacking_context),
             (draw, "draw_inline_level", draw.draw_inline_level),
             (stream.Stream, "marked", stream.Stream.marked),
             (stream.Stream, "begin_text", stream.Stream.begin_text)]
    original_add_tags = wpdf.add_tags

    def add_tags(pdf: Any, *args: Any, **kwargs: Any) -> None:
        pdf.briefing_tags = _State()
        try:
            original_add_tags(pdf, *args, **kwargs)
        finally:
            _marks.clear()
        _finish(pdf)

    tags._build_box_tree = build_box_tree
    wpdf.add_tags = add_tags
    draw.draw_stacking_context = _as_artifact(
        draw.draw_stacking_context,
        lambda context: isinstance(context.box, boxes.MarginBox) or
        bool(ARTIFACT_CLASSES & _classes(context.box)))
    draw.draw_inline_level = _inline_as_artifact(draw.draw_inline_level)
    stream.Stream.marked = _marked(stream.Stream.marked)
    stream.Stream.begin_text = _begin_text(stream.Stream.begin_text)
    try:
        yield Tagging(True)
    finally:
        _marks.clear()
        for obj, name, value in saved:
            setattr(obj, name, value)
