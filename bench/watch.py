"""Benchmark: what watch mode's warm process saves on each rebuild.

Usage: ``python bench/watch.py [--runs N]``. For the default briefing, and for a copy with a
large photo (3000x2000 PNG), compares a rebuild in a fresh process (``python build.py --force``:
interpreter, imports, everything) with a rebuild inside one long-lived process as ``--watch``
runs it (modules loaded, WeasyPrint's image cache kept). Each rebuild follows an edit of a
section, so the citation cache is used in both. Medians of N runs (default 5).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.rebuild import Warm, run_single  # noqa: E402


def _edit(section: Path, n: int) -> None:
    text = section.read_text(encoding="utf-8").rstrip("\n").rsplit("\n<!-- edit", 1)[0]
    section.write_text(f"{text}\n<!-- edit {n} -->\n", encoding="utf-8")


def measure(folder: Path, runs: int) -> tuple[float, float]:
    section = sorted(folder.glob("*.md"))[0]
    out = folder.parent / "out.pdf"
    cold = []
    for n in range(runs):
        _edit(section, n)
        start = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "build.py"), str(folder), "-o", str(out)],
                       check=True, capture_output=True, cwd=ROOT)
        cold.append(time.perf_counter() - start)
    warm_state, warm = Warm(), []
    run_single(folder, out, warm=warm_state)  # the first build of a watch session
    for n in range(runs):
        _edit(section, 100 + n)
        start = time.perf_counter()
        outcome = run_single(folder, out, warm=warm_state)
        warm.append(time.perf_counter() - start)
        assert outcome.exit_code == 0 and not outcome.reused
    return statistics.median(cold), statistics.median(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain"
        shutil.copytree(ROOT / "report", plain)
        yaml = plain / "report.yaml"
        yaml.write_text(yaml.read_text().replace("../bib/", f"{ROOT}/bib/"), encoding="utf-8")
        photo = Path(tmp) / "photo"
        shutil.copytree(plain, photo)
        Image.effect_noise((3000, 2000), 60).convert("RGB").save(photo / "photo.png")
        first = sorted(photo.glob("*.md"))[1]
        first.write_text(first.read_text() + "\n![A photo](photo.png)\n", encoding="utf-8")
        for name, folder in (("default briefing", plain), ("with a 3000x2000 photo", photo)):
            cold, warm = measure(folder, args.runs)
            print(f"{name}: rebuild in a fresh process {cold:.2f} s, in the watch process "
                  f"{warm:.2f} s ({warm / cold:.0%} of the time, {cold - warm:.2f} s saved)")


if __name__ == "__main__":
    main()
