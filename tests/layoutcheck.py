"""The layout verifier: read a briefing's PDF (never its HTML) and say what a reader would see.

``verify(path)`` returns a :class:`Report` with one list of problems per check:

- contents numbers equal the pages their headings landed on (read through the contents page's
  own links: the digits inside each link against the page of the link's destination);
- no heading is the last line of the text block of its page;
- nothing outside the page box, nothing past the right edge of the text block;
- no web address broken inside its scheme ("htt" / "ps://") or hyphenated at a line end;
- no glyph from a font briefing does not ship;
- every note on its call's page (by the PDF's call → note links).

``typography(path)`` measures what a typographer counts (line-end hyphens, runs of them, loose
lines, characters per line); the benchmark prints it and the tests bound it.

Lines are rebuilt from pdfplumber's characters: grouped by baseline, with raised note calls
folded into the line they sit on.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber
from pypdf import PdfReader

MM = 72 / 25.4
#: a partial scheme at a line end: the address was broken inside "https://"
_SCHEME_PART = re.compile(r"(?:^|[\s(<\[])(h|ht|htt|https?|https?:|https?:/)$")
_URL_TOKEN = re.compile(r"(?:https?://|www\.|doi\.org)\S*$")


@dataclass
class Line:
    """One line of text as drawn: its characters, the commonest size and font."""

    page: int  #: 1-based
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    size: float
    font: str  #: without the subset prefix ("PT-Serif-Regular")
    chars: list[dict[str, Any]] = field(repr=False, default_factory=list)

    @property
    def is_heading(self) -> bool:
        return "Sans" in self.font and "Bold" in self.font and self.size >= 10.4

    def is_body(self, size: float) -> bool:
        """Body text: the text face at the body size."""
        return "Serif" in self.font and abs(self.size - size) <= 0.3


@dataclass
class Report:
    """Problems found, one list per check (empty lists: the check passed)."""

    pages: int = 0
    contents: list[str] = field(default_factory=list)
    stranded: list[str] = field(default_factory=list)
    outside_page: list[str] = field(default_factory=list)
    outside_block: list[str] = field(default_factory=list)
    broken_urls: list[str] = field(default_factory=list)
    foreign_fonts: list[str] = field(default_factory=list)
    notes_off_page: list[str] = field(default_factory=list)

    def problems(self) -> dict[str, list[str]]:
        return {k: v for k, v in vars(self).items() if isinstance(v, list) and v}


@dataclass
class Typography:
    """Counts over the body text's lines (the cover and contents pages left out)."""

    pages: int
    lines: int
    hyphens: int  #: lines ending in a hyphen
    runs3: int  #: runs of three or more consecutive hyphenated lines
    runs4: int  #: runs of four or more
    pages_mid_word: int  #: pages whose last body line ends in a hyphen
    loose: int  #: lines whose word spaces are wider than 1.5x the median word space
    median_space_em: float  #: the median word space, in ems of the body size
    widest_space_em: float  #: the widest line's mean word space (99th percentile), in ems
    chars_per_line: float  #: median characters in a body line filling 85 %+ of the block

    def summary(self) -> str:
        return (f"{self.lines} body lines on {self.pages} pages: {self.hyphens} end in a hyphen "
                f"({self.hyphens / max(1, self.lines):.1%}), {self.runs3} runs of 3+, "
                f"{self.runs4} of 4+, {self.pages_mid_word} pages end mid-word; "
                f"{self.loose} loose lines (median space {self.median_space_em:.2f} em, widest "
                f"{self.widest_space_em:.2f}); "
                f"{self.chars_per_line:.0f} characters a line")


# --- reading ----------------------------------------------------------------------------------

