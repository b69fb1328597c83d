"""A real-world .bib (117 entries of mixed provenance): every entry maps, nothing lost silently."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import write
from pdfcheck import page_texts, reader

from briefing.bibliography import BOOKKEEPING, READ_BY_PANDOC, parse_bibliography, unused_fields
from briefing.checks import check
from briefing.errors import Diagnostics
from briefing.pipeline import BuildResult, build
from briefing.tree import stringify

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


def test_every_entry_is_read_and_every_field_is_read_known_or_reported() -> None:
    diags = Diagnostics()
    refs = parse_bibliography((BIB,), "en-GB", diags)
    entries = _entries()
    assert len(entries) >= 100 and diags.errors == []
    assert set(refs) == set(entries)
    for key, fields in entries.items():
        ref = refs[key]
        for name in fields:
            assert name in READ_BY_PANDOC or name in BOOKKEEPING or \
                name in unused_fields(ref), (key, name)
        assert "title" in ref.meta, key


def test_unused_fields_are_one_note_and_bookkeeping_is_quiet(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": f"title: T\nbibliography: {BIB}\n"
                                                   "nocite: '@*'\n", "a.md": "Text.\n"})
    diags = check(folder, root=BIB.parent)
    printed = " ".join(d.message for d in diags.items)
    for name in ("file", "owner", "timestamp", "abstract", "keywords"):
        assert f" {name} (" not in printed, printed


def test_mappings_of_mixed_provenance() -> None:
    refs = parse_bibliography((BIB,), "en-GB", Diagnostics())

    def text(key: str, variable: str) -> str:
        value = refs[key].meta[variable]
        return str(value["c"]) if value["t"] == "MetaString" else stringify(value["c"])

    assert text("arxiv2021", "url") == "https://arxiv.org/abs/2103.01234"
    assert text("sr-assembly2015", "publisher") == "United Nations General Assembly"
    assert "Как проходили январские события" in text("vlast2022", "title")


@pytest.fixture(scope="module")
def realworld_pdf(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    folder = tmp_path_factory.mktemp("rw") / "r"
    write(folder, {"report.yaml": f"title: Every source\nbibliography: {BIB}\nnocite: '@*'\n",
                   "a.md": "# Sources only\n\nA briefing that lists every source.\n"})
    return build(folder, folder.parent / "rw.pdf", root=BIB.parent)


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
