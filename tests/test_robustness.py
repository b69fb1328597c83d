"""The attack suite, part 3: malformed inputs (class 8), kills and concurrency (class 9).

Malformed input is the user's problem to fix, never a crash: each case below ends with exit 1
and an error naming the file (and the line, where there is one), found by ``--check`` too
where it can be found without rendering. Builds killed, interrupted or run side by side never
leave a broken PDF or a temporary file behind.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from attack import BIB, run_measured
from conftest import ROOT, write
from pdfcheck import reader

from briefing.rebuild import Outcome, build_series, watch

_REPORT = "title: T\nbibliography: r.bib\n"
_OK = {"r.bib": BIB, "a.md": "# One\n\nText [@a].\n"}
_HOUSE = (ROOT / "styles" / "briefing.html").read_text(encoding="utf-8")

#: name -> (files, the place of the first error, whether --check finds it)
MALFORMED: dict[str, tuple[dict[str, str | bytes], str, bool]] = {
    "invalid date": ({"report.yaml": "title: T\ndate: 2012-13-45\n", "a.md": "x\n"},
                     "r/report.yaml:2:7", True),
    "invalid time": ({"report.yaml": "title: T\ndate: 2012-01-01 25:61:00\n", "a.md": "x\n"},
                     "r/report.yaml:2:7", True),
    "NUL in a section's name": ({"report.yaml": 'title: T\nsections: ["a\\0b.md"]\n',
                                 "a.md": "x\n"}, "r/report.yaml:2:1", True),
    "NUL in report.yaml": ({"report.yaml": "title: T\0\n", "a.md": "x\n"},
                           "r/report.yaml:1", True),
    "report.yaml not UTF-8": ({"report.yaml": "title: Caf\xe9\n".encode("latin-1"),
                               "a.md": "x\n"}, "r/report.yaml:1:11", True),
    "report.yaml is a list": ({"report.yaml": "- title\n", "a.md": "x\n"},
                              "r/report.yaml:1", True),
    "YAML nested 10,000 deep": ({"report.yaml": "title: " + "[" * 10_000 + "]" * 10_000 + "\n",
                                 "a.md": "x\n"}, "r/report.yaml:1", True),
    "a python tag": ({"report.yaml": "title: !!python/object/apply:os.system ['id']\n",
                      "a.md": "x\n"}, "r/report.yaml:1:8", True),
    "bad base64": ({"report.yaml": "title: !!binary 'not base64!'\n", "a.md": "x\n"},
                   "r/report.yaml:1:8", True),
    "a mapping for a list": ({"report.yaml": "title: T\nbibliography: {a: b}\n", "a.md": "x\n"},
                             "r/report.yaml:2:1", True),
    "a section that is a folder": ({"report.yaml": "title: T\nsections: [d.md]\n"},
                                   "r/report.yaml:2:1", True),
    "a section not UTF-8": ({"report.yaml": "title: T\n", "a.md": b"caf\xe9\n"},
                            "r/a.md:1:4", True),
    "a section with NUL": ({"report.yaml": "title: T\n", "a.md": "one\ntwo\0\n"},
                           "r/a.md:2", True),
    "a section's YAML block that is not YAML": (
        {"report.yaml": "title: T\n", "a.md": "---\ntitle: [unclosed\n---\n\nText.\n"},
        "r/a.md:1:1", True),
    "a footnote used but not defined": ({"report.yaml": "title: T\n",
                                         "a.md": "# One\n\nText[^n].\n"}, "r/a.md:3:5", True),
    "an image name too long": ({"report.yaml": "title: T\n",
                                "a.md": "Text.\n\n![x](" + "a" * 5000 + ".png)\n"},
                               "r/a.md:3:6", True),
    "an image with NUL": ({"report.yaml": "title: T\n", "a.md": "Text.\n\n![x](a%00b.png)\n"},
                          "r/a.md:3:6", True),
    "bibliography not UTF-8": ({"report.yaml": _REPORT, "a.md": "Text.\n",
                                "r.bib": b"@book{a, title={Caf\xe9}}\n"}, "r/r.bib:1:20", True),
    "bibliography with NUL": ({"report.yaml": _REPORT, "a.md": "Text.\n",
                               "r.bib": "@book{a, title={x\0}}\n"}, "r/r.bib:1", True),
    "a broken entry": ({"report.yaml": _REPORT, "a.md": "Text [@b].\n",
                        "r.bib": BIB + "\n@book{b, title={Open\n"}, "r/r.bib:3", True),
    "braces 3,000 deep": ({"report.yaml": _REPORT, "a.md": "Text [@a].\n",
                           "r.bib": "@book{a, title={" + "{" * 3000 + "x" + "}" * 3000 + "}}\n"},
                          "r/r.bib:1", True),
    "a style that is not XML": ({"report.yaml": _REPORT + "csl: s.csl\n", **_OK,
                                 "s.csl": "not xml"}, "r/report.yaml:3", True),
    "a style with entities": ({"report.yaml": _REPORT + "csl: s.csl\n", **_OK,
                               "s.csl": '<!DOCTYPE x [<!ENTITY a "b">]><style/>'},
                              "r/report.yaml:3", True),
    "a style that is not a CSL style": ({"report.yaml": _REPORT + "csl: s.csl\n", **_OK,
                                         "s.csl": "<html/>"}, "r/report.yaml:3", True),
    "a template with a syntax error": ({"report.yaml": _REPORT + "styles: h\n", **_OK,
                                        "h/briefing.html": "<p>\n{% if %}\n"},
                                       "r/h/briefing.html:2", False),
    "a template naming what is not there": ({"report.yaml": _REPORT + "styles: h\n", **_OK,
                                             "h/briefing.html": "{{ nothing.here }}"},
                                            "r/h/briefing.html", False),
    "a template including what is not there": ({"report.yaml": _REPORT + "styles: h\n", **_OK,
                                                "h/briefing.html": '{% include "x.html" %}'},
                                               "r/h/briefing.html", False),
    "a template not UTF-8": ({"report.yaml": _REPORT + "styles: h\n", **_OK,
                              "h/briefing.html": b"<p>caf\xe9</p>"}, "r/h/briefing.html", False),
    "a template whose code fails": ({"report.yaml": _REPORT + "styles: h\n", **_OK,
                                     "h/briefing.html": "<p>\n{{ body }}{{ 1 / 0 }}"},
                                    "r/h/briefing.html:2", False),
    "a template adding text to a number": ({"report.yaml": _REPORT + "styles: h\n", **_OK,
                                            "h/briefing.html": "{{ config.title + 1 }}"},
                                           "r/h/briefing.html:1", False),
    "a template that recurses": ({"report.yaml": _REPORT + "styles: h\n", **_OK,
                                  "h/briefing.html": "{% macro f() %}{{ f() }}{% endmacro %}"
                                                     "{{ f() }}"}, "r/h/briefing.html:1", False),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_8_malformed_input_is_a_located_error_never_a_crash(tmp_path: Path, name: str) -> None:
    files, place, by_check = MALFORMED[name]
    folder = tmp_path / "r"
    (folder / "d.md").mkdir(parents=True)  # a folder named like a section: never one
    for file, content in files.items():
        (folder / file).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (folder / file).write_bytes(content)
        else:
            (folder / file).write_text(content, encoding="utf-8")
    for args in (["--check"], ["-o", "out.pdf"]):
        run = run_measured("r", *args, cwd=tmp_path, timeout=120)
        if args == ["--check"] and not by_check:
            assert run.code == 0, run.stderr  # a template is only run when building
            continue
        assert run.code == 1, run.stderr[-3000:]
        assert "internal error" not in run.stderr and "Traceback" not in run.stderr
        assert run.errors[0].startswith(f"{place}: error: "), run.errors
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize(("encoding", "named"), [
    ("cp1251", "Windows Cyrillic (cp1251)"), ("koi8-r", "KOI8-R Cyrillic"),
    ("cp1252", "Windows Latin (cp1252)")])
def test_8_a_file_not_in_utf8_is_named_with_its_likely_encoding(tmp_path: Path, encoding: str,
                                                                named: str) -> None:
    text = ("# Положение\n\nКазахстан подписал соглашение о правах человека.\n"
            if encoding != "cp1252" else "# Situation\n\nThe café reopened in Almaty.\n")
    write(tmp_path / "r", {"report.yaml": "title: T\n"})
    (tmp_path / "r" / "a.md").write_bytes(text.encode(encoding))
    run = run_measured("r", "--check", cwd=tmp_path, timeout=60)
    assert run.code == 1
    line = 1 if encoding != "cp1252" else 3
    assert run.errors[0].startswith(f"r/a.md:{line}:"), run.errors
    assert f"not UTF-8 text, it looks like {named}; save the" in run.errors[0], run.errors


def test_8_a_footnote_inside_a_footnote_is_two_notes(tmp_path: Path) -> None:
    write(tmp_path / "r", {"report.yaml": "title: T\n",
                           "a.md": "# One\n\nText^[outer ^[inner] words].\n"})
    run = run_measured("r", "-o", "out.pdf", cwd=tmp_path)
    assert run.code == 0 and "2 notes" in run.stdout, run.stderr


def test_8_an_output_folder_that_cannot_be_written(tmp_path: Path) -> None:
    write(tmp_path / "r", {"report.yaml": _REPORT, **_OK})
    (tmp_path / "file").write_text("a file, not a folder", encoding="utf-8")
    run = run_measured("r", "-o", "file/out.pdf", cwd=tmp_path)
    assert run.code == 1 and run.errors == [], run.stderr
    assert "error: cannot write " in run.stderr and "internal error" not in run.stderr
    # a read-only place (/proc refuses even root), as the output and as the current folder
    run = run_measured(str(tmp_path / "r"), "-o", "/proc/briefing/out.pdf", cwd=tmp_path)
    assert run.code == 1 and "error: cannot write /proc/briefing/out.pdf" in run.stderr
    run = run_measured(str(tmp_path / "r"), cwd=Path("/proc"))
    assert run.code == 1 and "error: cannot write /proc/build/r.pdf" in run.stderr


@pytest.mark.parametrize("broken", ["date: 2012-13-45\n", "x: " + "[" * 5000 + "]" * 5000 + "\n"])
def test_8_watch_survives_a_broken_report_yaml(tmp_path: Path, broken: str) -> None:
    folder = write(tmp_path / "r", {"report.yaml": _REPORT, **_OK})
    watcher = _Watcher(folder, tmp_path / "out.pdf")
    try:
        assert watcher.wait_builds(1).exit_code == 0
        (folder / "report.yaml").write_text(_REPORT + broken, encoding="utf-8")
        assert watcher.wait_builds(2).exit_code == 1
        (folder / "report.yaml").write_text(_REPORT + "subtitle: S\n", encoding="utf-8")
        assert watcher.wait_builds(3).exit_code == 0
    finally:
        watcher.stop()


# --- 9. interruptions, kills and builds side by side ------------------------------------------

def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".*.tmp"))


def _build_process(source: Path, output: Path, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), str(source), "-o",
                             str(output), "--force"], cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def longer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A briefing whose PDF takes long enough to write that a kill can land in it."""
    from generate import write_report

    folder = tmp_path_factory.mktemp("kill") / "src"
    write_report(folder, sections=6, seed=11)
    return folder


