"""Stage 1: read the section files named by the config.

In: the config's ordered section paths. Out: one :class:`Section` per file with its text and
the line the text starts at, so later stages can report ``path:line``. A pandoc-style YAML
front-matter block at the top of a section is skipped (its keys belong in ``report.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import BriefingError, Diagnostics

#: characters briefing uses internally as markers in the HTML; never accepted from input
PRIVATE_MARKERS = "\ue000\ue001"
#: a section larger than this is not a briefing (a 20-page briefing is about 100 KB)
MAX_SECTION_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Section:
    """One Markdown file of the briefing."""

    path: Path  #: absolute path of the file
    text: str  #: the Markdown, front matter removed
    first_line: int  #: file line number of ``text``'s first line (1-based)


def read_sections(paths: tuple[Path, ...]) -> list[Section]:
    """Read each file as UTF-8; report every unreadable file at once."""
    diags = Diagnostics()
    sections = []
    for path in paths:
        try:
            if path.stat().st_size > MAX_SECTION_BYTES:
                diags.error(f"{path.stat().st_size // 2**20} MB is too large for a section (the "
                            f"limit is {MAX_SECTION_BYTES // 2**20} MB); split it", path, 1)
                continue
            raw = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            diags.error("not UTF-8 text; save the file as UTF-8", path, line)
            continue
        except OSError as exc:
            diags.error(f"cannot read: {exc.strerror}", path)
            continue
        raw = raw.lstrip("\ufeff").replace("\r\n", "\n")
        for marker in PRIVATE_MARKERS:
            raw = raw.replace(marker, "")
        text, first = _strip_front_matter(raw)
        sections.append(Section(path=path, text=text, first_line=first))
    if diags.errors:
        raise BriefingError(diags.items)
    return sections


def _strip_front_matter(raw: str) -> tuple[str, int]:
    lines = raw.split("\n")
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() in ("---", "..."):
                return "\n".join(lines[i + 1:]), i + 2
    return raw, 1
