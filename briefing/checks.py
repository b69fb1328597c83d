"""Stages 1-3 plus the checks that need no rendering: what ``--check`` runs, and every build.

In: the config. Out: an :class:`Analysis` (sections, references, parsed Markdown, style) and
every problem found, errors and warnings together, so an author fixes them all in one round.
Only pandoc (formatting) and WeasyPrint (layout) come after this; neither is imported here, so
``--check`` answers in a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .bibliography import Reference, parse_bibliography
from .citations import Style, check_keys, resolve_style
from .config import Config
from .errors import BriefingError, Diagnostics
from .fonts import check_text
from .markdown import MarkdownResult, parse_sections
from .sources import Section, read_sections

#: a note longer than this (characters of text) is unlikely to fit on one page at 8.5 pt
NOTE_CHARS_LIMIT = 4_000
#: CSL types whose notes read badly without a date
_DATED = {"book", "report", "article-journal", "thesis", "chapter", "paper-conference",
          "legislation", "legal_case", "article-newspaper", "article-magazine"}


@dataclass
class Analysis:
    config: Config
    sections: list[Section]
    refs: dict[str, Reference]
    parsed: MarkdownResult
    style: Style | None


def analyse(config: Config, diags: Diagnostics) -> Analysis:
    """Read and check everything; problems go to ``diags`` (nothing raises for bad content)."""
    sections = read_sections(config.sections)
    refs = parse_bibliography(config.bibliography, diags)
    style = None
    try:
        style = resolve_style(config.csl, config.folder, config.path, config.line_of("csl"))
    except BriefingError as exc:
        diags.items.extend(exc.diagnostics)
    parsed = parse_sections(sections, config.lang, base=config.folder)
    diags.items.extend(parsed.problems)
    check_keys(parsed.citations, refs, config.nocite, config.path, config.line_of("nocite"),
               diags)
    _check_entries(refs, parsed, config, diags)
    _report_dropped(refs, diags)
    _check_note_lengths(parsed, diags)
    diags.items.extend(d for s in sections for d in check_text(s.text, s.path, s.first_line))
    return Analysis(config, sections, refs, parsed, style)


def _check_entries(refs: dict[str, Reference], parsed: MarkdownResult, config: Config,
                   diags: Diagnostics) -> None:
    cited = {item.key for c in parsed.citations for item in c.items} | set(config.nocite)
    for ref in refs.values():
        kind = ref.csl.get("type", "")
        if "title" not in ref.csl:
            diags.warning(f"'{ref.key}' has no title: its notes will start with the next "
                          "field; add title = {…}", ref.path, ref.line)
        if kind in _DATED and "issued" not in ref.csl:
            diags.warning(f"'{ref.key}' ({kind.replace('-', ' ')}) has no date: its notes "
                          "will say 'n.d.'; add date = {YYYY-MM-DD} or year = {YYYY}",
                          ref.path, ref.line)
        if ref.key not in cited and "*" not in config.nocite:
            diags.warning(f"'{ref.key}' is never cited, so it is not in the sources; cite it "
                          "or list it under nocite in report.yaml", ref.path, ref.line)


def _report_dropped(refs: dict[str, Reference], diags: Diagnostics) -> None:
    """Fields the mapping does not use are named, per .bib file, never silently lost."""
    by_file: dict[Path, dict[str, list[Reference]]] = {}
    for ref in refs.values():
        for name in ref.dropped:
            by_file.setdefault(ref.path, {}).setdefault(name, []).append(ref)
    for path, fields in by_file.items():
        listed = ", ".join(f"{name} ({len(entries)} entr{'y' if len(entries) == 1 else 'ies'})"
                           for name, entries in sorted(fields.items()))
        first = min(r.line for entries in fields.values() for r in entries)
        diags.warning(f"fields briefing does not use are left out: {listed}", path, first)


def _check_note_lengths(parsed: MarkdownResult, diags: Diagnostics) -> None:
    for note in parsed.footnotes.values():
        if len(note.html) > NOTE_CHARS_LIMIT:
            diags.warning(f"a footnote of {len(note.html)} characters may not fit on one page "
                          "(WeasyPrint cannot split notes); shorten it or split it",
                          note.path, note.line)


def check(source: Path) -> Diagnostics:
    """Everything ``--check`` reports for SOURCE, without rendering."""
    from .config import load_config

    diags = Diagnostics()
    try:
        analyse(load_config(source), diags)
    except BriefingError as exc:
        diags.items.extend(exc.diagnostics)
    return diags
