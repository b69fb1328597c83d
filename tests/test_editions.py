"""Editions (named sets of overrides in report.yaml) and numbered copies: each has its own
files and reuse record, so no build can hand out another edition's or another yaml's PDF."""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import stat
from pathlib import Path

import pikepdf
import pytest
from conftest import write
from pdfcheck import page_texts, reader
from pdfua import check

from briefing.cli import main
from briefing.config import load_config
from briefing.errors import BriefingError
from briefing.rebuild import run_single

BIB = "@report{a, author = {{OSCE}}, title = {Report}, date = {2011}}\n"
EDITIONS = ("title: Kazakhstan\nlang: en-GB\nbibliography: s.bib\ndate: 2012\n"
            "edition-code: KZ-12\n"
            "editions:\n"
            "  draft:\n"
            "    marking: DRAFT — not for distribution\n"
            "    watermark: DRAFT\n"
            "  public:\n"
            "    subtitle: Public edition\n")


def _folder(tmp_path: Path) -> Path:
    """One folder, two yamls: kz.yaml with two editions, kg.yaml with none."""
    return write(tmp_path / "brief", {
        "kz.yaml": EDITIONS, "kg.yaml": "title: Kyrgyzstan\nbibliography: s.bib\n",
        "s.bib": BIB, "a.md": "# One\n\nText [@a].\n"})


def _title(pdf: Path) -> str:
    with pikepdf.open(pdf) as doc:
        return f"{doc.docinfo.get('/Title')} {doc.open_metadata().get('xmp:Label', '')}"


