"""The command line: ``python build.py [SOURCE ...] [-o OUTPUT.pdf] [--watch]``.

The only module that prints. User errors come out as ``path:line: error: message`` on stderr
with exit code 1; a bug prints a short report (``--debug`` shows the traceback). One source is a
build (reused when nothing changed); several sources are a series built in parallel processes;
``--watch`` rebuilds one briefing on every save.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from . import __version__
from .errors import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, Diagnostic, InternalError
from .rebuild import Outcome, build_series, default_jobs, exit_code, run_single, watch


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefing", description="Build typeset PDF briefings from Markdown and BibTeX.")
    parser.add_argument("sources", nargs="*", type=Path, metavar="SOURCE",
                        help="report folder holding report.yaml, or the yaml file "
                             "(default: report/); several build a series")
    parser.add_argument("-o", "--output", type=Path,
                        help="PDF to write (default: build/<folder name>.pdf); one source only")
    parser.add_argument("--root", type=Path, metavar="DIR",
                        help="files report.yaml names may be anywhere under DIR (default: "
                             "only inside the report folder)")
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
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an internal error")
    parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    sources = args.sources or [Path("report")]
    if len(sources) > 1 and (args.output or args.watch):
        print("briefing: -o and --watch take one source; give one report folder",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.check:
            return _check(sources, args)
        if args.watch:
            return _watch(sources[0], args)
        if len(sources) > 1:
            return _series(sources, args)
        return _single(sources[0], args)
    except KeyboardInterrupt:
        print("\nbriefing: stopped", file=sys.stderr)
        return EXIT_OK if args.watch else EXIT_INTERNAL
    except Exception as exc:  # a bug: say so briefly, keep the traceback for --debug
        if args.debug:
            traceback.print_exc()
        else:
            print(_bug_report(exc, sources), file=sys.stderr)
        return EXIT_INTERNAL


def _bug_report(exc: BaseException, sources: list[Path]) -> str:
    what = str(exc) if isinstance(exc, InternalError) else (
        f"{type(exc).__name__}: {exc} while building {' '.join(map(str, sources))}")
    return (f"briefing: internal error: {what}\n"
            "This is a bug in briefing, not in your files. Please send this message and the "
            "files that trigger it to the briefing maintainers (the project's issue tracker); "
            "run again with --debug to include the details.")


def _check(sources: list[Path], args: argparse.Namespace) -> int:
    from .checks import check

    worst = EXIT_OK
    for source in sources:
        diags = check(source, args.root)
        _print(diags.items)
        print(f"{source}: {len(diags.errors)} errors, {len(diags.warnings)} warnings")
        if diags.errors or (args.strict and diags.warnings):
            worst = EXIT_INPUT
    return worst


def _single(source: Path, args: argparse.Namespace) -> int:
    outcome = run_single(source, args.output, force=args.force, root=args.root)
    _report(outcome, args.output)
    return exit_code([outcome], args.strict)


def _report(outcome: Outcome, output: Path | None) -> None:
    _print(outcome.diagnostics)
    if outcome.internal:
        print(f"briefing: internal error in {outcome.source}: {outcome.internal}; please "
              "report it (run it alone with --debug for the details)", file=sys.stderr)
    elif outcome.exit_code != EXIT_OK:
        kept = output or outcome.output
        state = (f"the previous {_shown(kept)} is untouched" if kept and kept.exists()
                 else "no PDF was written or changed")
        print(f"briefing: build failed; {state}", file=sys.stderr)
    else:
        how = "unchanged since the last build, reused" if outcome.reused \
            else f"built in {outcome.seconds:.1f} s"
        print(f"{_shown(outcome.output)}: {how}: {outcome.pages} pages, {outcome.notes} notes, "
              f"{outcome.sources} sources, {len(outcome.warnings)} warnings")
        if outcome.change:
            print(outcome.change)


def _series(sources: list[Path], args: argparse.Namespace) -> int:
    done = [0]

    def progress(outcome: Outcome) -> None:
        done[0] += 1
        state = "failed" if outcome.exit_code else ("reused" if outcome.reused else "built")
        print(f"[{done[0]}/{len(sources)}] {outcome.name}: {state} ({outcome.seconds:.1f} s)",
              flush=True)

    outcomes = build_series(sources, args.jobs, args.force, progress, args.root)
    for outcome in outcomes:
        if outcome.diagnostics or outcome.internal:
            print(f"\n{outcome.name}:", file=sys.stderr)
            _print(outcome.diagnostics)
            if outcome.internal:
                print(f"internal error: {outcome.internal}", file=sys.stderr)
    print()
    print(_table(outcomes))
    return exit_code(outcomes, args.strict)


def _table(outcomes: list[Outcome]) -> str:
    rows = [("briefing", "result", "pages", "notes", "sources", "warnings", "seconds")]
    for o in outcomes:
        result = "FAILED" if o.exit_code else ("reused" if o.reused else "built")
        rows.append((o.name, result, str(o.pages), str(o.notes), str(o.sources),
                     str(len(o.warnings)), f"{o.seconds:.1f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths,
                                                                                strict=True))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    failed = sum(1 for o in outcomes if o.exit_code)
    lines.append(f"{len(outcomes) - failed} of {len(outcomes)} briefings built"
                 + (f", {failed} failed" if failed else ""))
    return "\n".join(lines)


def _watch(source: Path, args: argparse.Namespace) -> int:
    print(f"briefing: watching {source} (Ctrl-C stops)", flush=True)

    def changed(paths: list[Path]) -> None:
        names = ", ".join(_shown(p) for p in paths[:5]) + (" …" if len(paths) > 5 else "")
        print(f"\nchanged: {names}", flush=True)

    def built(outcome: Outcome) -> None:
        _report(outcome, args.output or outcome.output)
        sys.stdout.flush()

    watch(source, args.output, on_changed=changed, on_built=built, root=args.root)
    return EXIT_OK


def _print(diagnostics: list[Diagnostic]) -> None:
    for diag in diagnostics:
        print(diag.format(), file=sys.stderr)


def _shown(path: Path | None) -> str:
    if path is None:
        return "?"
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
