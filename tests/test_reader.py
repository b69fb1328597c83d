"""Stage 2: pandoc reads the sections; every element located in its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import pandoc
from briefing.reader import read_document
from briefing.sources import Section
from briefing.tree import attr_of, walk


def test_pandoc_markdown_is_read_as_pandoc_reads_it() -> None:
    doc = read_document([Section(Path("/r/a.md"), """# Findings {#findings .unnumbered}

::: {.box}
Key message.
:::

Term
:   Its definition.

[Small caps]{.smallcaps} and "quotes" -- dashes.

\\newpage
""")])
    kinds = [n["t"] for n in walk(doc.sections[0].blocks)]
    assert {"Header", "Div", "DefinitionList", "SmallCaps", "Quoted", "RawBlock"} <= set(kinds)
    header = next(n for n in walk(doc.sections[0].blocks) if n["t"] == "Header")
    assert attr_of(header).id == "findings" and attr_of(header).classes == ("unnumbered",)
    assert doc.headings[0].text == "Findings"


def test_citations_notes_and_headings_are_located() -> None:
    doc = read_document([Section(Path("/r/a.md"), "# One\n\nText [see @a, 12; @b] and\n"
                                 "@c [p. 3] says.^[Inline\nnote [@d].] End[^n].\n\n"
                                 "[^n]: Labelled [@e].\n")])
    assert [(c.keys, [(p.line, p.col) for p in c.places], c.in_note, c.author_in_text)
            for c in doc.cites] == [
        (("a", "b"), [(3, 11), (3, 19)], False, False),
        (("c",), [(4, 1)], False, True),
        (("d",), [(5, 7)], True, False),
        (("e",), [(7, 17)], True, False)]
    assert [(n.place.line, n.label) for n in doc.notes] == [(4, None), (7, "n")]
    assert (doc.headings[0].place.line, doc.headings[0].id) == (1, "one")


def test_cyrillic_headings_keep_their_letters_and_ids_are_unique_across_files() -> None:
    doc = read_document([Section(Path("/r/a.md"), "# Рекомендации\n\n# Intro\n"),
                         Section(Path("/r/b.md"), "# Intro\n")])
    assert [h.id for h in doc.headings] == ["рекомендации", "intro", "intro-1"]
    assert doc.headings[2].place.path == Path("/r/b.md")


def test_a_yaml_block_in_a_section_is_kept_as_metadata() -> None:
    doc = read_document([Section(Path("/r/a.md"), "---\ntitle: X\n---\n\nText.\n")])
    assert list(doc.sections[0].meta) == ["title"]


def test_a_section_is_read_once_then_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Text cached once [@a].\n"
    read_document([Section(Path("/r/a.md"), text)])

    def no_pandoc(*args: object, **kwargs: object) -> None:
        raise AssertionError("pandoc ran for a section already read")

    monkeypatch.setattr(pandoc, "run_json", no_pandoc)
    doc = read_document([Section(Path("/r/a.md"), text)])
    assert doc.cites[0].keys == ("a",)


def test_table_rows_and_nesting_are_measured() -> None:
    doc = read_document([Section(Path("/r/a.md"), "| A | B |\n|---|---|\n| 1 | 2 |\n"
                                 "| 3 | 4 |\n\n- a\n    - b\n        - c\n")])
    table = next(b for b in doc.blocks if b.kind == "table")
    assert (table.rows, table.columns, table.place.line) == (3, 2, 1)
    assert doc.max_depth == 3
