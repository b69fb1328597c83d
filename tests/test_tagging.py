"""Tagged PDFs: the structure a screen reader reads (PDF/UA-1) and the archival variants.

Each PDF is read back with pikepdf by ``pdfua.py`` (the Matterhorn conditions it can decide)
and by the shared, independent ``../shared/tools/tagcheck.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT, write
from generate import write_report, write_russian_report
from pdfua import check

from briefing.config import load_config
from briefing.editions import pdf_options
from briefing.errors import Diagnostics
from briefing.pdf import PdfOptions, lay_out, write_pdf
from briefing.pipeline import BuildResult, Timer, build, read
from briefing.templates import render_page
from briefing.writer import write_html

TAGCHECK = ROOT.parent / "shared" / "tools" / "tagcheck.py"


def _tagcheck(pdf: Path, notes: int) -> None:
    if not TAGCHECK.is_file():
        pytest.skip(f"{TAGCHECK} is not here")
    proc = subprocess.run([sys.executable, str(TAGCHECK), str(pdf), str(notes)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout


def _levels(result: BuildResult) -> list[int]:
    """The heading levels the reader should meet, in order: the summary, the sections (and
    the boxes' headings inside them), the reference list."""
    assert result.written is not None
    levels = [1] if result.written.abstract else []
    levels += [h.level for h in result.written.headings if not h.annex]
    return levels + ([1] if result.written.references else [])


def test_the_default_briefing_reads_in_order(kazakhstan: BuildResult) -> None:
    report = check(kazakhstan.output, notes=kazakhstan.notes)
    assert report.problems == []
    # one H1 per section, the cover title and the contents heading are not headings
    assert report.headings.count(1) == _levels(kazakhstan).count(1)
    assert report.roles["Title"] == 0 and report.roles["P"] > 0  # Title is role-mapped to P
    assert report.roles["TOC"] == 1 and report.roles["TOCI"] >= 9
    assert report.notes == 23 and report.references >= 23
    assert report.figures == 3  # the logo, the chart; each with its alt text
    assert report.xmp["pdfuaid:part"] == "1"
    assert report.runs == report.tagged_runs + report.artifact_runs
    _tagcheck(kazakhstan.output, 23)


def test_a_note_is_read_where_it_is_called(kazakhstan: BuildResult) -> None:
    with pikepdf.open(kazakhstan.output) as pdf:
        root = pdf.Root.StructTreeRoot
        ids = root.IDTree.Names
        note = ids[1]
        assert str(ids[0]) == "fn-1" and str(note.S) == "/Note"
        parent = note.P
        kids = list(parent.K)
        position = next(i for i, k in enumerate(kids) if isinstance(k, pikepdf.Dictionary)
                        and k.objgen == note.objgen)
        call = kids[position - 1]  # the Reference right before it, holding the call's link
        assert str(call.S) == "/Reference" and str(call.K[0].S) == "/Link"
        assert str(call.K[0].K[0].Obj.Dest) == "fn-1"
        assert str(root.RoleMap.Title) == "/P"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)


def test_a_long_generated_briefing_is_tagged_throughout(long_document: BuildResult) -> None:
    report = check(long_document.output, notes=long_document.notes)
    assert report.problems == []
    assert report.headings.count(1) == _levels(long_document).count(1)
    assert report.roles["Table"] >= 1 and report.roles["TH"] >= 1
    _tagcheck(long_document.output, long_document.notes)


def test_a_russian_briefing_says_its_languages(tmp_path: Path) -> None:
    source = write_russian_report(tmp_path / "ru")
    first = sorted(source.parent.glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") +
                     "\nДоклад назван [Kazakhstan: Human Rights]{lang=en-GB}.\n",
                     encoding="utf-8")
    result = build(source.parent, tmp_path / "ru.pdf")
    report = check(result.output, notes=result.notes)
    assert report.problems == []
    assert "en-GB" in report.lang_spans
    with pikepdf.open(result.output) as pdf:
        assert str(pdf.Root.Lang) == "ru"
        assert str(pdf.open_metadata()["dc:title"]) == "Казахстан: Положение с правами " \
            "человека и верховенство права"
    _tagcheck(result.output, result.notes)


def _small(tmp_path: Path, extra: str = "") -> Path:
    return write(tmp_path / "brief", {
        "report.yaml": "title: Brief\nlang: en-GB\nbibliography: s.bib\n" + extra,
        "s.bib": "@report{a, author = {{OSCE}}, title = {Report}, date = {2011}}\n",
        "a.md": "# One\n\nText [@a].\n\n| Year | Cases |\n|---|---|\n| 2010 | 4 |\n\n"
                ": Cases by year\n\n# Two\n\nMore.\n"})


