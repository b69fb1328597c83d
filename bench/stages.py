"""Benchmark: time and memory of every stage beside WeasyPrint's own render of the same HTML.

Usage: ``python bench/stages.py [--runs N] [--sizes 10,100,300] [--no-default]``.

For the default briefing and generated briefings of about 10, 100 and 300 pages (the 300-page
one has about 1,000 notes), each measured in a fresh process so memory figures do not carry
over: medians over N runs (default 3) of each stage, the peak resident memory after each stage,
and the two ratios that matter: the whole build against WeasyPrint alone rendering the same HTML
(the floor of this design; measured in the same process, alternating with the builds) and the
share of the build spent outside WeasyPrint. Interpreter start-up and imports are not counted.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

STAGES = ["config", "read+check", "charts", "citations", "writer", "template", "layout", "write"]
#: sections of the generated briefing per target page count (about 2.4 pages a section)
SECTIONS = {10: 4, 100: 42, 300: 125}


def measure_here(source: Path, runs: int, warm: bool) -> dict[str, Any]:
    """Build ``source`` ``runs`` times in this process; return medians as JSON-able data."""
    from layoutcheck import typography
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from briefing.config import DEFAULT_STYLES
    from briefing.fonts import font_dirs
    from briefing.pdf import SandboxFetcher, number_blocks, refine_document
    from briefing.pipeline import build

    builds, floors, peaks = [], [], []
    last = document = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(runs):
            if not warm:  # pandoc's readings and citeproc's answer are cached per user
                os.environ["BRIEFING_CACHE_DIR"] = str(Path(tmp) / f"cache-{n}")
            last = document = None
            gc.collect()  # free the previous run's layout outside the timed region
            start = time.perf_counter()
            result = build(source, Path(tmp) / "out.pdf", root=source.parent)
            total = time.perf_counter() - start
            last = result
            timings = {k: v for k, v in last.timings.items() if k != "pdf"}
            timings.update(last.layout.seconds)
            timings["total"] = total
            builds.append(timings)
            peaks.append(last.peak_rss)
            fetcher = SandboxFetcher(last.config.folder, DEFAULT_STYLES, *font_dirs())
            gc.collect()
            start = time.perf_counter()
            document = HTML(string=number_blocks(refine_document(last.html)),
                            base_url=last.config.folder.as_uri() + "/",
                            url_fetcher=fetcher).render(font_config=FontConfiguration())
            middle = time.perf_counter()
            # the same kind of PDF the build writes (tagged PDF/UA-1, WeasyPrint's own tagging)
            document.write_pdf(io.BytesIO(), pdf_variant="pdf/ua-1", pdf_tags=True)
            floors.append({"layout": middle - start, "write": time.perf_counter() - middle})
        assert last is not None
        lines = dataclasses.asdict(typography(last.output))
    return {
        "pages": last.layout.pages, "notes": last.notes, "sources": last.references,
        "moved": len(last.layout.repairs.paragraphs), "misplaced": len(last.layout.misplaced),
        "stages": {k: statistics.median(b[k] for b in builds)
                   for k in [*STAGES, "citations: pandoc", "total"]},
        # the first run's peaks: later runs start from the memory the first one reached
        "peak_mib": {k: v / 1024 for k, v in peaks[0].items()},
        "floor": {k: statistics.median(f[k] for f in floors) for k in ("layout", "write")},
        "typography": lines,
    }


def run_child(source: Path, runs: int, warm: bool) -> dict[str, Any]:
    env = dict(os.environ)
    if warm:  # one cache for the whole child, filled by its first run
        env["BRIEFING_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-cache-")
    out = subprocess.run([sys.executable, __file__, "--child", str(source), "--runs", str(runs)]
                         + (["--warm"] if warm else []), capture_output=True, text=True,
                         check=True, cwd=ROOT, env=env)
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def show(title: str, data: dict[str, Any], runs: int) -> None:
    stages, floor = data["stages"], data["floor"]
    floor_total = floor["layout"] + floor["write"]
    outside = stages["total"] - stages["layout"] - stages["write"]
    print(f"\n{title}: {data['pages']} pages, {data['notes']} notes, {data['sources']} sources "
          f"(median of {runs})")
    print(f"  {'stage':<14}{'seconds':>9}{'share':>8}{'peak RSS MiB':>14}")
    for stage in STAGES:
        peak = data["peak_mib"].get("pdf" if stage in ("layout", "write") else stage, 0)
        print(f"  {stage:<14}{stages[stage]:>9.3f}{stages[stage] / stages['total']:>8.1%}"
              f"{peak:>14.0f}")
    print(f"  {'total':<14}{stages['total']:>9.3f}")
    print(f"  WeasyPrint alone, same HTML: {floor_total:.3f} s "
          f"(layout {floor['layout']:.3f}, write {floor['write']:.3f})")
    print(f"  build / WeasyPrint alone: {stages['total'] / floor_total:.2f}x; outside "
          f"WeasyPrint: {outside:.3f} s = {outside / stages['total']:.1%}; "
          f"{1000 * stages['total'] / data['pages']:.0f} ms/page")
    engine = stages["citations: pandoc"]
    reading = stages["read+check"] + stages["citations"]
    print(f"  reading (pandoc per section and .bib) and citations (one citeproc run "
          f"{engine:.3f} s): {reading:.3f} s = {reading / stages['total']:.1%} of the build")
    print(f"  notes: {data['moved']} paragraphs moved to keep notes with calls, "
          f"{data['misplaced']} notes off their page")
    t = data["typography"]
    per20 = 20 * t["runs3"] / max(1, t["pages"])
    print(f"  lines: {t['lines']} body lines on {t['pages']} pages, {t['chars_per_line']:.0f} "
          f"characters a line; {t['hyphens']} end in a hyphen "
          f"({t['hyphens'] / max(1, t['lines']):.1%}, {t['hyphens'] / max(1, t['pages']):.1f} "
          f"a page); runs of 3+: {t['runs3']} ({per20:.1f} per 20 pages), of 4+: {t['runs4']}; "
          f"{t['pages_mid_word']} pages end mid-word; loose (word space over 1.5x the median "
          f"{t['median_space_em']:.2f} em): {t['loose']} lines, widest "
          f"{t['widest_space_em']:.2f} em")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="10,100,300")
    parser.add_argument("--no-default", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_here(args.child, args.runs, args.warm)))
        return
    from generate import write_report

    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.system()}")
    if not args.no_default:
        show("default briefing, cold (no citation cache)",
             run_child(ROOT / "report", args.runs, False), args.runs)
        show("default briefing, citation cache kept", run_child(ROOT / "report", args.runs, True),
             args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",") if s):
            source = Path(tmp) / f"generated-{size}"
            write_report(source, sections=SECTIONS.get(size, max(1, size * 10 // 24)), seed=3,
                         per_paragraph=(1, 1, 1, 1, 2))
            show(f"generated ~{size} pages, cold", run_child(source, args.runs, False), args.runs)


if __name__ == "__main__":
    main()
