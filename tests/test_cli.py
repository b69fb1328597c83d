"""The command line: exit codes and the messages a user reads."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, write

from briefing import __version__
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
    assert re.search(r"pages, 1 note, 1 source, \d+ KB, 0 warnings", printed)


def test_user_error_is_one_line_per_problem_and_exit_1(tmp_path: Path) -> None:
    write(tmp_path / "brief", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                        "r.bib": "@book{a, title={A}, year={2001}}\n",
                                        "a.md": "Text [@b].\n"})
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "brief", "-o", "x.pdf"],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "brief: checking the sources",  # progress, as plain lines: stderr is not a terminal
        "brief/a.md:1:7: error: unknown citation key 'b'; add it to the bibliography or fix "
        "the key",
        "brief/r.bib:1: warning: 'a' is never cited, so it is not in the sources; cite it or "
        "list it under nocite in report.yaml",
        "briefing: build failed; no PDF was written or changed"]
    assert "Traceback" not in proc.stderr


def test_missing_source_names_the_folder_tried(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "nowhere"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert proc.stderr == (
        f"briefing: no briefing at 'nowhere': {tmp_path}/nowhere does not exist; give a folder "
        "holding report.yaml (or the yaml file), or start one with 'briefing init nowhere'\n")


def test_a_folder_without_report_yaml(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "docs").mkdir()
    assert main([str(tmp_path / "docs"), "--check"]) == 2
    assert capsys.readouterr().err == (
        f"briefing: no briefing at '{tmp_path}/docs': {tmp_path}/docs holds no report.yaml; "
        "give the folder that holds it, or start a briefing with 'briefing init NEW-FOLDER'\n")


def test_plain_briefing_where_there_is_no_briefing(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([]) == 2
    assert capsys.readouterr().err == (
        f"briefing: no briefing here: {tmp_path} holds no report.yaml (nor report/report.yaml); "
        "give the briefing's folder (briefing FOLDER) or start one with 'briefing init "
        "FOLDER'\n")


def test_plain_briefing_in_a_project_builds_its_report_folder_with_the_project_around_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """As this repository's default briefing: report/ names ../bib/; plain 'briefing' (and
    'python build.py -o FILE') builds it, 'briefing report' keeps report/ confined."""
    write(tmp_path / "report", {"report.yaml": "title: T\nauthor: A\nbibliography: ../bib/s.bib\n",
                                "a.md": "# One\n\nText [@a].\n"})
    write(tmp_path / "bib", {"s.bib": "@book{a, author = {Alpha, Ann}, title = {A}, "
                                      "year = {2010}}\n"})
    monkeypatch.chdir(tmp_path)
    assert main(["-o", "x.pdf", "-q"]) == 0, capsys.readouterr().err
    assert (tmp_path / "x.pdf").is_file()
    assert main(["report", "-o", "y.pdf", "-q"]) == 1
    assert "outside the report folder" in capsys.readouterr().err
    assert not (tmp_path / "y.pdf").exists()


def test_output_that_is_not_a_pdf_is_a_command_line_mistake(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write(tmp_path / "brief", {"report.yaml": "title: T\n", "a.md": "Text.\n"})
    assert main([str(folder), "-o", "notes.txt"]) == 2
    assert capsys.readouterr().err == ("briefing: -o notes.txt: the output must be a .pdf, "
                                       ".html or .docx file (for example -o notes.pdf)\n")
    assert not (tmp_path / "notes.txt").exists()


def test_bad_option_is_a_usage_error(capsys: object) -> None:
    assert main(["--no-such-option"]) == 2
    assert main(["--quiet", "--verbose"]) == 2


def test_python_dash_m_briefing() -> None:
    proc = subprocess.run([sys.executable, "-m", "briefing", "--version"], capture_output=True,
                          text=True, check=False)
    assert (proc.returncode, proc.stdout) == (0, f"briefing {__version__}\n")


def _shared_bib(tmp_path: Path, entries: int, cited: int) -> Path:
    bib = "".join(f"@book{{k{i:03}, author={{Doe, Jane}}, title={{Title {i}}}, year={{2001}}}}\n"
                  for i in range(entries))
    text = "# One\n\n" + " ".join(f"Point {i} [@k{i:03}]." for i in range(cited)) + "\n"
    return write(tmp_path / "brief", {"report.yaml": "title: T\nbibliography: shared.bib\n",
                                      "shared.bib": bib, "a.md": text})


def test_a_shared_bibliography_prints_a_handful_of_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # no "N pages laid out" line: on a busy 2-core machine this layout takes over 5 s
    monkeypatch.setattr("briefing.progress.PLAIN_EVERY", 1e9)
    _shared_bib(tmp_path, entries=500, cited=100)
    assert main(["brief", "-o", "o.pdf"]) == 0
    out, err = capsys.readouterr()
    # a slow machine also prints "N pages laid out (5 s)" every 5 s of layout
    assert [line for line in err.splitlines() if "pages laid out" not in line] == [
        "brief: checking the sources",
        "brief/shared.bib: warning: 400 entries are never cited, so they are not in the sources "
        "('k100', 'k101', 'k102', 'k103', 'k104' and 395 more); cite them or list them under "
        "nocite in report.yaml; --verbose lists them",
        "brief: laying out pages", "brief: writing the PDF"]
    assert re.fullmatch(r"o.pdf: built in \d+\.\d s: \d+ pages, 100 notes, 100 sources, "
                        r"\d+ KB, 400 warnings\n", out)
    assert main(["brief", "-o", "o.pdf", "--verbose"]) == 0  # reused: same warnings, all listed
    assert len(capsys.readouterr().err.splitlines()) == 400


def test_quiet_prints_only_errors_and_the_result_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = _shared_bib(tmp_path, entries=3, cited=1)
    assert main(["brief", "-o", "o.pdf", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.startswith("o.pdf: built in ")
    (folder / "a.md").write_text("Text [@nope].\n", encoding="utf-8")
    assert main(["brief", "-o", "o.pdf", "--quiet"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "brief/a.md:1:7: error: unknown citation key 'nope'; add it to the bibliography or fix "
        "the key", "briefing: build failed; the previous o.pdf is untouched"]


def test_problems_are_printed_before_layout_begins(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing import pipeline

    monkeypatch.chdir(tmp_path)
    _shared_bib(tmp_path, entries=2, cited=1)
    printed_before_layout: list[str] = []
    real_render = pipeline.render_pdf

    def render(*args: object, **kwargs: object) -> object:
        printed_before_layout.append(capsys.readouterr().err)
        return real_render(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "render_pdf", render)
    assert main(["brief", "-o", "o.pdf"]) == 0
    assert printed_before_layout == [
        "brief: checking the sources\n"
        "brief/shared.bib:2: warning: 'k001' is never cited, so it is not in the sources; cite "
        "it or list it under nocite in report.yaml\n"]
    err = capsys.readouterr().err
    assert "never cited" not in err  # printed once, early
    assert err.startswith("brief: laying out pages\n")


def test_a_bug_gets_a_short_report_and_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write(tmp_path / "brief", {
        "report.yaml": "title: T\nbibliography: r.bib\n",
        "r.bib": "@book{a, author={Doe, Jane}, title={Title}, year={2001}}\n",
        "a.md": "Text [@a].\n"})

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("simulated bug")

    monkeypatch.setattr("briefing.pipeline.write_html", broken)
    assert main([str(folder), "-o", str(tmp_path / "o.pdf"), "--force", "--quiet"]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"briefing: internal error: stage 'writer' failed on {folder}: "
                          "ValueError: simulated bug\nThis is a bug in briefing")
    assert "Traceback" not in err
    assert main([str(folder), "-o", str(tmp_path / "o.pdf"), "--force", "--debug"]) == 3
    assert "Traceback" in capsys.readouterr().err