@pytest.mark.parametrize("standard", ["a-2a", "a-3a"])
def test_archival_editions_are_tagged_pdf_a(tmp_path: Path, standard: str) -> None:
    attach = "attach-sources: true\n" if standard == "a-3a" else ""
    folder = _small(tmp_path, f"pdf-standard: {standard}\n{attach}")
    result = build(folder, tmp_path / "a.pdf")
    report = check(result.output, standard=f"pdf/{standard}", notes=1)
    assert report.problems == []
    assert report.xmp["pdfaid:part"] == standard[2] and report.xmp["pdfuaid:part"] == "1"
    with pikepdf.open(result.output) as pdf:
        names = sorted(pdf.attachments)
        assert names == (["a.md", "report.yaml", "s.bib"] if attach else [])
        if attach:
            assert pdf.attachments["report.yaml"].get_file().read_bytes() == \
                (folder / "report.yaml").read_bytes()
            assert str(pdf.Root.AF[0].AFRelationship) == "/Source"


def test_untagged_on_request(tmp_path: Path) -> None:
    result = build(_small(tmp_path, "pdf-standard: none\n"), tmp_path / "plain.pdf")
    with pikepdf.open(result.output) as pdf:
        assert "/StructTreeRoot" not in pdf.Root and "/Metadata" not in pdf.Root


def test_table_headers_have_a_scope(tmp_path: Path) -> None:
    result = build(_small(tmp_path), tmp_path / "t.pdf")
    with pikepdf.open(result.output) as pdf:
        scopes = [str(o.A.Scope) for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                  and str(o.get("/S")) == "/TH"]
        headers = [list(o.A.Headers) for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                   and str(o.get("/S")) == "/TD"]
    assert scopes == ["/Column", "/Column"]
    assert len(headers) == 2 and all(len(h) == 1 for h in headers)


def test_tagging_costs_few_bytes_on_a_note_dense_briefing(tmp_path: Path) -> None:
    """The same layout written untagged and tagged (deterministic, as bench/editions.py does):
    text boxes drawn one after another for one element are one marked-content sequence, so
    the 33 pages have 794 MCIDs for 2,170 text runs (one each before), and the size ratio is
    1.191 (1.232 before). The issue's 15 % is not met: docs/design.md says where the bytes go."""
    source = write_report(tmp_path / "dense", sections=8, seed=3)
    config = load_config(source.parent)
    diags = Diagnostics()
    briefing = read(config, diags, Timer(source))
    written = write_html(briefing.cited, briefing.document, config.lang)
    document, _layout = lay_out(render_page(config, written), written.notes, diags, True, None,
                                pdf_options(config))
    plain, tagged = tmp_path / "plain.pdf", tmp_path / "tagged.pdf"
    write_pdf(document, plain, PdfOptions(standard="none"))
    write_pdf(document, tagged, PdfOptions())
    report = check(tagged, notes=None)
    assert report.problems == []
    with pikepdf.open(tagged) as pdf:
        mcids = sum(len(pdf.Root.StructTreeRoot.ParentTree.Nums[2 * n + 1])
                    for n in range(len(pdf.pages)))
    assert mcids * 2.5 < report.tagged_runs
    ratio = tagged.stat().st_size / plain.stat().st_size
    print(f"{len(document.pages)} pages, {mcids} MCIDs for {report.tagged_runs} text runs, "
          f"size {ratio:.3f}x")
    assert ratio <= 1.21


def test_adjacent_phrases_keep_their_own_text(tmp_path: Path) -> None:
    """Phrases in other languages (or links) a space apart: the space's text box may draw only
    the ``ET`` that the next box takes back, so two splits of one merged sequence fall at one
    place in the stream; split in the wrong order, the second phrase's text went to the
    paragraph and its Span kept an empty sequence."""
    folder = write(tmp_path / "phrases", {
        "report.yaml": "title: Phrases\nlang: en-GB\n",
        "a.md": "# One\n\nSee [Привет]{lang=ru} [Wort]{lang=de} [mot]{lang=fr} and "
                "[x](https://a.example) [y](https://b.example) [z](https://c.example).\n"})
    result = build(folder, tmp_path / "phrases.pdf")
    assert check(result.output).problems == []
    with pikepdf.open(result.output) as pdf:
        shown: set[tuple[int, int]] = set()  # (page, MCID) of sequences that show text
        for number, page in enumerate(pdf.pages):
            open_mcids: list[int | None] = []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op in ("BDC", "BMC"):
                    props = operands[1] if op == "BDC" else None
                    open_mcids.append(int(props.MCID) if isinstance(props, pikepdf.Dictionary)
                                      and "/MCID" in props else None)
                elif op == "EMC":
                    open_mcids.pop()
                elif op in ("TJ", "Tj") and open_mcids and open_mcids[-1] is not None:
                    shown.add((number, open_mcids[-1]))
        pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
        phrases = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                   and (str(o.get("/S")) == "/Span" or str(o.get("/S")) == "/Link"
                        and "/URI" in o.K[0].Obj.get("/A", {}))]
        assert len(phrases) == 6
        for phrase in phrases:
            mcids = [int(k) for k in phrase.K if isinstance(k, int)]
            assert mcids and all((pages[phrase.Pg.objgen], m) in shown for m in mcids)
