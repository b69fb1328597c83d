"""The fonts briefing ships, and which characters they cover.

Part of the PDF stage. Every font comes from a Python package (``fontpkg-*``, OFL), so a PDF
never depends on the machine's fonts: PT Serif and PT Sans for the text (Latin, Cyrillic with
Kazakh), Noto Serif and Noto Sans behind them for what PT lacks (Greek, the tenge sign ₸, rare
Latin and Cyrillic letters) and IBM Plex Mono for code. :func:`faces` lists them for the
template's ``@font-face`` rules; :func:`uncovered` answers, from the font files' own character
maps (read with fontTools), which characters of a text no shipped font can draw. WeasyPrint
would take those from whatever fonts the machine has, or draw a box (.notdef), which also
makes the whole font's text impossible to copy or search in the PDF (WeasyPrint 70 then writes
a custom CMap for that font).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import fontpkg_ibm_plex_mono
import fontpkg_noto_sans
import fontpkg_noto_serif
import fontpkg_pt_sans
import fontpkg_pt_serif
from fontTools.ttLib import TTFont

from .errors import Diagnostic

#: the packages, in the order of the CSS font stacks (text faces first, fallbacks after)
PACKAGES: tuple[ModuleType, ...] = (fontpkg_pt_serif, fontpkg_pt_sans, fontpkg_noto_serif,
                                    fontpkg_noto_sans, fontpkg_ibm_plex_mono)
#: IBM Plex Mono ships 16 weights; code needs these four
_PLEX_STYLES = ("Regular", "Bold", "Italic", "BoldItalic")


@dataclass(frozen=True)
class FontFace:
    """One ``@font-face`` rule: a family, a file and the weight and style it serves."""

    family: str
    url: str
    weight: int
    style: str
    path: Path
    postscript: str  #: the name a PDF reader shows for it ("PT-Serif", "NotoSerif-Regular")


def font_dirs() -> tuple[Path, ...]:
    """The folders the renderer may read fonts from (the sandbox allows these)."""
    return tuple(Path(p.ROOT) / "files" for p in PACKAGES)


@lru_cache(maxsize=1)
def faces() -> tuple[FontFace, ...]:
    """Every shipped face; a variable font serves both 400 and 700 (WeasyPrint instances it)."""
    found: list[FontFace] = []
    for package in PACKAGES:
        for path in sorted((Path(package.ROOT) / "files").glob("*.ttf")):
            if package is fontpkg_ibm_plex_mono and path.stem.split("-")[-1] not in _PLEX_STYLES:
                continue
            found.extend(_faces_of(str(package.FAMILY), path))
    return tuple(found)


def _faces_of(family: str, path: Path) -> list[FontFace]:
    stem = path.stem.lower()
    style = "italic" if "italic" in stem else "normal"
    with TTFont(path, lazy=True) as font:
        name = str(font["name"].getDebugName(6) or path.stem)
    if "[" in path.stem:  # variable: one rule per weight, as WeasyPrint wants them
        return [FontFace(family, path.as_uri(), w, style, path, name) for w in (400, 700)]
    weight = 700 if "bold" in stem else 400
    return [FontFace(family, path.as_uri(), weight, style, path, name)]


@lru_cache(maxsize=1)
def coverage() -> frozenset[int]:
    """Every code point some shipped font has a glyph for."""
    points: set[int] = set()
    for path in {face.path for face in faces()}:
        with TTFont(path, lazy=True) as font:
            points.update(font.getBestCmap())
    return frozenset(points)


def shipped_names() -> frozenset[str]:
    """The PostScript names of the shipped fonts, as a PDF's font list shows them.

    WeasyPrint names a font in the PDF after its family and style ("PT-Serif", "PT-Sans-Bold");
    both spellings are given so a check can compare either.
    """
    names: set[str] = set()
    for face in faces():
        names.add(face.postscript)
        family = face.family.replace(" ", "-")
        suffix = {(400, "normal"): "", (700, "normal"): "-Bold", (400, "italic"): "-Italic",
                  (700, "italic"): "-Bold-Italic"}[(face.weight, face.style)]
        names.update({family + suffix, family + suffix.replace("-Bold-Italic", "-BoldItalic")})
    return frozenset(names)


def uncovered(text: str) -> list[str]:
    """The characters of ``text`` no shipped font covers, each once, in order of appearance.

    Spaces, controls and invisible formatting characters (soft hyphen, word joiner, zero-width
    space) are never reported: nothing is drawn for them.
    """
    have = coverage()
    seen: dict[str, None] = {}
    for char in text:
        if ord(char) not in have and char not in seen and _drawn(char):
            seen[char] = None
    return list(seen)


def _drawn(char: str) -> bool:
    return unicodedata.category(char) not in ("Cc", "Cf", "Zs", "Zl", "Zp")


def describe(chars: Iterable[str]) -> str:
    """``'中' (U+4E2D CJK UNIFIED IDEOGRAPH-4E2D)``, for messages."""
    return ", ".join(f"'{c}' (U+{ord(c):04X} {unicodedata.name(c, 'unnamed')})" for c in chars)


def check_text(text: str, path: Path, first_line: int = 1) -> list[Diagnostic]:
    """One warning per line that holds characters no shipped font covers.

    The checks stage calls this for every section (``checks.analyse``); the message names the
    characters, where they are and what the reader would see.
    """
    problems = []
    have = coverage()
    for offset, line in enumerate(text.splitlines()):
        missing = [c for c in dict.fromkeys(line) if ord(c) not in have and _drawn(c)]
        if missing:
            col = line.index(missing[0]) + 1
            problems.append(Diagnostic(
                "warning", f"no font shipped with briefing has {describe(missing)}: the PDF "
                "would show an empty box or a font of this machine; write it another way "
                "(a transliteration) or ask for a font to be added", path,
                first_line + offset, col))
    return problems
