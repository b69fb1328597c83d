"""Stage 3: pandoc reads the .bib; briefing reports what it cannot and corrects what it gets
wrong (each correction tested on and off)."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.bibliography import Reference, parse_bibliography
from briefing.corrections import ALL, CORRECTIONS
from briefing.errors import Diagnostics
from briefing.tree import Node, stringify


def _refs(tmp_path: Path, text: str, lang: str = "en-US",
          corrections: frozenset[str] = ALL) -> dict[str, Reference]:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    diags = Diagnostics()
    refs = parse_bibliography((path,), lang, diags, corrections)
    assert diags.errors == []
    return refs


def _text(value: Node) -> str:
    if value["t"] == "MetaString":
        return str(value["c"])
    if value["t"] == "MetaInlines":
        return stringify(value["c"])
    if value["t"] == "MetaList":
        return "; ".join(_text(v) for v in value["c"])
    if value["t"] == "MetaMap":
        return " ".join(f"{k}={_text(v)}" for k, v in sorted(value["c"].items()))
    return str(value["c"])


def test_pandoc_reads_what_real_exports_write(tmp_path: Path) -> None:
    refs = _refs(tmp_path, r"""
@inproceedings{dblp,
  author    = {Yuri Kuratov and
               Mikhail Arkhipov	and
               Aaron Roth},
  title     = {{$\varepsilon$}-Differential Privacy and ``Hellish Work'' in {Uzbekistan}'s Fields},
  booktitle = {Religion, State \& Society},
  year      = {2019},
}
@thesis{t, author={Doe, Jane}, title={On Courts}, type={phdthesis}, school={MIT}, year={2010},
  pubstate={inpress}}
""")
    dblp = refs["dblp"].meta
    assert _text(dblp["author"]) == ("family=Kuratov given=Yuri; family=Arkhipov "
                                     "given=Mikhail; family=Roth given=Aaron")
    assert _text(dblp["title"]) == ("\\varepsilon-differential privacy and “hellish work” in "
                                    "Uzbekistan’s fields")  # the math stays math
    assert _text(dblp["container-title"]) == "Religion, state & society"  # a book title
    assert _text(refs["t"].meta["genre"]) == "PhD thesis"
    assert _text(refs["t"].meta["status"]) == "in press"


def test_in_a_russian_briefing_english_titles_keep_their_case(tmp_path: Path) -> None:
    bib = "@report{hrw, title={World Report 2012}, institution={HRW}, year={2012}}\n"
    assert _text(_refs(tmp_path, bib, "en-GB")["hrw"].meta["title"]) == "World report 2012"
    assert _text(_refs(tmp_path, bib, "ru")["hrw"].meta["title"]) == "World Report 2012"


def test_broken_entries_and_duplicates_are_reported_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@book{a, title={A}}\n@book{a, title={B}}\n@misc{c, title={x}, title={y}}\n"
                    "@book{d, title={unclosed\n@book{e, title={E}}\n", encoding="utf-8")
    diags = Diagnostics()
    parse_bibliography((path,), "en", diags)
    messages = [d.format(tmp_path) for d in diags.items]
    assert "refs.bib:2: error: duplicate key 'a'; rename one of the entries" in messages
    assert any(m.startswith("refs.bib:3: error: entry has a field twice") for m in messages)
    assert any(m.startswith("refs.bib:4: error: broken BibTeX entry") for m in messages)


_THREE = ("@book{alpha2010,\n  author = {Alpha, Ann},\n  title = {First},\n  year = {2010}\n}\n\n"
          "@book{beta2011,\n  author = {Beta, Ben},\n  title = {Second},\n  year = {2011}\n}\n\n"
          "@article{gamma2012,\n  author = {Gamma, Gil},\n  title = {Third},\n  journal = {J},\n"
          "  year = {2012}\n}\n")


@pytest.mark.parametrize(("broken", "expected"), [
    # an opening brace never closed: bibtexparser names the entry, pandoc is not repeated
    (("title = {Second}", "title = {Second {book}"),
     "refs.bib:7: error: broken BibTeX entry (a brace or quote in it is never closed: it "
     "runs into the next entry); the entry is skipped"),
    # a comma missing between fields: only pandoc sees it; its reason, not its caret
    (("title = {Second},", "title = {Second}"),
     "refs.bib:10:3: error: pandoc cannot read this entry (unexpected 'y'); the field on the "
     "line before has no comma at its end; the entry is skipped"),
])
def test_one_broken_entry_costs_only_itself(tmp_path: Path, broken: tuple[str, str],
                                            expected: str) -> None:
    """pandoc stops at a file's first error; the entry is set aside and the file read again,
    so the others are still there, and citing the broken one says where it is."""
    from briefing.bibliography import Bibliography
    from briefing.citations import check_keys

    path = tmp_path / "refs.bib"
    path.write_text(_THREE.replace(*broken), encoding="utf-8")
    diags = Diagnostics()
    refs = parse_bibliography((path,), "en", diags)
    assert [d.format(tmp_path) for d in diags.items] == [expected]
    assert sorted(refs) == ["alpha2010", "gamma2012"]
    assert isinstance(refs, Bibliography) and refs.broken == {"beta2011": (path, 7)}

    class Cite:  # the shape check_keys reads
        crossref = False
        keys = ["beta2011", "gamma2012", "zeta"]
        places = [type("P", (), {"path": tmp_path / "a.md", "line": 3, "col": c})()
                  for c in (1, 9, 20)]

    keys = Diagnostics()
    check_keys([Cite()], refs, type("C", (), {"nocite": ()})(), keys)  # type: ignore[list-item]
    assert [d.message for d in keys.items] == [
        "'beta2011' is the entry at refs.bib:7, which could not be read (see the error "
        "there); fix that entry",
        "unknown citation key 'zeta'; add it to the bibliography or fix the key"]


def test_keys_are_case_sensitive(tmp_path: Path) -> None:
    refs = _refs(tmp_path, "@book{Smith, title={A}}\n@book{smith, title={B}}\n")
    assert _text(refs["Smith"].meta["title"]) == "A"
    assert _text(refs["smith"].meta["title"]) == "B"


def test_a_url_that_is_not_a_web_address_never_becomes_a_link(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@online{w, title={W}, url={file:///etc/passwd}}\n", encoding="utf-8")
    diags = Diagnostics()
    refs = parse_bibliography((path,), "en", diags)
    assert "url" not in refs["w"].meta
    assert [d.format(tmp_path) for d in diags.items] == [
        "refs.bib:1: warning: 'w': url 'file:///etc/passwd' is not a web address (http, https "
        "or ftp) and is left out"]


# --- the corrections, each on and off -----------------------------------------------------------

CASES: dict[str, tuple[str, str, str, str]] = {
    # name: (entry, variable, pandoc's reading, corrected)
    "one-name-lists": (
        "@report{x, title={T}, institution={Organization for Security and Co-operation in "
        "Europe}, location={Bosnia and Herzegovina}, year={2012}}",
        "publisher", "Organization for Security; Co-operation in Europe",
        "Organization for Security and Co-operation in Europe"),
    "legal-titles": (
        "@legislation{x, title={Law of the Republic of Kazakhstan on Mass Media}, year={1999}}",
        "title", "Law of the republic of kazakhstan on mass media",
        "Law of the Republic of Kazakhstan on Mass Media"),
    "year-range": ("@book{x, title={T}, year={2003--2005}}", "issued", "literal=2003--2005",
                   "2003/2005"),
    "doi-prefix": ("@article{x, title={T}, journal={J}, year={2001}, "
                   "doi={https://doi.org/10.1000/xyz}}", "doi", "https://doi.org/10.1000/xyz",
                   "10.1000/xyz"),
    "straight-quotes": ('@book{x, title={A "Quoted" Title}, year={2001}}', "title",
                        'A "quoted" title', "A “quoted” title"),
    "url-in-howpublished": (r"@misc{x, title={T}, howpublished={\url{https://example.org/x}}, "
                            "year={2011}}", "url", "", "https://example.org/x"),
    "braces-in-type": ("@report{x, title={T}, type={Asia {{Report}}}, number={250}, year={2013}}",
                       "genre", "Asia {{Report}}", "Asia Report"),
    "language-field": ("@book{x, title={Свобода Собраний}, language={russian}, year={2001}}",
                       "title", "Свобода собраний", "Свобода Собраний"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_correction_on_and_off(tmp_path: Path, name: str) -> None:
    entry, variable, pandocs, corrected = CASES[name]
    raw = _refs(tmp_path, entry, corrections=frozenset())["x"]
    assert (_text(raw.meta[variable]) if variable in raw.meta else "") == pandocs
    fixed = _refs(tmp_path, entry, corrections=frozenset({name}))["x"]
    assert _text(fixed.meta[variable]) == corrected
    assert fixed.corrected == (name,)


def test_every_bibliography_correction_has_a_case() -> None:
    reading = {"one-name-lists", "legal-titles", "year-range", "doi-prefix", "straight-quotes",
               "url-in-howpublished", "language-field", "braces-in-type"}
    assert reading <= set(CORRECTIONS) and reading == set(CASES)


def test_howpublished_url_leaves_no_publisher(tmp_path: Path) -> None:
    entry = CASES["url-in-howpublished"][0]
    assert _text(_refs(tmp_path, entry, corrections=frozenset())["x"].meta["publisher"]) == \
        "https://example.org/x"
    assert "publisher" not in _refs(tmp_path, entry)["x"].meta
