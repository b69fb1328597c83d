"""A real-world .bib (117 entries of mixed provenance): every entry maps, nothing lost silently."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import write
from pdfcheck import page_texts, reader

from briefing.bibliography import _USED, parse_bibliography
from briefing.checks import check
from briefing.errors import Diagnostics
from briefing.pipeline import BuildResult, build

BIB = Path(__file__).parent / "data" / "realworld.bib"


def _entries() -> dict[str, set[str]]:
    """Key -> field names, read with a plain regex (independent of the parser under test)."""
    text = BIB.read_text(encoding="utf-8")
    out = {}
    for match in re.finditer(r"^@(\w+)\{([^,\s]+),(.*?)(?=^@|\Z)", text, re.M | re.S):
        if match.group(1).lower() != "string":
            fields = re.findall(r"(?:^|,)\s*([A-Za-z]+)\s*=", match.group(3), re.M)
            out[match.group(2)] = {f.lower() for f in fields}
    return out


def test_every_entry_maps_and_every_field_is_used_or_reported() -> None:
    diags = Diagnostics()
    refs = parse_bibliography((BIB,), diags)
    entries = _entries()
    assert len(entries) >= 100
    assert diags.errors == []
    assert set(refs) == set(entries)
    for key, fields in entries.items():
        ref = refs[key]
        for name in fields:
            assert name in _USED or name in ref.dropped, (key, name)
        assert ref.csl.get("title"), key


def test_dropped_fields_and_odd_types_are_reported(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": f"title: T\nbibliography: {BIB}\n"
                                                   "nocite: '@*'\n", "a.md": "Text.\n"})
    messages = [d.message for d in check(folder).warnings]
    [dropped] = [m for m in messages if m.startswith("fields briefing does not use")]
    for name in ("file (1 entry)", "owner (", "timestamp (", "primaryclass (1 entry)",
                 "issuetitle (1 entry)"):
        assert name in dropped, dropped


def test_mappings_of_mixed_provenance() -> None:
    refs = parse_bibliography((BIB,), Diagnostics())
    assert refs["arxiv2021"].csl["URL"] == "https://arxiv.org/abs/2103.01234"
    assert refs["JSTOR2009"].csl["URL"] == "https://www.jstor.org/stable/4150138"
    assert refs["mccorquodale2020"].csl["container-title"] == \
        "Guide to international human rights practice"
    assert refs["mccorquodale2020"].csl["editor"] == [{"family": "Hannum", "given": "Hurst"}]
    assert refs["sr-assembly2015"].csl["publisher"] == "United Nations General Assembly"
    assert refs["Luong2004"].csl["author"][0] == {"family": "Jones Luong", "given": "Pauline"}
    assert refs["ekbsp2017"].csl["author"][1] == {"family": "Åberg", "given": "Jonas"}
    assert refs["vlast2022"].csl["title"] == ("Как проходили январские события. [How the "
                                              "January Events Unfolded]")
    assert refs["sultanbekov2018"].csl["author"][-1] == {"literal": "others"}
    assert refs["doi:10.1080/02634937.2019.1595524"].csl["issued"] == {
        "date-parts": [[2019, 8]]}
    assert refs["10.1093/hrlr/ngz021"].csl["title"] == (
        '<span class="nocase">Freedom of Assembly in the Case Law of the European Court of '
        "Human Rights</span>")


@pytest.fixture(scope="module")
def realworld_pdf(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    folder = tmp_path_factory.mktemp("rw") / "r"
    write(folder, {"report.yaml": f"title: Every source\nbibliography: {BIB}\nnocite: '@*'\n",
                   "a.md": "# Sources only\n\nA briefing that lists every source.\n"})
    return build(folder, folder.parent / "rw.pdf")


def test_every_entry_reaches_the_reference_list_or_is_reported(
        realworld_pdf: BuildResult) -> None:
    omitted = [d.message.split("'")[1] for d in realworld_pdf.diagnostics.warnings
               if "has no entry in the reference list" in d.message]
    assert realworld_pdf.references + len(omitted) == len(_entries())
    text = re.sub(r"\s+", " ", " ".join(page_texts(reader(realworld_pdf.output))))
    for probe in ("Cooley, Alexander. Great Games, Local Rules", "Zhovtis v. Kazakhstan",
                  "Абдрахманова, Айгуль", "Сұлтанов, Ерлан"):
        assert probe in text, probe
    # an address may break over two lines (at a point Chicago allows, without a hyphen)
    assert "https://arxiv.org/abs/2103.01234" in text.replace(" ", "")
