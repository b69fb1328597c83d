"""The command line: exit codes and the messages a user reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, write

from briefing.cli import main


def test_build_prints_a_summary(tmp_path: Path, capsys: object) -> None:
    folder = write(tmp_path / "brief", {
        "report.yaml": "title: T\nbibliography: r.bib\n",
        "r.bib": "@book{a, author={Doe, Jane}, title={Title}, year={2001}}\n",
        "a.md": "# One\n\nText [@a].\n"})
    out = tmp_path / "o.pdf"
    assert main([str(folder), "-o", str(out)]) == 0
    assert out.is_file()
    printed = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "o.pdf: built in " in printed
    assert "pages, 1 notes, 1 sources, 0 warnings" in printed


def test_user_error_is_one_line_per_problem_and_exit_1(tmp_path: Path) -> None:
    write(tmp_path / "brief", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                        "r.bib": "@book{a, title={A}, year={2001}}\n",
                                        "a.md": "Text [@b].\n"})
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "brief", "-o", "x.pdf"],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "brief/a.md:1:7: error: unknown citation key 'b'; add it to the bibliography or fix "
        "the key",
        "brief/r.bib:1: warning: 'a' is never cited, so it is not in the sources; cite it or "
        "list it under nocite in report.yaml",
        "briefing: build failed; no PDF was written or changed"]
    assert "Traceback" not in proc.stderr


def test_missing_source_folder(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "nowhere"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("nowhere: error: no such file or folder")


def test_bad_option_is_a_usage_error(capsys: object) -> None:
    assert main(["--no-such-option"]) == 2


def test_a_bug_gets_a_short_report_and_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write(tmp_path / "brief", {
        "report.yaml": "title: T\nbibliography: r.bib\n",
        "r.bib": "@book{a, author={Doe, Jane}, title={Title}, year={2001}}\n",
        "a.md": "Text [@a].\n"})

    def broken(*args: object) -> None:
        raise ValueError("simulated bug")

    monkeypatch.setattr("briefing.pipeline.write_html", broken)
    assert main([str(folder), "-o", str(tmp_path / "o.pdf"), "--force"]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"briefing: internal error: stage 'write' failed on {folder}: "
                          "ValueError: simulated bug\nThis is a bug in briefing")
    assert "Traceback" not in err
    assert main([str(folder), "-o", str(tmp_path / "o.pdf"), "--force", "--debug"]) == 3
    assert "Traceback" in capsys.readouterr().err
