"""What the edition builders share: the briefing read once, and what each builder wrote.

Not a stage: the records between ``pipeline.read`` and the builders. As in Sphinx, reading is
separate from writing: the pipeline reads and checks the sources and runs citeproc once
(:class:`Briefing`); each edition is a small builder over that one reading — the PDF
(``writer`` + ``templates`` + ``pdf``), the web page (``web.py``) and the Word file
(``word.py``) — and reports an :class:`Output`. Because every builder starts from the same
citeproc tree, a note reads the same in all three.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .corrections import ALL
from .errors import BriefingError, Diagnostics
from .sources import confined, read_bytes
from .tree import Node

if TYPE_CHECKING:  # the records name them; importing them would slow a no-op rebuild
    from .bibliography import Reference
    from .citations import Cited, Style
    from .reader import Document


@dataclass(frozen=True)
class Briefing:
    """The briefing as read, checked and cited: what every edition is written from."""

    config: Config
    document: Document  #: the sections as pandoc read them, with the located records
    refs: dict[str, Reference]
    style: Style
    cited: Cited  #: the whole document after citeproc (``Cited.blocks``)
    acknowledgement: list[Node] = field(default_factory=list)  #: report.yaml's, as pandoc read it
    corrections: frozenset[str] = ALL


@dataclass
class Output:
    """One edition written (or reused) by a build."""

    kind: str  #: "pdf", "html" or "docx" (``config.OUTPUT_KINDS``)
    path: Path
    seconds: float = 0.0  #: time spent writing this edition (0 when reused)
    reused: bool = False  #: nothing that feeds it changed: the previous file stands
    size: int = 0  #: bytes on disk
    pages: int = 0  #: the PDF's pages (0 for the other editions)
    notes: int = 0
    sources: int = 0  #: entries in the reference list
    note_texts: list[str] = field(default_factory=list)  #: every note's text, for "what changed"
    source_keys: list[str] = field(default_factory=list)  #: the reference list's keys
    copies: int = 0  #: numbered copies written (``path`` is then their list, SHA256SUMS)


#: image types an edition embeds, by suffix
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp"}


def image_data_url(src: str, config: Config) -> str | None:
    """An image of the report as a ``data:`` URL, so the web page and the Word file carry it.

    Only files inside the report folder (or ``--root``) are read, as the PDF's fetcher reads
    them; a network address, a path leading out, a missing or oversized file gives None (the
    checks have already reported it as an error, so a build never gets here with one).
    """
    if src.startswith("data:"):
        return src
    if re.match(r"^[A-Za-z][\w+.-]*:", src):
        return None
    try:
        path = confined(config.folder, src, config.root)
    except BriefingError:
        return None
    from .limits import MAX_IMAGE_BYTES

    mime = IMAGE_TYPES.get(path.suffix.lower())
    data = read_bytes(path, MAX_IMAGE_BYTES, Diagnostics(), "image") if mime else None
    if data is None:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
