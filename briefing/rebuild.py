"""Builds with a memory: reuse an unchanged PDF, say what changed, build a series, watch.

Not a stage: this is what the CLI runs around ``pipeline.build``. Every function here returns
:class:`Outcome` records and leaves printing to ``cli.py``; while a build runs it reports its
stage and the checks' problems through :class:`Hooks`, so the CLI can show progress and print
problems before layout ends. The pipeline (and so WeasyPrint) is imported only when something
has to be built, so a no-op rebuild stays fast.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from . import cache, fingerprint
from .builders import Output
from .config import CONFIG_NAME, load_config
from .copies import listed_copies
from .errors import (
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    BriefingError,
    Diagnostic,
    InternalError,
    UsageError,
)
from .progress import following_weasyprint


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
    trace: str = ""  #: and its traceback (printed with --debug)
    outputs: list[Output] = field(default_factory=list)  #: each output, written or reused
    edition: str | None = None  #: the edition of report.yaml built (editions.py)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def name(self) -> str:
        name = display_name(self.source)
        return f"{name} ({self.edition})" if self.edition else name


def display_name(source: Path) -> str:
    """How a briefing is named in progress lines and the series table: its path as given.

    ``reports/kz/report.yaml`` reads ``reports/kz``; a path inside the current folder is shown
    relative to it; the current folder itself by its name. Two briefings never share a name,
    as they would by folder name (``a/report`` and ``b/report``) or by title (a monthly series).
    """
    path = source.parent if source.name == CONFIG_NAME else source
    cwd = Path.cwd().resolve()
    if path.is_absolute() and path.resolve().is_relative_to(cwd):
        path = path.resolve().relative_to(cwd)
    text = os.path.normpath(path)
    return cwd.name if text == "." else text


@dataclass(frozen=True)
class Hooks:
    """What the CLI hears while a build runs (nothing, by default)."""

    #: the build reached a stage ("starting", "checking", "citations", "layout", "relayout",
    #: "write"); the number is the page being laid out (the pass for "relayout")
    progress: Callable[[str, int], None] | None = None
    #: the checks' problems, as soon as they are known and before anything is rendered
    checked: Callable[[list[Diagnostic]], None] | None = None

    def tell(self, stage: str, count: int = 0) -> None:
        if self.progress is not None:
            self.progress(stage, count)


def find_sources(given: list[Path]) -> list[Path]:
    """The briefings to build: those given, or the one here (``report.yaml``, else ``report/``).

    A source that is not there is a command-line mistake (:class:`UsageError`) naming the
    folder tried, so ``briefing`` in a folder made by ``briefing init`` builds it, as
    ``quarto render`` does, and a typo in a series stops it before anything is built.
    """
    if not given:
        return [_here()]
    problems = [p for p in map(_missing, given) if p]
    if problems:
        raise UsageError([Diagnostic("error", p) for p in problems])
    return given


#: the folder a project keeps its briefing in (this repository's default briefing is there)
PROJECT_BRIEFING = Path("report")


def implied_root(given: list[Path], found: list[Path]) -> Path | None:
    """The wider folder report.yaml may name files from when the command gave none (``--root``):
    the current folder, when no SOURCE was given and the briefing found is its ``report/``.
    The current folder is then the project holding the briefing (this repository keeps the
    default briefing's sources in ``bib/``, beside ``report/``); a folder named on the command
    line, a partner's, stays confined to itself."""
    return Path(".") if not given and found == [PROJECT_BRIEFING] else None


def _here() -> Path:
    cwd = Path.cwd()
    if (cwd / CONFIG_NAME).is_file():
        return Path(".")
    if (cwd / PROJECT_BRIEFING / CONFIG_NAME).is_file():
        return PROJECT_BRIEFING
    raise UsageError(f"no briefing here: {cwd} holds no {CONFIG_NAME} (nor report/"
                     f"{CONFIG_NAME}); give the briefing's folder (briefing FOLDER) or start "
                     "one with 'briefing init FOLDER'")


def _missing(source: Path) -> str | None:
    where = source.absolute()
    if not source.exists():
        return (f"no briefing at '{source}': {where} does not exist; give a folder holding "
                f"{CONFIG_NAME} (or the yaml file), or start one with 'briefing init {source}'")
    if source.is_dir() and not (source / CONFIG_NAME).is_file():
        return (f"no briefing at '{source}': {where} holds no {CONFIG_NAME}; give the folder "
                "that holds it, or start a briefing with 'briefing init NEW-FOLDER'")
    return None


@dataclass
class Warm:
    """What stays loaded between builds in one process (watch mode): WeasyPrint's image cache.

    The modules themselves (WeasyPrint, Pango, pandoc's wrapper) also stay imported.
    """

    image_cache: dict[str, Any] = field(default_factory=dict)

    def forget(self, changed: Iterable[Path]) -> None:
        """Drop the decoded images of changed files: WeasyPrint's cache is keyed by URL, so an
        image replaced under the same name would otherwise keep its old picture."""
        urls = {path.as_uri() for path in changed}
        for url in [u for u in self.image_cache if u.split("#", 1)[0] in urls]:
            del self.image_cache[url]


def run_single(source: Path, output: Path | None = None, force: bool = False,
               warm: Warm | None = None, hooks: Hooks | None = None,
               root: Path | None = None, kinds: tuple[str, ...] | None = None,
               edition: str | None = None) -> Outcome:
    """Build one briefing's outputs (``kinds``, else report.yaml's ``outputs``), reusing each
    one whose inputs did not change; only the others are written. ``edition``: which of
    report.yaml's editions."""
    with cache.refreshing(force):  # --force rebuilds everything, the cached readings too
        outcome = _run_single(source, output, force, warm, hooks, root, kinds, edition)
    outcome.edition = edition
    return outcome


def _run_single(source: Path, output: Path | None, force: bool, warm: Warm | None,
                hooks: Hooks | None, root: Path | None, kinds: tuple[str, ...] | None,
                edition: str | None) -> Outcome:
    start = time.perf_counter()
    hooks = hooks or Hooks()
    hooks.tell("starting")
    inputs = fingerprint.outputs(source, output, root, kinds, edition)
    saved = {i.kind: fingerprint.reusable(i) for i in inputs} if not force else {}
    stale = [i for i in inputs if saved.get(i.kind) is None]
    if inputs and not stale:
        return _reused(source, inputs, saved, time.perf_counter() - start)
    from .pipeline import build  # WeasyPrint loads here, only when needed

    def checked(diagnostics: list[Diagnostic]) -> None:
        if hooks.checked is not None:
            hooks.checked(diagnostics)
        if not any(d.severity == "error" for d in diagnostics):  # else the build stops here
            hooks.tell("citations")

    hooks.tell("checking")
    try:
        with following_weasyprint(hooks.progress):
            # the first edition to write takes its own file; the others go beside it
            first = stale[0].target if inputs else output
            result = build(source, first, image_cache=warm.image_cache if warm else None,
                           on_checked=checked, root=root,
                           kinds=[i.kind for i in stale] if inputs else kinds,
                           published=[i.kind for i in inputs] or kinds, edition=edition)
    except BriefingError as exc:
        return Outcome(source=source, diagnostics=exc.diagnostics, exit_code=exc.exit_code,
                       seconds=time.perf_counter() - start,
                       output=inputs[0].target if inputs else output)
    warnings = [_diag_fields(d) for d in result.diagnostics.warnings]
    change = None
    for written in result.outputs:
        summary = fingerprint.Summary(pages=written.pages, notes=written.note_texts,
                                      sources=written.source_keys, warnings=warnings)
        if written is result.outputs[0]:
            change = fingerprint.describe_change(fingerprint.previous(written.path), summary)
        if inputs:
            fingerprint.remember(next(i for i in stale if i.kind == written.kind), summary)
    outputs = [*result.outputs, *_reused_outputs(inputs, saved)]
    order = [i.kind for i in inputs] or [o.kind for o in result.outputs]
    outputs.sort(key=lambda o: order.index(o.kind))
    pdf = next((o for o in outputs if o.kind == "pdf"), outputs[0])
    return Outcome(source=source, output=outputs[0].path, pages=pdf.pages,
                   notes=result.notes, sources=result.references,
                   diagnostics=list(result.diagnostics.items), change=change,
                   seconds=time.perf_counter() - start, outputs=outputs)


def _reused(source: Path, inputs: list[fingerprint.Inputs],
            saved: dict[str, fingerprint.Summary | None], seconds: float) -> Outcome:
    """Every edition is current: the outcome of the last build, told again."""
    outputs = _reused_outputs(inputs, saved)
    first = saved[inputs[0].kind]
    assert first is not None
    pdf = next((o for o in outputs if o.kind == "pdf"), outputs[0])
    return Outcome(source=source, output=outputs[0].path, reused=True, pages=pdf.pages,
                   notes=len(first.notes), sources=len(first.sources),
                   diagnostics=fingerprint.warnings_of(first), seconds=seconds,
                   outputs=outputs)


def _reused_outputs(inputs: list[fingerprint.Inputs],
                    saved: dict[str, fingerprint.Summary | None]) -> list[Output]:
    outputs = []
    for i in inputs:
        summary = saved.get(i.kind)
        if summary is not None:
            copies, size = listed_copies(i.target)
            outputs.append(Output(i.kind, i.target, reused=True, size=size,
                                  pages=summary.pages, notes=len(summary.notes),
                                  sources=len(summary.sources), copies=copies))
    return outputs


def _diag_fields(diag: Diagnostic) -> dict[str, Any]:
    return {"severity": diag.severity, "message": diag.message,
            "path": str(diag.path) if diag.path else None, "line": diag.line, "col": diag.col}


def run_guarded(source: Path, output: Path | None = None, force: bool = False,
                warm: Warm | None = None, hooks: Hooks | None = None,
                root: Path | None = None, kinds: tuple[str, ...] | None = None,
                edition: str | None = None) -> Outcome:
    """:func:`run_single`, with a bug turned into an outcome (for workers and watch)."""
    try:
        return run_single(source, output, force, warm, hooks, root, kinds, edition)
    except Exception as exc:  # a bug: report it, keep the series or the watch going
        return Outcome(source=source, exit_code=EXIT_INTERNAL,
                       internal=str(exc) if isinstance(exc, InternalError)
                       else f"{type(exc).__name__}: {exc}", edition=edition,
                       trace=traceback.format_exc())


# --- series -----------------------------------------------------------------------------------

#: signals that mean the build process itself went wrong (a bug in an engine), not that
#: someone or something (the kernel, out of memory) stopped it
_CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS, signal.SIGILL, signal.SIGFPE}


