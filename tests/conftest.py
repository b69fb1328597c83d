"""Shared fixtures: real builds of the default briefing and of a long generated document."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from generate import write_report  # noqa: E402

from briefing.pipeline import BuildResult, build  # noqa: E402
from briefing.writer import Written  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: the default briefing's sections, as their headings read
SECTION_TITLES = [
    "Country Description", "Political Situation", "Rule of law", "Civil Liberties",
    "Position of migrant workers", "Position of minorities", "Position of women",
    "Kay international actors", "Projects NHC",
]
#: the default briefing numbers its sections (number-sections: true): bookmarks and the Word
#: file's headings carry the number
NUMBERED = [f"{n} {title}" for n, title in enumerate(SECTION_TITLES, start=1)]
# the tests' own cache: never the user's, and empty at the start of every run
os.environ["BRIEFING_CACHE_DIR"] = tempfile.mkdtemp(prefix="briefing-test-cache-")


@pytest.fixture(scope="session")
def kazakhstan(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The default briefing, built once for all end-to-end tests."""
    out = tmp_path_factory.mktemp("kz") / "report.pdf"
    return build(ROOT / "report", out, root=ROOT)


@pytest.fixture(scope="session")
def long_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated briefing of 100+ pages and 500+ notes."""
    folder = tmp_path_factory.mktemp("long")
    write_report(folder / "src", sections=38, seed=7)
    return folder / "src"


@pytest.fixture(scope="session")
def long_document(long_source: Path) -> BuildResult:
    return build(long_source, long_source.parent / "long.pdf")


@pytest.fixture(scope="session")
def long_document_unrepaired(long_source: Path) -> BuildResult:
    """The same document with WeasyPrint's own note placement, for comparison."""
    return build(long_source, long_source.parent / "plain.pdf", keep_notes_with_calls=False)


def write(folder: Path, files: dict[str, str]) -> Path:
    """Write a small report folder for a test; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def written(folder: Path, files: dict[str, str], corrections: frozenset[str] | None = None,
            ) -> Written:
    """Write a report folder and run the stages up to the HTML writer (real pandoc)."""
    from briefing.checks import analyse
    from briefing.citations import format_citations
    from briefing.config import load_config
    from briefing.corrections import ALL
    from briefing.errors import Diagnostics
    from briefing.writer import write_html

    write(folder, files)
    config = load_config(folder)
    chosen = ALL if corrections is None else corrections
    analysis = analyse(config, Diagnostics(), chosen)
    assert analysis.style is not None
    cited = format_citations(analysis.blocks, analysis.refs, analysis.style, config, chosen)
    return write_html(cited, analysis.document, config.lang, chosen)


@pytest.fixture(scope="session")
def editions(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The default briefing in all three editions: PDF, web page and Word file, built once."""
    out = tmp_path_factory.mktemp("editions") / "report.pdf"
    return build(ROOT / "report", out, root=ROOT, kinds=("pdf", "html", "docx"))


CHART = """<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120" viewBox="0 0 320 120">
<rect x="10" y="60" width="60" height="50" fill="#1f4e79"/>
<rect x="90" y="30" width="60" height="80" fill="#1f4e79"/>
<rect x="170" y="80" width="60" height="30" fill="#1f4e79"/>
<text x="10" y="20" font-size="14">Protests a month</text></svg>
"""

FEATURES = {
    "report.yaml": (
        "title: Freedom of Assembly\nsubtitle: Every kind of content, in every edition\n"
        "organisation: Test Committee\nauthor: [Ana Example]\ndate: 2024-05-01\n"
        "lang: en-GB\nbibliography: refs.bib\noutputs: [pdf, html, docx]\n"
        "abstract: |\n  A summary that cites a report [@a].\n"
        "acknowledgement: |\n  This briefing was produced with the support of the *Example "
        "Foundation*.\n  Its contents are the sole responsibility of the Test Committee.\n"),
    "refs.bib": (
        "@report{a, author={{Monitoring Group}}, title={Assemblies in 2023}, year={2023},\n"
        "  url={https://example.org/assemblies}}\n"
        "@book{b, author={Doe, Jane}, title={Public Order and Protest}, year={2019}}\n"),
    "chart.svg": CHART,
    "01-assemblies.md": (
        "# Assemblies\n\n"
        "Monitors counted every gathering [@a, 12]. Police dispersed many of them.[^long]\n\n"
        "[^long]: The first paragraph of a long note.\n\n"
        "    Its second paragraph, citing a book [@b, 40].\n\n"
        "![Protests a month, 2023](chart.svg){#fig-chart}\n\n"
        "| City   | Protests |\n|:-------|---------:|\n"
        "| Almaty | 12^[Counted by the monitors.] |\n| Astana | 7 |\n\n"
        "Table: Protests by city\n\n"
        "## Law and practice\n\n"
        "The law says \"peaceful 'and' unarmed\" and the area is $x^2$ square metres. "
        "Two sources agree [@a] [@b].\n"),
}


@pytest.fixture(scope="session")
def features(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """A small briefing with a figure (an SVG chart), a table with a note in a cell, a note
    of two paragraphs, math, quotations, an executive summary and a donor acknowledgement,
    in all three editions."""
    folder = write(tmp_path_factory.mktemp("features") / "assembly", FEATURES)
    return build(folder, folder.parent / "out" / "assembly.pdf")
