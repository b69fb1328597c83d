"""Builds with a memory: reuse an unchanged PDF, say what changed, build a series, watch.

Not a stage: this is what the CLI runs around ``pipeline.build``. Every function here returns
:class:`Outcome` records and leaves printing to ``cli.py``. The pipeline (and so WeasyPrint) is
imported only when something has to be built, so a no-op rebuild stays fast.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import fingerprint
from .config import load_config
from .errors import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, BriefingError, Diagnostic, InternalError


@dataclass
class Outcome:
    """One briefing's build, as the author needs to hear about it."""

    source: Path
    output: Path | None = None
    reused: bool = False  #: nothing had changed: the previous PDF stands
    pages: int = 0
    notes: int = 0
    sources: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    change: str | None = None  #: "changed: pages 7 → 8; …" after a rebuild
    exit_code: int = EXIT_OK
    internal: str | None = None  #: a bug's one-line description

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def name(self) -> str:
        return self.source.resolve().name if self.source.is_dir() \
            else self.source.resolve().parent.name


@dataclass
class Warm:
    """What stays loaded between builds in one process (watch mode): WeasyPrint's image cache.

    The modules themselves (WeasyPrint, Pango, pandoc's wrapper) also stay imported.
    """

    image_cache: dict[str, Any] = field(default_factory=dict)


def run_single(source: Path, output: Path | None = None, force: bool = False,
               warm: Warm | None = None, root: Path | None = None) -> Outcome:
    """Build one briefing, or reuse its PDF when nothing that feeds it changed."""
    start = time.perf_counter()
    inputs = fingerprint.current(source, output, root)
    summary = fingerprint.reusable(inputs) if inputs and not force else None
    if inputs and summary:
        return Outcome(source=source, output=inputs.target, reused=True, pages=summary.pages,
                       notes=len(summary.notes), sources=len(summary.sources),
                       diagnostics=fingerprint.warnings_of(summary),
                       seconds=time.perf_counter() - start)
    from .pipeline import build  # WeasyPrint loads here, only when needed

    try:
        result = build(source, output, image_cache=warm.image_cache if warm else None,
                       root=root)
    except BriefingError as exc:
        return Outcome(source=source, diagnostics=exc.diagnostics, exit_code=exc.exit_code,
                       seconds=time.perf_counter() - start,
                       output=inputs.target if inputs else output)
    summary = fingerprint.Summary(
        pages=result.layout.pages, notes=result.note_texts, sources=result.source_keys,
        warnings=[_diag_fields(d) for d in result.diagnostics.warnings])
    change = fingerprint.describe_change(fingerprint.previous(result.output), summary)
    if inputs is not None:
        fingerprint.remember(inputs, summary)
    return Outcome(source=source, output=result.output, pages=result.layout.pages,
                   notes=result.notes, sources=result.references,
                   diagnostics=list(result.diagnostics.items), change=change,
                   seconds=time.perf_counter() - start)


def _diag_fields(diag: Diagnostic) -> dict[str, Any]:
    return {"severity": diag.severity, "message": diag.message,
            "path": str(diag.path) if diag.path else None, "line": diag.line, "col": diag.col}


def run_guarded(source: Path, output: Path | None = None, force: bool = False,
                warm: Warm | None = None, root: Path | None = None) -> Outcome:
    """:func:`run_single`, with a bug turned into an outcome (for workers and watch)."""
    try:
        return run_single(source, output, force, warm, root)
    except Exception as exc:  # a bug: report it, keep the series or the watch going
        return Outcome(source=source, exit_code=EXIT_INTERNAL,
                       internal=str(exc) if isinstance(exc, InternalError)
                       else f"{type(exc).__name__}: {exc}")


# --- series -----------------------------------------------------------------------------------

def build_series(sources: list[Path], jobs: int, force: bool,
                 on_done: Callable[[Outcome], None], root: Path | None = None) -> list[Outcome]:
    """Build several briefings in parallel processes; one failure does not stop the others."""
    outcomes: list[Outcome] = []
    workers = max(1, min(jobs, len(sources)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_guarded, source, None, force, None, root)
                   for source in sources]
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            on_done(outcome)
    order = {s: i for i, s in enumerate(sources)}
    return sorted(outcomes, key=lambda o: order[o.source])


def default_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


# --- watch ------------------------------------------------------------------------------------

def watched_files(source: Path, root: Path | None = None) -> list[Path]:
    """Everything whose change should trigger a rebuild."""
    try:
        config = load_config(source, root)
    except BriefingError:
        folder = source if source.is_dir() else source.parent
        return sorted(p for p in folder.rglob("*") if p.is_file())
    files = {config.path, *config.sections, *config.bibliography}
    files.update(fingerprint.tree_files(config.folder, exclude=config.default_output().parent))
    files.update(fingerprint.tree_files(config.styles_dir, exclude=None))
    return sorted(files)


def _snapshot(files: Iterable[Path]) -> dict[Path, tuple[float, int]]:
    snap = {}
    for path in files:
        try:
            stat = path.stat()
            snap[path] = (stat.st_mtime, stat.st_size)
        except OSError:
            snap[path] = (-1.0, -1)
    return snap


def watch(source: Path, output: Path | None, on_changed: Callable[[list[Path]], None],
          on_built: Callable[[Outcome], None], poll: float = 0.25, quiet: float = 0.5,
          stop: Callable[[], bool] = lambda: False, warm: Warm | None = None,
          root: Path | None = None) -> None:
    """Build, then rebuild after every save; wait for ``quiet`` seconds without edits first."""
    warm = warm or Warm()
    seen = _snapshot(watched_files(source, root))  # before building: edits during it count
    on_built(run_guarded(source, output, warm=warm, root=root))
    while not stop():
        time.sleep(poll)
        now = _snapshot(watched_files(source, root))
        if now == seen:
            continue
        while not stop():  # debounce: the author may still be typing or saving several files
            time.sleep(quiet)
            later = _snapshot(watched_files(source, root))
            if later == now:
                break
            now = later
        changed = sorted(p for p in set(now) | set(seen) if now.get(p) != seen.get(p))
        seen = now
        on_changed(changed)
        on_built(run_guarded(source, output, warm=warm, root=root))


def exit_code(outcomes: list[Outcome], strict: bool) -> int:
    worst = max((o.exit_code for o in outcomes), default=EXIT_OK)
    if worst == EXIT_OK and strict and any(o.warnings for o in outcomes):
        return EXIT_INPUT
    return worst
