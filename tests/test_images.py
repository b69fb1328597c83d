"""Small files: an e-mail edition down-samples its photos (image-dpi), a print edition keeps
them, and both look the same on screen."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from photos import write_photo_report
from PIL import Image, ImageChops, ImageStat

from briefing.pipeline import build


def _pages(pdf: Path, folder: Path) -> list[Image.Image]:
    prefix = folder / pdf.stem
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(prefix)], check=True)
    return [Image.open(p).convert("RGB") for p in sorted(folder.glob(f"{pdf.stem}-*.png"))]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (pdftoppm)")
def test_an_email_edition_is_small_and_looks_like_the_print_one(tmp_path: Path) -> None:
    source = write_photo_report(tmp_path / "photos")
    photos = sum(p.stat().st_size for p in source.glob("*.jpg"))
    assert len(list(source.glob("*.jpg"))) == 4 and photos > 6 * 2**20
    editions = {e: build(source, tmp_path / f"{e}.pdf", edition=e) for e in ("print", "email")}
    assert 18 <= editions["print"].layout.pages <= 24
    assert editions["email"].output.stat().st_size < 2**20
    assert editions["print"].output.stat().st_size > photos * 0.9  # the photos as they are
    renders = {e: _pages(r.output, tmp_path) for e, r in editions.items()}
    assert len(renders["print"]) == len(renders["email"])
    for a, b in zip(renders["print"], renders["email"], strict=True):
        difference = ImageStat.Stat(ImageChops.difference(a, b)).mean
        assert max(difference) < 1.5  # of 255: down-sampling does not show at 60 dpi