@dataclass
class _Worker:
    """One briefing of a series being built in its own process."""

    source: Path
    process: BaseProcess
    answer: Connection  #: the outcome arrives here (nothing, if the process dies)
    start: float
    edition: str | None = None  #: which of report.yaml's editions


def build_series(sources: list[Path], jobs: int, force: bool,
                 on_done: Callable[[Outcome], None], root: Path | None = None,
                 kinds: tuple[str, ...] | None = None,
                 editions: list[str | None] | None = None) -> list[Outcome]:
    """Build several briefings (or editions of one: ``editions`` goes with ``sources``) in
    parallel processes, one process per build.

    One failure does not stop the others: not a build that fails, and not a process that
    dies (killed by hand or for lack of memory): that build is reported as failed and the
    others go on. On Ctrl-C every process is asked to stop, as the user asked, so each one
    removes its temporary file.
    """
    editions = editions or [None] * len(sources)
    waiting = list(zip(sources, editions, strict=True))
    running: list[_Worker] = []
    outcomes: list[Outcome] = []
    try:
        while waiting or running:
            while waiting and len(running) < max(1, jobs):
                source, edition = waiting.pop(0)
                running.append(_start(source, force, root, kinds, edition))
            ready = set(wait([w.answer for w in running] + [w.process.sentinel
                                                           for w in running]))
            for worker in [w for w in running if {w.answer, w.process.sentinel} & ready]:
                outcome = _finish(worker)
                running.remove(worker)
                outcomes.append(outcome)
                on_done(outcome)
    finally:
        _stop_all(running)
    order = {job: i for i, job in enumerate(zip(sources, editions, strict=True))}
    return sorted(outcomes, key=lambda o: order[(o.source, o.edition)])