def test_an_edition_overrides_and_names_its_file(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = _folder(tmp_path)
    draft = load_config(folder / "kz.yaml", edition="draft")
    public = load_config(folder / "kz.yaml", edition="public")
    assert (draft.watermark, public.watermark) == ("DRAFT", "")
    assert (draft.subtitle, public.subtitle) == ("", "Public edition")
    assert draft.editions == ("draft", "public")
    assert draft.default_output() == tmp_path / "build" / "kz-draft.pdf"
    assert load_config(folder / "kg.yaml").default_output() == tmp_path / "build" / "kg.pdf"


def test_an_override_is_checked_where_it_is_written(tmp_path: Path) -> None:
    folder = write(tmp_path / "b", {"report.yaml": EDITIONS.replace(
        "    watermark: DRAFT\n", "    watermark: DRAFT\n    image-dpi: lots\n"
        "    watermrk: x\n") + "  bad name:\n    title: X\n", "a.md": "# A\n", "s.bib": BIB})
    with pytest.raises(BriefingError) as caught:
        load_config(folder)
    found = {(d.line, d.col, d.message) for d in caught.value.diagnostics}
    assert (10, 5, "'image-dpi' must be a resolution in dots per inch from 72 to 1200, "
            "not 'lots'") in found
    assert (11, 5, "unknown key 'watrmrk' (did you mean 'watermark'?)".replace(
        "watrmrk", "watermrk")) in found
    assert any(line == 14 and "edition name 'bad name'" in m for line, _, m in found)


def test_attach_sources_needs_pdf_a_3(tmp_path: Path) -> None:
    folder = write(tmp_path / "b", {"report.yaml": "title: T\nattach-sources: true\n",
                                    "a.md": "# A\n"})
    with pytest.raises(BriefingError, match="'attach-sources' needs 'pdf-standard: a-3a'"):
        load_config(folder)


def test_an_unknown_edition_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """--edition naming an edition the yaml lacks is a command-line mistake (exit 2)."""
    monkeypatch.chdir(tmp_path)
    _folder(tmp_path)
    assert main(["brief/kz.yaml", "--edition", "final"]) == 2
    assert capsys.readouterr().err.strip() == (
        "briefing: --edition final: kz.yaml has no such edition (its editions: draft, public)")
    assert main(["brief/kz.yaml", "--edition", "drafts"]) == 2
    assert "(did you mean 'draft'? its editions: draft, public)" in capsys.readouterr().err
    assert main(["brief/kg.yaml", "--edition", "draft"]) == 2
    assert "kg.yaml has no such edition (it defines none)" in capsys.readouterr().err
    assert not (tmp_path / "build").exists()


JOBS = (("kz.yaml", "draft"), ("kz.yaml", "public"), ("kg.yaml", None))
EXPECTED = {"kz-draft.pdf": "Kazakhstan KZ-12", "kz-public.pdf": "Kazakhstan: Public edition KZ-12",
            "kg.pdf": "Kyrgyzstan "}


def test_editions_and_yamls_never_pass_for_each_other(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Every order, one at a time, then rebuilt (reused) in another order, then as a series:
    each file is its own edition's, byte for byte the same every time."""
    folder = _folder(tmp_path)
    reference: dict[str, bytes] = {}
    for n, order in enumerate(itertools.permutations(JOBS)):
        here = tmp_path / f"run{n}"
        here.mkdir()
        monkeypatch.chdir(here)
        for yaml, edition in order:
            outcome = run_single(folder / yaml, edition=edition)
            assert outcome.exit_code == 0 and not outcome.reused
        for yaml, edition in reversed(order):  # nothing changed: each is reused, as itself
            assert run_single(folder / yaml, edition=edition).reused
        files = {p.name: p.read_bytes() for p in (here / "build").glob("*.pdf")}
        assert sorted(files) == sorted(EXPECTED)
        for name, data in files.items():
            assert _title(here / "build" / name) == EXPECTED[name]
            assert reference.setdefault(name, data) == data
        if n == 1:
            break  # two orders in full; the series below covers building them together
    series = tmp_path / "series"
    series.mkdir()
    monkeypatch.chdir(series)
    assert main([str(folder / "kz.yaml"), str(folder / "kg.yaml"), "-q", "-j", "2"]) == 0
    for name, data in reference.items():
        assert (series / "build" / name).read_bytes() == data


def test_one_output_file_built_by_two_yamls_is_never_reused_for_the_other(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's failure: two yamls writing one file; the reuse record now says which."""
    folder = _folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out.pdf"
    assert not run_single(folder / "kg.yaml", out).reused
    assert _title(out).startswith("Kyrgyzstan")
    second = run_single(folder / "kz.yaml", out, edition="public")
    assert not second.reused and _title(out).startswith("Kazakhstan: Public")
    third = run_single(folder / "kg.yaml", out)
    assert not third.reused and _title(out).startswith("Kyrgyzstan")
    # a PDF of another edition copied over this one is noticed
    run_single(folder / "kz.yaml", edition="draft")
    run_single(folder / "kz.yaml", edition="public")
    shutil.copy(tmp_path / "build" / "kz-draft.pdf", tmp_path / "build" / "kz-public.pdf")
    assert not run_single(folder / "kz.yaml", edition="public").reused
    assert _title(tmp_path / "build" / "kz-public.pdf").startswith("Kazakhstan: Public")


def test_all_editions_build_in_parallel_with_a_table(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    folder = _folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main([str(folder / "kz.yaml"), "-q"]) == 0
    table = capsys.readouterr().out.strip().splitlines()
    assert table[0].split() == ["briefing", "result", "pages", "notes", "sources", "size",
                                "warnings", "seconds"]
    assert [row.split()[:3] for row in table[2:4]] == [
        ["brief/kz.yaml", "(draft)", "built"], ["brief/kz.yaml", "(public)", "built"]]
    assert table[-1] == "2 of 2 editions built"
    assert main([str(folder / "kz.yaml"), "-q", "--edition", "public"]) == 0
    assert "build/kz-public.pdf: unchanged since the last build, reused" in \
        capsys.readouterr().out


@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_pdfs_are_written_with_the_users_umask(tmp_path: Path, mask: int,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    old = os.umask(mask)
    try:
        run_single(folder / "kg.yaml")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "build" / "kg.pdf").stat().st_mode) == 0o666 & ~mask


def test_numbered_copies_one_per_recipient(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write(tmp_path / "brief", {
        "report.yaml": EDITIONS + "  internal:\n    marking: CONFIDENTIAL\n"
                       "    distribution: people.csv\n",
        "people.csv": "name,organisation\nJane Doe,EU Delegation\nИван Петров,OSCE\n"
                      "Ana Lima,\n",
        "s.bib": BIB, "a.md": "# One\n\nText [@a].\n"})
    monkeypatch.chdir(tmp_path)
    outcome = run_single(folder / "report.yaml", edition="internal")
    assert outcome.exit_code == 0, outcome.diagnostics
    copies = tmp_path / "build" / "brief-internal"
    names = sorted(p.name for p in copies.glob("*.pdf"))
    assert names == ["brief-internal-001-jane-doe.pdf", "brief-internal-002-ivan-petrov.pdf",
                     "brief-internal-003-ana-lima.pdf"]
    sums = (copies / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    for line in sums:
        sha, name = line.split("  ")
        assert hashlib.sha256((copies / name).read_bytes()).hexdigest() == sha
    assert (copies / "copies.csv").read_text(encoding="utf-8").splitlines()[2].startswith(
        "2,KZ-12/002,Иван Петров,OSCE,brief-internal-002-ivan-petrov.pdf,")

    second = copies / names[1]
    texts = page_texts(reader(second))
    assert "Prepared for Иван Петров, OSCE" in texts[0]
    assert all("Copy 2 of 3 · KZ-12/002" in t for t in texts)
    with pikepdf.open(second) as pdf:
        meta = pdf.open_metadata()
        assert str(meta["dc:identifier"]) == "KZ-12/002"
        assert "Иван Петров" in str(meta["dc:rights"]) and "CONFIDENTIAL" in str(
            meta["dc:rights"])
    assert check(second, notes=1).problems == []
    assert run_single(folder / "report.yaml", edition="internal").reused
    (copies / names[0]).unlink()  # a copy gone: the edition is made again
    again = run_single(folder / "report.yaml", edition="internal")
    assert not again.reused and (copies / names[0]).is_file()
    assert again.outputs[0].copies == 3


def test_a_distribution_list_is_checked_line_by_line(tmp_path: Path) -> None:
    folder = write(tmp_path / "b", {"report.yaml": "title: T\ndistribution: who.yaml\n",
                                    "who.yaml": "- name: A\n- organisation: B\n",
                                    "a.md": "# A\n"})
    with pytest.raises(BriefingError) as caught:
        load_config(folder)
    diag = caught.value.diagnostics[0]
    assert (diag.path, diag.line) == (folder / "who.yaml", 2)
    assert "a recipient without a name" in diag.message


def test_copies_are_made_when_every_edition_is_built_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    """Each edition is built in a process of its own, which may not fork workers: the copies
    are then written one after another, and nothing but the table is printed."""
    folder = write(tmp_path / "brief", {
        "report.yaml": EDITIONS + "  internal:\n    marking: CONFIDENTIAL\n"
                       "    distribution: people.csv\n",
        "people.csv": "name,organisation\nAyşe Yılmaz,UNDP\nŁukasz Øster,EU\n",
        "s.bib": BIB, "a.md": "# One\n\nText [@a].\n"})
    monkeypatch.chdir(tmp_path)
    assert main([str(folder / "report.yaml"), "-q"]) == 0
    out, err = capfd.readouterr()
    assert "Traceback" not in err and "internal error" not in out + err, err
    assert "3 of 3 editions built" in out
    names = sorted(p.name for p in (tmp_path / "build" / "brief-internal").glob("*.pdf"))
    assert names == ["brief-internal-001-ayse-yilmaz.pdf", "brief-internal-002-lukasz-oster.pdf"]

