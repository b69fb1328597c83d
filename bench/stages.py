"""Benchmark: time every stage of a build beside WeasyPrint's own render of the same HTML.

Usage: ``python bench/stages.py [--runs N] [--skip-long]``. Prints medians over N runs (default
3) for the default briefing and a generated 300-page, 1,000-note document, and the ratios
that matter: the whole build against WeasyPrint alone (the floor of this design), and the
share of the build spent outside WeasyPrint. Both are measured in this one process, in
alternation, so machine load hits both alike. Interpreter start-up and imports are not
counted (see ``bench/startup.sh`` in the README for those).
"""

from __future__ import annotations

import argparse
import io
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from generate import write_report  # noqa: E402

from briefing.config import DEFAULT_STYLES  # noqa: E402
from briefing.pdf import SandboxFetcher, number_blocks  # noqa: E402
from briefing.pipeline import BuildResult, build  # noqa: E402
from briefing.templates import font_dirs  # noqa: E402

STAGES = ["config", "sources", "bibliography", "style", "markdown", "citations", "notes",
          "template", "layout", "write"]


def weasyprint_alone(result: BuildResult) -> dict[str, float]:
    """Render the build's own HTML with WeasyPrint and nothing else: the floor."""
    folder = result.config.folder
    fetcher = SandboxFetcher(folder, DEFAULT_STYLES, *font_dirs())
    start = time.perf_counter()
    document = HTML(string=number_blocks(result.html), base_url=folder.as_uri() + "/",
                    url_fetcher=fetcher).render(font_config=FontConfiguration())
    middle = time.perf_counter()
    document.write_pdf(io.BytesIO())
    return {"layout": middle - start, "write": time.perf_counter() - middle}


def measure(source: Path, runs: int, warm: bool) -> None:
    """``warm``: keep the citation cache between runs (a rebuild after a text edit)."""
    builds: list[dict[str, float]] = []
    floors: list[dict[str, float]] = []
    last: BuildResult | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            if not warm:
                shutil.rmtree(Path.cwd() / "build" / ".cache", ignore_errors=True)
            start = time.perf_counter()
            last = build(source, Path(tmp) / "out.pdf")
            total = time.perf_counter() - start
            timings = dict(last.timings)
            timings.pop("pdf", None)
            timings.update(last.layout.seconds)
            timings["total"] = total
            builds.append(timings)
            floor = weasyprint_alone(last)
            floor["total"] = floor["layout"] + floor["write"]
            floors.append(floor)
    assert last is not None
    med = {k: statistics.median(b[k] for b in builds) for k in [*STAGES, "total"]}
    floor = {k: statistics.median(f[k] for f in floors) for k in ("layout", "write", "total")}
    outside = med["total"] - med["layout"] - med["write"]
    print(f"\n{source.name} ({'citation cache kept' if warm else 'cold: no cache'}): "
          f"{last.layout.pages} pages, {last.notes} notes, {last.references} sources; "
          f"median of {runs} runs")
    print(f"  {'stage':<14}{'seconds':>10}{'share':>9}")
    for stage in STAGES:
        print(f"  {stage:<14}{med[stage]:>10.3f}{med[stage] / med['total']:>9.1%}")
    print(f"  {'total':<14}{med['total']:>10.3f}")
    print(f"  WeasyPrint alone on the same HTML: layout {floor['layout']:.3f} s, "
          f"write {floor['write']:.3f} s, total {floor['total']:.3f} s")
    print(f"  build / WeasyPrint alone: {med['total'] / floor['total']:.2f}x")
    print(f"  outside WeasyPrint: {outside:.3f} s = {outside / med['total']:.1%} of the build")
    repairs = last.layout.repairs
    print(f"  note placement: {len(repairs.paragraphs)} paragraphs moved in {repairs.rounds} "
          f"rounds; {len(last.layout.misplaced)} notes off their page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-long", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.system()}")
    measure(ROOT / "report", args.runs, warm=False)
    measure(ROOT / "report", args.runs, warm=True)
    if not args.skip_long:
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "generated-300"
            write_report(source, sections=110, seed=3, per_paragraph=(1, 1, 1, 1, 2))
            measure(source, args.runs, warm=False)


if __name__ == "__main__":
    main()
