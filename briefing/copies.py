"""Numbered, addressed copies: one PDF per recipient of an edition's distribution list.

Not a stage: a builder over the PDF stage's laid-out document. ``distribution:`` in report.yaml
(or in an edition) names a list of recipients in the folder, a CSV file with the columns
``name`` and ``organisation`` or a yaml list of ``{name:, organisation:}``. Each copy says
"Prepared for NAME, ORGANISATION" on its cover, carries its number and the edition's code in
the footer of every page, and records both in its XMP metadata (dc:identifier, dc:rights), so
a copy that leaks can be traced. The document is laid out once per edition; each copy is the
same layout with a small stamp grafted onto its pages (laid out by WeasyPrint too, in the
house fonts) and written again. A list of what was made, with each file's SHA-256, is
written beside the copies (``SHA256SUMS``, the format ``sha256sum -c`` reads, and
``copies.csv``).
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import multiprocessing
import os
import re
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import Diagnostics
from .sources import read_text

if TYPE_CHECKING:
    from .config import Config

#: a distribution list longer than this is refused (each copy is a PDF written)
MAX_RECIPIENTS = 2000
MAX_LIST_BYTES = 1024 * 1024
_ORGANISATION = ("organisation", "organization", "org", "affiliation")


def read_recipients(path: Path, diags: Diagnostics) -> tuple[tuple[str, str], ...]:
    """(name, organisation) for each recipient; problems name the list's line."""
    text = read_text(path, MAX_LIST_BYTES, diags, what="distribution list")
    if text is None:
        return ()
    rows = _csv_rows(path, text, diags) if path.suffix.lower() == ".csv" \
        else _yaml_rows(path, text, diags)
    out = []
    for line, name, organisation in rows:
        if not name:
            diags.error("a recipient without a name: every copy says who it was prepared "
                        "for", path, line)
            continue
        out.append((name, organisation))
    if not out and not diags.errors:
        diags.error("the distribution list names nobody: one copy is made per recipient",
                    path, 1)
    if len(out) > MAX_RECIPIENTS:
        diags.error(f"{len(out)} recipients: at most {MAX_RECIPIENTS} copies are made in one "
                    "build; split the list", path, 1)
    return tuple(out)


def _csv_rows(path: Path, text: str, diags: Diagnostics) -> list[tuple[int, str, str]]:
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, row) for row in reader]
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0][1]]
    if "name" not in header:
        diags.error("the first line of the distribution list must name its columns: "
                    "name,organisation", path, 1)
        return []
    n = header.index("name")
    o = next((header.index(h) for h in _ORGANISATION if h in header), None)
    return [(line, _cell(row, n), _cell(row, o)) for line, row in rows[1:] if any(row)]


def _cell(row: list[str], index: int | None) -> str:
    return " ".join(row[index].split()) if index is not None and index < len(row) else ""


def _yaml_rows(path: Path, text: str, diags: Diagnostics) -> list[tuple[int, str, str]]:
    from .config import NoAliasLoader

    try:
        node = yaml.compose(text, Loader=NoAliasLoader)
        data: Any = NoAliasLoader(text).get_single_data() if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        diags.error(f"YAML syntax: {getattr(exc, 'problem', exc)}", path,
                    mark.line + 1 if mark else 1)
        return []
    if isinstance(data, dict) and "recipients" in data and isinstance(node, yaml.MappingNode):
        data = data["recipients"]
        node = next((v for k, v in node.value if k.value == "recipients"), node)
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        diags.error("the distribution list must be a list of recipients, each "
                    "'- name: …' with 'organisation: …'", path, 1)
        return []
    out = []
    for item, item_node in zip(data, node.value, strict=False):
        line = item_node.start_mark.line + 1
        if isinstance(item, str):
            out.append((line, " ".join(item.split()), ""))
        elif isinstance(item, dict):
            org = next((item[k] for k in _ORGANISATION if k in item), "")
            out.append((line, " ".join(str(item.get("name") or "").split()),
                        " ".join(str(org or "").split())))
        else:
            diags.error("a recipient is a name, or 'name:' and 'organisation:'", path, line)
    return out


