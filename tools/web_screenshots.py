"""Screenshots of the default briefing's web edition for the README (docs/web-*.png).

    .venv/bin/python tools/web_screenshots.py

Builds the web page of ``report/`` (with the PDF beside it, so the download link shows) into a
temporary folder and photographs it in headless Chromium, as the tests open it: the top and a
section with its notes in the margin at 1280 px; the top, and a note opened under its line, at
375 px. Look at them before committing.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import chromium  # noqa: E402

from briefing.pipeline import build  # noqa: E402

DOCS = ROOT / "docs"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        result = build(ROOT / "report", Path(tmp) / "report.pdf", root=ROOT,
                       kinds=("pdf", "html"))
        url = next(o.path for o in result.outputs if o.kind == "html").as_uri()
        with chromium() as browser:
            with browser.open(url, 1280, 860) as (page, _):
                page.screenshot(path=str(DOCS / "web-1280.png"))
                page.evaluate("document.getElementById('political-situation')"
                              ".scrollIntoView()")
                page.evaluate("scrollBy(0, -20)")
                page.screenshot(path=str(DOCS / "web-1280-notes.png"))
            with browser.open(url, 375, 760) as (page, _):
                page.screenshot(path=str(DOCS / "web-375.png"))
                page.click("#fnref-2")
                page.screenshot(path=str(DOCS / "web-375-note.png"))
    for name in ("web-1280.png", "web-1280-notes.png", "web-375.png", "web-375-note.png"):
        print(f"wrote docs/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
