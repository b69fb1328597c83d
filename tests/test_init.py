"""``briefing init``: a starter that checks clean and builds, and never overwrites."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from briefing.cli import main
from briefing.config import KNOWN_KEYS, MAIN_KEYS
from briefing.init import start_briefing, starter_files


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefing", *args], cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=300)


def test_init_then_check_then_build_then_build_from_inside(tmp_path: Path) -> None:
    made = _cli("init", "brief", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines() == [
        "created brief: .gitignore, 01-summary.md, 02-situation.md, logo.svg, report.yaml, "
        "sources.bib",
        "next: cd brief && briefing    (writes build/brief.pdf there; briefing --check checks "
        "without rendering)"]
    checked = _cli("--check", "brief", cwd=tmp_path)
    assert (checked.returncode, checked.stdout, checked.stderr) == (
        0, "brief: 0 errors, 0 warnings\n", "")
    inside = _cli("--quiet", cwd=tmp_path / "brief")  # plain `briefing` in the folder
    assert inside.returncode == 0, inside.stderr
    assert re.fullmatch(r"build/brief.pdf: built in \d+\.\d s: 4 pages, 8 notes, 2 sources, "
                        r"\d+ KB, 0 warnings\n", inside.stdout)
    assert inside.stderr == ""
    assert (tmp_path / "brief" / "build" / "brief.pdf").is_file()


def test_init_refuses_a_folder_that_is_not_empty_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "report.yaml").write_text("title: Mine\n", encoding="utf-8")
    (folder / "draft.md").write_text("# Mine\n", encoding="utf-8")
    assert main(["init", str(folder)]) == 2
    assert capsys.readouterr().err == (
        f"briefing: cannot start a briefing in {folder}: the folder is not empty (draft.md, "
        f"report.yaml); nothing was written. Give a new folder, for example: briefing init "
        f"{folder / 'briefing'}\n")
    assert sorted(p.name for p in folder.iterdir()) == ["draft.md", "report.yaml"]
    assert (folder / "report.yaml").read_text(encoding="utf-8") == "title: Mine\n"


def test_init_takes_an_empty_folder_or_one_holding_only_hidden_entries(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    written = start_briefing(tmp_path / "repo")
    assert {p.name for p in written} == {".gitignore", "01-summary.md", "02-situation.md",
                                          "logo.svg", "report.yaml", "sources.bib"}


def test_init_refuses_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x").write_text("", encoding="utf-8")
    assert main(["init", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err == (
        f"briefing: cannot start a briefing in {tmp_path / 'x'}: it is a file; give a new "
        "folder name, for example: briefing init my-briefing\n")


def test_starter_yaml_uses_and_comments_only_keys_the_config_accepts() -> None:
    text = next(f for f in starter_files() if f.name == "report.yaml").read_text("utf-8")
    used = set(yaml.safe_load(text))
    commented = set(re.findall(r"^# ([A-Za-z-]+):", text, flags=re.MULTILINE))
    assert used | commented <= KNOWN_KEYS
    assert used | commented == MAIN_KEYS  # every setting the config accepts is shown, once
    uncommented = re.sub(r"^# ([A-Za-z-]+:)", r"\1", text, flags=re.MULTILINE)
    assert set(yaml.safe_load(uncommented)) == MAIN_KEYS  # and reads right when uncommented


def test_starter_is_package_data() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"starter/*"' in pyproject
    assert {f.name for f in starter_files()} >= {"report.yaml", "sources.bib", "logo.svg"}


def test_readme_quick_start_begins_with_init() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme[readme.index("## Quick start"):]
    first_command = quick[quick.index("```sh") + 6:].splitlines()[0]
    assert first_command.startswith("briefing init ")
