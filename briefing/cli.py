"""The command line: ``briefing [SOURCE ...] [-o OUTPUT.pdf] [--watch]`` and ``briefing init``.

The only module that prints problems. User errors come out as ``path:line:col: error: message``
on stderr with exit code 1, as soon as the checks find them (before layout); repeated warnings
of one kind are one line (``messages.py``). A command line that names nothing buildable exits
with 2; a bug prints a short report with 3 (``--debug`` shows the traceback). One source is a
build (reused when nothing changed); several are a series built in parallel processes;
``--watch`` rebuilds one briefing on every save. A :class:`~briefing.progress.Display` on stderr
shows what the build is doing.
"""

from __future__ import annotations

import argparse
import signal
import sys
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .config import OUTPUT_KINDS
from .errors import (
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    BriefingError,
    Diagnostic,
    InternalError,
    UsageError,
)
from .messages import (
    count,
    failure_line,
    result_line,
    series_line,
    series_table,
    shown,
    visible,
)
from .output import check_output
from .progress import Display, live_terminal
from .rebuild import (
    Hooks,
    Outcome,
    build_series,
    default_jobs,
    display_name,
    exit_code,
    find_sources,
    implied_root,
    run_single,
    shared_outputs,
    watch,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefing", description="Build typeset PDF briefings from Markdown and BibTeX.",
        epilog="Start a new briefing with: briefing init [FOLDER]")
    parser.add_argument("sources", nargs="*", type=Path, metavar="SOURCE",
                        help="report folder holding report.yaml, or the yaml file (default: "
                             "this folder if it holds report.yaml, else report/); several "
                             "build a series")
    parser.add_argument("-o", "--output", type=Path,
                        help="file to write: .pdf, .html or .docx (default: build/<folder "
                             "name>.pdf); with --to, the other editions go beside it; one "
                             "source only")
    parser.add_argument("--to", metavar="KINDS", type=_kinds,
                        help="editions to write, comma-separated: pdf, html (a web page), "
                             "docx (Word); default: report.yaml's outputs, else pdf")
    parser.add_argument("--edition", metavar="NAMES", type=_names,
                        help="editions of report.yaml to build, comma-separated (default: "
                             "all of them, in parallel)")
    parser.add_argument("--root", type=Path, metavar="DIR",
                        help="files report.yaml names may also be anywhere under DIR "
                             "(default: only inside the report folder)")
    parser.add_argument("--strict", action="store_true",
                        help="fail (exit 1) when there are warnings")
    parser.add_argument("--force", action="store_true",
                        help="rebuild even when nothing changed since the last build")
    parser.add_argument("--check", action="store_true",
                        help="check the sources without rendering and report every problem")
    parser.add_argument("--watch", action="store_true",
                        help="rebuild whenever a section, the bibliography, report.yaml or the "
                             "styles are saved (Ctrl-C stops)")
    parser.add_argument("-j", "--jobs", type=int, default=default_jobs(),
                        help="parallel builds for a series (default: %(default)s)")
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument("-q", "--quiet", action="store_true",
                      help="print only errors and the result line (no progress, no warnings "
                           "unless --strict)")
    talk.add_argument("-v", "--verbose", action="store_true",
                      help="print every warning on its own line (repeats are grouped without)")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an internal error")
    parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    return parser


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(dict.fromkeys(k.strip().lower() for k in text.split(",") if k.strip()))
    unknown = [k for k in kinds if k not in OUTPUT_KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"'{text}': choose from {', '.join(OUTPUT_KINDS)} "
                                         "(for example --to pdf,html,docx)")
    return kinds


