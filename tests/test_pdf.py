"""Stage 7: rendering — sandbox, note checks, atomic writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, write
from pdfcheck import reader

from briefing.errors import BriefingError
from briefing.pdf import SandboxFetcher
from briefing.pipeline import build

YAML = "title: Test\nbibliography: r.bib\n"
BIB = "@book{a, author={Doe, Jane}, title={Title}, year={2001}}\n"


def test_sandbox_reads_only_allowed_folders(tmp_path: Path) -> None:
    inside = write(tmp_path / "report", {"ok.txt": "fine"})
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    fetcher = SandboxFetcher(inside)
    assert fetcher.fetch((inside / "ok.txt").as_uri()) is not None
    for url in [(tmp_path / "secret.txt").as_uri(), (inside / ".." / "secret.txt").as_uri(),
                "file:///etc/passwd", "http://127.0.0.1:9/x", "https://example.org/"]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000"
                    "000049454e44ae426082")


def test_images_outside_the_report_or_on_the_network_are_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.png").write_bytes(PNG)
    folder = write(tmp_path / "r", {"report.yaml": YAML, "r.bib": BIB,
                                    "a.md": "Text [@a].\n\n![x](../outside.png)\n\n"
                                            "![y](http://127.0.0.1:9/x.png)\n"})
    with pytest.raises(BriefingError) as exc:
        build(folder, tmp_path / "out.pdf")
    assert [d.format(tmp_path) for d in exc.value.diagnostics] == [
        f"r/a.md:3:6: error: image '../outside.png' is outside the report folder ({folder}); "
        "copy it into the folder, or allow a wider folder with --root DIR",
        "r/a.md:5:6: error: image 'http://127.0.0.1:9/x.png' is not a file of the report: "
        "briefing never fetches from the network; save it in the report folder"]
    assert not (tmp_path / "out.pdf").exists()


def test_user_css_cannot_reach_outside_the_sandbox(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(PNG)
    styles = tmp_path / "r" / "house"  # a partner's styles, shipped in the folder
    shutil.copytree(ROOT / "styles", styles)
    css = styles / "briefing.css"
    css.write_text(f"@import url('http://127.0.0.1:9/x.css');\n"
                   f"body {{ background: url('{(tmp_path / 'secret.png').as_uri()}'); }}\n"
                   f"h1 {{ background: url('../secret.png'); }}\n" + css.read_text(),
                   encoding="utf-8")
    folder = write(tmp_path / "r", {"report.yaml": YAML + "styles: house\n",
                                    "r.bib": BIB, "a.md": "# H\n\nText [@a].\n"})
    result = build(folder, tmp_path / "out.pdf")
    refused = [d.message for d in result.diagnostics.warnings if "refused" in d.message]
    assert any("http://127.0.0.1:9/x.css" in m for m in refused), refused
    assert sum("secret.png" in m for m in refused) >= 1, refused
    assert b"secret" not in (tmp_path / "out.pdf").read_bytes()


def test_a_note_taller_than_a_page_is_reported_with_its_line(tmp_path: Path) -> None:
    long_note = " ".join(["This note goes on and on about the evidence."] * 260)
    text = f"# H\n\nShort text [@a].\n\nCall here.^[{long_note}]\n"
    folder = write(tmp_path / "r", {"report.yaml": YAML, "r.bib": BIB, "a.md": text})
    result = build(folder, tmp_path / "out.pdf")
    messages = [d.format(tmp_path) for d in result.diagnostics.warnings]
    assert messages == [
        "r/a.md:5: warning: note 2 is too long to fit on one page and is cut off or missing "
        "in the PDF; shorten it or split it into two notes"]


def test_failed_build_leaves_the_previous_pdf_untouched(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": YAML, "r.bib": BIB, "a.md": "Text [@a].\n"})
    out = tmp_path / "out.pdf"
    build(folder, out)
    before = out.read_bytes()
    assert len(reader(out).pages) >= 3
    (folder / "a.md").write_text("Text [@missing].\n", encoding="utf-8")
    with pytest.raises(BriefingError):
        build(folder, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_output_never_overwrites_a_source(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": YAML, "r.bib": BIB, "a.md": "Text [@a].\n"})
    with pytest.raises(BriefingError):
        build(folder, folder / "a.md")
    assert (folder / "a.md").read_text(encoding="utf-8") == "Text [@a].\n"
