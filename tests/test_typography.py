"""typography.py: where lines may break, as characters in the text."""

from __future__ import annotations

import html
import re

import pytest

from briefing.typography import (
    NBSP,
    SHY,
    WJ,
    ZWSP,
    break_url,
    refine_html,
    refine_text,
    separate_calls,
)


def _points(marked: str) -> list[str]:
    """The pieces a line may break between."""
    return html.unescape(marked).replace(WJ, "").split(ZWSP)


def test_a_url_breaks_after_the_double_slash_never_inside_the_scheme() -> None:
    pieces = _points(break_url("https://doi.org/10.1234/hrw.2012-x?a=1&b=2#top"))
    assert pieces[0] == "https://"
    assert pieces == ["https://", "doi", ".org", "/10", ".1234", "/hrw", ".2012", "-x", "?a",
                      "=", "1", "&", "b", "=", "2", "#top"]


def test_a_url_blocks_the_breaks_unicode_would_allow() -> None:
    marked = break_url("https://a.org/b-c")
    assert "s:" + WJ + "/" + WJ + "/" in marked  # not "https:" / "//…" nor "https:/" / "/…"
    assert "-" + WJ in marked and "/" + WJ + "b" in marked  # no break after "-" or "/"
    assert "\u00ad" not in marked and "<wbr>" not in marked


def test_a_url_is_escaped_and_keeps_every_character() -> None:
    url = "https://example.org/a?x=<1>&y=\"2\""
    marked = break_url(url)
    assert "<1>" not in marked and "&amp;" in marked
    assert "".join(_points(marked)) == url


def test_a_long_run_without_punctuation_still_gets_break_points() -> None:
    pieces = _points(break_url("https://example.org/" + "a" * 60))
    assert max(len(p) for p in pieces) <= 25


@pytest.mark.parametrize("lang", ["ru", "ru-RU", "kk"])
def test_one_letter_words_hold_on_to_the_next(lang: str) -> None:
    text = refine_text("Встреча в Астане и с ними о праве", lang)
    assert f"в{NBSP}Аст" in text and f"и{NBSP}с{NBSP}ними" in text and f"о{NBSP}праве" in text


def test_ukrainian_one_letter_words() -> None:
    assert refine_text("Київ і Львів у травні", "uk") == f"Київ і{NBSP}Львів у{NBSP}травні"


def test_english_one_letter_words_are_left_alone() -> None:
    assert refine_text("a court and I", "en-GB") == "a court and I"


def test_un_symbols_ranges_and_units_do_not_break() -> None:
    text = refine_text("See A/HRC/18/57 (2010–2012, pp. 14–18): 5 000 ₸, 12 %, No. 4.", "en")
    assert f"A/{WJ}HRC/{WJ}18/{WJ}57" in text
    assert f"2010{WJ}–{WJ}2012" in text and f"pp.{NBSP}14{WJ}–{WJ}18" in text
    assert f"5{NBSP}000{NBSP}₸" in text and f"12{NBSP}%" in text and f"No.{NBSP}4" in text


def test_addresses_are_not_taken_for_un_symbols() -> None:
    assert refine_text("see http://x.org/a/b", "en") == "see http://x.org/a/b"


def test_names_break_where_they_should() -> None:
    text = refine_text("Kazakhstan’s president Nazarbayev and Tokayev; Казахстан", "en")
    assert f"Kazakh{SHY}stan’s" in text and f"Nazar{SHY}bayev" in text
    assert f"Казах{SHY}стан" in text
    assert f"Toka{SHY}yev" in text


def test_two_calls_in_a_row_get_a_separator() -> None:
    call = '<a class="fn-call" id="fnref-{0}" href="#fn-{0}">{0}</a>'
    note = '<span class="footnote" id="fn-{0}">Note <span>{0}</span>.</span>'
    body = ("x" + call.format(1) + note.format(1) + call.format(2) + note.format(2) + " y "
            + call.format(3) + note.format(3))
    out = separate_calls(body)
    assert out.count('<span class="fn-sep">,</span>') == 1
    assert out.replace('<span class="fn-sep">,</span>', "") == body


def test_refine_html_leaves_code_and_tags_alone() -> None:
    body = ('<p>In 2010–2012 see https://a.org/x.</p><pre>a 2010–2012</pre>'
            '<p><a href="https://a.org/y">https://a.org/y</a></p>')
    out = refine_html(body, "en")
    assert "<pre>a 2010–2012</pre>" in out
    assert re.search(r'<span class="url">https:.*?</span>\.</p>', out)
    assert '<a class="url" href="https://a.org/y">' in out


def test_refine_html_joins_source_lines_inside_notes() -> None:
    out = refine_html('<span class="footnote" id="fn-1">over\nseveral\nlines</span>', "en")
    assert "\n" not in out


def test_an_autolink_breaks_as_an_address_not_as_a_word() -> None:
    """pandoc writes <https://…> as a link of class "uri": it gets the address treatment."""
    url = "https://www.meydan.tv/en/article/police-raid-in-baku/"
    out = refine_html(f'<p>At <a class="uri" href="{url}">{url}</a>.</p>', "en")
    assert f'<a class="url uri" href="{url}">' in out
    shown = re.search(r'href="[^"]+">(.*?)</a>', out)
    assert shown
    plain = shown.group(1).replace("\u2060", "")  # word joiners: no break after / or -
    assert "\u200b/article" in plain and "\u200b-raid" in plain
    assert "\u00ad" not in out


def test_a_russian_year_keeps_its_abbreviation() -> None:
    out = refine_text("подписан 2 апреля 2024 г. в Астане; 5 млн тенге", "ru")
    assert "2024\u00a0г." in out and "5\u00a0млн" in out
