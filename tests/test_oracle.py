"""The pandoc oracle itself, on tiny inputs (fast: three pandoc runs of ~0.2 s)."""

from __future__ import annotations

from pathlib import Path

import pytest
from oracle import extract, read_report, run, run_report

BIB = """\
@book{nowak2005,
  author = {Nowak, Manfred},
  title = {{U.N.} Covenant on Civil and Political Rights},
  subtitle = {{CCPR} Commentary},
  edition = {2},
  publisher = {N. P. Engel},
  location = {Kehl},
  date = {2005},
}
@article{keohane2011,
  author = {Keohane, Robert O. and Victor, David G.},
  title = {The Regime Complex for Climate Change},
  journaltitle = {Perspectives on Politics},
  volume = {9},
  number = {1},
  pages = {7--23},
  date = {2011},
}
"""

SECTION_1 = """\
Torture is prohibited [@nowak2005, 45]. As @keohane2011 [12] argue,
regimes overlap.^[See @nowak2005, 50.]
"""

SECTION_2 = """\
Again [@nowak2005, 45].[^long]

[^long]: First paragraph [@keohane2011].

    Second paragraph.
"""


@pytest.fixture
def sources(tmp_path: Path) -> tuple[list[Path], list[Path]]:
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "01.md").write_text(SECTION_1, encoding="utf-8")
    (tmp_path / "02.md").write_text(SECTION_2, encoding="utf-8")
    return [tmp_path / "01.md", tmp_path / "02.md"], [tmp_path / "refs.bib"]


def test_extract_reads_text_as_a_reader_sees_it() -> None:
    html = (
        '<p>In <span class="citation" data-cites="a">Smith\u00a0(2020,\n p.\u00a03)</span> and'
        '<span class="citation" data-cites="b"><a href="#fn1" class="footnote-ref" id="fnref1">'
        '<sup>1</sup></a></span>.</p>\n'
        # a note style moves the sentence's punctuation into the span, before the note call
        '<p>By <span class="citation">Julien Mathieu.<a class="footnote-ref" href="#fn2">'
        '<sup>2</sup></a></span> And <span class="citation">Raman et al.<a class="footnote-ref"'
        ' href="#fn3"><sup>3</sup></a></span> So<span class="citation">.<a class="footnote-ref"'
        ' href="#fn4"><sup>4</sup></a></span></p>\n'
        '<div id="refs" class="references csl-bib-body">\n'
        '<div id="ref-a" class="csl-entry">Smith, J. <em>A  Title</em>. '
        '<a href="https://x.org/?a=1&amp;b=2">https://x.org</a>.</div>\n'
        '<div id="ref-empty" class="csl-entry"></div>\n</div>\n'
        '<section id="footnotes" class="footnotes footnotes-end-of-document">\n<hr />\n<ol>\n'
        '<li id="fn1"><p>See <span class="citation">Doe</span>, “<em>B</em><em>ook</em>,” '
        "12–14.</p>\n<p>More.<a href=\"#fnref1\" class=\"footnote-back\">↩︎</a></p></li>\n"
        "</ol>\n</section>\n"
    )
    out = extract(html)
    assert out.notes == ["See Doe, “Book,” 12–14. More."]
    assert out.notes_markup == ["See Doe, “<i>Book</i>,” 12–14. More."]
    assert out.references == [("a", "Smith, J. A Title. https://x.org.")]
    assert out.references_markup == [
        ("a", 'Smith, J. <i>A Title</i>. <a href="https://x.org/?a=1&amp;b=2">https://x.org</a>.')]
    # the note call alone is not in-text; the citation inside the note is not in the body
    assert out.intext == ["Smith\u00a0(2020, p.\u00a03)", "Julien Mathieu", "Raman et al."]


def test_note_style(sources: tuple[list[Path], list[Path]]) -> None:
    sections, bibs = sources
    result = run(sections, bibs, "chicago-notes-bibliography-subsequent-ibid", "en-US")
    assert result.warnings == []
    out = result.output
    assert out.notes == [
        "Manfred Nowak, U.N. Covenant on Civil and Political Rights: CCPR Commentary, 2nd ed. "
        "(N. P. Engel, 2005), 45.",
        # narrative citation: the authors stay in the text, the note has the rest
        "“The Regime Complex for Climate Change,” Perspectives on Politics 9, no. 1 (2011): 12.",
        "See Nowak, U.N. Covenant on Civil and Political Rights, 50.",
        "Ibid., 45.",
        "First paragraph (Keohane and Victor, “The Regime Complex for Climate Change”). "
        "Second paragraph.",
    ]
    assert out.notes_markup[2] == ("See Nowak, <i>U.N. Covenant on Civil and Political Rights</i>,"
                                   " 50.")
    assert [key for key, _ in out.references] == ["keohane2011", "nowak2005"]
    assert out.references[1][1] == ("Nowak, Manfred. U.N. Covenant on Civil and Political Rights: "
                                    "CCPR Commentary. 2nd ed. N. P. Engel, 2005.")
    assert out.intext == ["Robert O. Keohane and David G. Victor"]


def test_author_date_style(sources: tuple[list[Path], list[Path]]) -> None:
    sections, bibs = sources
    out = run(sections, bibs, "apa", "en-US").output
    assert out.intext == ["(Nowak, 2005, p. 45)", "Keohane & Victor (2011, p. 12)",
                          "(Nowak, 2005, p. 45)"]
    assert out.notes == ["See Nowak (2005), 50.",
                         "First paragraph (Keohane & Victor, 2011). Second paragraph."]
    assert out.references == [
        ("keohane2011", "Keohane, R. O., & Victor, D. G. (2011). The regime complex for climate "
                        "change. Perspectives on Politics, 9(1), 7–23."),
        ("nowak2005", "Nowak, M. (2005). U.N. Covenant on civil and political rights: CCPR "
                      "commentary (2nd ed.). N. P. Engel."),
    ]
    assert out.references_markup[0][1].endswith("<i>Perspectives on Politics</i>, <i>9</i>(1), "
                                                 "7–23.")


def test_report_folder_and_missing_keys(tmp_path: Path) -> None:
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "refs.bib").write_text(BIB, encoding="utf-8")
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "report.yaml").write_text("title: T\nlang: en-GB\nbibliography: ../bib/refs.bib\n",
                                        encoding="utf-8")
    (folder / "b.md").write_text("Two [@nope].\n", encoding="utf-8")
    (folder / "a.md").write_text("One [@nowak2005].\n", encoding="utf-8")
    report = read_report(folder)
    assert [p.name for p in report.sections] == ["a.md", "b.md"]  # default: *.md, sorted
    assert report.bibliography == [(tmp_path / "bib" / "refs.bib").resolve()]
    assert (report.lang, report.csl) == ("en-GB", "chicago-notes-bibliography")
    result = run_report(folder, "oscola")
    assert result.missing == ["nope"]
    assert len(result.output.notes) == 2
