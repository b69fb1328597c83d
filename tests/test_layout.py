"""The layout verifier (``layoutcheck.py``) and the shared ``pdfcheck.py`` on real PDFs.

Documents: the default briefing, generated briefings of about 10, 100 and 300 pages in which
the placement repair fires (the 300-page one is slow), a Russian one and one of edge cases
(wide and long tables, long notes, long addresses, a figure, mixed scripts, code).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from generate import LONG_URL, write_edge_report, write_report, write_russian_report
from layoutcheck import Report, load, read_lines, typography, verify

from briefing.fonts import shipped_names, uncovered
from briefing.pdf import number_blocks, refine_document
from briefing.pipeline import BuildResult, build

ROOT = Path(__file__).resolve().parent.parent
PDFCHECK = ROOT.parent / "shared" / "tools" / "pdfcheck.py"


@pytest.fixture(scope="session")
def ten_pages(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    folder = tmp_path_factory.mktemp("ten") / "src"
    write_report(folder, sections=3, seed=1, per_paragraph=(1, 1, 2, 2, 3))
    return build(folder, folder.parent / "ten.pdf")


@pytest.fixture(scope="session")
def hundred_pages(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The benchmark's 100-page briefing: the repair moves paragraphs and headings."""
    folder = tmp_path_factory.mktemp("hundred") / "src"
    write_report(folder, sections=42, seed=3, per_paragraph=(1, 1, 1, 1, 2))
    return build(folder, folder.parent / "hundred.pdf")


