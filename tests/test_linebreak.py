"""linebreak.py: a text that fits but for its trailing space stays on its line."""

from __future__ import annotations

from typing import Any

import pytest
from weasyprint import HTML

from briefing.fonts import font_dirs
from briefing.linebreak import fitting_trailing_spaces
from briefing.pdf import SandboxFetcher
from briefing.templates import packaged_fonts

TEXT = ("UN Special Rapporteur on the Rights to Freedom of Peaceful Assembly and of Association, "
        "<em>Report on Kazakhstan</em> (United Nations, 2015).")


def _lines(width_px: float) -> list[str]:
    faces = "".join(f'@font-face {{ font-family: "{f.family}"; src: url("{f.url}"); '
                    f"font-weight: {f.weight}; font-style: {f.style}; }}"
                    for f in packaged_fonts())
    html = (f'<html lang="en"><style>{faces} @page {{ size: A3; margin: 10mm }} '
            f'div {{ font: 9pt/1.33 "PT Serif"; hyphens: manual; width: {width_px}px }}'
            f"</style><div>{TEXT}</div></html>")
    document = HTML(string=html, url_fetcher=SandboxFetcher(*font_dirs())).render()
    lines: list[str] = []

    def walk(box: Any) -> None:
        if type(box).__name__ == "LineBox":
            lines.append("".join(b.text for b in box.descendants() if hasattr(b, "text")))
        for child in getattr(box, "children", []):
            walk(child)

    walk(document.pages[0]._page_box)
    return [line.strip() for line in lines]


def test_weasyprint_alone_keeps_only_the_first_word() -> None:
    """The engine's behaviour this module corrects (if this fails, WeasyPrint fixed it)."""
    assert _lines(480)[0] == "UN"


@pytest.mark.parametrize("width", [480, 481.9, 500, 300])
def test_the_text_stays_on_its_line_and_the_next_box_goes_below(width: float) -> None:
    with fitting_trailing_spaces():
        lines = _lines(width)
    assert len(lines[0]) > 40, lines
    assert "".join(lines).replace(" ", "") == TEXT.replace("<em>", "").replace(
        "</em>", "").replace(" ", "")
