"""The attack suite, part 2: runaway inputs (class 7) and the folder walk (class 6).

Each case is a few kilobytes that cost minutes or gigabytes before the limits (the figures
are in each test). Each runs the command line in a fresh process and must end with a clear,
located error and exit 1, in seconds, with the largest process under 1 GB (``PEAK_LIMIT``).
"""

from __future__ import annotations

import base64
import contextlib
import os
import struct
import threading
import time
import zlib
from pathlib import Path

import pytest
from attack import BIB, PEAK_LIMIT, run_measured
from conftest import ROOT, write
from generate import write_report

from briefing import limits
from briefing.errors import BriefingError
from briefing.fingerprint import tree_files
from briefing.limits import guard
from briefing.rebuild import watched_files


def _png(width: int, height: int) -> bytes:
    """A valid, tiny PNG of any size: zlib squeezes rows of zeros to almost nothing."""
    squeeze = zlib.compressobj(9)
    row = b"\0" * (width + 1)
    data = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                            0, 0, 0))
            + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def _use_bomb() -> str:
    """2.6 KB: nine levels of ten <use> each, 10^9 rectangles once expanded."""
    svg = ['<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           'width="100" height="100"><defs><rect id="a0" width="1" height="1"/>']
    for level in range(1, 10):
        svg.append(f'<g id="a{level}">' + "".join(f'<use xlink:href="#a{level - 1}"/>'
                                                  for _ in range(10)) + "</g>")
    svg.append('</defs><use xlink:href="#a9"/></svg>')
    return "".join(svg)


def _keys(count: int) -> str:
    return "".join(f"@book{{k{i}, author={{Author{i}, Jane}}, title={{Title {i}}}, "
                   f"year={{{1900 + i % 120}}}}}\n" for i in range(count))


def _table(columns: int) -> str:
    return ("|" + "|".join("c" * 1 for _ in range(columns)) + "|\n|"
            + "|".join("-" for _ in range(columns)) + "|\n|"
            + "|".join("x" for _ in range(columns)) + "|\n")


def _aliases(first: str) -> str:
    lines = [first + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    return "\n".join(lines) + "\n"


_REPORT = "title: T\nbibliography: r.bib\n"
#: name -> (files, the first error as the user reads it (its start), seconds allowed)
CASES: dict[str, tuple[dict[str, str | bytes], str]] = {
    # 600 citations in one paragraph took 206 s; 1,000 in a note style, 123 s
    "1000 notes in one paragraph": (
        {"report.yaml": _REPORT, "r.bib": _keys(50),
         "a.md": "Text " + " ".join(f"word [@k{i % 50}]." for i in range(1000)) + "\n"},
        "r/a.md:1: error: 1000 notes in one paragraph; the limit is 100"),
    "1000 citations in one paragraph, author-date": (
        {"report.yaml": _REPORT + "csl: apa\n", "r.bib": _keys(50),
         "a.md": "Text " + " ".join(f"word [@k{i % 50}]." for i in range(1000)) + "\n"},
        "r/a.md:1: error: 1000 citations in one paragraph; the limit is 150"),
    "one citation of 1000 works": (
        {"report.yaml": _REPORT, "r.bib": _keys(1000),
         "a.md": "Text [" + "; ".join(f"@k{i}" for i in range(1000)) + "].\n"},
        "r/a.md:1: error: 1000 citations in one paragraph"),
    # 400 KB: --check busy for over 120 s, pandoc at 9 GB
    "200,000 ^[": (
        {"report.yaml": _REPORT, "r.bib": BIB, "a.md": "Text [@a].\n\n" + "^[" * 200_000},
        "r/a.md:3:20001: error: 200,000 footnotes in one section; the limit is 10,000"),
    "200,000 [": (
        {"report.yaml": _REPORT, "r.bib": BIB, "a.md": "Text [@a].\n\n" + "[" * 200_000},
        "r/a.md:3:33: error: brackets opened inside each other more than 32 deep"),
    "3,000 notes inside notes": (
        {"report.yaml": "title: T\n", "a.md": "Text" + "^[a" * 3000 + "]" * 3000 + "\n"},
        "r/a.md:1:102: error: brackets opened inside each other more than 32 deep"),
    # 2.6 KB SVG: layout busy for over 120 s
    "SVG <use> bomb": (
        {"report.yaml": _REPORT, "r.bib": BIB, "a.md": "Text [@a].\n\n![Bomb](b.svg)\n",
         "b.svg": _use_bomb()},
        "r/a.md:3:9: error: image 'b.svg' is an SVG whose <use> elements expand to more "
        "than 50,000 shapes"),
    "SVG of 100,000 elements": (
        {"report.yaml": _REPORT, "r.bib": BIB, "a.md": "Text [@a].\n\n![Many](m.svg)\n",
         "m.svg": '<svg xmlns="http://www.w3.org/2000/svg">' + "<g/>" * 100_000 + "</svg>"},
        "r/a.md:3:9: error: image 'm.svg' is an SVG of 100,001 elements"),
    "SVG with entities": (
        {"report.yaml": _REPORT, "r.bib": BIB, "a.md": "Text [@a].\n\n![Lol](l.svg)\n",
         "l.svg": '<!DOCTYPE svg [<!ENTITY a "lol">]><svg xmlns="http://www.w3.org/2000/svg">'
                  "<text>&a;</text></svg>"},
        "r/a.md:3:8: error: image 'l.svg' declares a DOCTYPE or entities"),
    # aliases in report.yaml: 5.5 GB
    "YAML aliases in report.yaml": (
        {"report.yaml": _aliases("title: T\n"), "a.md": "Text.\n"},
        "r/report.yaml:3:8: error: YAML syntax: aliases (*name) are not allowed"),
    "YAML aliases in a section": (
        {"report.yaml": "title: T\n", "a.md": _aliases("---\n") + "---\n\nText.\n"},
        "r/a.md:3:8: error: YAML aliases (*name) are not allowed in a section's metadata"),
    # 2.6 GB
    "100,000-column table": (
        {"report.yaml": "title: T\n", "a.md": "Text.\n\n" + _table(100_000)},
        "r/a.md:3:1: error: a table row of 100,000 columns"),
    # cut off without a warning
    "5,000-column table": (
        {"report.yaml": "title: T\n", "a.md": "Text.\n\n" + _table(5000)},
        "r/a.md:3:1: error: a table row of 5,000 columns; no page holds that many"),
    # 2 GB
    "20 tables of 1,999 rows": (
        {"report.yaml": "title: T\n", "a.md": "Text.\n\n" + "\n\n".join(
            "| N | X |\n|---|---|\n" + "".join(f"| {n} | x |\n" for n in range(1998))
            for _ in range(20))},
        "r/a.md:3: error: the tables hold 39,980 rows in all; the limit is 5,000"),
    # 7.2 GB
    "100,000 entries with nocite @*": (
        {"report.yaml": _REPORT + "nocite: '@*'\n", "r.bib": _keys(100_000),
         "a.md": "Text.\n"},
        "r/r.bib:1: error: 100,000 entries: more than 10,000"),
    "5,000 entries with nocite @*": (
        {"report.yaml": _REPORT + "nocite: '@*'\n", "r.bib": _keys(5000), "a.md": "Text.\n"},
        "r/report.yaml:3: error: the reference list would hold 5,000 entries; the limit is "
        "2,000"),
    "braces 3,000 deep": (
        {"report.yaml": _REPORT, "a.md": "Text [@a].\n",
         "r.bib": "% a comment\n@book{a, title={" + "{" * 3000 + "x" + "}" * 3000
                  + "}, year={2001}}\n"},
        "r/r.bib:2: error: braces nested more than 64 deep"),
    # a 493 KB PNG: 1.4 GB
    "PNG of 13,000 x 13,000 pixels": (
        {"report.yaml": "title: T\n", "a.md": "Text.\n\n![Big](big.png)\n",
         "big.png": _png(13_000, 13_000)},
        "r/a.md:3:8: error: image 'big.png' is 13,000 × 13,000 pixels (169 million); the "
        "limit is 25 million"),
    "the same PNG as a data: URL": (
        {"report.yaml": "title: T\n",
         "a.md": "Text.\n\n![Big](data:image/png;base64,"
                 + base64.b64encode(_png(13_000, 13_000)).decode() + ")\n"},
        "r/a.md:3:8: error: image 'data:image/png;base64,iVBORw0K…' is 13,000 × 13,000"),
    # built with exit 0 and cut off
    "a word of 1 MB in a table cell": (
        {"report.yaml": "title: T\n",
         "a.md": "Text.\n\n| A | B |\n|---|---|\n| " + "x" * 2**20 + " | y |\n"},
        "r/a.md:5: error: a 'word' of 1,048,576 characters without a space"),
    "a section of 3 MB": (
        {"report.yaml": "title: T\n", "a.md": "word " * (600 * 1024)},
        "r/a.md:1: error: 2.9 MB is too large for a section (the limit is 2 MB)"),
    "five sections of 1.9 MB": (
        {"report.yaml": "title: T\n", **{f"{n}.md": "word " * 400_000 for n in range(5)}},
        "r/4.md:1: error: the sections up to this one hold more than 8 MB of text"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_7_a_runaway_input_is_a_clear_error_in_seconds(tmp_path: Path, name: str) -> None:
    files, expected = CASES[name]
    folder = tmp_path / "r"
    folder.mkdir()
    for file, content in files.items():
        if isinstance(content, bytes):
            (folder / file).write_bytes(content)
        else:
            (folder / file).write_text(content, encoding="utf-8")
    for check in (True, False):  # found by --check, and the build stops there too
        run = run_measured("r", *(["--check"] if check else ["-o", "out.pdf"]), cwd=tmp_path,
                           timeout=120)
        assert run.code == 1, run.stderr[-2000:]
        assert run.errors and run.errors[0].startswith(expected), run.errors
        assert run.seconds < 20, run.seconds
        assert run.peak < PEAK_LIMIT, run.peak
    assert not (tmp_path / "out.pdf").exists()


# --- images a template or a stylesheet loads: WeasyPrint's fetcher judges them ------------------

@pytest.mark.parametrize("how", ["img", "css"])
@pytest.mark.parametrize("image", ["big.png", "bomb.svg"])
def test_7_images_of_the_house_style_are_judged_too(tmp_path: Path, how: str,
                                                    image: str) -> None:
    folder = write(tmp_path / "r", {"report.yaml": _REPORT + "styles: house\n", "r.bib": BIB,
                                    "a.md": "Text [@a].\n"})
    house = folder / "house"
    house.mkdir()
    template = (ROOT / "styles" / "briefing.html").read_text(encoding="utf-8")
    css = (ROOT / "styles" / "briefing.css").read_text(encoding="utf-8")
    if how == "img":
        template = template.replace("</body>", f'<img src="{{{{ styles_url }}}}{image}"></body>')
    else:
        css += f'\nbody {{ background-image: url("{image}"); }}\n'
    (house / "briefing.html").write_text(template, encoding="utf-8")
    (house / "briefing.css").write_text(css, encoding="utf-8")
    (house / "big.png").write_bytes(_png(13_000, 13_000))
    (house / "bomb.svg").write_text(_use_bomb(), encoding="utf-8")
    run = run_measured("r", "-o", "out.pdf", cwd=tmp_path, timeout=120)
    assert run.code == 1, run.stderr[-2000:]
    [error] = run.errors
    assert error.startswith(f"r/house/{image}: error: image '{image}' is ")
    assert run.seconds < 30 and run.peak < PEAK_LIMIT


# --- the guard around layout ------------------------------------------------------------------

@pytest.fixture(scope="module")
def thirty_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("guard") / "long"
    write_report(folder, sections=9, seed=5)
    return folder


@pytest.mark.parametrize("variable, message", [
    ("BRIEFING_MAX_SECONDS=1", "error: the layout took more than 1 s and was stopped: "),
    ("BRIEFING_MAX_MEMORY_MB=20", "error: the layout needed more than 0.02 GB of memory and "
                                  "was stopped: "),
])
def test_7_the_guard_stops_a_long_layout(thirty_pages: Path, tmp_path: Path, variable: str,
                                         message: str) -> None:
    output = tmp_path / "out.pdf"
    output.write_bytes(b"%PDF previous")
    name, value = variable.split("=")
    run = run_measured(str(thirty_pages), "-o", str(output), cwd=tmp_path,
                       env={name: value})
    assert run.code == 1, run.stderr[-2000:]
    [error] = run.errors
    assert error.startswith(f"{thirty_pages}/report.yaml: {message}"), error
    assert run.seconds < 60
    assert output.read_bytes() == b"%PDF previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]  # no temporary file left


def test_the_guard_stops_python_in_any_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_MAX_SECONDS", "0.3")
    caught: list[BaseException] = []

    def spin() -> None:
        try:
            with guard("spinning"):
                while True:
                    with contextlib.suppress(Exception):  # an engine that catches all it can
                        sum(range(1000))
        except BaseException as exc:  # noqa: BLE001
            caught.append(exc)

    start = time.monotonic()
    worker = threading.Thread(target=spin)
    worker.start()
    worker.join(10)
    assert not worker.is_alive() and time.monotonic() - start < 5
    [exc] = caught
    assert isinstance(exc, BriefingError)
    assert exc.diagnostics[0].message.startswith("spinning took more than 0.3 s and was stopped")


def test_the_guard_fails_a_stage_that_swallowed_its_stop(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_MAX_SECONDS", "0.2")
    with pytest.raises(BriefingError) as exc, guard("the layout"):
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:  # WeasyPrint's SVG drawing catches BaseException
            with contextlib.suppress(BaseException):
                time.sleep(0.01)
    assert "took more than" in exc.value.diagnostics[0].message


def test_the_guard_leaves_nothing_pending(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of guards that just fire as their block ends: no stop arrives later."""
    monkeypatch.setenv("BRIEFING_MAX_SECONDS", "0.01")
    monkeypatch.setattr(limits._Watchdog, "POLL", 0.001)
    for _ in range(200):
        try:
            with guard("x"):
                time.sleep(0.012)
        except BriefingError:
            pass
    for _ in range(2000):  # a stop left pending would be raised here
        sum(range(100))


def test_memory_and_recursion_inside_the_guard_are_input_errors() -> None:
    def deep(n: int) -> int:
        return deep(n + 1)

    with pytest.raises(BriefingError) as exc, guard("the layout"):
        deep(0)
    assert exc.value.diagnostics[0].message.startswith("the layout ran out of nesting depth")


# --- 6. the folder walk (fingerprint, watch) --------------------------------------------------

def test_6_the_folder_walk_reads_only_regular_files_inside(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret", encoding="utf-8")
    folder = write(tmp_path / "r", {"report.yaml": _REPORT, "r.bib": BIB,
                                    "a.md": "Text [@a].\n", "notes.txt": "kept"})
    (folder / "zero.dat").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe")
    (folder / "dangling").symlink_to(folder / "gone")
    (folder / "loop").symlink_to(folder / "loop")
    (folder / "out.txt").symlink_to(outside)
    (folder / "in.txt").symlink_to(folder / "notes.txt")
    (folder / "sub").mkdir()
    (folder / "up").symlink_to(tmp_path, target_is_directory=True)
    names = sorted({p.name for p in tree_files(folder, exclude=None)})
    assert names == ["a.md", "notes.txt", "r.bib", "report.yaml"]  # in.txt is notes.txt
    assert sorted({p.name for p in watched_files(folder) if folder in p.parents}) == names
    # the whole command line: it builds, quickly, and a second run reuses the PDF
    for expected in ("built in", "reused"):
        run = run_measured("r", cwd=tmp_path, timeout=60)
        assert run.code == 0 and expected in run.stdout, run.stderr
        assert run.seconds < 30 and run.peak < PEAK_LIMIT


def test_6_a_folder_of_many_files_is_rebuilt_not_walked_forever(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing import fingerprint

    monkeypatch.setattr(fingerprint, "MAX_FILES", 50)
    folder = write(tmp_path / "r", {"report.yaml": "title: T\n", "a.md": "Text.\n"})
    for n in range(60):
        (folder / f"data-{n}.csv").write_text("x", encoding="utf-8")
    config = fingerprint.load_config(folder)
    assert fingerprint.fingerprint(config, tmp_path / "out.pdf") == ""
