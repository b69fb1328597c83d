"""A wheel builds a briefing: the house style, the Lua filter and the starter are package data.

The wheel is built from this checkout (offline: ``--no-build-isolation``, setuptools comes with
the test extras), installed with pip into a fresh ``python -m venv``, and run from a folder far
from the checkout, so nothing of ``styles/`` or ``report/`` here can stand in for what the wheel
lacks. The new venv gets briefing only from the wheel; its dependencies (pandoc's 155 MB
binary, WeasyPrint, the styles collection) are borrowed from the development venv through a
``.pth`` file, so the test needs no network and takes about half a minute. CI runs it with
every ``make test``.
"""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT
from pdfcheck import page_texts, reader


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=600)


def test_10_a_wheel_installed_in_a_fresh_venv_builds_the_default_briefing(
        tmp_path: Path) -> None:
    source, dist = tmp_path / "source", tmp_path / "dist"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(  # setuptools writes build/
        ".venv", ".git", "build", "*.egg-info", "__pycache__", ".*_cache", "corpus"))
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                 "--wheel-dir", dist, source, cwd=tmp_path)
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = dist.glob("briefing-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("briefing/styles/briefing.html", "briefing/styles/briefing.css",
                   "briefing/filters.lua", "briefing/starter/report.yaml"):
        assert needed in names, needed

    venv = tmp_path / "fresh"
    assert _run(sys.executable, "-m", "venv", venv).returncode == 0
    python = venv / "bin" / "python"
    purelib = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                                      "['purelib'])").stdout.strip())
    # the dependencies, not briefing: the development venv's briefing is an editable
    # install whose finder is only activated by its own .pth, which this path does not run
    (purelib / "borrowed-dependencies.pth").write_text(site.getsitepackages()[0] + "\n",
                                                       encoding="utf-8")
    installed = _run(python, "-m", "pip", "install", "--no-deps", "--no-index", wheel)
    assert installed.returncode == 0, installed.stderr[-3000:]

    work = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "report", work / "report")
    shutil.copytree(ROOT / "bib", work / "bib")
    where = _run(python, "-c", "import briefing.config as c; print(c.__file__); "
                               "print(c.DEFAULT_STYLES)", cwd=work)
    module, styles = where.stdout.split()
    assert Path(module).is_relative_to(purelib) and Path(styles).is_relative_to(purelib)

    run = _run(venv / "bin" / "briefing", "report", "--root", ".", "-o", "kz.pdf", cwd=work)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "kz.pdf: built in" in run.stdout and "23 notes" in run.stdout
    text = "".join(page_texts(reader(work / "kz.pdf")))
    assert "Kazakhstan" in text and "Contents" in text

    started = _run(venv / "bin" / "briefing", "init", "starter", cwd=work)
    assert started.returncode == 0, started.stderr
    run = _run(venv / "bin" / "briefing", cwd=work / "starter")
    assert run.returncode == 0 and "built in" in run.stdout, run.stderr[-3000:]
