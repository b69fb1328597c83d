"""Stage 0: report.yaml validation, with the messages a user sees."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from briefing.config import load_config
from briefing.errors import BriefingError


def _messages(exc: pytest.ExceptionInfo[BriefingError], cwd: Path) -> list[str]:
    return [d.format(cwd) for d in exc.value.diagnostics]


def test_pandoc_metadata_names_are_read(tmp_path: Path) -> None:
    folder = write(tmp_path, {
        "report.yaml": "title: T\nauthor: [A. One, B. Two]\ndate: 2024-05-01\nlang: ru\n"
                       "bibliography: refs.bib\ncsl: apa\nnocite: '@a, @b'\n"
                       "reference-section-title: Literature\n",
        "refs.bib": "", "b.md": "# B\n", "a.md": "# A\n"})
    config = load_config(folder)
    assert config.authors == ("A. One", "B. Two")
    assert config.date == "2024-05-01" and config.lang == "ru" and config.csl == "apa"
    assert config.nocite == ("a", "b")
    assert config.reference_section_title == "Literature"
    assert [p.name for p in config.sections] == ["a.md", "b.md"]  # default: sorted *.md


def test_unknown_key_suggests_the_closest(tmp_path: Path) -> None:
    folder = write(tmp_path, {"report.yaml": "title: T\nbibliograhpy: x.bib\n", "a.md": ""})
    with pytest.raises(BriefingError) as exc:
        load_config(folder)
    assert _messages(exc, tmp_path) == [
        "report.yaml:2:1: error: unknown key 'bibliograhpy' (did you mean 'bibliography'?)"]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    folder = write(tmp_path, {"report.yaml": "title: T\nsections:\n  - a.md\n - b.md\n"})
    with pytest.raises(BriefingError) as exc:
        load_config(folder)
    [message] = _messages(exc, tmp_path)
    assert message == ("report.yaml:4:2: error: YAML syntax: a list item ('- …') is indented "
                       "differently from the items above it; line the dashes up (YAML says: "
                       "expected <block end>, but found '<block sequence start>')")


@pytest.mark.parametrize(("text", "expected"), [
    # a quotation mark never closed: PyYAML notices lines later, the message points at it
    ('title: T\nsubtitle: "Closing the space\nauthor: A\nlang: en\ndate: 2024\n',
     'report.yaml:2:11: error: YAML syntax: this value opens a quotation mark (") it never '
     "closes; close it at the end of the value, or write the value without quotes"),
    ("title: 'It's\nauthor: A\n",
     "report.yaml:1:8: error: YAML syntax: this value opens a quotation mark (') it never "
     "closes; close it at the end of the value, or write the value without quotes (an "
     "apostrophe inside '…' is written twice: 'It''s')"),
    ("title: T\nauthor: A: B\n",
     "report.yaml:2:10: error: YAML syntax: a second ': ' on one line; put the value in quotes "
     '(title: "Kazakhstan: a briefing") (YAML says: mapping values are not allowed here)'),
    ("title: T\n\tauthor: A\n",
     "report.yaml:2:1: error: YAML syntax: a tab or another character YAML cannot start a value "
     "with; indent with spaces, and put a value starting with @, ` or % in quotes (YAML says: "
     "found character '\\t' that cannot start any token)"),
])
def test_yaml_syntax_errors_say_what_to_do_where_the_mistake_is(tmp_path: Path, text: str,
                                                                expected: str) -> None:
    folder = write(tmp_path, {"report.yaml": text})
    with pytest.raises(BriefingError) as exc:
        load_config(folder)
    assert _messages(exc, tmp_path) == [expected]


def test_missing_files_and_title_are_all_reported(tmp_path: Path) -> None:
    folder = write(tmp_path, {"report.yaml": "subtitle: S\nsections: [a.md, gone.md]\n"
                                             "bibliography: nope.bib\n", "a.md": ""})
    with pytest.raises(BriefingError) as exc:
        load_config(folder)
    messages = _messages(exc, tmp_path)
    assert "report.yaml:1: error: 'title' is required: the briefing's title, shown on the " \
           "cover" in messages
    assert any(m.startswith("report.yaml:2:1: error: 'sections' names 'gone.md', which does "
                            "not exist") for m in messages)
    assert any(m.startswith("report.yaml:3:1: error: 'bibliography' names 'nope.bib'")
               for m in messages)


def test_source_may_be_the_yaml_file(tmp_path: Path) -> None:
    folder = write(tmp_path, {"brief.yaml": "title: T\n", "a.md": "x"})
    assert load_config(folder / "brief.yaml").title == "T"


def test_wrong_types_are_named(tmp_path: Path) -> None:
    folder = write(tmp_path, {"report.yaml": "title: T\nlang: 12\nauthor: {x: 1}\n", "a.md": ""})
    with pytest.raises(BriefingError) as exc:
        load_config(folder)
    assert _messages(exc, tmp_path) == [
        "report.yaml:2:1: error: 'lang' must be a BCP 47 tag such as en-GB or ru, not 12",
        "report.yaml:3:1: error: 'author' must be text or a list of texts"]