#: Cyrillic letters in file names, transliterated (Russian, Ukrainian, Kazakh letters)
_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґәғқңөұүһ",
    "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i i ye g a g "
    "q n o u u h".split(), strict=True))
#: Latin letters that Unicode does not decompose into a base letter and a mark
_LATIN = {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "ß": "ss", "æ": "ae", "œ": "oe",
          "þ": "th", "ħ": "h", "ŀ": "l"}


def slug(text: str) -> str:
    """A file-name-safe form of a recipient's name (ASCII letters and digits)."""
    import unicodedata

    letters = {**_CYRILLIC, **_LATIN}
    text = "".join(letters.get(c, c) if c.islower() else
                   letters.get(c.lower(), c).capitalize() for c in text)
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower()[:40] or "recipient"


@dataclass(frozen=True)
class Copy:
    """One numbered copy written."""

    number: int
    name: str
    organisation: str
    path: Path
    size: int
    sha256: str


def listed_copies(target: Path) -> tuple[int, int]:
    """(copies, bytes in all) for a list of numbered copies; (0, the file's size) for any
    other output."""
    from .config import COPIES_LIST

    if target.name != COPIES_LIST:
        return 0, target.stat().st_size
    names = [line.partition("  ")[2] for line in target.read_text("utf-8").splitlines()]
    return len(names), sum((target.parent / n).stat().st_size for n in names)


def copy_code(config: Config, number: int) -> str:
    """``KZ-2024-PUB/007``: the edition's code (else its name) and the copy's number."""
    code = config.edition_code or config.edition or config.folder.name
    return f"{code}/{number:03d}"


#: processes writing copies at once (the layout is shared with them by forking)
COPY_WORKERS = max(1, min(4, os.cpu_count() or 1))


def write_copies(document: Any, config: Config, target: Path,
                 diags: Diagnostics) -> list[Copy]:
    """One PDF per recipient into ``target``'s folder, then the list of them (``target``).

    The layout is shared: each copy's stamp (the cover's "Prepared for", the footer's copy
    number) is laid out on its own and grafted onto the pages before the document is written
    again. Copies are written in parallel by forked processes, which inherit the laid-out
    document (only when this process runs no other thread: a fork copies no thread, and a
    lock one held would never be released); else one after another.
    """
    numbered = list(enumerate(config.recipients, start=1))
    workers = min(COPY_WORKERS, len(numbered))
    # a series or an all-editions build runs each edition in a daemonic process, which may
    # not start processes of its own (its siblings use the other cores anyway)
    if workers > 1 and threading.active_count() == 1 and \
            not multiprocessing.current_process().daemon and \
            "fork" in multiprocessing.get_all_start_methods():
        global _SHARED
        _SHARED = (document, config, target)
        try:
            with multiprocessing.get_context("fork").Pool(workers, _quiet_worker) as pool:
                chunks = pool.map(_write_share, [numbered[i::workers] for i in range(workers)])
        finally:
            _SHARED = None
        made = sorted((c for chunk in chunks for c in chunk), key=lambda c: c.number)
    else:
        made = _write_some(document, config, target, numbered)
    _write_lists(made, config, target)
    return made


_SHARED: tuple[Any, Config, Path] | None = None