def _start(source: Path, force: bool, root: Path | None,
           kinds: tuple[str, ...] | None = None, edition: str | None = None) -> _Worker:
    answer, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.Process(target=_series_worker,
                                      args=(send, source, force, root, kinds, edition),
                              name=f"briefing {source}", daemon=True)
    process.start()
    send.close()
    return _Worker(source, process, answer, time.perf_counter(), edition)


def _series_worker(send: Connection, source: Path, force: bool, root: Path | None,
                   kinds: tuple[str, ...] | None = None, edition: str | None = None) -> None:
    try:
        send.send(run_guarded(source, None, force, None, None, root, kinds, edition))
    except KeyboardInterrupt:
        pass  # stopped with the series (its temporary file is gone); the parent reports it
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # stopping already: once is enough
        send.close()


def _finish(worker: _Worker) -> Outcome:
    """The worker's outcome, or a failure naming how its process ended."""
    outcome: Outcome | None = None
    try:
        if worker.answer.poll():
            outcome = worker.answer.recv()
    except (EOFError, OSError):
        outcome = None
    worker.process.join()
    worker.answer.close()
    if outcome is not None:
        return outcome
    code = worker.process.exitcode or 0
    crashed = code < 0 and -code in _CRASH_SIGNALS
    how = (f"was stopped by signal {signal.Signals(-code).name}" if code < 0
           else f"ended with exit code {code}")
    message = (f"the process building this briefing {how} before it finished "
               + ("(a crash in briefing or its engines; please report it)" if crashed else
                  "(stopped by hand, or by the system for lack of memory?); the other "
                  "briefings were built. Build it alone to see more"))
    return Outcome(source=worker.source, diagnostics=[Diagnostic("error", message)],
                   exit_code=EXIT_INTERNAL if crashed else EXIT_INPUT,
                   seconds=time.perf_counter() - worker.start, edition=worker.edition)


