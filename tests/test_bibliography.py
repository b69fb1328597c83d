"""Stage 2: BibTeX -> CSL-JSON mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.bibliography import parse_bibliography, parse_date, parse_names, rich_text
from briefing.errors import BriefingError


def _bib(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    return path


def test_report_with_corporate_author_and_un_symbol(tmp_path: Path) -> None:
    refs = parse_bibliography((_bib(tmp_path, """
@string{un = {United Nations}}
@report{unga2009,
  author = {{United Nations General Assembly}},
  title = {Report of the Special Rapporteur on Torture},
  titleaddon = {Addendum},
  number = {A/HRC/13/39/Add.3},
  type = {UN Doc.},
  institution = un # { Human Rights Council},
  date = {2009-12-16},
  url = {https://undocs.org/A/HRC/13/39/Add.3?x=1%20y},
}
"""),))
    csl = refs["unga2009"].csl
    assert csl["type"] == "report"
    assert csl["author"] == [{"literal": "United Nations General Assembly"}]
    assert csl["title"] == "Report of the special rapporteur on torture. Addendum"
    assert csl["number"] == "A/HRC/13/39/Add.3" and csl["genre"] == "UN Doc."
    assert csl["publisher"] == "United Nations Human Rights Council"
    assert csl["issued"] == {"date-parts": [[2009, 12, 16]]}
    assert csl["URL"] == "https://undocs.org/A/HRC/13/39/Add.3?x=1%20y"  # % kept
    assert refs["unga2009"].line == 3


def test_names_particles_suffixes_and_others() -> None:
    assert parse_names("van der Berg, Jan and Ludwig van Beethoven and Smith, Jr., John "
                       "and others") == [
        {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
        {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
        {"family": "Smith", "given": "John", "suffix": "Jr."},
        {"literal": "others"},
    ]
    assert parse_names("J{\\\"o}rg M{\\\"u}ller") == [{"family": "Müller", "given": "Jörg"}]


def test_dates() -> None:
    assert parse_date("2012-03") == {"date-parts": [[2012, 3]]}
    assert parse_date("2010/2012") == {"date-parts": [[2010], [2012]]}
    assert parse_date("2011~") == {"date-parts": [[2011]], "circa": True}
    assert parse_date("spring 2012") == {"literal": "spring 2012"}


def test_latex_is_decoded_and_braces_protect_case() -> None:
    assert rich_text(r"The {EU} and \textit{Caf\'e} \& Co -- 1990--2000") == (
        'The <span class="nocase">EU</span> and <i>Café</i> &amp; Co – 1990–2000')


def test_year_month_fields(tmp_path: Path) -> None:
    refs = parse_bibliography((_bib(tmp_path, "@book{b, title={T}, year={2009}, month=nov}"),))
    assert refs["b"].csl["issued"] == {"date-parts": [[2009, 11]]}


def test_broken_entries_and_duplicates_are_reported_with_lines(tmp_path: Path) -> None:
    path = _bib(tmp_path, "@book{a, title={A}}\n@book{a, title={B}}\n"
                          "@misc{c, title={x}, title={y}}\n@book{d, title={unclosed\n"
                          "@book{e, title={E}}\n")
    with pytest.raises(BriefingError) as exc:
        parse_bibliography((path,))
    messages = [d.format(tmp_path) for d in exc.value.diagnostics]
    assert "refs.bib:2: error: duplicate key 'a'; rename one of the entries" in messages
    assert any(m.startswith("refs.bib:3: error: entry has a field twice") for m in messages)
    assert any(m.startswith("refs.bib:4: error: broken BibTeX entry") for m in messages)


def test_keys_are_case_sensitive(tmp_path: Path) -> None:
    refs = parse_bibliography((_bib(tmp_path, "@book{Smith, title={A}}\n"
                                              "@book{smith, title={B}}\n"),))
    assert refs["Smith"].csl["title"] == "A" and refs["smith"].csl["title"] == "B"


def test_stray_backslashes_do_not_break_decoding() -> None:
    # found by fuzzing: a backslash before a non-ASCII letter, or before '<'
    assert rich_text("A \\Ж and \\<b\\>") == "A Ж and &lt;b&gt;"


def test_short_title_is_the_part_before_the_colon(tmp_path: Path) -> None:
    refs = parse_bibliography((_bib(tmp_path, """
@report{a, title={World Report 2012: {Kazakhstan}}, year={2012}}
@report{b, title={{Brace: Protected} Title}, year={2012}}
@report{c, title={Main}, subtitle={Sub}, year={2012}}
@report{d, title={Long: Title}, shorttitle={Own}, year={2012}}
"""),))
    assert refs["a"].csl["title-short"] == "World report 2012"  # sentence case, like title
    assert "title-short" not in refs["b"].csl
    assert refs["c"].csl["title-short"] == "Main" and refs["c"].csl["title"] == "Main: Sub"
    assert refs["d"].csl["title-short"] == "Own"


def test_english_titles_become_sentence_case_as_pandoc_does(tmp_path: Path) -> None:
    refs = parse_bibliography((_bib(tmp_path, """
@book{en, title={Water Governance in the {Sahel}: An {OSCE} View}, year={2001}}
@book{de, title={Die Lage der {Menschenrechte}}, langid={german}, year={2001}}
@article{j, title={A Title}, journal={Perspectives on Politics}, year={2001}}
"""),))
    assert refs["en"].csl["title"] == ('Water governance in the <span class="nocase">Sahel'
                                       '</span>: An <span class="nocase">OSCE</span> view')
    assert refs["de"].csl["title"] == 'Die Lage der <span class="nocase">Menschenrechte</span>'
    assert refs["j"].csl["container-title"] == "Perspectives on Politics"


def test_crossref_and_xdata_inheritance(tmp_path: Path) -> None:
    refs = parse_bibliography((_bib(tmp_path, """
@xdata{unpub, publisher={United Nations}, location={Geneva}}
@collection{book, editor={Nowak, Manfred}, title={Human Rights Handbook}, subtitle={Cases},
  year={2010}, xdata={unpub}}
@incollection{chap, author={Doe, Jane}, title={Torture Prevention}, crossref={book},
  pages={10--20}}
"""),))
    assert "unpub" not in refs
    chap = refs["chap"].csl
    assert chap["type"] == "chapter"
    assert chap["title"] == "Torture prevention"
    assert chap["container-title"] == "Human rights handbook: Cases"
    assert chap["editor"] == [{"family": "Nowak", "given": "Manfred"}]
    assert chap["publisher"] == "United Nations" and chap["publisher-place"] == "Geneva"
    assert chap["issued"] == {"date-parts": [[2010]]} and chap["page"] == "10–20"


def test_eprint_abstract_and_dropped_fields(tmp_path: Path) -> None:
    refs = parse_bibliography((_bib(tmp_path, """
@article{arx, title={T}, journaltitle={J}, eprint={2101.00001}, eprinttype={arxiv},
  abstract={About it.}, keywords={torture, prisons}, file={C:/x.pdf}, timestamp={2020}}
"""),))
    csl = refs["arx"].csl
    assert csl["URL"] == "https://arxiv.org/abs/2101.00001"
    assert csl["abstract"] == "About it." and csl["keyword"] == "torture, prisons"
    assert refs["arx"].dropped == ("file", "timestamp")
