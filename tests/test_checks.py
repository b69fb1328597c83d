"""--check: every class of bad input answered with the exact message, all at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, write

from briefing.checks import check

BIB = ("@book{nowak2009, author={Nowak, Manfred}, title={Report}, year={2009}}\n"
       "@report{untitled, author={{UNDP}}, year={2010}}\n"
       "@book{undated, author={Roe, R.}, title={Undated Book}}\n"
       "@report{macro, title={T}, year={2001}, institution=unknownorg}\n")


def _messages(folder: Path, tmp_path: Path) -> list[str]:
    return [d.format(tmp_path) for d in check(folder).items]


def test_markdown_problems(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {
        "report.yaml": "title: T\nbibliography: r.bib\nnocite: '@*'\n",
        "r.bib": BIB,
        "a.md": "# One\n\nA claim [@nowak2008, 4] and a note[^gone].\n\n"
                "Open [see @nowak2009, 3 and more.\n\n"
                "![](missing.png)\n\n[bad](javascript:alert(1)) [local](notes.txt)\n\n"
                "<script>alert(1)</script>\n\nUsed[^ok].\n\n[^ok]: Fine.\n[^spare]: Unused.\n"})
    messages = _messages(folder, tmp_path)
    assert "r/a.md:3:10: error: unknown citation key 'nowak2008' (did you mean 'nowak2009'?); " \
           "add it to the bibliography or fix the key" in messages
    assert "r/a.md:3:35: error: footnote 'gone' is used but never defined; add '[^gone]: …' " \
           "or remove the mark" in messages
    assert "r/a.md:5:11: error: citation bracket is not closed: add ']' after the citation" \
        in messages
    assert "r/a.md:7:5: warning: image 'missing.png' has no alt text: describe it in ![…] for " \
           "readers of the PDF on screen" in messages
    assert f"r/a.md:7:5: error: image 'missing.png' not found (looked in {folder})" in messages
    assert "r/a.md:9:36: error: link to 'notes.txt' is not allowed: links to files can open " \
           "programs or files on a reader's machine; use http, https, mailto or #heading-id" \
        in messages
    assert "r/a.md:9:7: error: link to 'javascript:alert(1)' is not allowed: 'javascript:' " \
           "links can open programs or files on a reader's machine; use http, https, mailto " \
           "or #heading-id" in messages
    assert "r/a.md:11:1: warning: raw HTML is not rendered; it is printed as text (write " \
           "Markdown instead)" in messages
    assert "r/a.md:16:1: warning: footnote 'spare' is defined but never used; call it with " \
           "[^spare] or delete it" in messages


def test_citations_written_together_are_reported(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                    "r.bib": BIB, "a.md": "Text [@nowak2009][@undated, 4].\n"})
    assert "r/a.md:1:7: error: '[@nowak2009][@…]': two bracketed citations written together " \
           "are read as text; write them in one bracket ([@a; @b]) or put a space between " \
           "them" in _messages(folder, tmp_path)


def test_bibliography_problems(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                    "r.bib": BIB, "a.md": "Text [@nowak2009].\n"})
    messages = _messages(folder, tmp_path)
    assert messages == [
        "r/r.bib:4: error: 'macro': field 'institution' uses @string 'unknownorg', which is not "
        "defined; define it with @string or put the text in braces",
        "r/r.bib:2: warning: 'untitled' has no title: its notes will start with the next "
        "field; add title = {…}",
        "r/r.bib:2: warning: 'untitled' is never cited, so it is not in the sources; cite it "
        "or list it under nocite in report.yaml",
        "r/r.bib:3: warning: 'undated' (book) has no date: its notes will say 'n.d.'; add "
        "date = {YYYY-MM-DD} or year = {YYYY}",
        "r/r.bib:3: warning: 'undated' is never cited, so it is not in the sources; cite it or "
        "list it under nocite in report.yaml",
        "r/r.bib:4: warning: 'macro' is never cited, so it is not in the sources; cite it or "
        "list it under nocite in report.yaml"]


def test_unknown_style_is_reported_with_the_others(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n"
                                                   "csl: chicgo-notes-bibliography\n",
                                    "r.bib": BIB, "a.md": "Text [@nowak2010].\n"})
    messages = _messages(folder, tmp_path)
    assert any(m.startswith("r/report.yaml:3: error: csl: unknown style "
                            "'chicgo-notes-bibliography' (did you mean "
                            "chicago-notes-bibliography") for m in messages)
    assert any(m.startswith("r/a.md:1:7: error: unknown citation key 'nowak2010' (did you "
                            "mean 'nowak2009'?)") for m in messages)


def test_check_command_reports_and_sets_the_exit_code(tmp_path: Path) -> None:
    write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n", "r.bib": BIB,
                           "a.md": "Text [@nowak2010].\n"})
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--check", "r"],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stdout.strip() == "r: 2 errors, 6 warnings"
    assert not (tmp_path / "build").exists() or not list((tmp_path / "build").glob("*.pdf"))


def test_default_briefing_checks_clean_of_errors() -> None:
    diags = check(ROOT / "report", ROOT)
    assert diags.errors == [] and len(diags.warnings) == 2


def test_export_bookkeeping_is_quiet_and_unknown_fields_are_one_note(tmp_path: Path) -> None:
    bib = ("@book{a, title={A}, year={2001}, file={a.pdf}, timestamp={2020}, owner={me}}\n"
           "@article{b, title={B}, journal={J}, year={2002}, numpages={12}, articleno={3}}\n"
           "@article{c, title={C}, journal={J}, year={2003}, numpages={9}}\n")
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                    "r.bib": bib, "a.md": "Text [@a; @b; @c].\n"})
    assert _messages(folder, tmp_path) == [
        "r/r.bib:2: note: fields pandoc does not print are left out: articleno (1), "
        "numpages (2)"]


def test_links_to_headings_follow_pandocs_identifiers(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nlang: ru\n",
                                    "a.md": "# Рекомендации\n\nСм. [рекомендации](#рекомендации)"
                                            " и [итоги](#итоги).\n"})
    assert _messages(folder, tmp_path) == [
        "r/a.md:3:45: warning: link to '#итоги' goes nowhere: no heading or element has the "
        "id 'итоги'"]
