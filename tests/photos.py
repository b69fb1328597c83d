"""A ~20-page briefing with four large photos, and editions for e-mail and for print.

``write_photo_report(folder)`` writes a generated briefing (``generate.write_report``) with a
3000x2000 JPEG in four of its sections: gradients and noise, as a camera's photo compresses
(about 2 MB each). report.yaml gets two editions: ``print`` (images as they are) and
``email`` (``image-dpi: 150``). Deterministic.
"""

from __future__ import annotations

import random
from pathlib import Path

from generate import write_report
from PIL import Image, ImageFilter


def write_photo(path: Path, seed: int, size: tuple[int, int] = (3000, 2000)) -> None:
    rng = random.Random(seed)
    width, height = size
    small = Image.new("RGB", (60, 40))
    small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))
                   for _ in range(60 * 40)])
    image = small.resize(size, Image.Resampling.BICUBIC)  # smooth colour fields
    noise = Image.effect_noise(size, 28).convert("RGB")  # grain, as in a photo
    image = Image.blend(image, noise, 0.3).filter(ImageFilter.SMOOTH)
    image.save(path, "JPEG", quality=95)


def write_photo_report(folder: Path) -> Path:
    """The report folder (its report.yaml defines the editions ``print`` and ``email``)."""
    yaml = write_report(folder, sections=5, seed=21, title="Photos")
    sections = sorted(folder.glob("*-section.md"))
    for n, section in enumerate(sections[:4]):
        write_photo(folder / f"photo-{n + 1}.jpg", seed=n)
        text = section.read_text(encoding="utf-8").split("\n\n")
        text.insert(2, f"![A photograph, number {n + 1}](photo-{n + 1}.jpg)")
        section.write_text("\n\n".join(text), encoding="utf-8")
    yaml.write_text(yaml.read_text(encoding="utf-8") +
                    "editions:\n  print:\n  email:\n    image-dpi: 150\n", encoding="utf-8")
    return folder