def _quiet_worker() -> None:
    """A forked worker leaves Ctrl-C to the build, and stops without a traceback when the
    pool ends it (SIGTERM; the CLI's handler would raise KeyboardInterrupt here): SystemExit
    still removes the temporary file of a copy being written."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))


def _write_share(numbered: list[tuple[int, tuple[str, str]]]) -> list[Copy]:
    """In a forked worker: write these copies from the inherited layout."""
    assert _SHARED is not None
    document, config, target = _SHARED
    return _write_some(document, config, target, numbered)


def _write_some(document: Any, config: Config, target: Path,
                numbered: list[tuple[int, tuple[str, str]]]) -> list[Copy]:
    """Write the copies ``numbered`` names. Images are restored between writes, since
    WeasyPrint 70 replaces an image's data with its down-sampled copy when writing (a second
    write would down-sample and compress that again)."""
    from .editions import pdf_options
    from .pdf import write_pdf

    folder = target.parent
    stem = folder.name
    images = _images(document)
    pages = [list(page._page_box.children) for page in document.pages]
    total = len(config.recipients)
    made = []
    try:
        for number, (name, organisation) in numbered:
            stamp = _stamp(config, document, number, total, name, organisation)
            for index, page in enumerate(document.pages):
                grafted = stamp.pages[min(index, 1)]._page_box.children
                page._page_box.children = pages[index] + list(grafted)
            for image, data in images:
                image.image_data = data
            path = folder / f"{stem}-{number:03d}-{slug(name)}.pdf"
            who = f"{name}, {organisation}" if organisation else name
            rights = f"{config.labels['copy']} {number}/{total}: " \
                f"{config.labels['prepared_for']} {who}" + \
                (f". {config.marking}" if config.marking else "")
            write_pdf(document, path, pdf_options(config, copy_code(config, number), rights))
            data = path.read_bytes()
            made.append(Copy(number, name, organisation, path, len(data),
                             hashlib.sha256(data).hexdigest()))
    finally:
        for page, children in zip(document.pages, pages, strict=True):
            page._page_box.children = children
    return made


def _images(document: Any) -> list[tuple[Any, Any]]:
    """Every raster image drawn, with its data as laid out."""
    found = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            image = getattr(box, "replacement", None)
            if image is not None and hasattr(image, "image_data"):
                found[id(image)] = (image, image.image_data)
    return list(found.values())


def _stamp(config: Config, document: Any, number: int, total: int, name: str,
           organisation: str) -> Any:
    """Two pages laid out like the edition's: the cover's stamp, then every other page's."""
    from weasyprint import HTML

    from .config import PAPERS
    from .fonts import font_dirs
    from .pdf import SandboxFetcher
    from .templates import packaged_fonts

    words = config.labels
    paper, _width, height = PAPERS[config.papersize]
    faces = "".join(f'@font-face {{ font-family: "{f.family}"; src: url("{f.url}"); '
                    f"font-weight: {f.weight}; font-style: {f.style}; }}"
                    for f in packaged_fonts())
    line = f"{words['copy']} {number} {words['of']} {total} · {copy_code(config, number)}"
    who = html.escape(name) + (f", {html.escape(organisation)}" if organisation else "")
    page = (f'<div class="page"><p class="prepared-for">{html.escape(words["prepared_for"])} '
            f'{who}</p><div class="copy-line artifact">{html.escape(line)}</div></div>'
            f'<div class="page"><div class="copy-line artifact">{html.escape(line)}</div>'
            "</div>")
    css = (f"{faces} @page {{ size: {paper}; margin: 0 }} body {{ margin: 0 }} "
           f".page {{ position: relative; height: {height}; break-after: page }} "
           ".prepared-for { position: absolute; left: 28mm; right: 24mm; bottom: 58mm; "
           'margin: 0; font: bold 11pt "PT Sans", "Noto Sans", sans-serif; color: #a4262c } '
           ".copy-line { position: absolute; left: 34mm; bottom: 9mm; "
           'font: 7pt "PT Sans", "Noto Sans", sans-serif; color: #5b5b57 }')
    text = (f'<!DOCTYPE html><html lang="{html.escape(config.lang)}"><head><meta '
            f'charset="utf-8"><style>{css}</style></head><body>{page}</body></html>')
    fetcher = SandboxFetcher(*font_dirs())
    return HTML(string=text, url_fetcher=fetcher).render(font_config=document.font_config)


def _write_lists(made: list[Copy], config: Config, target: Path) -> None:
    """SHA256SUMS (``sha256sum -c`` reads it) and copies.csv (who got which file)."""
    from .output import write_atomically

    sums = "".join(f"{c.sha256}  {c.path.name}\n" for c in made)
    write_atomically(target, lambda out: out.write(sums.encode()))
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["copy", "code", "name", "organisation", "file", "bytes", "sha256"])
    for c in made:
        writer.writerow([c.number, copy_code(config, c.number), c.name, c.organisation,
                         c.path.name, c.size, c.sha256])
    write_atomically(target.parent / "copies.csv",
                     lambda out: out.write(table.getvalue().encode()))
