"""pandoc's document tree, as its JSON gives it: small helpers every stage shares.

A node is a JSON object ``{"t": "Para", "c": [...]}`` exactly as pandoc writes it (pandoc-types
1.23), so the tree can go back into pandoc unchanged. This module names the parts of the nodes
the stages read (attributes, citations, targets), walks a tree in document order and makes the
few nodes we build ourselves. The walk order is the contract between the stages: it is the
order notes and citations are numbered and matched, before and after citeproc.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

Node = dict[str, Any]

#: block and inline types of pandoc-types 1.23 (anything else is a newer pandoc)
BLOCKS = {"Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote", "OrderedList",
          "BulletList", "DefinitionList", "Header", "HorizontalRule", "Table", "Figure", "Div"}
INLINES = {"Str", "Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript",
           "SmallCaps", "Quoted", "Cite", "Code", "Space", "SoftBreak", "LineBreak", "Math",
           "RawInline", "Link", "Image", "Note", "Span"}


@dataclass(frozen=True)
class Attr:
    """``[id, [classes], [[key, value]]]``."""

    id: str = ""
    classes: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, raw: list[Any]) -> Attr:
        return cls(raw[0], tuple(raw[1]), tuple((k, v) for k, v in raw[2]))

    def get(self, key: str, default: str = "") -> str:
        return next((v for k, v in self.attributes if k == key), default)

    def json(self) -> list[Any]:
        return [self.id, list(self.classes), [list(kv) for kv in self.attributes]]


def attr_of(node: Node) -> Attr:
    """The attributes of a node that has them (Header, Div, Span, Link, Image, Code, …)."""
    kind: str = node["t"]
    content: Any = node.get("c")
    if kind == "Header":
        return Attr.of(content[1])
    if kind in ("Div", "Span", "Link", "Image", "Code", "CodeBlock", "Table", "Figure"):
        return Attr.of(content[0])
    return Attr()


def children(node: Node) -> Iterator[Node]:
    """The child nodes (blocks and inlines) of a node, in document order."""
    kind: str = node["t"]
    c: Any = node.get("c")
    if kind in ("Plain", "Para", "Emph", "Underline", "Strong", "Strikeout", "Superscript",
                "Subscript", "SmallCaps", "BlockQuote", "Note"):
        yield from c
    elif kind == "LineBlock":
        for line in c:
            yield from line
    elif kind in ("Quoted", "Header", "Div", "Span"):
        yield from c[-1]
    elif kind == "Cite":
        yield from c[1]  # what the reader sees: the source text, or citeproc's output
    elif kind in ("Link", "Image"):
        yield from c[1]
    elif kind == "OrderedList":
        for item in c[1]:
            yield from item
    elif kind == "BulletList":
        for item in c:
            yield from item
    elif kind == "DefinitionList":
        for term, definitions in c:
            yield from term
            for blocks in definitions:
                yield from blocks
    elif kind == "Figure":
        yield from _caption_blocks(c[1])
        yield from c[2]
    elif kind == "Table":
        yield from _table_nodes(c)


def _caption_blocks(caption: list[Any]) -> Iterator[Node]:
    short, blocks = caption
    yield from short or []
    yield from blocks


def _table_nodes(c: list[Any]) -> Iterator[Node]:
    _attr, caption, _specs, head, bodies, foot = c
    yield from _caption_blocks(caption)
    for row in table_rows(head, bodies, foot):
        for cell in row[1]:
            yield from cell[4]


def table_rows(head: list[Any], bodies: list[Any], foot: list[Any]) -> list[list[Any]]:
    """Every row of a table (head, each body's intermediate head and rows, foot)."""
    rows = list(head[1])
    for body in bodies:
        rows.extend(body[2])
        rows.extend(body[3])
    rows.extend(foot[1])
    return rows


#: nodes with no children: most of a tree (words and spaces)
LEAVES = frozenset({"Str", "Space", "SoftBreak", "LineBreak", "Code", "Math", "RawInline",
                    "HorizontalRule", "CodeBlock", "RawBlock"})


def walk(nodes: list[Node], skip: Callable[[Node], bool] = lambda n: False,
         leaves: bool = True) -> Iterator[Node]:
    """Every node under ``nodes``, depth first, in document order (a note's content is
    visited where its call is). ``skip`` prunes a node's subtree (the node is still yielded);
    ``leaves=False`` leaves out the nodes that have no children (words, spaces), for speed.
    """
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if not skip(node):
            stack.extend(reversed([c for c in children(node)
                                   if leaves or c["t"] not in LEAVES]))


def stringify(nodes: list[Node], notes: bool = False) -> str:
    """The plain text of inlines or blocks (quotations in curly quotes, as pandoc's
    ``stringify``); notes left out unless ``notes``."""
    out: list[str] = []
    for node in walk(nodes, skip=lambda n: n["t"] in ("Note", "Quoted")):
        kind = node["t"]
        if kind == "Note" and notes:
            out.append(stringify(node["c"], notes))
        elif kind == "Quoted":
            marks = "“”" if node["c"][0]["t"] == "DoubleQuote" else "‘’"
            out.append(marks[0] + stringify(node["c"][1], notes) + marks[1])
        elif kind == "Str":
            out.append(node["c"])
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Code", "Math"):
            out.append(node["c"][1])
        elif kind in ("Para", "Plain", "Header") and out and not out[-1].endswith(" "):
            out.append(" ")
    return " ".join("".join(out).split())


def text_inlines(text: str) -> list[Node]:
    """Plain text as ``Str``/``Space`` inlines."""
    out: list[Node] = []
    for n, word in enumerate(text.split(" ")):
        if n:
            out.append({"t": "Space"})
        if word:
            out.append({"t": "Str", "c": word})
    return out


def cite_node(keys: list[str], text: str = "") -> Node:
    """A ``Cite`` of plain keys (for ``nocite``)."""
    citations = [{"citationId": key, "citationPrefix": [], "citationSuffix": [],
                  "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 0,
                  "citationHash": 0} for key in keys]
    return {"t": "Cite", "c": [citations, text_inlines(text or " ".join("@" + k for k in keys))]}


def meta_value(value: Any) -> Node:
    """A Python value (from report.yaml) as pandoc metadata."""
    if isinstance(value, bool):
        return {"t": "MetaBool", "c": value}
    if isinstance(value, list | tuple):
        return {"t": "MetaList", "c": [meta_value(v) for v in value]}
    if isinstance(value, dict):
        return {"t": "MetaMap", "c": {str(k): meta_value(v) for k, v in value.items()}}
    return {"t": "MetaString", "c": str(value)}