def test_9_kill_9_during_the_write_leaves_the_previous_pdf_whole(longer: Path,
                                                                 tmp_path: Path) -> None:
    output = tmp_path / "out" / "brief.pdf"
    first = _build_process(longer, output, tmp_path)
    assert first.communicate(timeout=300) and first.returncode == 0
    reference = output.read_bytes()  # the same sources give the same bytes
    rng = random.Random(4)
    kills = 0
    for attempt in range(6):
        proc = _build_process(longer, output, tmp_path)
        deadline = time.monotonic() + 120
        while not _temporaries(output.parent) and proc.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.002)  # wait for the temporary PDF to appear: the write has begun
        time.sleep(rng.uniform(0, 0.15) if attempt else 0)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
        assert output.read_bytes() == reference  # never half a PDF
        assert len(reader(output).pages) > 3
    assert kills >= 4
    assert _temporaries(output.parent)  # what kill -9 leaves, the next build removes
    last = _build_process(longer, output, tmp_path)
    assert last.communicate(timeout=300) and last.returncode == 0
    assert _temporaries(output.parent) == [] and output.read_bytes() == reference


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_9_ctrl_c_or_sigterm_during_the_write_exits_cleanly(longer: Path, tmp_path: Path,
                                                            sig: int, code: int) -> None:
    output = tmp_path / "brief.pdf"
    output.write_bytes(b"%PDF previous")
    proc = _build_process(longer, output, tmp_path)
    deadline = time.monotonic() + 120
    while not _temporaries(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err.decode()
    assert "briefing: stopped" in err.decode() and b"Traceback" not in err
    assert output.read_bytes() == b"%PDF previous" and _temporaries(tmp_path) == []


def test_9_a_temporary_file_of_a_live_build_is_kept(tmp_path: Path) -> None:
    write(tmp_path / "r", {"report.yaml": _REPORT, **_OK})
    out = tmp_path / "o"
    out.mkdir()
    dead = out / ".x.pdf.999999999.abc.tmp"
    alive = out / f".x.pdf.{os.getpid()}.def.tmp"
    old = out / ".x.pdf.k3j4h5.tmp"  # the old naming, an hour old
    for path in (dead, alive, old):
        path.write_bytes(b"partial")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert run_measured("r", "-o", "o/x.pdf", cwd=tmp_path).code == 0
    assert _temporaries(out) == [alive.name]


def test_9_parallel_builds_of_one_briefing_never_crash(tmp_path: Path) -> None:
    write(tmp_path / "r", {"report.yaml": _REPORT, **_OK})
    procs = [subprocess.Popen([sys.executable, str(ROOT / "build.py"), "r", "-o", output,
                               "--force"], cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
             for output in ["same.pdf"] * 3 + ["other1.pdf", "other2.pdf"]]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    for name in ("same.pdf", "other1.pdf", "other2.pdf"):
        assert len(reader(tmp_path / name).pages) >= 1
    assert (tmp_path / "same.pdf").read_bytes() == (tmp_path / "other1.pdf").read_bytes()
    assert _temporaries(tmp_path) == []


def test_9_a_killed_worker_fails_its_briefing_only(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The old series died with BrokenProcessPool (exit 3, no PDFs for the others)."""
    from briefing import rebuild

    for name in ("kz", "kg", "tj"):
        write(tmp_path / name, {"report.yaml": _REPORT, **_OK})
    monkeypatch.chdir(tmp_path)
    real = rebuild.run_guarded

    def killed_on_kg(source: Path, *args: object) -> Outcome:
        if source.name == "kg":  # in the worker process, forked from this one
            os.kill(os.getpid(), signal.SIGKILL)
        return real(source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(rebuild, "run_guarded", killed_on_kg)
    seen: list[str] = []
    outcomes = build_series([Path("kz"), Path("kg"), Path("tj")], 2, False,
                            lambda o: seen.append(o.name))
    assert sorted(seen) == ["kg", "kz", "tj"]
    assert [o.exit_code for o in outcomes] == [0, 1, 0]
    assert outcomes[1].diagnostics[0].message.startswith(
        "the process building this briefing was stopped by signal SIGKILL before it finished")
    assert (tmp_path / "build" / "kz.pdf").is_file() and (tmp_path / "build" / "tj.pdf").is_file()


def test_9_a_series_never_writes_one_pdf_twice(tmp_path: Path) -> None:
    """Two names for one briefing (a link, a path written twice) or two folders of one name:
    refused before anything is built (test_rebuild has the two-folders case too)."""
    write(tmp_path / "kz", {"report.yaml": _REPORT, **_OK})
    write(tmp_path / "2024" / "kz", {"report.yaml": _REPORT, **_OK})
    (tmp_path / "alias").symlink_to(tmp_path / "kz", target_is_directory=True)
    for series in (["kz", "alias"], ["kz", "./kz/"], ["kz", "2024/kz"]):
        run = run_measured(*series, cwd=tmp_path)
        assert run.code == 2 and "would all write build/kz.pdf" in run.stderr, run.stderr
        assert not (tmp_path / "build").exists()


def test_9_ctrl_c_stops_a_series_and_every_worker(longer: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        shutil.copytree(longer, tmp_path / name)
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "a", "b", "-j", "2"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while not _temporaries(tmp_path / "build") and proc.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert b"Traceback" not in err
    assert _temporaries(tmp_path / "build") == []


class _Watcher:
    """Runs watch() in a thread and records what it reports."""

    def __init__(self, folder: Path, output: Path) -> None:
        self.built: list[Outcome] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=watch, kwargs=dict(
            source=folder, output=output, on_changed=lambda paths: None,
            on_built=self.built.append, poll=0.05, quiet=0.3, stop=self.done.is_set))
        self.thread.start()

    def wait_builds(self, count: int, timeout: float = 120) -> Outcome:
        end = time.monotonic() + timeout
        while len(self.built) < count and time.monotonic() < end:
            time.sleep(0.05)
        assert len(self.built) >= count, self.built
        return self.built[count - 1]

    def stop(self) -> None:
        self.done.set()
        self.thread.join(timeout=30)


def test_9_watch_with_the_output_inside_the_folder_builds_once(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": _REPORT, **_OK})
    for output in (folder / "out.pdf", folder / "pdf" / "out.pdf"):
        watcher = _Watcher(folder, output)
        try:
            assert watcher.wait_builds(1).exit_code == 0
            time.sleep(2)
            assert len(watcher.built) == 1  # the old watch rebuilt forever
        finally:
            watcher.stop()


def test_9_watch_shows_an_image_replaced_under_the_same_name(tmp_path: Path) -> None:
    from PIL import Image

    folder = write(tmp_path / "r", {"report.yaml": "title: T\n",
                                    "a.md": "# One\n\n![Square](sq.png)\n"})
    output = tmp_path / "out.pdf"
    Image.new("RGB", (40, 40), (255, 0, 0)).save(folder / "sq.png")
    watcher = _Watcher(folder, output)
    try:
        assert watcher.wait_builds(1).exit_code == 0
        assert _first_image_colour(output) == (255, 0, 0)
        time.sleep(0.1)
        Image.new("RGB", (40, 40), (0, 0, 255)).save(folder / "sq.png")
        assert watcher.wait_builds(2).exit_code == 0
        assert _first_image_colour(output) == (0, 0, 255)
    finally:
        watcher.stop()


def _first_image_colour(pdf: Path) -> tuple[int, ...]:
    for page in reader(pdf).pages:
        for image in page.images:
            return tuple(image.image.convert("RGB").getpixel((5, 5)))
    raise AssertionError("no image in the PDF")