@dataclass
class Snapshot:
    """What the checks read from a PDF, read once (pdfplumber parses each page's content)."""

    width: float
    height: float
    lines: list[list[Line]]  #: per page
    annots: list[list[dict[str, Any]]]  #: per page: links
    images: list[list[dict[str, Any]]]  #: per page

    @property
    def body_size(self) -> float:
        """The commonest size of the text face (the body text), from page 3 on."""
        sizes = Counter(ln.size for page in self.lines[2:] for ln in page
                        if "Serif" in ln.font for _ in ln.chars)
        return sizes.most_common(1)[0][0] if sizes else 11.0

    @property
    def block_right(self) -> float:
        """The right edge of the text block: where running heads and folios end."""
        edges = [max(ln.x1 for ln in page if ln.size < 8.9) for page in self.lines[2:]
                 if any(ln.size < 8.9 for ln in page)]
        return statistics.median(edges) if edges else self.width

    def flow(self, number: int) -> list[Line]:
        """The lines of the text block of page ``number``: no running heads, folios or notes.

        The note area starts at the first note's number (its link back to the call)."""
        notes = [a["top"] for a in self.annots[number - 1]
                 if _name(a["data"].get("Dest", b"")).startswith("fnref-")]
        top = min(notes, default=self.height)
        return [ln for ln in self.lines[number - 1]
                if ln.size >= 8.9 and ln.bottom <= top + 1 and ln.text.strip()]


_SNAPSHOTS: dict[tuple[str, float], Snapshot] = {}


def load(path: Path) -> Snapshot:
    """The PDF at ``path``, parsed once per file version."""
    key = (str(path), path.stat().st_mtime)
    if key not in _SNAPSHOTS:
        with pdfplumber.open(str(path)) as pdf:
            pages = pdf.pages
            _SNAPSHOTS[key] = Snapshot(
                width=float(pages[0].width), height=float(pages[0].height),
                lines=[_lines(page.chars, number) for number, page in enumerate(pages, 1)],
                annots=[page.annots for page in pages], images=[page.images for page in pages])
    return _SNAPSHOTS[key]


def read_lines(path: Path) -> list[list[Line]]:
    """Every page's lines, top to bottom."""
    return load(path).lines


def _lines(chars: list[dict[str, Any]], page: int) -> list[Line]:
    groups: list[list[dict[str, Any]]] = []
    for char in sorted(chars, key=lambda c: (c["bottom"], c["x0"])):
        if groups and char["bottom"] - groups[-1][-1]["bottom"] < 1.5:
            groups[-1].append(char)
        else:
            groups.append([char])
    merged: list[list[dict[str, Any]]] = []
    for group in groups:  # fold raised note calls into the line below them
        if merged and _only_small(merged[-1], group) and \
                group[0]["bottom"] - merged[-1][0]["bottom"] < 7:
            group = merged.pop() + group
        merged.append(group)
    return [_line(g, page) for g in merged]


def _only_small(calls: list[dict[str, Any]], line: list[dict[str, Any]]) -> bool:
    biggest = max(c["size"] for c in calls)
    return biggest < 0.8 * max(c["size"] for c in line) and all(
        c["text"].strip() in "" or c["text"].isdigit() or c["text"] in ",–" for c in calls)


def _line(chars: list[dict[str, Any]], page: int) -> Line:
    chars = sorted(chars, key=lambda c: c["x0"])
    size = Counter(round(c["size"], 1) for c in chars).most_common(1)[0][0]
    font = Counter(_font(c["fontname"]) for c in chars).most_common(1)[0][0]
    return Line(page=page, top=min(c["top"] for c in chars),
                bottom=max(c["bottom"] for c in chars), x0=chars[0]["x0"],
                x1=max(c["x1"] for c in chars), text="".join(c["text"] for c in chars),
                size=size, font=font, chars=chars)


def _font(name: str) -> str:
    return name.split("+", 1)[-1]


# --- checks -----------------------------------------------------------------------------------

def verify(path: Path, shipped_fonts: set[str] | None = None,
           known_urls: set[str] = frozenset()) -> Report:  # type: ignore[assignment]
    """Run every check on the PDF at ``path``."""
    snap = load(path)
    pages, annots = snap.lines, snap.annots
    reader = PdfReader(str(path))
    report = Report(pages=len(pages))
    report.contents = check_contents(reader, pages, annots)
    report.stranded = check_stranded(snap, _first_body_page(reader))
    report.outside_page, report.outside_block = check_bounds(snap)
    report.broken_urls = check_urls(pages, annots, known_urls)
    if shipped_fonts is not None:
        report.foreign_fonts = check_fonts(pages, shipped_fonts)
    report.notes_off_page = check_notes(annots)
    return report