def _stop_all(running: list[_Worker]) -> None:
    """Let the processes still running stop (Ctrl-C reached them too), ask those that do not
    (SIGINT: each removes its temporary file), and after 10 s make sure."""
    patience = time.monotonic() + 2
    for worker in running:
        worker.process.join(max(0.0, patience - time.monotonic()))
    for worker in running:
        if worker.process.pid is not None and worker.process.is_alive():
            os.kill(worker.process.pid, signal.SIGINT)
    deadline = time.monotonic() + 10
    for worker in running:
        worker.process.join(max(0.0, deadline - time.monotonic()))
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.answer.close()


def shared_outputs(sources: list[Path], root: Path | None = None,
                   editions: list[str | None] | None = None,
                   ) -> list[tuple[Path, list[Path]]]:
    """PDFs that two or more sources (or editions) of a series would write
    (``build/<folder name>.pdf``).

    Sources whose report.yaml cannot be read are left to the build, which reports them.
    """
    targets: dict[Path, list[Path]] = {}
    for source, edition in zip(sources, editions or [None] * len(sources), strict=True):
        try:
            target = load_config(source, root, edition).output_for("pdf")
        except BriefingError:
            continue
        targets.setdefault(target, []).append(source)
    return [(target, names) for target, names in targets.items() if len(names) > 1]


def default_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


# --- watch ------------------------------------------------------------------------------------

def watched_files(source: Path, output: Path | None = None,
                  root: Path | None = None) -> list[Path]:
    """Everything whose change should trigger a rebuild (never the PDF being written, even
    when ``-o`` puts it inside the report folder: that would rebuild forever)."""
    folder = source if source.is_dir() else source.parent
    try:
        config = load_config(source, root)
    except Exception:  # a broken report.yaml is the build's to report; watch the folder
        return _tree(folder, output)
    target = output or config.default_output()
    files = {config.path, *config.sections, *config.bibliography}
    files.update(_tree(config.folder, target))
    files.update(_tree(config.styles_dir, None))
    return sorted(files)


def _tree(folder: Path, output: Path | None) -> list[Path]:
    try:
        return fingerprint.tree_files(folder, exclude=output)
    except fingerprint.TooManyFiles:
        return []


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
          hooks: Hooks | None = None, root: Path | None = None,
          kinds: tuple[str, ...] | None = None, edition: str | None = None) -> None:
    """Build, then rebuild after every save; wait for ``quiet`` seconds without edits first."""
    warm = warm or Warm()

    def snapshot() -> dict[Path, tuple[float, int]]:
        return _snapshot(watched_files(source, output, root))

    seen = snapshot()  # before building: edits during it count
    on_built(run_guarded(source, output, warm=warm, hooks=hooks, root=root, kinds=kinds,
                         edition=edition))
    while not stop():
        time.sleep(poll)
        now = snapshot()
        if now == seen:
            continue
        while not stop():  # debounce: the author may still be typing or saving several files
            time.sleep(quiet)
            later = snapshot()
            if later == now:
                break
            now = later
        changed = sorted(p for p in set(now) | set(seen) if now.get(p) != seen.get(p))
        seen = now
        warm.forget(changed)
        on_changed(changed)
        on_built(run_guarded(source, output, warm=warm, hooks=hooks, root=root, kinds=kinds,
                             edition=edition))


def exit_code(outcomes: list[Outcome], strict: bool) -> int:
    worst = max((o.exit_code for o in outcomes), default=EXIT_OK)
    if worst == EXIT_OK and strict and any(o.warnings for o in outcomes):
        return EXIT_INPUT
    return worst
