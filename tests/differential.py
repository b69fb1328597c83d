"""briefing against pandoc itself, on the same files: the shared half of the differential tests.

:func:`briefing_output` runs briefing's stages up to the HTML writer (no layout: the PDF prints
exactly this HTML) and reads notes, reference entries and in-text citations from it the way
``oracle.py`` reads pandoc's HTML. :func:`explain` says which of briefing's declared
corrections (``briefing/corrections.py``) accounts for a difference, or None.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from oracle import _MOVED, Element, OracleOutput, collapse, parse_html

from briefing.bibliography import Reference
from briefing.checks import analyse
from briefing.citations import format_citations
from briefing.config import load_config
from briefing.errors import Diagnostics
from briefing.writer import Written, quotes_for, write_html

CORPUS = Path(__file__).parent / "corpus"
BATTERY = Path(__file__).parent / "battery"


@dataclass
class Ours:
    output: OracleOutput
    written: Written
    refs: dict[str, Reference]
    lang: str
    intext_keys: list[tuple[str, ...]]  #: the keys of each in-text citation, in order


def briefing_output(folder: Path, style: str, corrections: frozenset[str],
                    root: Path | None = None) -> Ours:
    """briefing's notes, references and in-text citations for a report folder in ``style``."""
    config = dataclasses.replace(load_config(folder, root), csl=style)
    diags = Diagnostics()
    analysis = analyse(config, diags, corrections)
    assert not diags.errors, [d.format() for d in diags.errors]
    assert analysis.style is not None
    cited = format_citations(analysis.blocks, analysis.refs, analysis.style, config,
                             corrections)
    written = write_html(cited, analysis.document, config.lang, corrections)
    output, keys = read_written(written)
    return Ours(output, written, analysis.refs, config.lang, keys)


def read_written(written: Written) -> tuple[OracleOutput, list[tuple[str, ...]]]:
    """What a reader sees of notes, entries and in-text citations (and each one's keys)."""
    body = parse_html(f"<div>{written.body}{written.abstract}</div>")
    notes = [_text(parse_html(f"<span>{n.html}</span>")) for n in written.notes]
    spans = [(_intext(el), tuple(el.attrs.get("data-cites", "").split()))
             for el in body.iter() if el.tag == "span" and "citation" in el.classes
             and not any("footnote" in a.classes for a in el.ancestors())]
    refs = [(e.key, _text(parse_html(f"<div>{e.html}</div>"))) for e in written.references]
    return (OracleOutput(notes=notes, references=refs, intext=[t for t, _ in spans if t]),
            [k for t, k in spans if t])


def _intext(span: Element) -> str:
    """As the oracle reads pandoc's: the punctuation citeproc moved before a note call
    belongs to the sentence, not to the citation."""
    text = _text(span)
    if any("fn-call" in el.classes for el in span.iter()):
        text = _MOVED.sub("", text).rstrip()
    return text


def _text(node: Element) -> str:
    """Text as the oracle reads it: note calls and notes left out, a note's paragraphs
    (``fn-p``, display: block in the house style) apart."""
    parts: list[str] = []

    def walk(el: Element) -> None:
        for child in el.children:
            if isinstance(child, str):
                parts.append(child)
            elif not ({"fn-call", "footnote", "fn-mark", "fn-sep"} & child.classes):
                block = child.tag in ("p", "div", "li") or "fn-p" in child.classes
                parts.append(" " if block else "")
                walk(child)
                parts.append(" " if block else "")

    walk(node)
    return collapse("".join(parts))


def explain(ours_text: str, theirs: str, keys: tuple[str, ...], ours: Ours) -> str | None:
    """The correction that accounts for ``ours_text`` differing from pandoc's, if any."""
    if _undo_quotes(ours_text, ours.lang) == theirs:
        return "local-quotes"
    if _undo_genitive(ours_text) == theirs:
        return "genitive-months"
    corrected = sorted({name for key in keys if key in ours.refs
                        for name in ours.refs[key].corrected})
    return ",".join(corrected) or None


def _undo_quotes(text: str, lang: str) -> str:
    marks = quotes_for(lang)
    english = "“”‘’"
    return "".join(english[marks.index(c)] if c in marks[:4] and isinstance(marks, str) else c
                   for c in text)


_GENITIVE = dict(zip(("января", "февраля", "марта", "апреля", "мая", "июня", "июля",
                      "августа", "сентября", "октября", "ноября", "декабря"),
                     ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
                      "сентябрь", "октябрь", "ноябрь", "декабрь"), strict=True))


def _undo_genitive(text: str) -> str:
    return re.sub(r"(\d{1,2} )(" + "|".join(_GENITIVE) + r")(?!\w)",
                  lambda m: m.group(1) + _GENITIVE[m.group(2)], text)
