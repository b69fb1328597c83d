"""Stage 4: pandoc's citeproc formats citations, notes and references (the real engine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write, written

from briefing import pandoc
from briefing.citations import resolve_style
from briefing.config import load_config
from briefing.errors import BriefingError

BIB = """
@book{nowak2005, author={Nowak, Manfred}, title={{U.N.} Covenant on Civil and Political Rights},
  subtitle={{CCPR} Commentary}, edition={2}, publisher={N. P. Engel}, year={2005}}
@report{okafor2022, author={Okafor, Amara}, title={Water Governance in the {Sahel}},
  type={Policy Brief}, number={17}, institution={Institute for Sahel Studies}, year={2022}}
@online{icrc, author={{International Committee of the Red Cross}}, title={Rule 1},
  url={https://ihl-databases.icrc.org/en/customary-ihl/v1/rule1}, urldate={2024-05-02}}
@article{ru2011, author={Иванов, Иван}, title={Свобода собраний}, journal={Право},
  date={2011-09-09}, langid={russian}}
"""


def _format(tmp_path: Path, text: str, style: str = "chicago-notes-bibliography",
            lang: str = "en-US") -> tuple[list[str], list[str], str]:
    out = written(tmp_path / "r", {"report.yaml": f"title: T\nlang: {lang}\ncsl: {style}\n"
                                                  "bibliography: r.bib\n",
                                   "r.bib": BIB, "a.md": text})
    return [n.html for n in out.notes], [e.html for e in out.references], out.body


def test_chicago_full_note_then_short_note(tmp_path: Path) -> None:
    notes, refs, _ = _format(tmp_path, "A [@nowak2005, 45]. B [@okafor2022]. C [@nowak2005, 50].")
    assert notes == [
        "Manfred Nowak, <em>U.N. Covenant on Civil and Political Rights: CCPR Commentary</em>, "
        "2nd ed. (N. P. Engel, 2005), 45.",
        "Amara Okafor, <em>Water Governance in the Sahel</em>, Policy Brief no. 17 (Institute "
        "for Sahel Studies, 2022).",
        "Nowak, <em>U.N. Covenant on Civil and Political Rights</em>, 50."]
    assert len(refs) == 2 and refs[0].startswith("Nowak, Manfred. <em>U.N. Covenant")


def test_ibid_variant(tmp_path: Path) -> None:
    notes, _, _ = _format(tmp_path, "A [@nowak2005, 45]. B [@nowak2005, 45]. C [@nowak2005, 50].",
                          style="chicago-notes-bibliography-subsequent-ibid")
    assert notes[1:] == ["Ibid.", "Ibid., 50."]


def test_author_date_style_gives_in_text_citations(tmp_path: Path) -> None:
    notes, refs, body = _format(tmp_path, "A [@nowak2005, 45]. @okafor2022 [p. 3] argues.",
                                style="apa")
    assert notes == []
    assert '<span class="citation" data-cites="nowak2005">(Nowak, 2005, p. 45)</span>' in body
    assert '<span class="citation" data-cites="okafor2022">Okafor (2022, p. 3)</span>' in body
    assert refs[0] == ("Nowak, M. (2005). <em>U.N. Covenant on civil and political rights: "
                       "CCPR commentary</em> (2nd ed.). N. P. Engel.")


def test_oscola_back_references(tmp_path: Path) -> None:
    notes, _, _ = _format(tmp_path, "A [@okafor2022]. B [@nowak2005]. C [@okafor2022, 4].",
                          style="oscola", lang="en-GB")
    assert notes[2] == "Okafor (n 1) 4."


def test_locators_prefixes_and_markup_are_pandocs(tmp_path: Path) -> None:
    notes, _, _ = _format(tmp_path, "A [*cf.* @nowak2005, 240--242]. B [-@okafor2022, chap. 2; "
                                    "@nowak2005, pp. 3--5].")
    assert notes[0].startswith("<em>Cf.</em> Manfred Nowak")
    assert notes[0].endswith("240–42.")  # Chicago shortens the range, as pandoc does
    assert notes[1].startswith("<em>Water Governance in the Sahel</em>")
    assert notes[1].endswith("3–5.")


def test_russian_dates_in_the_genitive(tmp_path: Path) -> None:
    notes, _, _ = _format(tmp_path, "Текст [@ru2011].", lang="ru")
    assert "9 сентября 2011" in notes[0]


def test_unknown_keys_are_all_reported_with_suggestions(tmp_path: Path) -> None:
    write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n", "r.bib": BIB,
                           "a.md": "A [@nowak2050].\n\nB [@zzz]."})
    from briefing.checks import check

    assert [d.format(tmp_path) for d in check(tmp_path / "r").errors] == [
        "r/a.md:1:4: error: unknown citation key 'nowak2050' (did you mean 'nowak2005'?); add "
        "it to the bibliography or fix the key",
        "r/a.md:3:4: error: unknown citation key 'zzz'; add it to the bibliography or fix the "
        "key"]


def test_unknown_style_suggests_names(tmp_path: Path) -> None:
    write(tmp_path, {"report.yaml": "title: T\n\ncsl: chicago-notes-bibliografy\n", "a.md": ""})
    with pytest.raises(BriefingError) as exc:
        resolve_style(load_config(tmp_path))
    [diag] = exc.value.diagnostics
    assert diag.line == 3
    assert "did you mean chicago-notes-bibliography" in diag.message


def test_a_dependent_style_takes_its_parent_from_the_collection(tmp_path: Path) -> None:
    write(tmp_path, {"report.yaml": "title: T\ncsl: journal.csl\n", "a.md": "",
                     "journal.csl": _dependent("http://www.zotero.org/styles/apa")})
    style = resolve_style(load_config(tmp_path))
    assert style.path.name == "apa.csl" and not style.is_note


def test_a_dependent_style_is_never_fetched(tmp_path: Path) -> None:
    write(tmp_path, {"report.yaml": "title: T\ncsl: journal.csl\n", "a.md": "",
                     "journal.csl": _dependent("http://127.0.0.1:9/styles/evil")})
    with pytest.raises(BriefingError) as exc:
        resolve_style(load_config(tmp_path))
    assert "is not in the bundled collection, and briefing never fetches styles" in \
        exc.value.diagnostics[0].message


def test_a_style_with_entities_is_refused(tmp_path: Path) -> None:
    csl = ('<?xml version="1.0"?><!DOCTYPE style [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<style xmlns="http://purl.org/net/xbiblio/csl" class="note"/>')
    write(tmp_path, {"report.yaml": "title: T\ncsl: x.csl\n", "a.md": "", "x.csl": csl})
    with pytest.raises(BriefingError, match="declares a DOCTYPE or entities"):
        resolve_style(load_config(tmp_path))


def test_unchanged_citations_are_not_formatted_again(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    first = _format(tmp_path / "one", "A [@nowak2005, 45].")
    real = pandoc.run_json

    def only_reading(args: list[str], *rest: object, **kw: object) -> object:
        assert "--citeproc" not in args, "citeproc ran although nothing changed"
        return real(args, *rest, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pandoc, "run_json", only_reading)
    assert _format(tmp_path / "two", "A [@nowak2005, 45].") == first
    with pytest.raises(AssertionError, match="citeproc ran"):
        _format(tmp_path / "three", "A [@nowak2005, 46].")


def _dependent(parent: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<style xmlns="http://purl.org/net/xbiblio/'
            'csl" version="1.0" default-locale="en-US"><info><title>Journal</title>'
            f'<id>http://example.org/j</id><link href="{parent}" rel="independent-parent"/>'
            '</info></style>')
