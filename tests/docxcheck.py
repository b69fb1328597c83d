"""Read what a partner sees in a Word file: footnotes, where their calls are, styles.

python-docx has no footnote API, so the footnotes are read from ``word/footnotes.xml`` and
their calls (``w:footnoteReference``) from ``word/document.xml`` with zipfile and lxml;
paragraph styles and the cover come from python-docx.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _xml(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as docx:
        return etree.fromstring(docx.read(name))


def _flat(text: str) -> str:
    return " ".join(text.split())


def footnotes(path: Path) -> dict[int, str]:
    """Every real footnote (not Word's separators): id -> its text."""
    notes = {}
    for note in _xml(path, "word/footnotes.xml").iter(f"{W}footnote"):
        if note.get(f"{W}type") in (None, "normal"):
            notes[int(note.get(f"{W}id", "0"))] = _flat("".join(note.itertext()))
    return notes


@dataclass(frozen=True)
class Call:
    """A footnote reference in the text."""

    id: int
    before: str  #: the paragraph's text up to the call
    style: str  #: the paragraph's style id


def calls(path: Path) -> list[Call]:
    """Every footnote reference in the document, in reading order."""
    found = []
    for paragraph in _xml(path, "word/document.xml").iter(f"{W}p"):
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        text = ""
        for node in paragraph.iter(f"{W}t", f"{W}footnoteReference"):
            if node.tag == f"{W}t":
                text += node.text or ""
            else:
                found.append(Call(int(node.get(f"{W}id", "0")), _flat(text),
                                  style.get(f"{W}val", "") if style is not None else ""))
    return found


class TextBeforeCalls(HTMLParser):
    """The PDF writer's body: the text before each note call, notes themselves left out."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.before: dict[int, str] = {}
        self.depth = 0  #: >0 inside a note
        self.in_call = False  #: the call's number is not text of the paragraph

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self.depth:
            self.depth += tag == "span"
        elif tag == "span" and values.get("class") == "footnote":
            self.depth = 1
        elif tag == "a" and values.get("class") == "fn-call":
            self.before[int(str(values["id"]).removeprefix("fnref-"))] = _flat(self.text)
            self.in_call = True
        elif tag in ("p", "li", "h1", "h2", "h3", "h4", "td", "th", "caption", "figcaption"):
            self.text = ""

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "span":
            self.depth -= 1
        self.in_call = self.in_call and tag != "a"

    def handle_data(self, data: str) -> None:
        if not self.depth and not self.in_call:
            self.text += data


def text_before_calls(body: str) -> dict[int, str]:
    parser = TextBeforeCalls()
    parser.feed(body)
    return parser.before
