"""briefing against pandoc 3.9 itself, on bibliographies and Markdown nobody here wrote.

The corpus (``tests/corpus``: 336 entries in the shapes of eight exporters, an English briefing
of 288 citations and a Russian one of 81, hard-wrapped, every pandoc citation form) is built in
the five styles briefing's users pick. With briefing's corrections switched off, every note,
reference-list entry and in-text citation must be pandoc's own, character for character. With
them on, every difference must be one a declared correction (``briefing/corrections.py``)
accounts for. The citation battery (every entry type, ibid. and OSCOLA cross-references) is
held to the same rule.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from differential import BATTERY, CORPUS, Ours, briefing_output, explain
from oracle import STYLES, OracleOutput, run_report

from briefing.corrections import ALL, CORRECTIONS

CASES = [(style, lang) for style in STYLES for lang in ("en", "ru")]


@cache
def _pandoc(folder: Path, style: str) -> OracleOutput:
    return run_report(folder, style).output


@cache
def _ours(folder: Path, style: str, corrected: bool) -> Ours:
    return briefing_output(folder, style, ALL if corrected else frozenset(), root=folder.parent)


@pytest.mark.parametrize(("style", "lang"), CASES)
def test_without_corrections_briefing_prints_what_pandoc_prints(style: str, lang: str) -> None:
    ours, theirs = _ours(CORPUS / lang, style, False).output, _pandoc(CORPUS / lang, style)
    assert len(theirs.notes) + len(theirs.intext) >= (60 if lang == "ru" else 200)
    assert ours.notes == theirs.notes
    assert ours.references == theirs.references
    assert ours.intext == theirs.intext


@pytest.mark.parametrize(("style", "lang"), CASES)
def test_with_corrections_every_difference_is_a_declared_one(style: str, lang: str) -> None:
    ours = _ours(CORPUS / lang, style, True)
    theirs = _pandoc(CORPUS / lang, style)
    found, unexplained = _differences(ours, theirs)
    assert unexplained == [], "\n".join(unexplained[:10])
    assert set(found) <= set(CORRECTIONS)


@pytest.mark.parametrize("style", ["chicago-notes-bibliography",
                                   "chicago-notes-bibliography-subsequent-ibid", "oscola"])
def test_the_battery_is_pandocs_too(style: str) -> None:
    ours, theirs = _ours(BATTERY, style, False).output, _pandoc(BATTERY, style)
    assert (ours.notes, ours.references) == (theirs.notes, theirs.references)
    _, unexplained = _differences(_ours(BATTERY, style, True), theirs)
    assert unexplained == []


def test_the_corrections_are_exercised_by_the_corpus() -> None:
    """Every correction of pandoc's reading changes something real in the corpus."""
    found: Counter[str] = Counter()
    for style, lang in CASES:
        found.update(_differences(_ours(CORPUS / lang, style, True),
                                  _pandoc(CORPUS / lang, style))[0])
    for name in ("one-name-lists", "legal-titles", "year-range", "doi-prefix",
                 "straight-quotes", "url-in-howpublished", "language-field", "local-quotes",
                 "genitive-months", "braces-in-type"):
        assert found[name], (name, found)


def _differences(ours: Ours, theirs: OracleOutput) -> tuple[Counter[str], list[str]]:
    """How often each correction explains a difference, and the differences none explains."""
    found: Counter[str] = Counter()
    unexplained: list[str] = []
    mine = ours.output
    assert len(mine.notes) == len(theirs.notes) and len(mine.intext) == len(theirs.intext)
    pairs = [(a, b, note.keys, f"note {note.number}")
             for a, b, note in zip(mine.notes, theirs.notes, ours.written.notes, strict=True)]
    pairs += [(a, b, keys, f"in-text {n}") for n, (a, b, keys) in
              enumerate(zip(mine.intext, theirs.intext, ours.intext_keys, strict=True))]
    refs = dict(mine.references)
    pairs += [(refs.get(key, ""), text, (key,), f"entry {key}")
              for key, text in theirs.references]
    for a, b, keys, where in pairs:
        if a == b:
            continue
        why = explain(a, b, keys, ours)
        if why is None:
            unexplained.append(f"{where}:\n  briefing: {a}\n  pandoc:   {b}")
        else:
            found.update(why.split(","))
    return found, unexplained
