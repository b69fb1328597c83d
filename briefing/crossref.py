"""Numbered figures, tables and sections, and references to them (pandoc-crossref's syntax).

Between reading and citations (``pipeline.py``). In: the joined tree and the config. Out: the
same tree with every figure, captioned table and (with ``number-sections``) heading numbered —
the number kept in the node's attributes as ``number``, for the writer — and every reference
``@fig:map``, ``[@tbl:budget]``, ``@sec:media``, ``[-@fig:map]`` (number only), ``[see
@fig:a; @fig:b]`` replaced by a link that reads "Figure 2", "Tables 1 and 2", "section 3.2" in the
briefing's language (or pandoc-crossref's ``figPrefix``/``tblPrefix``/``secPrefix``).

pandoc reads ``@fig:map`` as a citation; a key with one of the prefixes in :data:`KINDS` is a
label, never a bibliography key (a .bib key like ``fig:x`` is an error). Annexes (a level-1
heading with ``.annex``) are lettered: Annex A, B, … with sections A.1, A.2.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

from .tree import Attr, Node, attr_of, children, stringify, text_inlines

#: label prefixes, as pandoc-crossref has them
KINDS = ("fig", "tbl", "sec")
#: words by language: caption word, reference word (singular, plural), "and", annex, and
#: "continued" (the running head of a page a table continues on)
WORDS: dict[str, dict[str, Any]] = {
    "en": {"fig": ("Figure", "Figures"), "tbl": ("Table", "Tables"),
           "sec": ("section", "sections"), "and": "and", "annex": "Annex", "page": "p.",
           "caption": {"fig": "Figure", "tbl": "Table"}, "source": "Source:",
           "continued": "continued"},
    "ru": {"fig": ("рис.", "рис."), "tbl": ("табл.", "табл."), "sec": ("разд.", "разд."),
           "and": "и", "annex": "Приложение", "page": "с.",
           "caption": {"fig": "Рисунок", "tbl": "Таблица"}, "source": "Источник:",
           "continued": "продолжение"},
    "kk": {"fig": ("сурет", "суреттер"), "tbl": ("кесте", "кестелер"),
           "sec": ("бөлім", "бөлімдер"), "and": "және", "annex": "Қосымша", "page": "б.",
           "caption": {"fig": "Сурет", "tbl": "Кесте"}, "source": "Дереккөз:",
           "continued": "жалғасы"},
    "uk": {"fig": ("рис.", "рис."), "tbl": ("табл.", "табл."), "sec": ("розд.", "розд."),
           "and": "і", "annex": "Додаток", "page": "с.",
           "caption": {"fig": "Рисунок", "tbl": "Таблиця"}, "source": "Джерело:",
           "continued": "продовження"},
    "de": {"fig": ("Abbildung", "Abbildungen"), "tbl": ("Tabelle", "Tabellen"),
           "sec": ("Abschnitt", "Abschnitte"), "and": "und", "annex": "Anhang", "page": "S.",
           "caption": {"fig": "Abbildung", "tbl": "Tabelle"}, "source": "Quelle:",
           "continued": "Fortsetzung"},
    "fr": {"fig": ("figure", "figures"), "tbl": ("tableau", "tableaux"),
           "sec": ("section", "sections"), "and": "et", "annex": "Annexe", "page": "p.",
           "caption": {"fig": "Figure", "tbl": "Tableau"}, "source": "Source\u00a0:",
           "continued": "suite"},
    "nl": {"fig": ("figuur", "figuren"), "tbl": ("tabel", "tabellen"),
           "sec": ("paragraaf", "paragrafen"), "and": "en", "annex": "Bijlage", "page": "p.",
           "caption": {"fig": "Figuur", "tbl": "Tabel"}, "source": "Bron:",
           "continued": "vervolg"},
    "es": {"fig": ("figura", "figuras"), "tbl": ("tabla", "tablas"),
           "sec": ("sección", "secciones"), "and": "y", "annex": "Anexo", "page": "p.",
           "caption": {"fig": "Figura", "tbl": "Tabla"}, "source": "Fuente:",
           "continued": "continuación"},
}


def words_for(lang: str) -> dict[str, Any]:
    return WORDS.get(lang.split("-")[0].lower(), WORDS["en"])


@dataclass(frozen=True)
class Label:
    kind: str  #: "fig", "tbl" or "sec"
    id: str
    number: str  #: "2", "3.2", "A", "A.1"; "" for a section when sections are not numbered
    title: str  #: the caption or heading text


@dataclass
class Numbering:
    """Every label of the document, and the numbers given."""

    labels: dict[str, Label] = field(default_factory=dict)
    figures: int = 0
    tables: int = 0
    duplicates: list[str] = field(default_factory=list)


def is_label(key: str) -> bool:
    return key.split(":", 1)[0].lower() in KINDS and ":" in key


def normal(key: str) -> str:
    """``Fig:map`` and ``fig:map`` name the same figure (a capital only capitalises the word)."""
    prefix, _, rest = key.partition(":")
    return f"{prefix.lower()}:{rest}"


def number(blocks: list[Node], number_sections: bool) -> Numbering:
    """Number figures, captioned tables and headings in document order (in place)."""
    out = Numbering()
    sections = [0] * 6
    annexes = 0
    stack = [(b, False) for b in reversed(blocks)]
    while stack:
        node, boxed = stack.pop()
        kind = node["t"]
        if kind == "Header" and boxed:
            _unlist(node)  # a box's own heading ("Key messages") is not a section
        elif kind == "Header":
            annexes = _number_heading(node, number_sections, sections, annexes, out)
        elif kind == "Figure" or (kind == "CodeBlock" and CHART_CLASS in attr_of(node).classes):
            out.figures += 1  # a chart becomes a figure when it is drawn
            caption = node["c"][1] if kind == "Figure" else [None, []]
            _set_number(node, "fig", str(out.figures), _caption_text(caption), out)
        elif kind == "Table" and node["c"][1][1] and "chart-data" not in attr_of(node).classes:
            out.tables += 1
            _set_number(node, "tbl", str(out.tables), _caption_text(node["c"][1]), out)
        inside = boxed or (kind == "Div" and bool(BOXES & set(attr_of(node).classes)))
        stack.extend((c, inside) for c in reversed(list(children(node))) if c["t"] in _HOLDERS)
    return out


#: fenced-div classes of boxes (styles/content.css): their headings are not sections
BOXES = {"box", "key-messages", "summary", "recommendations", "pullquote", "pull-quote"}


def _unlist(node: Node) -> None:
    attr = Attr.of(node["c"][1])
    if "unlisted" not in attr.classes:
        node["c"][1] = [attr.id, [*attr.classes, "unnumbered", "unlisted"],
                        [list(kv) for kv in attr.attributes]]


#: nodes that can hold headings, figures or tables (or are one)
_HOLDERS = {"Div", "BlockQuote", "BulletList", "OrderedList", "DefinitionList", "Figure",
            "Table", "Header", "CodeBlock"}
#: the class of a chart block (charts.py; not imported: charts imports config, which is heavy)
CHART_CLASS = "chart"


def _number_heading(node: Node, numbered: bool, sections: list[int], annexes: int,
                    out: Numbering) -> int:
    level, attr_raw, inlines = node["c"]
    attr = Attr.of(attr_raw)
    text = stringify(inlines)
    if "annex" in attr.classes and level == 1:
        annexes += 1
        sections[:] = [0] * 6
        value = string.ascii_uppercase[(annexes - 1) % 26]
        _set_number(node, "sec", value, text, out)
        return annexes
    if not numbered or "unnumbered" in attr.classes or "unlisted" in attr.classes \
            or level > 3:
        if attr.id.startswith("sec:"):
            _record(out, Label("sec", attr.id, "", text))
        return annexes
    sections[level - 1] += 1
    sections[level:] = [0] * (6 - level)
    parts = [str(n) for n in sections[:level]]
    if annexes:
        parts[0] = string.ascii_uppercase[(annexes - 1) % 26]
    _set_number(node, "sec", ".".join(parts), text, out)
    return annexes


def _set_number(node: Node, kind: str, value: str, title: str, out: Numbering) -> None:
    attr = attr_of(node)
    attrs = [list(kv) for kv in attr.attributes if kv[0] != "number"] + [["number", value]]
    raw = [attr.id, list(attr.classes), attrs]
    if node["t"] == "Header":
        node["c"][1] = raw
    else:
        node["c"][0] = raw
    if attr.id and (is_label(attr.id) or kind == "sec"):
        _record(out, Label(kind, attr.id, value, title))


def _record(out: Numbering, label: Label) -> None:
    if label.id in out.labels:
        out.duplicates.append(label.id)
    else:
        out.labels[label.id] = label


def _caption_text(caption: list[Any]) -> str:
    return stringify(caption[1])


def resolve(blocks: list[Node], numbering: Numbering, lang: str,
            prefixes: dict[str, str] | None = None) -> int:
    """Replace every reference to a label by its link; returns how many were replaced."""
    words = words_for(lang)
    replaced = 0
    for inlines in _inline_lists(blocks):
        for i, node in enumerate(inlines):
            if node.get("t") == "Cite" and all(is_label(c["citationId"]) for c in node["c"][0]):
                inlines[i] = _reference(node, numbering, words, prefixes or {})
                replaced += 1
    return replaced


def _inline_lists(blocks: list[Node]) -> list[list[Node]]:
    lists: list[list[Node]] = []
    stack = list(blocks)
    while stack:
        node = stack.pop()
        kind: str = node["t"]
        c: Any = node.get("c")
        if kind in ("Para", "Plain", "Emph", "Strong", "Underline", "Strikeout", "SmallCaps",
                    "Superscript", "Subscript"):
            lists.append(c)
        elif kind in ("Span", "Quoted", "Link"):
            lists.append(c[1])
        elif kind == "Header":
            lists.append(c[2])
        elif kind == "LineBlock":
            lists.extend(c)
        stack.extend(children(node))
    return lists


def _reference(cite: Node, numbering: Numbering, words: dict[str, Any],
               prefixes: dict[str, str]) -> Node:
    """``@fig:a`` -> a link reading "Figure 2" (several labels: "Figures 1 and 2")."""
    citations = cite["c"][0]
    keys = [c["citationId"] for c in citations]
    numbers = [_shown_number(numbering.labels.get(normal(key))) for key in keys]
    kinds = [key.split(":", 1)[0].lower() for key in keys]
    first = citations[0]
    inlines: list[Node] = list(first["citationPrefix"])
    if inlines:
        inlines.append({"t": "Space"})
    if first["citationMode"]["t"] == "SuppressAuthor":
        texts = numbers  # [-@fig:a]: the number alone
    elif len(set(kinds)) == 1 and len(keys) > 1:
        plural = prefixes.get(kinds[0]) or words[kinds[0]][1]
        inlines.extend(text_inlines(_capital(plural, keys[0])) + [{"t": "Str", "c": "\u00a0"}])
        texts = numbers
    else:
        texts = [text_inlines(_capital(prefixes.get(kind) or words[kind][0], key))
                 + [{"t": "Str", "c": "\u00a0"}] + shown
                 for kind, key, shown in zip(kinds, keys, numbers, strict=True)]
    for n, (key, text) in enumerate(zip(keys, texts, strict=True)):
        if n and n == len(keys) - 1:
            inlines.extend([{"t": "Space"}, {"t": "Str", "c": words["and"]}, {"t": "Space"}])
        elif n:
            inlines.extend([{"t": "Str", "c": ","}, {"t": "Space"}])
        inlines.append({"t": "Link", "c": [["", ["xref"], []], text,
                                           ["#" + normal(key), ""]]})
    inlines.extend(citations[-1]["citationSuffix"])
    return {"t": "Span", "c": [["", ["crossref"], []], inlines]}


def _capital(word: str, key: str) -> str:
    """``@Fig:a`` (a capital prefix) starts a sentence: "Figure", "Section"."""
    return word[:1].upper() + word[1:] if key[:1].isupper() else word


def _shown_number(label: Label | None) -> list[Node]:
    """The label's number, or an unnumbered section's title in quotation marks of the
    briefing's language (a Quoted node: every writer quotes it as the text's own quotes)."""
    if label is None:
        return text_inlines("??")
    if label.number:
        return text_inlines(label.number)
    return [{"t": "Quoted", "c": [{"t": "DoubleQuote"}, text_inlines(label.title)]}]


def show_numbers(blocks: list[Node], lang: str) -> None:
    """Print the numbers in the tree's own text (for writers that do not render them: the
    Word file): "3.2 Title" in numbered headings, "Annex A Title", "Figure 2. Caption"."""
    words = words_for(lang)
    stack = list(blocks)
    while stack:
        node = stack.pop()
        kind = node["t"]
        number = attr_of(node).get("number") if kind in ("Header", "Figure", "Table") else ""
        if number and kind == "Header":
            label = f"{words['annex']} {number}" if "annex" in attr_of(node).classes \
                else number
            node["c"][2][:0] = [*text_inlines(label), {"t": "Space"}]
        elif number and node["c"][1][1]:
            caption = node["c"][1][1][0]
            word = words["caption"]["fig" if kind == "Figure" else "tbl"]
            if caption["t"] in ("Plain", "Para"):
                caption["c"][:0] = [{"t": "Strong", "c": text_inlines(f"{word}\u00a0{number}.")},
                                    {"t": "Space"}]
        stack.extend(c for c in children(node) if c["t"] in _HOLDERS)
