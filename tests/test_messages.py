"""What the CLI prints about problems: repeats grouped, single problems as path:line:col."""

from __future__ import annotations

from pathlib import Path

from briefing.errors import Diagnostic
from briefing.messages import group, visible

BIB = Path("bib/shared.bib")


def _uncited(n: int, path: Path = BIB) -> list[Diagnostic]:
    return [Diagnostic("warning", f"'key{i}' is never cited, so it is not in the sources; cite "
                       "it or list it under nocite in report.yaml", path, 3 * i + 1)
            for i in range(n)]


def _lines(diags: list[Diagnostic]) -> list[str]:
    return [d.format(cwd=Path.cwd()) for d in diags]


def test_many_uncited_entries_are_one_line_naming_the_first_five() -> None:
    assert _lines(group(_uncited(400))) == [
        "bib/shared.bib: warning: 400 entries are never cited, so they are not in the sources "
        "('key0', 'key1', 'key2', 'key3', 'key4' and 395 more); cite them or list them under "
        "nocite in report.yaml; --verbose lists them"]


def test_verbose_lists_every_problem_and_a_few_are_never_grouped() -> None:
    assert len(visible(_uncited(400), verbose=True)) == 400
    assert _lines(group(_uncited(3)))[2] == (
        "bib/shared.bib:7: warning: 'key2' is never cited, so it is not in the sources; cite it "
        "or list it under nocite in report.yaml")


def test_groups_are_per_file_and_keep_their_place_among_other_problems() -> None:
    error = Diagnostic("error", "unknown citation key 'x'; add it to the bibliography or fix "
                       "the key", Path("a.md"), 1, 6)
    other = _uncited(4, Path("other.bib"))
    lines = _lines(group([error, *_uncited(5), *other, error]))
    assert lines == [
        "a.md:1:6: error: unknown citation key 'x'; add it to the bibliography or fix the key",
        "bib/shared.bib: warning: 5 entries are never cited, so they are not in the sources "
        "('key0', 'key1', 'key2', 'key3', 'key4'); cite them or list them under nocite in "
        "report.yaml; --verbose lists them",
        "other.bib: warning: 4 entries are never cited, so they are not in the sources "
        "('key0', 'key1', 'key2', 'key3'); cite them or list them under nocite in report.yaml; "
        "--verbose lists them",
        "a.md:1:6: error: unknown citation key 'x'; add it to the bibliography or fix the key"]


def test_undated_entries_of_different_kinds_are_one_group() -> None:
    undated = [Diagnostic("warning", f"'d{i}' ({kind}) has no date: its notes will say 'n.d.'; "
                          "add date = {YYYY-MM-DD} or year = {YYYY}", BIB, i + 1)
               for i, kind in enumerate(["book", "report", "article journal", "book"])]
    assert _lines(group(undated)) == [
        "bib/shared.bib: warning: 4 entries have no date, so their notes will say 'n.d.' "
        "('d0', 'd1', 'd2', 'd3'); add date = {YYYY-MM-DD} or year = {YYYY}; --verbose lists "
        "them"]


def test_an_unknown_kind_keeps_its_first_message_and_counts_the_rest() -> None:
    offpage = [Diagnostic("warning", f"note {n} landed on page {n + 1}, not on page {n} with its "
                          "call", Path("a.md"), n) for n in (4, 9, 12, 20)]
    assert _lines(group(offpage)) == [
        "a.md:4: warning: note 4 landed on page 5, not on page 4 with its call (and 3 more like "
        "it: line 9, line 12, line 20; --verbose lists them)"]


def test_errors_are_never_grouped() -> None:
    errors = [Diagnostic("error", f"unknown citation key 'k{i}'; add it to the bibliography or "
                         "fix the key", Path("a.md"), i, 1) for i in range(1, 11)]
    assert group(errors) == errors


def test_quiet_keeps_errors_and_strict_warnings() -> None:
    error = Diagnostic("error", "bad", Path("a.md"), 1)
    warning = Diagnostic("warning", "odd", Path("a.md"), 2)
    assert visible([error, warning], quiet=True) == [error]
    assert visible([error, warning], quiet=True, strict=True) == [error, warning]
