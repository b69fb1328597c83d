"""The text the CLI prints about a run: problems (repeats grouped), result lines, the table.

Not a stage: pure functions from diagnostics and :class:`~briefing.rebuild.Outcome` records to
strings; ``cli.py`` prints them. A single problem is always one ``path:line:col: severity:
message`` line. Warnings of one kind in one file (the same message with only the quoted keys,
the parenthesised words and the numbers differing) are one line when there are
:data:`GROUP_FROM` or more of them: a shared bibliography with 400 uncited entries gives
``bib/x.bib: warning: 400 entries are never cited, … ('a', 'b', 'c', 'd', 'e' and 395 more);
…; --verbose lists them``. Errors are never grouped: each must be fixed at its own line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Diagnostic

if TYPE_CHECKING:
    from .builders import Output
    from .rebuild import Outcome

#: this many warnings of one kind in one file become one line
GROUP_FROM = 4
#: keys named in a grouped line
SHOWN_KEYS = 5

_QUOTED = re.compile(r"'([^']*)'")
_VARYING = re.compile(r"'[^']*'|\([^()]*\)|\d+")


@dataclass(frozen=True)
class _Plural:
    """How a kind of warning reads when it is grouped; ``{n}`` and ``{keys}`` are filled in."""

    template: re.Pattern[str]  #: matches the kind's message with the varying parts as "…"
    text: str


#: kinds with a plural sentence of their own; any other kind gets the first message and a count
_PLURALS = (
    _Plural(re.compile(r"^… is never cited"),
            "{n} entries are never cited, so they are not in the sources ({keys}); cite them "
            "or list them under nocite in report.yaml"),
    _Plural(re.compile(r"^… … has no date"),
            "{n} entries have no date, so their notes will say 'n.d.' ({keys}); add "
            "date = {{YYYY-MM-DD}} or year = {{YYYY}}"),
    _Plural(re.compile(r"^… has no title"),
            "{n} entries have no title, so their notes start with the next field ({keys}); "
            "add title = {{…}}"),
)


def visible(diagnostics: list[Diagnostic], verbose: bool = False, quiet: bool = False,
            strict: bool = False) -> list[Diagnostic]:
    """What to print: ``--quiet`` keeps errors (and warnings under ``--strict``, which fail);
    ``--verbose`` keeps every problem on its own line; by default repeats are grouped."""
    if quiet and not strict:
        diagnostics = [d for d in diagnostics if d.severity == "error"]
    return list(diagnostics) if verbose else group(diagnostics)


def group(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Warnings of one kind in one file, :data:`GROUP_FROM` or more, become one diagnostic."""
    kinds: dict[tuple[Path | None, str], list[Diagnostic]] = {}
    for diag in diagnostics:
        if diag.severity == "warning":
            kinds.setdefault(_kind(diag), []).append(diag)
    out: list[Diagnostic] = []
    for diag in diagnostics:
        members = kinds.get(_kind(diag), []) if diag.severity == "warning" else []
        if len(members) < GROUP_FROM:
            out.append(diag)
        elif members[0] is diag:
            out.append(_summarise(members))
    return out


def _kind(diag: Diagnostic) -> tuple[Path | None, str]:
    return diag.path, _VARYING.sub("…", diag.message)


def _summarise(members: list[Diagnostic]) -> Diagnostic:
    first = members[0]
    template = _VARYING.sub("…", first.message)
    for plural in _PLURALS:
        if plural.template.match(template):
            text = plural.text.format(n=len(members), keys=_keys(members))
            return Diagnostic(first.severity, f"{text}; --verbose lists them", first.path)
    rest = members[1:]
    return Diagnostic(first.severity, f"{first.message} (and {len(rest)} more like it: "
                      f"{_keys(rest)}; --verbose lists them)", first.path, first.line,
                      first.col)


def _keys(members: list[Diagnostic]) -> str:
    """``'a', 'b', 'c', 'd', 'e' and 395 more``: the first quoted word, else the line."""
    labels = [_label(d) for d in members[:SHOWN_KEYS]]
    more = len(members) - SHOWN_KEYS
    return ", ".join(labels) + (f" and {more} more" if more > 0 else "")


def _label(diag: Diagnostic) -> str:
    quoted = _QUOTED.search(diag.message)
    if quoted:
        return f"'{quoted.group(1)}'"
    return f"line {diag.line}" if diag.line is not None else "no line"


# --- results ----------------------------------------------------------------------------------

def count(number: int, word: str) -> str:
    """``1 note``, ``23 notes``, ``0 warnings``: English plurals of the words used here."""
    return f"{number:,} {word if number == 1 else _IRREGULAR.get(word, word + 's')}"


_IRREGULAR = {"numbered copy": "numbered copies"}


