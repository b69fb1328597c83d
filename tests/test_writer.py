"""Stage 5: pandoc's tree after citeproc -> HTML: notes, calls, quotes, every construct."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import written

from briefing.writer import Written

BIB = ("@book{a, author={Doe, Jane}, title={Title}, year={2001}}\n"
       "@book{b, author={Roe, Rick}, title={Other Book}, year={2005}}\n")


def _write(tmp_path: Path, text: str, lang: str = "en-GB",
           csl: str = "chicago-notes-bibliography",
           corrections: frozenset[str] | None = None) -> Written:
    return written(tmp_path / "r", {
        "report.yaml": f"title: T\nlang: {lang}\ncsl: {csl}\nbibliography: r.bib\n",
        "r.bib": BIB, "a.md": text}, corrections)


def _text(html: str) -> str:
    html = re.sub(r'<span class="footnote".*?</span>(?=[^<]*(<|$))', "", html)
    return re.sub(r"<[^>]+>", "", html).strip()


def test_notes_numbered_in_order_and_moved_after_punctuation(tmp_path: Path) -> None:
    out = _write(tmp_path, "One [@a]. Two^[Mine.] and three [@a, 4].")
    assert [(n.number, n.kind, n.html) for n in out.notes] == [
        (1, "citation", "Jane Doe, <em>Title</em> (2001)."), (2, "author", "Mine."),
        (3, "citation", "Doe, <em>Title</em>, 4.")]
    assert ('One<span class="fn-word">.<a class="fn-call" id="fnref-1" href="#fn-1">1</a>'
            '</span><span class="footnote" id="fn-1" data-kind="citation">'
            '<a class="fn-mark" href="#fnref-1">1</a> Jane Doe') in out.body
    assert 'Tw<span class="fn-word">o<a class="fn-call" id="fnref-2"' in out.body


def test_two_calls_at_one_place_are_kept_apart(tmp_path: Path) -> None:
    out = _write(tmp_path, "Text [@a] [@b]. And [@a]^[Mine.] end.")
    calls = re.findall(r'(\.|,|d)?(?:<span class="fn-word">.)?<a class="fn-call"[^>]*>(\d)'
                       r'</a>(?:</span>)?(?:<span class="footnote".*?</span>)?'
                       r'(<span class="fn-sep">,</span>)?', out.body)
    assert [c[1] for c in calls] == ["1", "2", "3", "4"]
    assert out.body.startswith('<p>Text<span class="fn-word">.<a class="fn-call" id="fnref-1"')
    assert out.body.count('<span class="fn-sep">,</span>') == 2  # ¹,² and ³,⁴


def test_pandoc_alone_parts_side_by_side_notes(tmp_path: Path) -> None:
    out = _write(tmp_path, "Text [@a] [@b].", corrections=frozenset())
    assert _text(out.body).startswith("Text1 .2")  # pandoc's own output: 'Text¹ .²'


def test_narrative_and_hard_wrapped_citations_read_as_pandoc_writes_them(
        tmp_path: Path) -> None:
    out = _write(tmp_path, "As @a [87] argues, the\nclaim [@b] holds.\nSee the\n[@a, 22--23]. "
                           "End.")
    text = _text(out.body)
    assert text == "As Jane Doe1 argues, the claim2 holds. See the.3 End."
    assert [n.html for n in out.notes] == ["<em>Title</em> (2001), 87.",
                                           "Rick Roe, <em>Other Book</em> (2005).",
                                           "Doe, <em>Title</em>, 22–23."]
    assert [n.line for n in out.notes] == [1, 2, 4]


def test_citations_in_the_authors_notes_are_formatted_inside_them(tmp_path: Path) -> None:
    out = _write(tmp_path, "One.^[@a] Two.^[See @b, 4.]")
    assert [_text(n.html) for n in out.notes] == ["Jane Doe, Title (2001).",
                                                  "See Rick Roe, Other Book (2005), 4."]
    assert all(n.kind == "author" for n in out.notes)


def test_a_note_over_several_lines_and_paragraphs_has_no_line_breaks(tmp_path: Path) -> None:
    out = _write(tmp_path, "Call.[^n]\n\n[^n]: A note\n    written over\n    lines.\n\n"
                           "    Second paragraph.\n")
    note = out.notes[0].html
    assert "\n" not in note and "<br>" not in note
    assert note == ('<span class="fn-p">A note written over lines.</span>'
                    '<span class="fn-p">Second paragraph.</span>')


def test_quotation_marks_follow_the_language(tmp_path: Path) -> None:
    assert "‘hello’" in _write(tmp_path / "gb", 'Said "hello".').body
    assert "“hello”" in _write(tmp_path / "us", 'Said "hello".', lang="en-US").body
    assert "«outer „inner“ end» and «hi»" in _write(
        tmp_path / "ru", "Said \"outer 'inner' end\" and 'hi'.", lang="ru").body
    assert "‘peaceful “and” unarmed’" in _write(tmp_path / "gb2",
                                                "\"peaceful 'and' unarmed\"").body
    assert "“hello”" in _write(tmp_path / "raw", 'Said "hello".', corrections=frozenset()).body


def test_author_date_citations_stay_in_the_text(tmp_path: Path) -> None:
    out = _write(tmp_path, "One [@a]. As @b [p. 3] says.", csl="apa")
    assert _text(out.body) == "One (Doe, 2001). As Roe (2005, p. 3) says."
    assert out.notes == [] and [e.key for e in out.references] == ["a", "b"]


def test_pandoc_constructs_render(tmp_path: Path) -> None:
    out = _write(tmp_path, "# Key {#key .unnumbered}\n\n::: {.box #msg}\nBoxed.\n:::\n\n"
                           "Term\n:   Meaning.\n\n[caps]{.smallcaps} ~~gone~~ H~2~O x^2^\n\n"
                           "\\newpage\n\n| A | B |\n|--:|:--|\n| 1 | 2 |\n\n: Figures\n\n"
                           "1. one\n2. two\n\n---\n\n> quoted\n\n`code` $x^2$\n")
    body = out.body
    assert '<h1 id="key" class="unnumbered" data-title="Key">Key</h1>' in body
    assert '<div id="msg" class="box">\n<p>Boxed.</p>\n</div>' in body
    assert "<dl>\n<dt>Term</dt>\n<dd>Meaning.</dd>\n</dl>" in body
    assert '<span class="smallcaps">caps</span> <del>gone</del> H<sub>2</sub>O x<sup>2</sup>' \
        in body
    assert '<div class="pagebreak"></div>' in body
    assert '<caption><span class="caption-label">Table\u00a01.</span> Figures</caption>' in body
    assert '<td class="right">1</td>' in body
    assert "<ol>" in body and "<hr>" in body and "<blockquote>" in body
    assert '<span class="math inline">' in body  # pandoc's own math rendering


def test_raw_html_and_unsafe_links_are_printed_as_text(tmp_path: Path) -> None:
    out = _write(tmp_path, 'Hi <b onclick="x()">bold</b>.\n\n<script>alert(1)</script>\n\n'
                           "[run](javascript:alert(1)) [ok](https://example.org) "
                           "[a]{style=\"color:red\" lang=ru}\n")
    body = out.body
    assert "&lt;b onclick=&quot;x()&quot;&gt;" in body or "&lt;b onclick=\"x()\"&gt;" in body
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "javascript:" not in body and '<a href="https://example.org">ok</a>' in body
    assert "style=" not in body and '<span lang="ru">a</span>' in body


def test_the_reference_list_where_the_author_puts_it(tmp_path: Path) -> None:
    out = _write(tmp_path, "Text [@a].\n\n# Sources\n\n::: {#refs}\n:::\n\n# Annex\n\nMore.\n")
    assert out.references_in_body
    assert out.body.index('<div class="references" id="refs">') < out.body.index("Annex")
    assert [e.key for e in out.references] == ["a"]
