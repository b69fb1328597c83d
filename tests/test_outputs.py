"""Editions: chosen in report.yaml or with --to, read once, each reused only when its own inputs
and kind are unchanged, listed in the result lines and in a series' closing table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import write
from pdfcheck import page_texts, reader

from briefing.cli import main
from briefing.config import load_config
from briefing.errors import BriefingError
from briefing.rebuild import run_single

BIB = "@book{a, author={Doe, Jane}, title={Title}, year={2001}}\n"


def _brief(tmp_path: Path, extra: str = "") -> Path:
    return write(tmp_path / "brief", {
        "report.yaml": f"title: T\nbibliography: r.bib\n{extra}", "r.bib": BIB,
        "a.md": "# One\n\nText [@a].\n"})


def test_outputs_in_report_yaml(tmp_path: Path) -> None:
    folder = _brief(tmp_path, "outputs: [pdf, docx]\n")
    assert load_config(folder).outputs == ("pdf", "docx")
    (folder / "report.yaml").write_text("title: T\noutputs: [pdf, epub]\n", encoding="utf-8")
    with pytest.raises(BriefingError) as caught:
        load_config(folder)
    assert [d.format(tmp_path) for d in caught.value.diagnostics] == [
        "brief/report.yaml:2:1: error: 'outputs' lists 'epub'; choose from pdf, html, docx "
        "(for example: outputs: [pdf, html])"]


def test_report_yaml_outputs_are_written_and_listed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _brief(tmp_path, "outputs: [pdf, html, docx]\n")
    assert main(["brief", "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"build/brief\.pdf: built in \d+\.\d s: \d+ pages, 1 note, 1 source, "
                        r"\d+ KB, 0 warnings", lines[0])
    assert re.fullmatch(r"build/brief\.html: written in [\d.]+ s: web page, 1 note, 1 "
                        r"source, \d+ KB", lines[1])
    assert re.fullmatch(r"build/brief\.docx: written in [\d.]+ s: Word file, 1 footnote, 1 "
                        r"source, \d+ KB", lines[2])
    assert {p.name for p in (tmp_path / "build").iterdir() if not p.name.startswith(".")} == \
        {"brief.pdf", "brief.html", "brief.docx"}


def test_each_edition_is_reused_only_when_its_inputs_and_kind_match(tmp_path: Path) -> None:
    folder = _brief(tmp_path)
    out = tmp_path / "out" / "brief.pdf"
    first = run_single(folder, out, kinds=("pdf",))
    assert [(o.kind, o.reused) for o in first.outputs] == [("pdf", False)]
    second = run_single(folder, out, kinds=("pdf", "html"))
    assert [(o.kind, o.reused) for o in second.outputs] == [("pdf", True), ("html", False)]
    assert run_single(folder, out, kinds=("pdf", "html")).reused
    out.with_suffix(".html").write_text("edited by hand", encoding="utf-8")
    again = run_single(folder, out, kinds=("pdf", "html"))
    assert [(o.kind, o.reused) for o in again.outputs] == [("pdf", True), ("html", False)]
    # the web page links to the PDF only when both are published: another page
    alone = run_single(folder, out, kinds=("html",))
    assert [(o.kind, o.reused) for o in alone.outputs] == [("html", False)]
    assert "brief.pdf" not in out.with_suffix(".html").read_text(encoding="utf-8")
    (folder / "a.md").write_text("# One\n\nOther text [@a].\n", encoding="utf-8")
    changed = run_single(folder, out, kinds=("pdf", "html", "docx"))
    assert [(o.kind, o.reused) for o in changed.outputs] == \
        [("pdf", False), ("html", False), ("docx", False)]


def test_to_and_output_choose_the_editions(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _brief(tmp_path, "outputs: [pdf, html]\n")
    assert main(["brief", "-q", "-o", "site/brief.html"]) == 0  # -o names one edition
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["brief.html"]
    assert main(["brief", "-q", "--to", "docx,html", "-o", "w/x.docx"]) == 0
    assert sorted(p.name for p in (tmp_path / "w").iterdir()) == ["x.docx", "x.html"]
    capsys.readouterr()
    assert main(["brief", "--to", "html", "-o", "x.pdf"]) == 2
    assert capsys.readouterr().err == ("briefing: -o x.pdf names a .pdf file, but --to asks "
                                       "for html; name one of those (the others go beside "
                                       "it)\n")
    assert main(["brief", "--to", "pdf,epub"]) == 2
    assert "'pdf,epub': choose from pdf, html, docx" in capsys.readouterr().err


def test_a_series_lists_a_row_per_output(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("kz", "kg"):
        write(tmp_path / name, {"report.yaml": "title: T\n", "a.md": f"# {name}\n\nText.\n"})
    assert main(["kz", "kg", "-q", "-j", "1", "--to", "pdf,html"]) == 0
    table = capsys.readouterr().out.strip().splitlines()[-7:]
    assert [row.split()[:3] for row in table[2:6]] == [
        ["kz", "pdf", "built"], ["kz", "html", "built"],
        ["kg", "pdf", "built"], ["kg", "html", "built"]]
    assert table[0].split() == ["briefing", "output", "result", "pages", "notes", "sources",
                                "size", "warnings", "seconds"]
    assert table[-1] == "2 of 2 briefings built"


def test_the_acknowledgement_is_in_every_output(tmp_path: Path) -> None:
    folder = _brief(tmp_path, "acknowledgement: Made possible by the *Fund*.\n")
    outcome = run_single(folder, tmp_path / "out" / "b.pdf", kinds=("pdf", "html", "docx"))
    assert outcome.exit_code == 0, outcome.diagnostics
    pdf = " ".join(page_texts(reader(tmp_path / "out" / "b.pdf")))
    assert "Made possible by the Fund." in pdf
    page = (tmp_path / "out" / "b.html").read_text(encoding="utf-8")
    assert "Made possible by the <em>Fund</em>." in page[page.index("<footer"):]
