"""Stage 5: number the footnotes and put them, with the formatted citations, into the text.

In: the Markdown stage's HTML (with markers) and the formatted citations. Out: the body HTML
where each note is an inline ``<span class="footnote">`` at its call (WeasyPrint floats it to the
page bottom) and the list of :class:`Note` records the PDF stage checks placement against.

Numbers are given here, not by CSS counters, so that call and note link to each other in the PDF
(WeasyPrint makes no links for ``float: footnote``) and tests can find every note by its number.
As in pandoc, a citation note moves after the punctuation that follows it, and the space before
a note call goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .citations import CitationResult
from .markdown import MARKER_RE, Citation, MarkdownResult

_PUNCT = ".,;:!?"
# a citation marker, the spaces before it and the punctuation after it
_MOVE_RE = re.compile("[ \t]*(\ue000C\\d+\ue001)([" + re.escape(_PUNCT) + "]*)")


@dataclass(frozen=True)
class Note:
    """One footnote as the reader sees it."""

    number: int
    html: str
    kind: str  #: "citation" (made by the style) or "author" (written in the Markdown)
    path: Path
    line: int


@dataclass(frozen=True)
class Assembled:
    html: str  #: the body, markers replaced
    notes: list[Note]


def assemble(parsed: MarkdownResult, cited: CitationResult) -> Assembled:
    """Replace every marker; number notes in the order their calls appear."""
    by_id: dict[int, Citation] = {c.id: c for c in parsed.citations}
    html = _MOVE_RE.sub(lambda m: _move(m, cited), parsed.html)
    notes: list[Note] = []

    def replace(match: re.Match[str]) -> str:
        kind, ident = match.group(1), int(match.group(2))
        if kind == "C":
            fmt = cited.formatted[ident]
            if fmt.note is None:
                return fmt.text
            src = by_id[ident]
            note = Note(len(notes) + 1, fmt.note, "citation", src.path, src.line)
            notes.append(note)
            return fmt.text + _note_html(note)
        footnote = parsed.footnotes[ident]
        body = MARKER_RE.sub(lambda m: cited.formatted[int(m.group(2))].text, footnote.html)
        note = Note(len(notes) + 1, body, "author", footnote.path, footnote.line)
        notes.append(note)
        return _note_html(note)

    html = MARKER_RE.sub(replace, html)
    html = re.sub(r"[ \t]+(<a class=\"fn-call\")", r"\1", html)
    return Assembled(html=_CALL_RE.sub(_keep_with_word, html), notes=notes)


# a note call and the character before it, when that is plain text
_CALL_RE = re.compile(r'([^\s<>;])(<a class="fn-call" [^>]*>\d+</a>)')


def _keep_with_word(match: re.Match[str]) -> str:
    """A call never starts a line: it stays with the character it follows ("media.¹").

    Only that character is held, so the word itself can still be hyphenated and justified.
    """
    return f'<span class="fn-word">{match.group(1)}{match.group(2)}</span>'



def _move(match: re.Match[str], cited: CitationResult) -> str:
    marker, punct = match.group(1), match.group(2)
    ident = int(marker[2:-1])
    if cited.formatted[ident].note is None:
        return match.group(0)  # in-text citation: leave spacing and punctuation alone
    return punct + marker


def _note_html(note: Note) -> str:
    n = note.number
    return (f'<a class="fn-call" id="fnref-{n}" href="#fn-{n}">{n}</a>'
            f'<span class="footnote" id="fn-{n}" data-kind="{note.kind}">'
            f'<a class="fn-mark" href="#fnref-{n}">{n}</a> {note.html}</span>')
