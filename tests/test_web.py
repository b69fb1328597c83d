"""The web edition: one self-contained page, checked as written and in a real browser.

The browser tests open the page in Debian's headless Chromium (``tests/browser.py``) at a
phone's width (375 px) and a laptop's (1280 px): nothing is requested but the page itself,
nothing is logged, every note opens from its call and leads back, the contents land on their
headings, and axe-core finds no serious or critical accessibility violation.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import Browser, axe_source, chromium, run_axe
from conftest import write

from briefing.builders import Output, image_data_url
from briefing.config import load_config
from briefing.errors import BriefingError
from briefing.pipeline import BuildResult, build
from briefing.web import CSP, sidenote, words_for

ROOT = Path(__file__).resolve().parent.parent
NARROW, WIDE = 375, 1280


def _edition(result: BuildResult, kind: str) -> Output:
    return next(o for o in result.outputs if o.kind == kind)


def _page(result: BuildResult) -> str:
    return _edition(result, "html").path.read_text(encoding="utf-8")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


# --- the page as written ----------------------------------------------------------------------

def test_the_page_carries_everything_it_shows(editions: BuildResult) -> None:
    page = _page(editions)
    head = page[:page.index("</head>")]
    assert head.index(f'content="{CSP}"') < head.index("<title>")  # the policy comes first
    assert "<script" not in page
    # nothing to fetch: every src and url() is a data: URL, fonts included
    assert re.findall(r'\bsrc="(?!data:)', page) == []
    assert re.findall(r"url\((?![\"']?data:)", page) == []
    assert page.count("@font-face") == 6
    assert 'href="report.pdf"' in page  # the PDF published beside it


def test_the_embedded_fonts_cover_every_character(editions: BuildResult) -> None:
    from fontTools.ttLib import TTFont

    from briefing.web import faces

    page = _page(editions)
    text = html.unescape(re.sub(r"<(style|head)[^>]*>.*?</\1>|<[^>]+>", " ", page, flags=re.S))
    for face in faces():  # nothing falls back to a font of the reader's machine
        cmap = TTFont(face.path).getBestCmap()
        assert sorted({ch for ch in text if ord(ch) not in cmap and not ch.isspace()}) == [], \
            face


def test_the_page_has_the_same_notes_and_sources_as_the_pdf(editions: BuildResult) -> None:
    web = _edition(editions, "html")
    assert web.note_texts == editions.note_texts  # one citeproc run for every edition
    assert web.source_keys == editions.source_keys
    assert (web.notes, web.sources) == (23, 18)
    page = _page(editions)
    assert [int(n) for n in re.findall(r'<li id="fn-end-(\d+)"', page)] == list(range(1, 24))
    assert page.count('class="csl-entry"') == 18
    assert '<a href="http://www.state.gov/' in page  # the reference list links its sources


def test_headings_go_one_level_down_under_the_title(editions: BuildResult) -> None:
    page = _page(editions)
    levels = [int(n) for n in re.findall(r"<h(\d)[ >]", page)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_a_note_at_its_call_links_both_ways() -> None:
    markup = sidenote(words_for(_config_stub()), 7, "citation", "Doe, <em>Title</em>, 4.")
    assert markup.startswith('<a class="fn-call" id="fnref-7" href="#fn-7" role="doc-noteref" '
                             'aria-label="note 7">7</a>')
    assert '<span class="sidenote" id="fn-7" role="note"' in markup
    assert '<a class="fn-back" href="#fnref-7" aria-label="Back to the text: note 7">7</a> ' \
           'Doe, <em>Title</em>, 4.</span>' in markup


def _config_stub() -> Any:
    class Stub:
        lang = "en-GB"
        labels = {"contents": "Contents", "sources": "Sources", "abstract": "Summary"}
    return Stub()


def test_the_page_speaks_the_briefings_language(tmp_path: Path) -> None:
    folder = write(tmp_path / "ru", {
        "report.yaml": "title: Казахстан\nlang: ru\n",
        "a.md": "# Положение\n\nТекст^[Примечание.] и \"цитата\".\n"})
    result = build(folder, tmp_path / "out" / "ru.html", kinds=("html",))
    page = _page(result)
    assert '<html lang="ru">' in page
    assert "«цитата»" in page
    assert ">Примечания</h2>" in page and 'aria-label="примечание 1"' in page
    assert not (tmp_path / "out" / "ru.pdf").exists()  # only the edition asked for


def test_figures_tables_summary_and_acknowledgement(features: BuildResult) -> None:
    page = _page(features)
    figure = re.search(r"<figure[^>]*>.*?</figure>", page, re.S)
    assert figure is not None
    assert 'src="data:image/svg+xml;base64,' in figure.group(0)
    assert '<figcaption><span class="caption-label">Figure\u00a01.</span> Protests a month, ' \
        "2023</figcaption>" in figure.group(0)
    assert '<caption><span class="caption-label">Table\u00a01.</span> Protests by city' \
        "</caption>" in page
    assert re.search(r'<td class="right">1<span class="fn-word">2<a class="fn-call" id="fnref-4"'
                     r'[^>]*>4</a></span><span class="sidenote" id="fn-4"', page)  # in a cell
    assert '<h2 id="abstract">Summary</h2>' in page
    footer = page[page.index('<footer class="colophon">'):]
    assert "produced with the support of the <em>Example Foundation</em>" in footer
    assert "Ana Example" in page and "Test Committee" in page and "2024-05-01" in page


def test_a_two_paragraph_note_stays_inside_its_call_paragraph(features: BuildResult) -> None:
    page = _page(features)
    note = re.search(r'<span class="sidenote" id="fn-2".*?</span>(?=[^<]*</p>)', page, re.S)
    assert note is not None
    assert "<p>" not in note.group(0) and note.group(0).count('class="fn-p"') == 2


def test_images_come_only_from_the_report_folder(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": "title: T\n", "a.md": "Text.\n",
                                    "pic.png": ""})
    (tmp_path / "outside.png").write_bytes(b"\x89PNG secret")
    config = load_config(folder)
    assert image_data_url("pic.png", config) == "data:image/png;base64,"
    for src in ("../outside.png", str(tmp_path / "outside.png"), "http://127.0.0.1/x.png",
                "file:///etc/passwd", "a.md"):
        assert image_data_url(src, config) is None, src


def test_a_stylesheet_that_would_load_a_file_is_refused(tmp_path: Path) -> None:
    styles = ROOT / "styles"
    (tmp_path / "r" / "house").mkdir(parents=True)
    folder = write(tmp_path / "r", {
        "report.yaml": "title: T\nstyles: house\n", "a.md": "Text.\n",
        "house/briefing.html": (styles / "briefing.html").read_text("utf-8"),
        "house/briefing.css": "",
        "house/web.css": "/* fonts */\nbody { color: black }\n"
                         "@import url(https://fonts.example.org/x.css);\n"})
    with pytest.raises(BriefingError) as caught:
        build(folder, tmp_path / "out" / "r.html", kinds=("html",))
    assert [d.format(tmp_path) for d in caught.value.diagnostics][0] == (
        "r/house/web.css:3: error: '@import' would make the web page load a file when it is "
        "opened; the web edition carries everything it shows (use data: URLs)")


def test_the_same_sources_give_the_same_page(editions: BuildResult, tmp_path: Path) -> None:
    again = build(ROOT / "report", tmp_path / "report.html", root=ROOT, kinds=("html",),
                  published=("pdf", "html"))
    assert _page(again) == _page(editions)


# --- in the browser ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as opened:
        yield opened


def _url(result: BuildResult) -> str:
    return _edition(result, "html").path.as_uri()


@pytest.mark.parametrize("width", [NARROW, WIDE])
def test_opens_without_errors_or_requests(browser: Browser, editions: BuildResult,
                                          width: int) -> None:
    url = _url(editions)
    with browser.open(url, width) as (page, visit):
        page.click("#fnref-3")  # opening a note fetches nothing either
        fonts = page.evaluate("[...document.fonts].map(f => [f.family, f.status])")
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert visit.requests == [url]
    assert visit.console == [] and visit.errors == []
    # the faces the page shows are loaded from the page itself (a face it does not use,
    # such as bold italic here, is never loaded)
    assert {family for family, status in fonts if status == "loaded"} == {"PT Sans", "PT Serif"}
    assert "error" not in {status for _, status in fonts}
    assert overflow <= 0  # nothing runs off the side of a phone


def test_a_partners_template_cannot_make_the_page_fetch_or_run_anything(
        browser: Browser, tmp_path: Path) -> None:
    styles = ROOT / "styles"
    (tmp_path / "r" / "house").mkdir(parents=True)
    template = (styles / "web.html").read_text("utf-8").replace(
        "<body>", '<body><script>document.title = "ran"</script>'
                  '<img src="http://127.0.0.1:9/x.png" alt="x"><iframe src="https://example.org">'
                  '</iframe>')
    folder = write(tmp_path / "r", {
        "report.yaml": "title: T\nstyles: house\n", "a.md": "Text.\n",
        "house/briefing.html": (styles / "briefing.html").read_text("utf-8"),
        "house/briefing.css": "", "house/web.html": template})
    result = build(folder, tmp_path / "out" / "r.html", kinds=("html",))
    url = _url(result)
    with browser.open(url, WIDE) as (page, visit):
        title = page.title()
    # the policy the engine put first stopped each of them before it left the browser
    assert visit.requests[0] == url
    assert visit.failed == [f"{r}: csp" for r in visit.requests[1:]]
    assert title == "T"  # and the script did not run
    assert all("Content Security Policy" in line for line in visit.console)


def test_every_note_opens_from_its_call_and_leads_back_on_a_phone(
        browser: Browser, editions: BuildResult) -> None:
    with browser.open(_url(editions), NARROW, 800) as (page, _):
        assert page.locator(".sidenote:visible").count() == 0  # closed until asked for
        for n in range(1, 24):
            page.click(f"#fnref-{n}")
            note = page.locator(f"#fn-{n}")
            assert note.is_visible() and page.evaluate("location.hash") == f"#fn-{n}"
            call, box = page.locator(f"#fnref-{n}").bounding_box(), note.bounding_box()
            assert call is not None and box is not None
            assert 0 <= box["y"] - (call["y"] + call["height"]) < 40, n  # just under its line
            assert box["y"] + 20 < 800  # and in view
            page.click(f"#fn-{n} .fn-back")
            assert page.evaluate("location.hash") == f"#fnref-{n}"
            assert not note.is_visible()


def test_notes_stand_beside_their_lines_on_a_wide_screen(browser: Browser,
                                                         editions: BuildResult) -> None:
    with browser.open(_url(editions), WIDE) as (page, _):
        boxes = page.evaluate("""() => {
            const box = e => { const r = e.getBoundingClientRect();
                               return {x: r.x, y: r.y + scrollY, w: r.width, h: r.height}; };
            return {main: box(document.querySelector('main')),
                    notes: [...document.querySelectorAll('a.fn-call')].map(a => [
                      box(a), box(document.getElementById(a.hash.slice(1)))])};
        }""")
        main, bottom = boxes["main"], 0.0
        assert len(boxes["notes"]) == 23
        for n, (call, note) in enumerate(boxes["notes"], start=1):
            assert note["x"] >= main["x"] + main["w"] and note["x"] + note["w"] <= WIDE, n
            assert note["y"] >= call["y"] - 8, n  # level with its call, or below a longer one
            assert note["y"] >= bottom - 1, n  # notes never overlap
            assert note["y"] - call["y"] < 600, n  # and never drift far from their call
            bottom = note["y"] + note["h"]
        for n in (1, 12, 23):
            page.click(f"#fnref-{n}")  # following the call marks the note
            assert page.evaluate("location.hash") == f"#fn-{n}"
            assert page.locator(f"#fn-{n}").is_visible()


def test_a_note_in_a_table_opens_in_place_on_a_wide_screen(browser: Browser,
                                                           features: BuildResult) -> None:
    with browser.open(_url(features), WIDE) as (page, _):
        note = page.locator("#fn-4")
        assert not note.is_visible()  # a cell is too narrow to float a note out of
        page.click("#fnref-4")
        call, box = page.locator("#fnref-4").bounding_box(), note.bounding_box()
        assert note.is_visible() and call is not None and box is not None
        assert 0 <= box["y"] - (call["y"] + call["height"]) < 40


def test_notes_work_from_the_keyboard(browser: Browser, editions: BuildResult) -> None:
    with browser.open(_url(editions), NARROW, 800) as (page, _):
        page.focus("#fnref-5")
        page.keyboard.press("Enter")
        assert page.locator("#fn-5").is_visible()
        page.keyboard.press("Tab")  # the next stop is inside the open note: its way back
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#fnref-5"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#fnref-5"
        assert not page.locator("#fn-5").is_visible()


@pytest.mark.parametrize("width", [NARROW, WIDE])
def test_contents_links_land_on_their_headings(browser: Browser, editions: BuildResult,
                                               width: int) -> None:
    with browser.open(_url(editions), width, 800) as (page, _):
        links = page.evaluate("[...document.querySelectorAll('nav.contents a')]"
                              ".map(a => a.getAttribute('href'))")
        assert len(links) == 9 + 2  # the sections, the sources and the notes
        for href in links:
            page.click(f"nav.contents a[href='{href}']")
            top = page.evaluate(f"document.getElementById('{href[1:]}')"
                                ".getBoundingClientRect().top")
            at_end = page.evaluate("innerHeight + scrollY >= document.body.scrollHeight - 2")
            assert 0 <= top <= 40 or (at_end and 0 <= top < 800), (href, top)


@pytest.mark.parametrize("width", [NARROW, WIDE])
def test_reads_well(browser: Browser, editions: BuildResult, width: int) -> None:
    with browser.open(_url(editions), width) as (page, _):
        measure = page.evaluate("""() => {
            const p = document.querySelector('main p');
            const ctx = document.createElement('canvas').getContext('2d');
            const style = getComputedStyle(p);
            ctx.font = style.fontSize + ' ' + style.fontFamily;
            const per = ctx.measureText(p.textContent).width / p.textContent.length;
            return {chars: p.clientWidth / per, size: parseFloat(style.fontSize),
                    line: parseFloat(style.lineHeight) / parseFloat(style.fontSize),
                    colour: style.color, background: getComputedStyle(document.body)
                      .backgroundColor};
        }""")
    assert measure["size"] >= 16
    assert 1.4 <= measure["line"] <= 1.8
    assert measure["colour"] == "rgb(29, 29, 27)"  # dark text on light
    assert measure["background"] in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    if width == WIDE:
        assert 55 <= measure["chars"] <= 80  # a readable measure
    else:
        assert measure["chars"] >= 30


@pytest.mark.parametrize("width", [NARROW, WIDE])
def test_no_serious_accessibility_violations(browser: Browser, editions: BuildResult,
                                             features: BuildResult, width: int) -> None:
    source = axe_source()
    found = []
    for result in (editions, features):
        with browser.open(_url(result), width) as (page, _):
            found += run_axe(page, source)
            page.click("#fnref-2")  # and with a note open
            found += run_axe(page, source)
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in found
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert [v["id"] for v in found] == []  # and nothing milder either, today


def test_landmarks_headings_alt_text_and_language(browser: Browser,
                                                  features: BuildResult) -> None:
    with browser.open(_url(features), WIDE) as (page, _):
        facts = page.evaluate("""() => ({
            lang: document.documentElement.lang,
            landmarks: [...document.querySelectorAll('header, nav, main, footer')]
                .map(e => e.tagName.toLowerCase()),
            alts: [...document.images].map(i => i.alt),
            decoded: [...document.images].every(i => i.complete && i.naturalWidth > 0),
        })""")
    assert facts["lang"] == "en-GB"
    assert facts["landmarks"] == ["header", "nav", "main", "footer"]
    assert facts["alts"] == ["Protests a month, 2023"]
    assert facts["decoded"]
