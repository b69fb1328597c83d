"""Stage 4: citations formatted by pandoc's citeproc (the real engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.bibliography import parse_bibliography
from briefing.citations import check_keys, format_citations, resolve_style
from briefing.errors import BriefingError
from briefing.markdown import parse_sections
from briefing.sources import Section

BIB = """
@book{nowak2005, author={Nowak, Manfred}, title={{U.N.} Covenant on Civil and Political Rights},
  subtitle={{CCPR} Commentary}, edition={2}, publisher={N. P. Engel}, year={2005}}
@report{okafor2022, author={Okafor, Amara}, title={Water Governance in the {Sahel}},
  type={Policy Brief}, number={17}, institution={Institute for Sahel Studies}, year={2022}}
@online{icrc, author={{International Committee of the Red Cross}}, title={Rule 1},
  url={https://ihl-databases.icrc.org/en/customary-ihl/v1/rule1}, urldate={2024-05-02}}
"""


def _format(tmp_path: Path, text: str, style: str = "chicago-notes-bibliography",
            lang: str = "en-US") -> tuple[list[tuple[str, str | None]], list[str]]:
    bib = tmp_path / "r.bib"
    bib.write_text(BIB, encoding="utf-8")
    refs = parse_bibliography((bib,))
    parsed = parse_sections([Section(tmp_path / "a.md", text, 1)], lang)
    csl = resolve_style(style, tmp_path, tmp_path / "report.yaml", None)
    result = format_citations(parsed, refs, csl, lang, ())
    out = [(result.formatted[c.id].text, result.formatted[c.id].note) for c in parsed.citations]
    return out, [e.html for e in result.references]


def test_chicago_full_note_then_short_note(tmp_path: Path) -> None:
    notes, refs = _format(tmp_path, "A [@nowak2005, 45]. B [@okafor2022]. C [@nowak2005, 50].")
    assert notes[0] == ("", "Manfred Nowak, <em>U.N. Covenant on Civil and Political Rights: "
                            "CCPR Commentary</em>, 2nd ed. (N. P. Engel, 2005), 45.")
    assert notes[1][1] == ("Amara Okafor, <em>Water Governance in the Sahel</em>, Policy Brief "
                           "no. 17 (Institute for Sahel Studies, 2022).")
    assert notes[2][1] == "Nowak, <em>U.N. Covenant on Civil and Political Rights</em>, 50."
    assert len(refs) == 2 and refs[0].startswith("Nowak, Manfred. <em>U.N. Covenant")


def test_ibid_variant(tmp_path: Path) -> None:
    notes, _ = _format(tmp_path, "A [@nowak2005, 45]. B [@nowak2005, 45]. C [@nowak2005, 50].",
                       style="chicago-notes-bibliography-subsequent-ibid")
    assert [n for _, n in notes][1:] == ["Ibid.", "Ibid., 50."]


def test_citation_inside_an_author_footnote_is_inline(tmp_path: Path) -> None:
    notes, _ = _format(tmp_path, "Text.^[As argued in [@okafor2022, 3].]")
    text, note = notes[0]
    # as pandoc does: no note of its own, the citation in parentheses inside the author's note
    assert note is None and text.startswith("(Amara Okafor, <em>Water Governance")
    assert text.endswith("2022), 3)")


def test_author_date_style_gives_in_text_citations(tmp_path: Path) -> None:
    notes, refs = _format(tmp_path, "A [@nowak2005, 45]. @okafor2022 [p. 3] argues.",
                          style="apa")
    assert notes == [("(Nowak, 2005, p. 45)", None), ("Okafor (2022, p. 3)", None)]
    assert refs[0].startswith("Nowak, M. (2005). <em>U.N. covenant on civil and political "
                              "rights: CCPR commentary</em>")


def test_oscola_back_references(tmp_path: Path) -> None:
    notes, _ = _format(tmp_path, "A [@okafor2022]. B [@nowak2005]. C [@okafor2022, 4].",
                       style="oscola", lang="en-GB")
    assert notes[2][1] == "Okafor (n 1) 4."


def test_unknown_keys_are_all_reported_with_suggestions(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text(BIB, encoding="utf-8")
    parsed = parse_sections([Section(tmp_path / "a.md", "A [@nowak2050].\n\nB [@zzz].", 1)],
                            "en")
    with pytest.raises(BriefingError) as exc:
        check_keys(parsed.citations, parse_bibliography((bib,)), (), tmp_path / "r.yaml", 1)
    assert [d.format(tmp_path) for d in exc.value.diagnostics] == [
        "a.md:1:3: error: unknown citation key 'nowak2050' (did you mean 'nowak2005'?); add it "
        "to the bibliography or fix the key",
        "a.md:3:3: error: unknown citation key 'zzz'; add it to the bibliography or fix the key"]


def test_unknown_style_suggests_names(tmp_path: Path) -> None:
    with pytest.raises(BriefingError) as exc:
        resolve_style("chicago-notes-bibliografy", tmp_path, tmp_path / "report.yaml", 7)
    [diag] = exc.value.diagnostics
    assert diag.line == 7
    assert "did you mean chicago-notes-bibliography" in diag.message


def test_unchanged_citations_are_not_formatted_again(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing import citations

    bib = tmp_path / "r.bib"
    bib.write_text(BIB, encoding="utf-8")
    parsed = parse_sections([Section(tmp_path / "a.md", "A [@nowak2005, 45].", 1)], "en")
    csl = resolve_style("chicago-notes-bibliography", tmp_path, tmp_path, None)
    first = format_citations(parsed, parse_bibliography((bib,)), csl, "en", (), tmp_path / "c")

    def no_pandoc(*args: object) -> str:
        raise AssertionError("pandoc ran although nothing changed")

    monkeypatch.setattr(citations, "_run_pandoc", no_pandoc)
    again = format_citations(parsed, parse_bibliography((bib,)), csl, "en", (), tmp_path / "c")
    assert again == first
    bib.write_text(BIB.replace("2005", "2006"), encoding="utf-8")
    with pytest.raises(AssertionError, match="pandoc ran"):
        format_citations(parsed, parse_bibliography((bib,)), csl, "en", (), tmp_path / "c")


def test_harvard_in_text_and_reference_list(tmp_path: Path) -> None:
    notes, refs = _format(tmp_path, "A [@okafor2022, 4]. As @nowak2005 [p. 45] shows.",
                          style="harvard-cite-them-right", lang="en-GB")
    assert notes == [("(Okafor, 2022, p. 4)", None), ("Nowak (2005, p. 45)", None)]
    assert refs[0].startswith("Nowak, M. (2005) <em>U.N. covenant on civil and political "
                              "rights: CCPR commentary</em>. 2nd edn.")


def test_suppress_author_prefix_and_several_works_in_order(tmp_path: Path) -> None:
    notes, _ = _format(tmp_path, "As Nowak says [-@nowak2005, 45]. Both [see @okafor2022, "
                                 "chap. 2; @nowak2005, pp. 3–5].")
    assert notes[0][1] == ("<em>U.N. Covenant on Civil and Political Rights: CCPR "
                           "Commentary</em>, 2nd ed. (N. P. Engel, 2005), 45.")
    assert notes[1][1] is not None
    assert notes[1][1].startswith("See Amara Okafor, <em>Water Governance in the Sahel</em>")
    assert notes[1][1].endswith("chap. 2; Nowak, <em>U.N. Covenant on Civil and Political "
                                "Rights</em>, 3–5.")
