"""One error hierarchy and the diagnostics every stage reports.

Stages never print. A problem with the user's input is a :class:`Diagnostic` (an error or a
warning with the place it came from); stages collect them in a :class:`Diagnostics` list so a
user sees every problem of a run at once. When a stage cannot go on it raises
:class:`BriefingError` carrying the diagnostics; only ``briefing.cli`` turns that into text on
stderr and an exit code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

#: exit codes, documented in the README
EXIT_OK = 0
EXIT_INPUT = 1  # the user's input has errors (or warnings, with --strict)
EXIT_USAGE = 2  # the command line was wrong
EXIT_INTERNAL = 3  # a bug in briefing or one of its engines


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the user's files."""

    severity: str  #: "error", "warning" or "note" (information; never fails a build)
    message: str  #: what went wrong, and what to do
    path: Path | None = None  #: the file it concerns, if any
    line: int | None = None  #: 1-based line in that file
    col: int | None = None  #: 1-based column, when known

    def format(self, cwd: Path | None = None) -> str:
        """``path:line:col: severity: message``, the form editors and CI annotate."""
        place = ""
        if self.path is not None:
            place = str(_relative(self.path, cwd or Path.cwd()))
            if self.line is not None:
                place += f":{self.line}"
                if self.col is not None:
                    place += f":{self.col}"
            place += ": "
        return f"{place}{self.severity}: {self.message}"


def _relative(path: Path, cwd: Path) -> Path:
    try:
        return path.resolve().relative_to(cwd.resolve())
    except ValueError:
        return path


@dataclass
class Diagnostics:
    """The problems collected during one build, in the order found."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, message: str, path: Path | None = None, line: int | None = None,
              col: int | None = None) -> None:
        self.items.append(Diagnostic("error", message, path, line, col))

    def warning(self, message: str, path: Path | None = None, line: int | None = None,
                col: int | None = None) -> None:
        self.items.append(Diagnostic("warning", message, path, line, col))

    def note(self, message: str, path: Path | None = None, line: int | None = None,
             col: int | None = None) -> None:
        self.items.append(Diagnostic("note", message, path, line, col))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def raise_if_errors(self) -> None:
        """Stop the build when any error was found so far."""
        if self.errors:
            raise BriefingError(list(self.items))


class BriefingError(Exception):
    """The build cannot go on; ``diagnostics`` says why and where."""

    exit_code = EXIT_INPUT

    def __init__(self, diagnostics: list[Diagnostic] | str, path: Path | None = None,
                 line: int | None = None) -> None:
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic("error", diagnostics, path, line)]
        self.diagnostics = diagnostics
        super().__init__("; ".join(d.format() for d in diagnostics))


class UsageError(BriefingError):
    """The command line names nothing that can be built (a missing folder, a non-PDF output).

    Nothing of the user's was read; the CLI prints ``briefing: message`` and exits with 2.
    """

    exit_code = EXIT_USAGE


class EngineError(BriefingError):
    """An engine (pandoc, WeasyPrint) failed in a way the input does not explain."""

    exit_code = EXIT_INTERNAL


class InternalError(Exception):
    """A bug: a stage failed in a way no input should cause. Says which stage and input."""

    def __init__(self, stage: str, source: Path, cause: BaseException) -> None:
        self.stage, self.source, self.cause = stage, source, cause
        super().__init__(f"stage '{stage}' failed on {os.path.abspath(source)}: "
                         f"{type(cause).__name__}: {cause}")
