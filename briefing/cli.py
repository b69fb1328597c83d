"""The command line: ``python build.py [SOURCE] [-o OUTPUT.pdf]``.

The only module that prints. User errors come out as ``path:line: error: message`` on stderr
with exit code 1; a bug prints a short report (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from . import __version__
from .errors import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, BriefingError, Diagnostic


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefing", description="Build a typeset PDF briefing from Markdown and BibTeX.")
    parser.add_argument("source", nargs="?", default="report", type=Path,
                        help="report folder holding report.yaml, or the yaml file "
                             "(default: report/)")
    parser.add_argument("-o", "--output", type=Path,
                        help="PDF to write (default: build/<folder name>.pdf)")
    parser.add_argument("--strict", action="store_true",
                        help="fail (exit 1) when there are warnings")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an internal error")
    parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    from .pipeline import build  # imported late: WeasyPrint takes a moment to load

    try:
        result = build(args.source, args.output)
    except BriefingError as exc:
        _print(exc.diagnostics)
        print(f"briefing: build failed; {_previous(args)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("briefing: interrupted; no PDF was written", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception:  # a bug: say so briefly, keep the traceback for --debug
        if args.debug:
            traceback.print_exc()
        else:
            kind = sys.exc_info()[0]
            print(f"briefing: internal error ({kind.__name__ if kind else 'unknown'}) while "
                  f"building {args.source}. Please report it with the files that trigger it; "
                  "run again with --debug to see the details.", file=sys.stderr)
        return EXIT_INTERNAL
    _print(result.diagnostics.items)
    layout = result.layout
    print(f"{_shown(result.output)}: {layout.pages} pages, {result.notes} notes, "
          f"{result.references} sources, {len(result.diagnostics.warnings)} warnings")
    if args.strict and result.diagnostics.warnings:
        print("briefing: warnings with --strict: failing", file=sys.stderr)
        return 1
    return EXIT_OK


def _print(diagnostics: list[Diagnostic]) -> None:
    for diag in diagnostics:
        print(diag.format(), file=sys.stderr)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _previous(args: argparse.Namespace) -> str:
    if args.output and Path(args.output).exists():
        return f"the previous {args.output} is untouched"
    return "no PDF was written"