def _first_body_page(reader: PdfReader) -> int:
    """The page of the first bookmark (the first heading of the body)."""
    items = [o for o in reader.outline if not isinstance(o, list)]
    return min((reader.get_destination_page_number(o) + 1 for o in items), default=3)


def check_contents(reader: PdfReader, pages: list[list[Line]],
                   annots: list[list[dict[str, Any]]]) -> list[str]:
    """Each contents link's last digits against the page of the heading it links to."""
    targets = {str(name): reader.get_destination_page_number(dest) + 1
               for name, dest in reader.named_destinations.items()}
    body = _first_body_page(reader)
    wrong: list[str] = []
    for number in range(2, body):
        last_rect: dict[str, dict[str, Any]] = {}
        for annot in annots[number - 1]:
            dest = annot["data"].get("Dest")
            if dest is not None:
                last_rect[_name(dest)] = annot  # a wrapped entry: its number is in the last
        for name, annot in last_rect.items():
            # the number is drawn at the end of the entry's last line, right of the link
            # text when the entry keeps clear of the number column
            text = _text_in(pages[number - 1], {**annot, "x1": annot["x1"] + 40}).strip()
            digits = re.search(r"(\d+)\s*$", text)
            shown = int(digits.group(1)) if digits else None
            if shown != targets.get(name):
                wrong.append(f"contents entry #{name} says {shown}, is on page "
                             f"{targets.get(name)}")
    return wrong


def _name(dest: Any) -> str:
    if isinstance(dest, bytes):  # a PDF text string: UTF-16 with its mark, else PDFDoc/UTF-8
        return dest[2:].decode("utf-16-be") if dest[:2] == b"\xfe\xff" else dest.decode()
    return str(dest).lstrip("/")


def _text_in(lines: list[Line], annot: dict[str, Any]) -> str:
    return "".join(c["text"] for ln in lines for c in ln.chars
                   if annot["x0"] - 1 <= (c["x0"] + c["x1"]) / 2 <= annot["x1"] + 1
                   and annot["top"] - 1 <= (c["top"] + c["bottom"]) / 2 <= annot["bottom"] + 1)


def check_stranded(snap: Snapshot, first_body: int) -> list[str]:
    """A heading that is the last line of its page's text block."""
    out = []
    for number in range(1, len(snap.lines) + 1):
        flow = snap.flow(number)
        if number >= first_body and flow and flow[-1].is_heading:
            out.append(f"page {number}: heading {flow[-1].text.strip()[:40]!r} ends the page")
    return out


def check_bounds(snap: Snapshot) -> tuple[list[str], list[str]]:
    """Text or images beyond the paper; body text or code past the right edge of the text
    block (a wide table may use the outer margin)."""
    outside, past = [], []
    width, height, right, body = snap.width, snap.height, snap.block_right, snap.body_size
    for number, lines in enumerate(snap.lines, 1):
        for ln in lines:
            if ln.x0 < -0.5 or ln.x1 > width + 0.5 or ln.top < -0.5 or ln.bottom > height + 0.5:
                outside.append(f"page {number}: {ln.text.strip()[:40]!r} runs off the paper")
            elif number > 1 and ln.x1 > right + 2 and (ln.is_body(body) or "Mono" in ln.font):
                past.append(f"page {number}: {ln.text.strip()[:40]!r} ends "
                            f"{(ln.x1 - right) / MM:.1f} mm into the right margin")
        for image in snap.images[number - 1]:
            if image["x0"] < -0.5 or image["x1"] > width + 0.5:
                outside.append(f"page {number}: an image runs off the paper")
    return outside, past


def check_urls(pages: list[list[Line]], annots: list[list[dict[str, Any]]],
               known: set[str]) -> list[str]:
    """Web addresses broken inside their scheme, or hyphenated where they break."""
    known = set(known) | {str(a["uri"]) for page in annots for a in page if a.get("uri")}
    out = []
    for number, lines in enumerate(pages, 1):
        for ln, nxt in zip(lines, lines[1:], strict=False):
            end = ln.text.rstrip()
            start = nxt.text.lstrip().split(" ", 1)[0]
            if _SCHEME_PART.search(end) and re.match(r"(ttps?|tps?|ps?|s?:|:?//?|/)", start):
                out.append(f"page {number}: address broken in its scheme: "
                           f"{end[-12:]!r} / {start[:12]!r}")
                continue
            token = end.rsplit(" ", 1)[-1]
            if _URL_TOKEN.search(token) and token.endswith("-"):
                joined = token[:-1] + start
                if any(joined.rstrip(".,;)") in url and token + start not in url
                       for url in known):
                    out.append(f"page {number}: address hyphenated: {token[-20:]!r} / "
                               f"{start[:20]!r}")
    return out


