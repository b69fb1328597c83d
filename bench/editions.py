"""What editions cost: tagging (PDF/UA-1 against untagged), image resolution, numbered copies.

    .venv/bin/python bench/editions.py [RUNS]

1. Tagging: the same laid-out document written untagged and as tagged PDF/UA-1 (the build's
   default), medians of RUNS writes each, for the default briefing and a ~100-page generated
   one; ratios of build time (layout + write) and of size, printed in the same run.
2. Images: a ~20-page briefing with four 3000x2000 photos (made with Pillow), written as it
   is (print) and at 150 dpi (e-mail); sizes, and how the pages differ at 60 dpi.
3. Copies: the default briefing laid out once and written for 10 recipients, against laying
   it out for each.
"""

from __future__ import annotations

import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from generate import write_report  # noqa: E402
from photos import write_photo_report  # noqa: E402

from briefing.config import load_config  # noqa: E402
from briefing.editions import pdf_options  # noqa: E402
from briefing.errors import Diagnostics  # noqa: E402
from briefing.pdf import PdfOptions, lay_out, write_pdf  # noqa: E402
from briefing.pipeline import Timer, read  # noqa: E402
from briefing.templates import render_page  # noqa: E402
from briefing.writer import write_html  # noqa: E402


def _laid_out(source: Path, root: Path | None, edition: str | None = None,
              ) -> tuple[object, float, object]:
    config = load_config(source, root, edition)
    diags = Diagnostics()
    briefing = read(config, diags, Timer(source))
    written = write_html(briefing.cited, briefing.document, config.lang)
    page = render_page(config, written)
    gc.collect()
    start = time.perf_counter()
    document, _layout = lay_out(page, written.notes, diags, True, None, pdf_options(config))
    return document, time.perf_counter() - start, config


def _median_write(document: object, options: PdfOptions, target: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        write_pdf(document, target, options)  # type: ignore[arg-type]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def tagging(runs: int, folder: Path) -> None:
    print("1. tagging: the same layout written untagged and tagged (PDF/UA-1)")
    print(f"{'document':<24}{'pages':>6}{'layout':>8}{'write':>8}{'tagged':>8}"
          f"{'build x':>9}{'size':>9}{'tagged':>9}{'size x':>8}")
    generated = write_report(folder / "long", sections=30, seed=3).parent
    for name, source, root in (("default briefing", ROOT / "report", ROOT),
                               ("generated ~100 pages", generated, None)):
        document, layout, _config = _laid_out(source, root)
        plain, tagged = folder / "plain.pdf", folder / "tagged.pdf"
        untagged_s = _median_write(document, PdfOptions(standard="none"), plain, runs)
        tagged_s = _median_write(document, PdfOptions(), tagged, runs)
        pages = len(document.pages)  # type: ignore[attr-defined]
        ratio = (layout + tagged_s) / (layout + untagged_s)
        size = plain.stat().st_size, tagged.stat().st_size
        print(f"{name:<24}{pages:>6}{layout:>7.2f}s{untagged_s:>7.2f}s{tagged_s:>7.2f}s"
              f"{ratio:>8.3f}x{size[0] / 1024:>8.0f}K{size[1] / 1024:>8.0f}K"
              f"{size[1] / size[0]:>7.3f}x")


def images(folder: Path) -> None:
    print("\n2. images: four 3000x2000 photos, print edition and e-mail edition (150 dpi)")
    source = write_photo_report(folder / "photos")
    for edition in ("print", "email"):
        start = time.perf_counter()
        document, _layout, config = _laid_out(source, None, edition)
        target = folder / f"{edition}.pdf"
        write_pdf(document, target, pdf_options(config))  # type: ignore[arg-type]
        print(f"{edition:<8} {len(document.pages):>3} pages  "  # type: ignore[attr-defined]
              f"{target.stat().st_size / 2**20:6.2f} MB  {time.perf_counter() - start:5.1f} s")
    photos = sum(p.stat().st_size for p in source.glob("*.jpg"))
    print(f"photos on disk: {photos / 2**20:.2f} MB")


def copies(folder: Path) -> None:
    print("\n3. ten numbered copies of the default briefing")
    from briefing.copies import write_copies

    document, layout, config = _laid_out(ROOT / "report", ROOT)
    recipients = tuple((f"Recipient {n}", "Organisation") for n in range(10))
    config = config.__class__(**{**config.__dict__, "recipients": recipients,
                                 "edition_code": "KZ"})
    start = time.perf_counter()
    write_copies(document, config, folder / "copies" / "SHA256SUMS", Diagnostics())
    shared = time.perf_counter() - start
    print(f"laid out once ({layout:.2f} s), 10 copies written: {layout + shared:.1f} s "
          f"({shared / 10:.2f} s a copy); laid out for each: about "
          f"{10 * (layout + shared / 10):.1f} s")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp:
        tagging(runs, Path(tmp))
        images(Path(tmp))
        copies(Path(tmp))


if __name__ == "__main__":
    main()