def _names(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["init"]:
        return _init(argv[1:])
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    display = Display(sys.stderr, live=live_terminal(sys.stderr), enabled=not args.quiet)
    sources: list[Path] = args.sources
    with _stop_on_sigterm() as stopped:
        return _main(args, sources, display, stopped)


def _main(args: argparse.Namespace, sources: list[Path], display: Display,
          stopped: list[int]) -> int:
    try:
        _refuse_bad_options(args)
        sources = find_sources(args.sources)
        if args.root is None:
            args.root = implied_root(args.sources, sources)
        return _run(sources, args, display)
    except UsageError as exc:
        display.close()
        for diag in exc.diagnostics:
            print(f"briefing: {diag.message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # Ctrl-C (or SIGTERM): whatever was being written is removed
        display.close()
        print("\nbriefing: stopped watching; a build that was running wrote nothing, the "
              "last PDF stands" if args.watch and not stopped else
              "\nbriefing: stopped; no PDF was written or changed by the unfinished build",
              file=sys.stderr)
        if args.watch and not stopped:
            return EXIT_OK  # Ctrl-C is how a watch ends
        return 128 + (stopped[0] if stopped else signal.SIGINT)
    except Exception as exc:  # a bug: say so briefly, keep the traceback for --debug
        display.close()
        if args.debug:
            traceback.print_exc()
        else:
            print(_bug_report(exc, sources), file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        display.close()


@contextmanager
def _stop_on_sigterm() -> Iterator[list[int]]:
    """SIGTERM (a CI timeout, ``kill``) stops a build the way Ctrl-C does, so its temporary
    file is removed; the list holds the signal's number once it came."""
    got: list[int] = []

    def stop(signum: int, frame: object) -> None:
        got.append(signum)
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: keep the default
        yield got
        return
    try:
        yield got
    finally:
        signal.signal(signal.SIGTERM, previous)


def _refuse_bad_options(args: argparse.Namespace) -> None:
    if len(args.sources) > 1 and (args.output or args.watch):
        raise UsageError("-o and --watch take one source; give one report folder")
    if args.output is not None:
        check_output(args.output)
    suffixes = {suffix: kind for kind, suffix in OUTPUT_KINDS.items()}
    if args.output is not None and args.to and \
            suffixes[args.output.suffix.lower()] not in args.to:
        raise UsageError(f"-o {args.output} names a {args.output.suffix} file, but --to asks "
                         f"for {','.join(args.to)}; name one of those (the others go beside it)")


def _chosen_kinds(args: argparse.Namespace) -> tuple[str, ...] | None:
    """--to, else the one edition -o names, else None: report.yaml's outputs decide."""
    if args.to:
        return tuple(args.to)
    if args.output is not None:
        kind = next(k for k, s in OUTPUT_KINDS.items() if s == args.output.suffix.lower())
        return (kind,)
    return None


def _run(sources: list[Path], args: argparse.Namespace, display: Display) -> int:
    if args.check:
        return _check(sources, args)
    from .editions import jobs

    todo = jobs(sources, args.edition, args.root)  # each source's editions, or the source
    if len(todo) > 1 and (args.output or args.watch):
        raise UsageError(f"-o and --watch take one edition; {display_name(sources[0])} has "
                         f"{len(todo)} ({', '.join(str(j.edition) for j in todo)}): choose "
                         "one with --edition NAME")
    if args.watch:
        return _watch(todo[0].source, args, display, todo[0].edition)
    if len(todo) > 1:
        return _series([j.source for j in todo], args, display, [j.edition for j in todo])
    return _single(todo[0].source, args, display, todo[0].edition)


def _bug_report(exc: BaseException, sources: list[Path]) -> str:
    what = str(exc) if isinstance(exc, InternalError) else (
        f"{type(exc).__name__}: {exc} while building {' '.join(map(str, sources))}")
    return f"briefing: internal error: {what}\n{_REPORT_IT}"


_REPORT_IT = ("This is a bug in briefing, not in your files. Please send this message and the "
              "files that trigger it to the briefing maintainers (the project's issue tracker); "
              "run again with --debug to include the details.")


class _Printer:
    """Prints one build's problems as they come and its result; never a problem twice."""

    def __init__(self, args: argparse.Namespace, display: Display) -> None:
        self.args, self.display = args, display
        self.printed: Counter[Diagnostic] = Counter()

    def hooks(self) -> Hooks:
        return Hooks(progress=self.display.stage, checked=self.checked)

    def checked(self, diagnostics: list[Diagnostic]) -> None:
        """The checks are done: print their problems now, while layout runs."""
        self.problems(diagnostics)
        self.printed.update(diagnostics)

    def problems(self, diagnostics: list[Diagnostic]) -> None:
        shown_now = visible(diagnostics, self.args.verbose, self.args.quiet, self.args.strict)
        if not shown_now:
            return
        with self.display.above():
            for diag in shown_now:
                print(diag.format(), file=sys.stderr, flush=True)

    def outcome(self, outcome: Outcome, output: Path | None) -> None:
        """The build is over: the problems not printed yet, then the result line."""
        self.display.end()
        self.problems([d for d in outcome.diagnostics if not self._printed_before(d)])
        self.printed.clear()
        if outcome.internal or outcome.exit_code != EXIT_OK:
            print(failure_line(outcome, output), file=sys.stderr)
            return
        print(result_line(outcome))
        if outcome.change and not self.args.quiet:
            print(outcome.change)

    def _printed_before(self, diag: Diagnostic) -> bool:
        if self.printed[diag] > 0:
            self.printed[diag] -= 1
            return True
        return False


def _check(sources: list[Path], args: argparse.Namespace) -> int:
    from .checks import check

    worst = EXIT_OK
    for source in sources:
        diags = check(source, args.root)
        for diag in visible(diags.items, args.verbose, args.quiet, args.strict):
            print(diag.format(), file=sys.stderr)
        print(f"{display_name(source)}: {count(len(diags.errors), 'error')}, "
              f"{count(len(diags.warnings), 'warning')}")
        if diags.errors or (args.strict and diags.warnings):
            worst = EXIT_INPUT
    return worst


def _single(source: Path, args: argparse.Namespace, display: Display,
            edition: str | None = None) -> int:
    printer = _Printer(args, display)
    display.begin(display_name(source))
    outcome = run_single(source, args.output, force=args.force, hooks=printer.hooks(),
                         root=args.root, kinds=_chosen_kinds(args), edition=edition)
    printer.outcome(outcome, args.output)
    return exit_code([outcome], args.strict)


def _series(sources: list[Path], args: argparse.Namespace, display: Display,
            editions: list[str | None] | None = None) -> int:
    clashes = shared_outputs(sources, args.root, editions)
    if clashes:
        raise UsageError([Diagnostic("error", f"{', '.join(display_name(s) for s in names)} "
                                              f"would all write {shown(target)}; build them one "
                                              "at a time with -o NAME.pdf, or rename a folder")
                          for target, names in clashes])
    done = [0]
    display.series(0, len(sources))

    def finished(outcome: Outcome) -> None:
        done[0] += 1
        if not args.quiet:
            with display.above():
                print(series_line(done[0], len(sources), outcome), flush=True)
        display.series(done[0], len(sources))

    outcomes = build_series(sources, args.jobs, args.force, finished, args.root,
                            _chosen_kinds(args), editions)
    display.end()
    for outcome in outcomes:
        _series_problems(outcome, args)
    print()
    print(series_table(outcomes))
    return exit_code(outcomes, args.strict)


def _series_problems(outcome: Outcome, args: argparse.Namespace) -> None:
    diagnostics = visible(outcome.diagnostics, args.verbose, args.quiet, args.strict)
    if diagnostics or outcome.internal:
        print(f"\n{outcome.name}:", file=sys.stderr)
        for diag in diagnostics:
            print(diag.format(), file=sys.stderr)
        if outcome.internal:
            print(f"internal error: {outcome.internal}\n{_REPORT_IT}", file=sys.stderr)
            if args.debug and outcome.trace:
                print(outcome.trace.rstrip(), file=sys.stderr)


def _watch(source: Path, args: argparse.Namespace, display: Display,
           edition: str | None = None) -> int:
    print(f"briefing: watching {source} (Ctrl-C stops)", flush=True)
    printer = _Printer(args, display)
    display.begin(display_name(source))

    def changed(paths: list[Path]) -> None:
        names = ", ".join(shown(p) for p in paths[:5]) + (" …" if len(paths) > 5 else "")
        with display.above():
            print(f"\nchanged: {names}", flush=True)

    def built(outcome: Outcome) -> None:
        printer.outcome(outcome, args.output or outcome.output)
        sys.stdout.flush()

    watch(source, args.output, on_changed=changed, on_built=built, hooks=printer.hooks(),
          root=args.root, kinds=_chosen_kinds(args), edition=edition)
    return EXIT_OK


def _init(argv: list[str]) -> int:
    from .init import start_briefing

    parser = argparse.ArgumentParser(
        prog="briefing init", description="Start a briefing: write a folder with report.yaml, "
        "two sections, a .bib and a logo, that builds as it is.")
    parser.add_argument("folder", nargs="?", type=Path, default=Path("."),
                        help="the new briefing's folder; it must not exist or be empty "
                             "(default: this folder)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    try:
        written = start_briefing(args.folder)
    except BriefingError as exc:
        for diag in exc.diagnostics:
            print(f"briefing: {diag.message}", file=sys.stderr)
        return exc.exit_code
    folder = str(args.folder)
    print(f"created {folder}: {', '.join(sorted(p.name for p in written))}")
    go = "briefing" if folder == "." else f"cd {folder} && briefing"
    print(f"next: {go}    (writes build/{args.folder.resolve().name}.pdf there; "
          "briefing --check checks without rendering)")
    return EXIT_OK
