"""Stage 1: read the section files named by the config, and every other file a build reads.

In: the config's ordered section paths. Out: one :class:`Section` per file with its text, so
later stages can report ``path:line``. pandoc reads a YAML block at the top of a section itself
(its keys are metadata, as in pandoc).

A report folder may come from a partner, so every file is read the same careful way
(:func:`read_text`): a regular file only (no device, pipe or folder), inside the report folder
(a symbolic link may not lead out of it), of a bounded size, as UTF-8.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import BriefingError, Diagnostics

#: a section larger than this is not a briefing's (a 20-page briefing is about 100 KB, the
#: 300-page benchmark 1 MB in all); pandoc reads 2 MB in about 4 s and 150 MB
MAX_SECTION_BYTES = 2 * 1024 * 1024
#: all sections together (about 2,000 pages)
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Section:
    """One Markdown file of the briefing."""

    path: Path  #: absolute path of the file
    text: str  #: the whole file, or the part of it that is Markdown (report.yaml's abstract)
    first_line: int = 1  #: the file line ``text`` starts on
    kind: str = "section"  #: "section", or "abstract" (the executive summary in report.yaml)


def read_sections(paths: tuple[Path, ...]) -> list[Section]:
    """Read each file as UTF-8; report every unreadable file at once."""
    diags = Diagnostics()
    sections = []
    total = 0
    for path in paths:
        text = read_text(path, MAX_SECTION_BYTES, diags, what="section")
        if text is not None:
            sections.append(Section(path=path, text=text))
            total += len(text)
            if total > MAX_DOCUMENT_BYTES:
                diags.error(f"the sections up to this one hold more than "
                            f"{MAX_DOCUMENT_BYTES // 2**20} MB of text (about 2,000 pages); "
                            "a briefing this long is better split into several", path, 1)
                break
    diags.raise_if_errors()
    return sections


#: the Cyrillic encodings a briefing's files arrive in when they are not UTF-8
_LEGACY = (("cp1251", "Windows Cyrillic (cp1251)"), ("koi8-r", "KOI8-R Cyrillic"))


def _guess_encoding(data: bytes) -> str:
    """", it looks like Windows Cyrillic (cp1251)": a guess from the bytes. In Cyrillic text
    most letters are outside ASCII; in Latin text with accents few are (both decode in
    cp1251 and cp1252, so the share of such letters decides, then which Cyrillic table makes
    more lower-case letters, as running text has)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return ", it looks like UTF-16"
    sample = data[:20_000]
    total = sum(chr(b).isalpha() for b in sample if b < 128)
    high = sum(b >= 0xC0 for b in sample)  # letters in all three tables
    if total + high == 0:
        return ""
    if high / (total + high) < 0.3:
        return ", it looks like Windows Latin (cp1252)"
    best = max(_LEGACY, key=lambda pair: sum(
        c.islower() for c in sample.decode(pair[0], "replace") if ord(c) > 127))
    return f", it looks like {best[1]}"


def read_text(path: Path, limit: int, diags: Diagnostics, what: str = "file") -> str | None:
    """A regular file's text (BOM and CR-LF normalised), or None with an error in ``diags``."""
    data = read_bytes(path, limit, diags, what)
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        diags.error(f"not UTF-8 text{_guess_encoding(data)}; save the {what} as UTF-8 (in "
                    "most editors: Save As, Encoding: UTF-8)", path, line, col)
        return None
    if "\0" in text:
        diags.error(f"the {what} holds a NUL character (a binary file?); save it as plain "
                    "text", path, text[: text.index("\0")].count("\n") + 1)
        return None
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def read_bytes(path: Path, limit: int, diags: Diagnostics, what: str = "file") -> bytes | None:
    """A regular file's bytes, at most ``limit``; refuses devices, pipes and folders without
    opening them (a named pipe would block, ``/dev/zero`` would never end)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            diags.error(f"the {what} is not a regular file (a folder, device or pipe); give a "
                        "file", path)
            return None
        if info.st_size > limit:
            diags.error(f"{info.st_size / 2**20:.1f} MB is too large for a {what} (the limit "
                        f"is {limit // 2**20} MB); split it or make it smaller", path, 1)
            return None
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        diags.error(f"cannot read the {what}: {exc.strerror}", path)
        return None
    if len(data) > limit:
        diags.error(f"the {what} is larger than {limit // 2**20} MB; make it smaller", path, 1)
        return None
    return data


def confined(folder: Path, name: str, root: Path | None = None) -> Path:
    """``name`` (relative to ``folder``) resolved, refusing anything outside ``folder`` or
    ``root`` (the wider folder the command line may allow). The error's message reads after
    the name ("… is outside the report folder").

    Absolute paths, ``..`` and symbolic links that lead out are all refused: a report folder
    from a partner must not make briefing read the rest of the machine. A wider root is the
    command line's to give (``--root``), never a file's.
    """
    if "\0" in name:
        raise BriefingError("is not a file name (it holds a NUL character)")
    try:
        home = folder.resolve()
        candidate = Path(name).expanduser() if name.startswith("~") else Path(name)
        path = (home / candidate).resolve()
    except (OSError, RuntimeError) as exc:  # a loop of symbolic links, a name too long
        raise BriefingError(f"cannot be followed ({exc}); give a plain file name") from None
    if not path.is_relative_to(home) and not (root and path.is_relative_to(root.resolve())):
        raise BriefingError(f"is outside the report folder ({home}); copy it into the folder, "
                            "or allow a wider folder with --root DIR")
    return path
