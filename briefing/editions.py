"""Editions: named variants of one briefing (draft, public, ru), each a set of overrides.

Not a stage: what the CLI, the reuse check and the PDF stage need to know about editions.
report.yaml's ``editions:`` maps a name to overrides of any key of ``config.KEYS`` (validated
by the same schema, errors at the override's line); ``config.load_config(source, root,
edition)`` applies one. Each edition has its own files (``build/<name>-<edition>.pdf``, or a
folder of numbered copies when it has a distribution list), its own reuse record, and may
write several output kinds (``outputs: [pdf, html]``). This module stays light to import: the
CLI asks it which editions to build before anything heavy is loaded.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config, load_config
from .errors import BriefingError, UsageError

if TYPE_CHECKING:
    from .pdf import PdfOptions


@dataclass(frozen=True)
class Job:
    """One edition of one source to build (edition None: a briefing without editions)."""

    source: Path
    edition: str | None = None


def jobs(sources: list[Path], chosen: tuple[str, ...] | None,
         root: Path | None = None) -> list[Job]:
    """Every (source, edition) to build: each source's editions (all of them, or those
    ``--edition`` chose that it has), or the source itself when it defines none.

    A source whose yaml cannot be read is one job: its build reports the problem.
    """
    out = []
    for source in sources:
        try:
            config = load_config(source, root)
        except BriefingError:  # the build reports it
            out.append(Job(source, chosen[0] if chosen and len(sources) == 1 else None))
            continue
        names = config.editions
        if chosen and len(sources) == 1:
            _refuse_unknown(chosen, names, config.path)
        if not names:
            out.append(Job(source, None))
            continue
        out.extend(Job(source, name) for name in names if not chosen or name in chosen)
    return out


def _refuse_unknown(chosen: tuple[str, ...], names: tuple[str, ...], path: Path) -> None:
    """``--edition`` naming an edition the yaml does not define: a command-line mistake."""
    for name in chosen:
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            have = f"its editions: {', '.join(names)}" if names else "it defines none"
            raise UsageError(f"--edition {name}: {path.name} has no such edition ({hint}"
                             f"{have})")


def identity(config: Config) -> str:
    """What says which yaml and edition an output was built from, for its reuse record: the
    yaml's path, the edition's name and its settings as read (every override included)."""
    settings = {f: str(getattr(config, f)) for f in sorted(config.__dataclass_fields__)
                if f not in ("lines", "cols", "notes")}
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
    return f"{config.path}#{config.edition}#{digest}"


def pdf_options(config: Config, identifier: str = "", rights: str = "") -> PdfOptions:
    """How the edition's PDF is written (standard, images, attachments, XMP fields)."""
    from .pdf import PdfOptions

    attachments: tuple[tuple[str, Path], ...] = ()
    if config.attach_sources:
        files = dict.fromkeys([config.path, *config.sections, *config.bibliography])
        attachments = tuple((_name(config, p), p) for p in files)
    label = config.edition_code or config.edition
    return PdfOptions(standard=config.pdf_standard, dpi=config.image_dpi,
                      jpeg_quality=config.jpeg_quality, attachments=attachments,
                      identifier=identifier or config.edition_code, label=label,
                      rights=rights or config.marking)


def _name(config: Config, path: Path) -> str:
    try:
        return path.relative_to(config.folder).as_posix()
    except ValueError:
        return path.name
