"""The house fonts for the web page: subset to the page's characters, as WOFF data: URLs.

Not a stage: the web builder's one slow part, kept light to import (fontTools and the cache,
nothing else of briefing's) so it can run in a process of its own beside WeasyPrint's layout.
Subsetting the six faces web.css uses takes about 0.5 s of CPU on this machine; the result is
cached by the font files and the characters, widened to whole blocks of 128 code points so that
an edit rarely changes them, so only a machine's first web page pays it (every briefing in
English shares one subset, every briefing in Russian another).

The subset keeps every OpenType layout feature (kerning, ligatures, old-style figures as in
the PDF) and the names that identify the font and its licence: the OFL's copyright notice
(name 0) and licence (13, 14) stay in the font.
"""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import cache as store

#: the faces web.css uses (family, weight, style); a browser slants the rest itself
FACES = {("PT Serif", 400, "normal"), ("PT Serif", 400, "italic"), ("PT Serif", 700, "normal"),
         ("PT Serif", 700, "italic"), ("PT Sans", 400, "normal"), ("PT Sans", 700, "normal")}


@dataclass(frozen=True)
class Face:
    family: str
    path: Path  #: the packaged TTF
    weight: int
    style: str


@dataclass(frozen=True)
class WebFont:
    family: str
    url: str  #: a data: URL (WOFF)
    weight: int
    style: str


def blocks_of(text: str) -> frozenset[int]:
    """The code points fonts must cover for ``text``: whole blocks of 128 around each."""
    return frozenset(cp for block in {ord(ch) >> 7 for ch in text}
                     for cp in range(block << 7, (block + 1) << 7))


def cached(faces: list[Face], characters: frozenset[int]) -> list[WebFont] | None:
    """Every face from the cache, or None when one is missing."""
    fonts = []
    for face in faces:
        woff = store.get("fonts", _key(face, characters))
        if not isinstance(woff, str):
            return None
        fonts.append(_font(face, woff))
    return fonts


def subset_all(faces: list[Face], characters: frozenset[int]) -> list[WebFont]:
    """Every face subset (from the cache where it is there), and the cache filled."""
    fonts = []
    for face in faces:
        key = _key(face, characters)
        woff = store.get("fonts", key)
        if not isinstance(woff, str):
            woff = _subset(face.path, characters)
            store.put("fonts", key, woff)
        fonts.append(_font(face, woff))
    return fonts


def start(faces: list[Face], characters: frozenset[int]) -> subprocess.Popen[bytes] | None:
    """Subset in a process of its own, beside the PDF's layout; it leaves the fonts in the
    cache for :func:`collect`. None when they are all cached already."""
    if cached(faces, characters) is not None:
        return None
    request = json.dumps({"faces": [[f.family, str(f.path), f.weight, f.style] for f in faces],
                          "blocks": sorted({cp >> 7 for cp in characters})})
    try:
        # a fresh interpreter, not a fork: this process has threads (the Word edition's)
        process = subprocess.Popen([sys.executable, "-m", "briefing.webfonts"],
                                   stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        assert process.stdin is not None
        process.stdin.write(request.encode())
        process.stdin.close()
    except OSError:
        return None
    return process


def collect(process: subprocess.Popen[bytes] | None, faces: list[Face],
            characters: frozenset[int]) -> list[WebFont]:
    """The fonts :func:`start` subset (or subset here, if it could not)."""
    if process is not None:
        try:
            process.wait(timeout=300)
        except subprocess.TimeoutExpired:
            process.kill()
    return cached(faces, characters) or subset_all(faces, characters)


def _serve() -> None:
    """``python -m briefing.webfonts``: subset what the request on stdin asks, into the cache."""
    request = json.loads(sys.stdin.read())
    faces = [Face(family, Path(path), weight, style)
             for family, path, weight, style in request["faces"]]
    subset_all(faces, frozenset(cp for block in request["blocks"]
                                for cp in range(block << 7, (block + 1) << 7)))


def _key(face: Face, characters: frozenset[int]) -> str:
    return store.digest("web-font", "woff", face.path.read_bytes(),
                        ",".join(map(str, sorted(characters))))


def _font(face: Face, woff: str) -> WebFont:
    return WebFont(face.family, "data:font/woff;base64," + woff, face.weight, face.style)


def _subset(path: Path, characters: frozenset[int]) -> str:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.notdef_outline = True
    options.layout_features = ["*"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # names, copyright, OFL licence
    # recalcTimestamp=False: the same sources give the same page, byte for byte
    font = TTFont(path, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out)
    return base64.b64encode(out.getvalue()).decode("ascii")


if __name__ == "__main__":
    _serve()
