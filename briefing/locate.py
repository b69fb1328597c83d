"""Where in a section's text pandoc found each element (pandoc's Markdown reader keeps no
source positions).

Part of the reading stage (``reader.py``). pandoc's tree holds the elements in the order they
were written, except that a labelled footnote's text (``[^n]: …``) is placed at its call. So
each kind of element is searched for in the text in that order: a citation key ``@key`` after
the previous citation of that key, a heading line after the previous heading, a link's address
after the previous one. The text is searched with code spans, code blocks, comments and the
YAML block blanked out (same length, so positions stay right), and a labelled note's elements
are searched for inside its definition. An element that cannot be found gets the place of the
last element found before it: a line near enough to look at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

#: pandoc's key characters (a key starts with a letter, digit or _, and may hold internal
#: punctuation; or anything in braces)
_KEY_TAIL = r"(?![\w]|[:.#$%&\-+?<>~/][\w])"
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)\1(?!`)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_YAML = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*$", re.S | re.M)
_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.M)
_MARKER = re.compile(r"\^\[|\[\^([^\]\s]+)\](?!:)")
_HEADING = re.compile(r"^(?:[ \t]{0,3}>[ \t]?)*[ \t]{0,3}#{1,6}(?:[ \t]|$)"
                      r"|^[^\n]*\S[^\n]*\n[ \t]{0,3}(?:=+|-+)[ \t]*$", re.M)
_DIV = re.compile(r"^[ \t]*:{3,}[ \t]*[^\s:]", re.M)
# the first line of a pipe, grid or simple table (or of the caption before it)
_TABLE = re.compile(r"^[ \t]{0,3}(?:\||\+[-=]|-{3,}[ \t]|[:]?-{3,}[:]?\|)", re.M)


@dataclass(frozen=True)
class Place:
    """A position in a source file (1-based line and column)."""

    path: Path
    line: int
    col: int | None = None


@dataclass
class Locator:
    """Finds elements of one section's tree in the section's text, in order."""

    path: Path
    text: str
    first_line: int = 1  #: the file line of the text's first line (text cut from a file)
    masked: str = ""
    definitions: dict[str, tuple[int, int]] = field(default_factory=dict)
    markers: list[tuple[int, str | None]] = field(default_factory=list)  #: (pos, label)
    undefined: list[tuple[int, str]] = field(default_factory=list)  #: [^x] without [^x]:
    unused: list[tuple[int, str]] = field(default_factory=list)  #: [^x]: never called
    _line_starts: list[int] = field(default_factory=list)
    _cursors: dict[tuple[str, str], int] = field(default_factory=dict)
    _last: dict[str, int] = field(default_factory=dict)
    _body: str = ""

    def __post_init__(self) -> None:
        self.masked = mask_code(self.text)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        self.definitions = _definitions(self.masked)
        body = list(self.masked)
        for start, end in self.definitions.values():
            body[start:end] = " " * (end - start)
        self._body = "".join(body)
        found = [(m.start(), m.group(1)) for m in _MARKER.finditer(self._body)]
        # a reference without a definition stays text in pandoc: it makes no note
        self.markers = [(pos, label) for pos, label in found
                        if label is None or label in self.definitions]
        self.undefined = [(pos, label) for pos, label in found
                          if label is not None and label not in self.definitions]
        used = {label for _, label in found}
        self.unused = [(self.definitions[label][0], label) for label in self.definitions
                       if label not in used]

    def place(self, pos: int) -> Place:
        """The line and column of a character position."""
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return Place(self.path, lo + self.first_line, pos - self._line_starts[lo] + 1)

    def find(self, pattern: re.Pattern[str], region: str, kind: str,
             in_code: bool = False) -> Place:
        """The next match of ``pattern`` in ``region`` ("" is the body, else a note label)
        after the previous element of ``kind``; else the last place found in the region.
        ``in_code``: search code blocks too (a raw block is written as a fenced block)."""
        text, start, end = self._region(region)
        if in_code:
            text = self.text
        cursor = max(start, self._cursors.get((region, kind), start))
        match = pattern.search(text, cursor, end)
        if match is None:
            return self.place(self._last.get(region, start))
        self._cursors[(region, kind)] = match.end()
        self._last[region] = match.start()
        return self.place(match.start())

    def find_key(self, key: str, region: str) -> Place:
        """Where the citation of ``key`` was written (``@key`` or ``@{key}``)."""
        pattern = re.compile(rf"(?<![\w@])-?@(?:\{{{re.escape(key)}\}}|{re.escape(key)}"
                             f"{_KEY_TAIL})")
        return self.find(pattern, region, "cite:" + key)

    def find_text(self, needle: str, region: str, kind: str, in_code: bool = False) -> Place:
        return self.find(re.compile(re.escape(needle)), region, kind, in_code)

    def find_target(self, target: str, region: str) -> Place:
        """Where a link or image target was written: as pandoc gives it, or as the author
        wrote it before pandoc percent-encoded it (``<ms-msdt:/id x>`` gives ``…/id%20x``)."""
        forms = dict.fromkeys([target, unquote(target)])
        pattern = re.compile("|".join(re.escape(form) for form in forms))
        return self.find(pattern, region, "target")

    def find_id(self, ident: str, region: str) -> Place:
        """Where ``{#ident …}`` was written (a span's or figure's attributes)."""
        pattern = re.compile(rf"\{{[^}}\n]*#{re.escape(ident)}(?=[\s}}])")
        return self.find(pattern, region, "id")

    def find_heading(self, region: str) -> Place:
        return self.find(_HEADING, region, "heading")

    def find_div(self, region: str) -> Place:
        return self.find(_DIV, region, "div")

    def find_table(self, region: str) -> Place:
        place = self.find(_TABLE, region, "table")
        # the next table starts after this one: skip to the blank line that ends it
        text, _, end = self._region(region)
        cursor = self._cursors.get((region, "table"), 0)
        blank = text.find("\n\n", cursor)
        self._cursors[(region, "table")] = blank if 0 <= blank < end else end
        return place

    def last(self, region: str) -> Place:
        _, start, _ = self._region(region)
        return self.place(self._last.get(region, start))

    def _region(self, region: str) -> tuple[str, int, int]:
        if region and region in self.definitions:
            start, end = self.definitions[region]
            return self.masked, start, end
        return self._body, 0, len(self._body)


def mask_code(text: str) -> str:
    """``text`` with code, comments and the YAML block replaced by spaces (lines kept)."""
    out = list(text)
    spans = [(m.start(), m.end()) for m in _YAML.finditer(text)] + fenced_blocks(text)
    for start, end in spans:
        _blank(out, start, end)
    for pattern in (_COMMENT, _CODE_SPAN):
        for match in pattern.finditer("".join(out)):
            _blank(out, match.start(), match.end())
    return "".join(out)


def _blank(out: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if out[i] != "\n":
            out[i] = " "


def fenced_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each fenced code block (``` or ~~~, closed by a fence as long)."""
    spans: list[tuple[int, int]] = []
    pos, opened, fence = 0, -1, ""
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if opened < 0 and match:
            opened, fence = pos, match.group(1)
        elif opened >= 0 and match and match.group(1)[0] == fence[0] \
                and len(match.group(1)) >= len(fence) and not line.strip().strip(fence[0]):
            spans.append((opened, pos + len(line)))
            opened = -1
        pos += len(line)
    if opened >= 0:
        spans.append((opened, len(text)))
    return spans


def _definitions(masked: str) -> dict[str, tuple[int, int]]:
    """Footnote definitions: label -> (start, end) of the definition's text.

    A definition runs until a line that is neither blank, indented, nor a lazy continuation
    of the paragraph above it, or until the next definition.
    """
    found: dict[str, tuple[int, int]] = {}
    matches = list(_DEFINITION.finditer(masked))
    for n, match in enumerate(matches):
        limit = matches[n + 1].start() if n + 1 < len(matches) else len(masked)
        end = _definition_end(masked, match.end(), limit)
        found.setdefault(match.group(1), (match.start(), end))
    return found


def _definition_end(text: str, start: int, limit: int) -> int:
    pos = text.find("\n", start)
    if pos < 0 or pos >= limit:
        return limit
    blank = False
    while pos < limit:
        nxt = text.find("\n", pos + 1)
        nxt = limit if nxt < 0 or nxt > limit else nxt
        line = text[pos + 1:nxt]
        if not line.strip():
            blank = True
        elif line.startswith(("    ", "\t")):
            blank = False
        elif blank:
            return pos + 1  # a new paragraph at the margin ends the note
        pos = nxt
    return limit