def result_line(outcome: Outcome) -> str:
    """``build/kz.pdf: built in 3.1 s: 7 pages, 23 notes, 18 sources, 0 warnings``, and a line
    for each further output (``build/kz.html: written in 0.1 s: web page, 23 notes, …``)."""
    if not outcome.outputs:
        how = "unchanged since the last build, reused" if outcome.reused \
            else f"built in {outcome.seconds:.1f} s"
        return (f"{shown(outcome.output)}: {how}: {count(outcome.pages, 'page')}, "
                f"{count(outcome.notes, 'note')}, {count(outcome.sources, 'source')}, "
                f"{count(len(outcome.warnings), 'warning')}")
    lines = []
    first_built = next((o for o in outcome.outputs if not o.reused), None)
    for n, out in enumerate(outcome.outputs):
        how = ("unchanged since the last build, reused" if out.reused
               else f"built in {outcome.seconds:.1f} s" if out is first_built
               else f"written in {_seconds(out.seconds)}")
        kind = "copies" if out.copies else out.kind
        what = _described(kind, out)
        warnings = f", {count(len(outcome.warnings), 'warning')}" if n == 0 else ""
        lines.append(f"{shown(out.path)}: {how}: {what}{warnings}")
    return "\n".join(lines)


def _described(kind: str, o: Output) -> str:
    """How each output kind is described in the result lines."""
    size, notes, sources = _size(o.size), count(o.notes, "note"), count(o.sources, "source")
    if kind == "copies":
        return (f"{count(o.copies, 'numbered copy')} of {count(o.pages, 'page')}, {notes}, "
                f"{sources}, {size} in all")
    if kind == "html":
        return f"web page, {notes}, {sources}, {size}"
    if kind == "docx":
        return f"Word file, {count(o.notes, 'footnote')}, {sources}, {size}"
    return f"{count(o.pages, 'page')}, {notes}, {sources}, {size}"


def _seconds(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 0.1 else f"{seconds:.1f} s"


def _size(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{max(1, round(size / 1024))} KB"


def failure_line(outcome: Outcome, output: Path | None) -> str:
    """What a failed build left behind, so the author knows which PDF is on disk."""
    if outcome.internal:
        return (f"briefing: internal error in {outcome.source}: {outcome.internal}; please "
                "report it (run it alone with --debug for the details)")
    kept = output or outcome.output
    state = (f"the previous {shown(kept)} is untouched" if kept and kept.exists()
             else "no PDF was written or changed")
    return f"briefing: build failed; {state}"


def series_line(done: int, total: int, outcome: Outcome) -> str:
    """``[2/3] reports/kg: built (3.1 s)``, printed as each briefing of a series finishes."""
    return f"[{done}/{total}] {outcome.name}: {_result(outcome).lower()} ({outcome.seconds:.1f} s)"


def series_table(outcomes: list[Outcome]) -> str:
    """The closing table of a series (of briefings or of editions): a row per briefing, or per
    output when some briefing writes more than its PDF, with pages, size and time."""
    several = any(len(o.outputs) > 1 or any(e.kind != "pdf" or e.copies for e in o.outputs)
                  for o in outcomes)
    rows = [("briefing", *(("output",) if several else ()), "result", "pages", "notes",
             "sources", "size", "warnings", "seconds")]
    for o in outcomes:
        if not several or not o.outputs:
            size = sum(e.size for e in o.outputs)
            rows.append((o.name, *(("-",) if several else ()), _result(o), str(o.pages),
                         str(o.notes), str(o.sources), _size(size) if size else "-",
                         str(len(o.warnings)), f"{o.seconds:.1f}"))
            continue
        for n, e in enumerate(o.outputs):  # the first row carries the briefing's totals
            kind = f"{e.copies} copies" if e.copies else e.kind
            rows.append((o.name, kind, "reused" if e.reused else "built",
                         str(e.pages) if e.kind == "pdf" else "-", str(e.notes),
                         str(e.sources), _size(e.size), str(len(o.warnings)) if n == 0 else "",
                         f"{o.seconds if n == 0 else e.seconds:.1f}"))
    labels = 3 if several else 2  # left-aligned columns
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [c.ljust(w) if i < labels else c.rjust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    failed = sum(1 for o in outcomes if o.exit_code)
    what = "editions" if any(o.edition for o in outcomes) else "briefings"
    lines.append(f"{len(outcomes) - failed} of {len(outcomes)} {what} built"
                 + (f", {failed} failed" if failed else ""))
    return "\n".join(lines)


def _result(outcome: Outcome) -> str:
    return "FAILED" if outcome.exit_code else ("reused" if outcome.reused else "built")


def shown(path: Path | None) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    if path is None:
        return "?"
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
