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
