"""The attack suite: nothing a briefing's files say can read local files or reach the network.

Each case builds (or checks) a real briefing and shows the PDF carries none of it: no file
content, no attachment, no link annotation to a forbidden address.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import write
from pdfcheck import page_texts, reader, uri_links

from briefing.checks import check
from briefing.errors import BriefingError
from briefing.pipeline import build

SECRET = "TOP-SECRET-7f3a"
BIB = "@book{a, author={Doe, Jane}, title={Title}, year={2001}}\n"


@pytest.fixture()
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def _assert_clean(pdf: Path, secret: Path) -> None:
    data = pdf.read_bytes()
    assert SECRET.encode() not in data
    doc = reader(pdf)
    assert not doc.attachments
    for _, uri in uri_links(doc):
        assert uri.startswith(("http://", "https://", "mailto:")), uri
        assert "127.0.0.1" not in uri and "file:" not in uri
    assert SECRET not in "".join(page_texts(doc))


def test_markdown_cannot_embed_or_link_local_files(tmp_path: Path, secret: Path) -> None:
    folder = write(tmp_path / "r", {
        "report.yaml": "title: T\nbibliography: r.bib\n", "r.bib": BIB,
        "a.md": f"Text [@a].\n\n"
                f'<link rel="attachment" href="{secret.as_uri()}">\n\n'
                f'Inline <a rel="attachment" href="{secret.as_uri()}">x</a> and '
                f'<img src="{secret.as_uri()}"> and <script>alert(1)</script>.\n\n'
                f"[link]({secret.as_uri()}) [js](javascript:alert(1)) "
                f"[local](http://127.0.0.1:9/)\n"})
    with pytest.raises(BriefingError) as exc:  # the forbidden links are errors
        build(folder, tmp_path / "out.pdf")
    messages = [d.message for d in exc.value.diagnostics]
    assert sum("is not allowed" in m for m in messages) == 2
    assert sum("raw HTML is not rendered" in m for m in messages) >= 3
    # without the forbidden links it builds, and the raw HTML is only text
    (folder / "a.md").write_text((folder / "a.md").read_text().split("[link]")[0],
                                 encoding="utf-8")
    result = build(folder, tmp_path / "out.pdf")
    _assert_clean(result.output, secret)
    text = "".join(page_texts(reader(result.output)))
    assert "<script>alert(1)</script>" in text.replace("\n", "")


def test_bibtex_fields_cannot_smuggle_links_or_markup(tmp_path: Path, secret: Path) -> None:
    bib = (f"@online{{a, author={{Doe, Jane}}, title={{<img src=\"{secret.as_uri()}\">}}, "
           f"url={{{secret.as_uri()}}}, note={{<script>x</script>}}, year={{2001}}}}\n"
           "@online{b, title={JS}, url={javascript:alert(1)}, year={2002}}\n"
           "@online{c, title={Local}, url={http://127.0.0.1:9/admin}, year={2003}}\n")
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                    "r.bib": bib, "a.md": "A [@a]. B [@b]. C [@c].\n"})
    result = build(folder, tmp_path / "out.pdf")
    warnings = [d.message for d in result.diagnostics.warnings]
    assert sum("is not a web address" in w for w in warnings) == 2
    data = result.output.read_bytes()
    assert SECRET.encode() not in data and b"javascript" not in data
    # an http address in a source is a link the reader may follow; briefing never fetches it
    assert [u for _, u in uri_links(reader(result.output))] == ["http://127.0.0.1:9/admin"] * 2


def test_report_yaml_values_are_text(tmp_path: Path, secret: Path) -> None:
    folder = write(tmp_path / "r", {
        "report.yaml": f"title: '<img src=\"{secret.as_uri()}\">'\n"
                       f"subtitle: '<link rel=attachment href=\"{secret.as_uri()}\">'\n"
                       "organisation: '<style>@import url(http://127.0.0.1:9/x.css)</style>'\n"
                       "bibliography: r.bib\n",
        "r.bib": BIB, "a.md": "Text [@a].\n"})
    result = build(folder, tmp_path / "out.pdf")
    _assert_clean(result.output, secret)
    assert not [d for d in result.diagnostics.items if "refused" in d.message]


def test_a_50_mb_image_is_refused_quickly(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                    "r.bib": BIB, "a.md": "Text [@a].\n\n![Big](big.png)\n"})
    with open(folder / "big.png", "wb") as out:
        out.truncate(50 * 2**20)
    start = time.monotonic()
    messages = [d.message for d in check(folder).errors]
    assert messages == ["image 'big.png' is 50 MB; the limit is 20 MB: save it smaller "
                        "(150 dpi is plenty)"]
    assert time.monotonic() - start < 30  # bounded: the file is never decoded


def test_a_table_of_100000_rows_is_an_error(tmp_path: Path) -> None:
    rows = "".join(f"| {n} | x |\n" for n in range(100_000))
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                    "r.bib": BIB,
                                    "a.md": f"Text [@a].\n\n| N | X |\n|---|---|\n{rows}"})
    messages = [d.format(tmp_path) for d in check(folder).errors]
    assert messages == ["r/a.md:3: error: table with 100001 rows (more than 2000); split it or "
                        "summarise it"]


def test_deeply_nested_lists_are_an_error(tmp_path: Path) -> None:
    nested = "".join("  " * n + "- level\n" for n in range(200))
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                    "r.bib": BIB, "a.md": f"Text [@a].\n\n{nested}"})
    messages = [d.message for d in check(folder).errors]
    assert messages == ["lists, quotations or divs nested more than 12 levels deep; flatten them"]


def test_a_huge_section_is_refused_before_parsing(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                    "r.bib": BIB, "a.md": "Text [@a].\n"})
    (folder / "b.md").write_text("word " * (2 * 2**20), encoding="utf-8")
    messages = [d.format(tmp_path) for d in check(folder).errors]
    assert messages == ["r/b.md:1: error: 10.0 MB is too large for a section (the limit is 5 MB); "
                        "split it or make it smaller"]
