"""The Word edition: footnotes where the PDF has them, Word's own styles, and LibreOffice.

The file is read back with python-docx (styles, cover, tables) and, for the notes, with
zipfile and lxml (``docxcheck.py``): every note citeproc made is a real Word footnote whose
call sits in the paragraph, after the same words, as the PDF's. LibreOffice (Debian's
``libreoffice-writer-nogui``, installed by make as root) must turn it into a PDF without
errors.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import NUMBERED, ROOT
from docx import Document
from docxcheck import calls, footnotes, text_before_calls
from pdfcheck import page_texts, reader

from briefing.builders import Output
from briefing.pandoc import pandoc_path
from briefing.pipeline import BuildResult, build
from briefing.templates import font_dirs


def _docx(result: BuildResult) -> Path:
    return next(o for o in result.outputs if o.kind == "docx").path


def _edition(result: BuildResult, kind: str) -> Output:
    return next(o for o in result.outputs if o.kind == kind)


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _tight(text: str) -> str:
    """Text compared without spaces: the HTML and Word part words at different places."""
    return re.sub(r"\s+", "", text)


def _styles(path: Path) -> list[tuple[str, str]]:
    return [(p.style.name if p.style is not None else "", p.text)
            for p in Document(str(path)).paragraphs]


# --- notes ------------------------------------------------------------------------------------

def test_every_note_is_a_word_footnote_with_the_pdfs_text(editions: BuildResult) -> None:
    notes = footnotes(_docx(editions))
    assert len(notes) == 23
    assert [_tight(notes[i]) for i in sorted(notes)] == \
        [_tight(_plain(n)) for n in editions.note_texts]
    with zipfile.ZipFile(_docx(editions)) as docx:
        assert "word/endnotes.xml" not in docx.namelist()  # footnotes, never endnotes


def test_every_footnote_is_called_where_the_pdf_calls_it(editions: BuildResult) -> None:
    found = calls(_docx(editions))
    assert [c.id for c in found] == sorted(footnotes(_docx(editions)))  # once each, in order
    assert editions.written is not None
    before = text_before_calls(editions.written.body)
    assert len(before) == len(found) == 23
    for number, call in enumerate(found, start=1):
        assert _tight(call.before)[-40:] == _tight(before[number])[-40:], number


def test_two_calls_in_a_row_are_parted_by_a_comma(features: BuildResult) -> None:
    found = calls(_docx(features))
    assert found[-1].before.endswith("Two sources agree.,")  # ¹,² as in the PDF


# --- structure, cover, look -------------------------------------------------------------------

def test_headings_carry_word_heading_styles(editions: BuildResult) -> None:
    headings = [(s, t) for s, t in _styles(_docx(editions)) if s.startswith("Heading")]
    assert ("Heading 2", "Key messages") in headings  # the box's own heading
    assert [h for h in headings if h != ("Heading 2", "Key messages")] == \
        [("Heading 1", t) for t in [*NUMBERED, "Sources"]]


def test_the_reference_list_follows_its_heading(editions: BuildResult) -> None:
    styles = _styles(_docx(editions))
    start = styles.index(("Heading 1", "Sources"))
    entries = [t for s, t in styles[start + 1:] if s == "Bibliography"]
    assert len(entries) == 18 == len(editions.source_keys)
    assert entries[0].startswith("A Sobering Reality")
    # after the list, only the acknowledgement (report.yaml's, at the end of the file)
    assert all(s in ("Bibliography", "Acknowledgement") for s, _ in styles[start + 1:])
    kinds = [s for s, _ in styles[start + 1:]]
    assert kinds == sorted(kinds, key=lambda s: s != "Bibliography")


def test_cover_fields_and_properties(editions: BuildResult) -> None:
    styles = _styles(_docx(editions))
    assert styles[:4] == [
        ("Title", "Kazakhstan"),
        ("Subtitle", "Country briefing on human rights and the rule of law"),
        ("Author", "Netherlands Helsinki Committee"), ("Date", "2012")]
    core = Document(str(_docx(editions))).core_properties
    assert core.title == "Kazakhstan"
    assert core.subject == "Human rights situation in Kazakhstan"
    assert "OSCE" in core.keywords


def test_house_fonts_and_colours(editions: BuildResult) -> None:
    styles = Document(str(_docx(editions))).styles
    assert styles["Normal"].font.name == "PT Serif"
    assert styles["Footnote Text"].font.name == "PT Serif"
    assert styles["Footnote Text"].font.size.pt == 9
    for name in ("Title", "Heading 1", "Heading 2"):
        assert styles[name].font.name == "PT Sans"
        assert str(styles[name].font.color.rgb) == "1F4E79"
    section = Document(str(_docx(editions))).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_figures_tables_math_summary_and_acknowledgement(features: BuildResult) -> None:
    path = _docx(features)
    styles = _styles(path)
    assert ("Image Caption", "Figure\u00a01. Protests a month, 2023") in styles
    assert ("Table Caption", "Table\u00a01. Protests by city") in styles
    assert ("Heading 1", "Summary") in styles and ("Heading 1", "Assemblies") in styles
    assert ("Acknowledgement", "This briefing was produced with the support of the Example "
            "Foundation. Its contents are the sole responsibility of the Test Committee.") \
        in styles
    assert styles[2] == ("Author", "Ana Example")  # then the organisation
    text = " ".join(t for _, t in styles)
    assert "the area is x2 square metres" in text  # math as the PDF shows it: x, raised 2
    assert "‘peaceful" in text  # the briefing's quotation marks
    with zipfile.ZipFile(path) as docx:
        assert any(n.startswith("word/media/") for n in docx.namelist())
    table = Document(str(path)).tables[0]
    assert [c.text for c in table.rows[1].cells] == ["Almaty", "12"]
    cell_note = next(c for c in calls(path) if c.before == "12")
    assert footnotes(path)[cell_note.id] == "Counted by the monitors."
    notes = footnotes(path)
    assert any("The first paragraph of a long note." in t and "Its second paragraph" in t
               for t in notes.values())


def test_the_same_sources_give_the_same_word_file(editions: BuildResult,
                                                  tmp_path: Path) -> None:
    again = build(ROOT / "report", tmp_path / "report.docx", root=ROOT, kinds=("docx",))
    assert _docx(again).read_bytes() == _docx(editions).read_bytes()


def test_the_reference_document_is_what_the_tool_makes() -> None:
    tool = ROOT / "tools" / "make_reference_docx.py"
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), str(tool), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_image_on_the_network_never_reaches_pandoc(tmp_path: Path) -> None:
    from briefing.config import load_config
    from briefing.word import _Prepare

    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "report.yaml").write_text("title: T\n", encoding="utf-8")
    (folder / "a.md").write_text("x\n", encoding="utf-8")
    image = {"t": "Image", "c": [["", [], []], [{"t": "Str", "c": "alt"}],
                                 ["http://127.0.0.1/x.png", ""]]}
    link = {"t": "Link", "c": [["", [], []], [{"t": "Str", "c": "run"}],
                               ["javascript:alert(1)", ""]]}
    out = _Prepare(load_config(folder), None, {}).blocks([{"t": "Para", "c": [image, link]}])
    assert out == [{"t": "Para", "c": [{"t": "Emph", "c": [{"t": "Str", "c": "alt"}]},
                                       {"t": "Span", "c": [["", [], []],
                                                           [{"t": "Str", "c": "run"}]]}]}]


# --- round trip and LibreOffice ---------------------------------------------------------------

def test_a_round_trip_to_markdown_keeps_notes_and_headings_not_citations(
        editions: BuildResult) -> None:
    markdown = subprocess.run([pandoc_path(), "--from=docx", "--to=markdown", "--wrap=none",
                               str(_docx(editions))], capture_output=True, text=True,
                              check=True).stdout
    assert len(re.findall(r"^\[\^\d+\]:", markdown, re.M)) == 23  # every note kept, as a note
    assert re.findall(r"^# (.+?)(?:\[\^\d+\])?$", markdown, re.M) == \
        [*NUMBERED, "Sources"]
    assert "@" not in markdown  # citations come back as their formatted text, not as keys


@pytest.fixture(scope="module")
def office_pdf(editions: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing (CI must run this test: make installs "
                        "libreoffice-writer-nogui as root)")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    home = tmp_path_factory.mktemp("office-home")
    fonts = home / ".fonts"
    fonts.mkdir()
    for folder in font_dirs():  # the house fonts, as a partner who has them installed
        for font in folder.glob("*.ttf"):
            (fonts / font.name).symlink_to(font)
    out = tmp_path_factory.mktemp("office-pdf")
    done = subprocess.run([soffice, "--headless", "--norestore", "--convert-to", "pdf",
                           "--outdir", str(out), str(_docx(editions))],
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "HOME": str(home)})
    pdf = out / "report.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stdout + done.stderr
    assert "Error" not in done.stderr, done.stderr
    return pdf


def test_libreoffice_opens_it_and_prints_the_footnotes(office_pdf: Path,
                                                       editions: BuildResult) -> None:
    pdf = reader(office_pdf)
    text = " ".join(" ".join(t.split()) for t in page_texts(pdf))
    assert 5 <= len(pdf.pages) <= 12
    assert "Kazakhstan" in text and "Country Description" in text
    assert "Center for Strategic and International Studies, Kazakhstan’s OSCE" in text
    # numbered through the whole briefing, as in the PDF (not again from 1 at each chapter)
    assert "4 U.S. Department of State, ‘Background Note: Kazakhstan’." in text
    assert "23 Daniel Wagner and Luca Costa" in text
    fonts = {str(font["/BaseFont"]) for page in pdf.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert any("PTSerif" in f for f in fonts) and any("PTSans" in f for f in fonts), fonts