@pytest.fixture(scope="session")
def russian(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    folder = tmp_path_factory.mktemp("ru") / "src"
    write_russian_report(folder)
    return build(folder, folder.parent / "ru.pdf")


@pytest.fixture(scope="session")
def edge(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    folder = tmp_path_factory.mktemp("edge") / "src"
    write_edge_report(folder)
    return build(folder, folder.parent / "edge.pdf")


def _verified(result: BuildResult) -> Report:
    return verify(result.output, shipped_fonts=set(shipped_names()), known_urls={LONG_URL})


@pytest.mark.parametrize("name", ["kazakhstan", "ten_pages", "hundred_pages", "russian"])
def test_layout_is_clean(name: str, request: pytest.FixtureRequest) -> None:
    result: BuildResult = request.getfixturevalue(name)
    assert _verified(result).problems() == {}


def test_the_repair_fired_where_it_should(ten_pages: BuildResult,
                                          hundred_pages: BuildResult) -> None:
    # the documents above test contents numbers and headings after a repair
    assert ten_pages.layout.repairs.paragraphs
    html = number_blocks(refine_document(hundred_pages.html))
    moved = [re.findall(rf'<(\w+) data-b="{b}"', html)[0]
             for b in hundred_pages.layout.repairs.paragraphs]
    # headings went with their paragraph (and the verifier finds none ending a page)
    assert "p" in moved and {"h1", "h2"} & set(moved), moved


def test_edge_cases_are_clean_but_for_characters_no_font_has(edge: BuildResult) -> None:
    problems = _verified(edge).problems()
    foreign = problems.pop("foreign_fonts", [])
    assert problems == {}
    text = "".join(p.read_text(encoding="utf-8") for p in edge.config.sections)
    missing = set(uncovered(text))
    # what the machine's fonts drew is exactly what the build reported as not covered
    drawn = {c for entry in foreign for c in entry.split(": ", 1)[1].strip("'")}
    assert drawn <= missing, drawn - missing
    reported = [d.message for d in edge.diagnostics.warnings if "no font shipped" in d.message]
    assert reported and all(f"'{c}'" in reported[0] for c in "中ישראל")


def test_a_long_note_is_reported_from_the_layout(edge: BuildResult) -> None:
    messages = [d.format(edge.config.folder) for d in edge.diagnostics.warnings]
    assert any(re.match(r"02-notes.md:3: warning: note \d+ fills \d+% of page", m)
               and "split it" in m for m in messages), messages


def test_a_figure_that_would_leave_a_hole_is_scaled_to_fill_it(edge: BuildResult) -> None:
    assert edge.layout.repairs.figures == 1
    image_page = next(n for n, images in enumerate(load(edge.output).images, 1) if images)
    assert edge.layout.fill[image_page - 1] > 0.85  # the figure ends its page, no hole


def test_wide_table_uses_the_margin_not_more(edge: BuildResult) -> None:
    assert not [d for d in edge.diagnostics.warnings if "off the paper" in d.message]


def test_a_table_too_wide_for_the_paper_is_reported(tmp_path: Path) -> None:
    row = "| " + " | ".join(["1234567890"] * 30) + " |"
    table = row + "\n|" + "--|" * 30 + "\n" + row + "\n"
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "report.yaml").write_text("title: T\nauthor: A\n", encoding="utf-8")
    (folder / "a.md").write_text("# H\n\nText.\n\n" + table, encoding="utf-8")
    result = build(folder, tmp_path / "t.pdf")
    messages = [d.message for d in result.diagnostics.warnings]
    assert len(messages) == 1 and re.match(r"page 3: a table runs \d+ mm off the paper "
                                           r"\('1234567890", messages[0]), messages


def test_a_table_that_breaks_says_so_on_the_pages_it_continues_on(edge: BuildResult) -> None:
    """The running head of every page the long table continues on ends "Table N
    (continued)"; its first page and the pages after it do not."""
    text = subprocess.run(["pdftotext", str(edge.output), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = [page.replace("\u00a0", " ").splitlines() for page in text.split("\f")]
    starts = [n for n, lines in enumerate(pages) if any("Seventy cases" in ln for ln in lines)]
    assert len(starts) == 1
    number = re.search(r"Table\s(\d+)\.\s*Seventy", "\n".join(pages[starts[0]]))
    assert number, pages[starts[0]]
    label = f"Table {number.group(1)} (continued)"
    # (the running head: where pdftotext puts it among the page's lines varies)
    marked = [n for n, lines in enumerate(pages) if any(label in ln for ln in lines)]
    assert marked and marked[0] == starts[0] + 1, (starts, marked)
    assert marked == list(range(starts[0] + 1, marked[-1] + 1))  # no gap, then never again
    assert not any(label in "\n".join(p) for p in pages[marked[-1] + 1:])


def test_two_calls_in_a_row_read_as_two_numbers(edge: BuildResult) -> None:
    text = "".join(ln.text for page in read_lines(edge.output) for ln in page)
    assert "4,5" in text.replace(" ", "")


def test_russian_prepositions_symbols_and_ranges_never_end_a_line(russian: BuildResult) -> None:
    lines = [line.text.rstrip() for page in read_lines(russian.output) for line in page]
    assert sum("A/HRC/" in t for t in lines) >= 10 and sum("2010–2012" in t for t in lines) >= 10
    for text in lines:
        words = text.split()
        assert not words or words[-1] not in {"в", "к", "с", "о", "у", "и", "а"}, text
        assert not re.search(r"(\b[A-Z]+/|\d[–-])$", text), text  # A/HRC/ | 2010–


def test_typography_of_the_long_document(hundred_pages: BuildResult) -> None:
    counts = typography(hundred_pages.output)
    assert counts.runs4 == 0
    assert counts.runs3 <= max(1, counts.pages // 20), counts.summary()
    assert 60 <= counts.chars_per_line <= 78, counts.summary()
    assert counts.loose <= counts.lines // 50, counts.summary()


@pytest.mark.parametrize("name", ["kazakhstan", "ten_pages", "hundred_pages", "russian",
                                  "edge"])
def test_shared_pdfcheck_passes(name: str, request: pytest.FixtureRequest) -> None:
    if not PDFCHECK.exists() or shutil.which("pdffonts") is None:
        pytest.skip("needs ../shared/tools/pdfcheck.py and poppler-utils")
    result: BuildResult = request.getfixturevalue(name)
    run = subprocess.run([sys.executable, str(PDFCHECK), str(result.output)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout


@pytest.mark.slow
def test_three_hundred_pages(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    write_report(folder, sections=125, seed=3, per_paragraph=(1, 1, 1, 1, 2))
    result = build(folder, tmp_path / "300.pdf")
    assert result.layout.pages >= 280 and result.layout.repairs.paragraphs
    assert _verified(result).problems() == {}
    counts = typography(result.output)
    assert counts.runs4 == 0 and counts.runs3 <= counts.pages // 20, counts.summary()
    if PDFCHECK.exists() and shutil.which("pdffonts"):
        run = subprocess.run([sys.executable, str(PDFCHECK), str(result.output)],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stdout


def test_viewer_opens_with_title_and_outline(kazakhstan: BuildResult) -> None:
    from pypdf import PdfReader

    root = PdfReader(str(kazakhstan.output)).trailer["/Root"]
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert root["/PageMode"] == "/UseOutlines"
