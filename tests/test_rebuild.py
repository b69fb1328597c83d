"""Re-running: reuse, what changed, same bytes, series, watch."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, write

from briefing.rebuild import Outcome, display_name, run_single, watch

BIB = ("@book{a, author={Doe, Jane}, title={First Title}, year={2001}}\n"
       "@book{b, author={Roe, Rick}, title={Second Title}, year={2002}}\n")


def _report(folder: Path, text: str = "# One\n\nText [@a].\n", extra: str = "") -> Path:
    return write(folder, {"report.yaml": f"title: T\ndate: 2020-01-01\nbibliography: r.bib\n"
                                         f"{extra}",
                          "r.bib": BIB, "a.md": text})


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=300)


def test_unchanged_rebuild_reuses_the_pdf_without_loading_the_renderer(tmp_path: Path) -> None:
    _report(tmp_path / "brief")
    assert _cli("brief", cwd=tmp_path).returncode == 0
    probe = ("import sys; from briefing.cli import main; code = main(['brief']); "
             "print('renderer loaded' if 'weasyprint' in sys.modules else 'renderer idle'); "
             "sys.exit(code)")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert re.fullmatch(r"build/brief.pdf: unchanged since the last build, reused: 4 pages, 1 "
                        r"note, 1 source, \d+ KB, 1 warning", lines[0])
    assert lines[1:] == ["renderer idle"]
    # the warning of the build is repeated, so a reused build hides nothing
    assert proc.stderr.startswith("brief/r.bib:2: warning: 'b' is never cited")


def test_a_change_rebuilds_and_says_what_changed(tmp_path: Path) -> None:
    folder = _report(tmp_path / "brief")
    first = run_single(folder, tmp_path / "out.pdf")
    assert not first.reused and first.change is None
    assert run_single(folder, tmp_path / "out.pdf").reused
    (folder / "a.md").write_text("# One\n\nText [@a]. More [@b, 4].\n", encoding="utf-8")
    second = run_single(folder, tmp_path / "out.pdf")
    assert not second.reused
    assert second.change == ("changed: pages 4 → 4; notes 1 → 2 (1 new or changed, 0 gone or "
                             "changed); sources 1 → 2 (+b)")
    (folder / "r.bib").write_text(BIB.replace("Second Title", "Other Title"), encoding="utf-8")
    third = run_single(folder, tmp_path / "out.pdf")
    assert third.change is not None and "1 new or changed, 1 gone or changed" in third.change


def test_same_sources_give_the_same_bytes_in_separate_processes(tmp_path: Path) -> None:
    _report(tmp_path / "brief")
    for name in ("one.pdf", "two.pdf"):
        shutil.rmtree(tmp_path / "build", ignore_errors=True)  # no shared cache
        assert _cli("brief", "-o", name, "--force", cwd=tmp_path).returncode == 0
    assert (tmp_path / "one.pdf").read_bytes() == (tmp_path / "two.pdf").read_bytes()


def test_series_builds_each_briefing_and_reports_the_failure(tmp_path: Path) -> None:
    _report(tmp_path / "kz")
    _report(tmp_path / "kg", text="# Two\n\nText [@b, 3].\n")
    _report(tmp_path / "tj", text="# Three\n\nText [@missing].\n")
    proc = _cli("kz", "kg", "tj", "-j", "2", cwd=tmp_path)
    assert proc.returncode == 1
    out = proc.stdout.splitlines()
    progress = [line for line in out if line.startswith("[")]
    assert [p.split()[0] for p in progress] == ["[1/3]", "[2/3]", "[3/3]"]
    assert {p.split()[1].rstrip(":") for p in progress} == {"kz", "kg", "tj"}
    table = out[out.index(next(x for x in out if x.startswith("briefing "))):]
    assert table[0].split() == ["briefing", "result", "pages", "notes", "sources", "size",
                                "warnings", "seconds"]
    for row, name in ((table[2], "kz"), (table[3], "kg")):  # size, then 1: uncited entry
        cells = row.split()
        assert cells[:5] + cells[6:8] == [name, "built", "4", "1", "1", "KB", "1"]
    assert table[4].split()[:2] == ["tj", "FAILED"]
    assert table[-1] == "2 of 3 briefings built, 1 failed"
    assert "tj/a.md:3:7: error: unknown citation key 'missing'" in proc.stderr
    assert (tmp_path / "build" / "kz.pdf").is_file() and (tmp_path / "build" / "kg.pdf").is_file()


def test_series_of_yaml_files_in_one_folder_names_and_writes_each_apart(tmp_path: Path) -> None:
    folder = tmp_path / "monthly"
    write(folder, {"r.bib": BIB, "jan.md": "# January\n\nText [@a].\n",
                   "feb.md": "# February\n\nText [@b].\n",
                   "jan.yaml": "title: Update\nbibliography: r.bib\nsections: [jan.md]\n",
                   "feb.yaml": "title: Update\nbibliography: r.bib\nsections: [feb.md]\n"})
    proc = _cli("monthly/jan.yaml", "monthly/feb.yaml", "-j", "2", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split()[:2] for line in proc.stdout.splitlines()[3:5]]
    assert rows == [["monthly/jan.yaml", "built"], ["monthly/feb.yaml", "built"]]
    assert (tmp_path / "build" / "jan.pdf").is_file() and (tmp_path / "build" / "feb.pdf").is_file()


def test_series_refuses_two_briefings_that_would_write_one_pdf(tmp_path: Path) -> None:
    _report(tmp_path / "2024-01" / "brief")
    _report(tmp_path / "2024-02" / "brief")
    proc = _cli("2024-01/brief", "2024-02/brief", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == ("briefing: 2024-01/brief, 2024-02/brief would all write "
                           "build/brief.pdf; build them one at a time with -o NAME.pdf, or "
                           "rename a folder\n")


def test_display_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports" / "kz").mkdir(parents=True)
    assert display_name(Path("reports/kz/report.yaml")) == "reports/kz"
    assert display_name(tmp_path / "reports" / "kz") == "reports/kz"
    assert display_name(Path("./reports/kz/")) == "reports/kz"
    assert display_name(Path(".")) == tmp_path.name
    assert display_name(Path("/elsewhere/kg")) == "/elsewhere/kg"


class _Watcher:
    """Runs watch() in a thread and records what it reports."""

    def __init__(self, folder: Path, output: Path, quiet: float = 0.3) -> None:
        self.built: list[Outcome] = []
        self.changed: list[list[Path]] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=watch, kwargs=dict(
            source=folder, output=output, on_changed=self.changed.append,
            on_built=self.built.append, poll=0.05, quiet=quiet, stop=self.done.is_set))
        self.thread.start()

    def wait_builds(self, count: int, timeout: float = 120) -> Outcome:
        end = time.monotonic() + timeout
        while len(self.built) < count and time.monotonic() < end:
            time.sleep(0.05)
        assert len(self.built) >= count, (len(self.built), self.changed)
        return self.built[count - 1]

    def stop(self) -> None:
        self.done.set()
        self.thread.join(timeout=30)


def test_watch_rebuilds_on_every_kind_of_input_and_survives_a_broken_edit(
        tmp_path: Path) -> None:
    styles = tmp_path / "brief" / "house"
    shutil.copytree(ROOT / "styles", styles)
    folder = _report(tmp_path / "brief", extra="styles: house\n")
    output = tmp_path / "out.pdf"
    watcher = _Watcher(folder, output)
    try:
        assert watcher.wait_builds(1).exit_code == 0
        edits = [(folder / "a.md", "# One\n\nText [@a]. And [@b].\n"),
                 (folder / "r.bib", BIB.replace("First Title", "New Title")),
                 (folder / "report.yaml", (folder / "report.yaml").read_text() + "subtitle: S\n"),
                 (styles / "briefing.css", (styles / "briefing.css").read_text() + "\n/* */\n")]
        for n, (path, text) in enumerate(edits, start=2):
            time.sleep(0.1)
            path.write_text(text, encoding="utf-8")
            outcome = watcher.wait_builds(n)
            assert outcome.exit_code == 0 and not outcome.reused, outcome
            assert watcher.changed[-1] == [path.resolve()]
        good = output.read_bytes()
        (folder / "a.md").write_text("Text [@nope].\n", encoding="utf-8")
        broken = watcher.wait_builds(6)
        assert broken.exit_code == 1
        assert [d.message for d in broken.diagnostics][0].startswith("unknown citation key")
        assert output.read_bytes() == good  # the last good PDF stays
        (folder / "a.md").write_text("# One\n\nFixed [@a].\n", encoding="utf-8")
        assert watcher.wait_builds(7).exit_code == 0
    finally:
        watcher.stop()


def test_watch_waits_until_the_author_stops_saving(tmp_path: Path) -> None:
    folder = _report(tmp_path / "brief")
    watcher = _Watcher(folder, tmp_path / "out.pdf", quiet=1.0)
    try:
        watcher.wait_builds(1)
        for n in range(4):  # four saves, 0.1 s apart, inside the 1 s quiet time
            (folder / "a.md").write_text(f"# One\n\nText {n} [@a].\n", encoding="utf-8")
            time.sleep(0.1)
        watcher.wait_builds(2)
        time.sleep(1.5)
        assert len(watcher.built) == 2 and len(watcher.changed) == 1
    finally:
        watcher.stop()


@pytest.mark.parametrize("args", [["a", "b", "-o", "x.pdf"], ["a", "b", "--watch"]])
def test_one_source_options_refuse_a_series(tmp_path: Path, args: list[str]) -> None:
    proc = _cli(*args, cwd=tmp_path)
    assert proc.returncode == 2 and "take one source" in proc.stderr


def test_an_edit_saved_during_a_build_is_not_taken_as_built(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing import pipeline

    folder = _report(tmp_path / "brief")
    real_build = pipeline.build

    def build_while_author_saves(*args: object, **kwargs: object) -> object:
        result = real_build(*args, **kwargs)  # type: ignore[arg-type]
        (folder / "a.md").write_text("# One\n\nSaved mid-build [@a].\n", encoding="utf-8")
        return result

    monkeypatch.setattr(pipeline, "build", build_while_author_saves)
    run_single(folder, tmp_path / "out.pdf")
    monkeypatch.setattr(pipeline, "build", real_build)
    assert not run_single(folder, tmp_path / "out.pdf").reused
