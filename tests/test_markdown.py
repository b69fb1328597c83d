"""Stage 3: Markdown -> HTML with citation and footnote records."""

from __future__ import annotations

from pathlib import Path

from briefing.markdown import CiteItem, parse_sections
from briefing.sources import Section


def _parse(text: str, lang: str = "en-GB") -> tuple[object, ...]:
    result = parse_sections([Section(Path("/r/a.md"), text, 1)], lang)
    return result.html, result.citations, result.footnotes, result.headings


def test_pandoc_citation_forms() -> None:
    _, cites, _, _ = _parse("A [@a]. B [@b, 12]. C [see @c, pp. 3–5; -@d]. "
                            "@e says, and @f [p. 3] too. mail@example.org. "
                            "[@{odd key}]")
    assert [c.items for c in cites] == [
        (CiteItem("a"),),
        (CiteItem("b", suffix=", 12"),),
        (CiteItem("c", prefix="see", suffix=", pp. 3–5"), CiteItem("d", suppress_author=True)),
        (CiteItem("e", author_in_text=True),),
        (CiteItem("f", suffix=", p. 3", author_in_text=True),),
        (CiteItem("odd key"),),
    ]


def test_brackets_without_a_key_stay_text() -> None:
    html, cites, _, _ = _parse("A [link](http://x.org) and [plain] text.")
    assert cites == []
    assert '<a href="http://x.org">link</a>' in html and "[plain]" in html


def test_footnotes_and_citations_inside_them() -> None:
    html, cites, notes, _ = _parse("Text.^[See [@a, 4].] More[^n].\n\n[^n]: Labelled "
                                   "*note*.\n")
    assert [c.footnote for c in cites] == [0]
    assert notes[1].html == "Labelled <em>note</em>."
    assert "\ue000F0\ue001" in html and "\ue000F1\ue001" in html


def test_citation_lines_point_at_the_file() -> None:
    _, cites, _, _ = _parse("# H\n\nline three\nline four [@x]\n")
    assert (cites[0].path.name, cites[0].line) == ("a.md", 4)


def test_headings_have_plain_titles_and_ids() -> None:
    html, _, _, heads = _parse("# Rule of *law* [@x]\n\n# Rule of law\n")
    assert [(h.text, h.id) for h in heads] == [("Rule of law", "rule-of-law"),
                                               ("Rule of law", "rule-of-law-2")]
    assert 'data-title="Rule of law"' in html


def test_quotes_follow_the_language_and_raw_html_is_text() -> None:
    html, _, _, _ = _parse('"Hello" -- <b>x</b>', lang="ru")
    assert "«Hello» – &lt;b&gt;x&lt;/b&gt;" in html


def test_table_caption() -> None:
    html, _, _, _ = _parse("| A | B |\n|---|--:|\n| x | 1 |\n\nTable: Figures.\n")
    assert "<caption>Figures.</caption>" in html and "<p>Table:" not in html