def check_fonts(pages: list[list[Line]], shipped: set[str]) -> list[str]:
    """Characters drawn with a font briefing does not ship (the machine's fonts)."""
    found: dict[str, list[str]] = {}
    for lines in pages:
        for ln in lines:
            for char in ln.chars:
                name = _font(char["fontname"])
                if name not in shipped and char["text"].strip():
                    found.setdefault(name, []).append(char["text"])
    return [f"{name}: {''.join(sorted(set(chars)))[:40]!r}" for name, chars in found.items()]


def check_notes(annots: list[list[dict[str, Any]]]) -> list[str]:
    """Every call (link to fn-N) on the page of its note (link back to fnref-N)."""
    calls: dict[str, int] = {}
    notes: dict[str, int] = {}
    for number, page in enumerate(annots, 1):
        for annot in page:
            dest = annot["data"].get("Dest")
            name = _name(dest) if dest is not None else ""
            if name.startswith("fn-"):
                calls.setdefault(name[3:], number)
            elif name.startswith("fnref-"):
                notes.setdefault(name[6:], number)
    return [f"note {n}: call on page {p}, note on page {notes.get(n)}"
            for n, p in calls.items() if notes.get(n) != p]


# --- typography -------------------------------------------------------------------------------

def typography(path: Path, first_page: int = 3) -> Typography:
    """Line-end hyphens, their runs, loose lines and the measure of the body text."""
    snap = load(path)
    body = snap.body_size
    body_pages = [[ln for ln in snap.flow(number) if ln.is_body(body)]
                  for number in range(first_page, len(snap.lines) + 1)]
    body_pages = [p for p in body_pages if p]
    flat = [ln for page in body_pages for ln in page]
    ends = [[ln.text.rstrip().endswith("-") for ln in page] for page in body_pages]
    runs = [r for page in ends for r in _runs(page)]
    gaps = {id(ln): _word_spaces(ln) for ln in flat}
    every = [g for line_gaps in gaps.values() for g in line_gaps]
    median = statistics.median(every) if every else 0.0
    means = sorted(statistics.mean(g) for g in gaps.values() if g)
    loose = sum(1 for m in means if m > 1.5 * median)
    widest = means[int(0.99 * (len(means) - 1))] if means else 0.0
    # the measure: lines that fill at least 85 % of the block (ragged right: the running
    # lines; the last lines of paragraphs left out)
    left, right = min((ln.x0 for ln in flat), default=0), snap.block_right
    full = [len(ln.text.strip()) for ln in flat if ln.x1 - left >= 0.85 * (right - left)]
    return Typography(
        pages=len(body_pages), lines=len(flat), hyphens=sum(sum(p) for p in ends),
        runs3=sum(1 for r in runs if r >= 3), runs4=sum(1 for r in runs if r >= 4),
        pages_mid_word=sum(1 for p in ends if p and p[-1]), loose=loose,
        median_space_em=median / body, widest_space_em=widest / body,
        chars_per_line=statistics.median(full) if full else 0)


def _runs(flags: list[bool]) -> list[int]:
    runs, current = [], 0
    for flag in [*flags, False]:
        if flag:
            current += 1
        elif current:
            runs.append(current)
            current = 0
    return runs


def _word_spaces(line: Line) -> list[float]:
    """Widths of the spaces between the words of a line.

    Only spaces with a body-size character on each side count: the space after a raised
    note call would measure the call too."""
    chars, gaps = line.chars, []
    for before, space, after in zip(chars, chars[1:], chars[2:], strict=False):
        if space["text"] == " " and before["text"] != " " and after["text"] != " " and \
                min(before["size"], after["size"]) >= line.size - 0.3:
            gaps.append(after["x0"] - before["x1"])
    return gaps
