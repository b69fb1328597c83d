"""Stage 5: note numbering, punctuation, calls."""

from __future__ import annotations

from pathlib import Path

from briefing.bibliography import parse_bibliography
from briefing.citations import format_citations, resolve_style
from briefing.markdown import parse_sections
from briefing.notes import assemble
from briefing.sources import Section


def _assemble(tmp_path: Path, text: str, style: str = "chicago-notes-bibliography") -> str:
    bib = tmp_path / "r.bib"
    bib.write_text("@book{a, author={Doe, Jane}, title={Title}, year={2001}}", encoding="utf-8")
    parsed = parse_sections([Section(tmp_path / "a.md", text, 1)], "en")
    cited = format_citations(parsed, parse_bibliography((bib,)),
                             resolve_style(style, tmp_path, tmp_path, None), "en", ())
    return assemble(parsed, cited).html


def test_notes_numbered_in_order_and_moved_after_punctuation(tmp_path: Path) -> None:
    html = _assemble(tmp_path, "One [@a]. Two^[Mine.] and three [@a, 4].")
    assert html.count('class="fn-call"') == 3
    assert ('One<span class="fn-word">.<a class="fn-call" id="fnref-1" href="#fn-1">1</a>'
            '</span><span class="footnote" id="fn-1"') in html
    assert 'Tw<span class="fn-word">o<a class="fn-call" id="fnref-2"' in html
    assert 'three<span class="fn-word">.<a class="fn-call" id="fnref-3"' in html
    assert '<a class="fn-mark" href="#fnref-2">2</a> Mine.</span>' in html


def test_in_text_styles_leave_text_alone(tmp_path: Path) -> None:
    html = _assemble(tmp_path, "One [@a].", style="apa")
    assert "One (Doe, 2001)." in html and "fn-call" not in html
