"""Typographic refinements of the text, as pure functions: where lines may and may not break.

WeasyPrint breaks lines where Unicode's line-breaking rules allow and hyphenates with Pyphen.
Both are wrong in places a briefing cares about; the fixes are characters put into the text:

- :func:`break_url` — a web address breaks only where the Chicago Manual (14.18) allows: after
  ``//`` (never inside ``https://``), before ``/ . , - _ ~ ? # %``, before or after ``= &``,
  and never with a hyphen. U+200B ZERO WIDTH SPACE marks the allowed points (``<wbr>`` split
  a link into one PDF annotation per piece); U+2060 WORD JOINER blocks the
  points Unicode would allow otherwise (after ``/`` and ``-``). Neither is drawn nor copied.
- :func:`refine_text` — no line break after a one-letter Russian (Ukrainian, Belarusian,
  Kazakh) preposition or conjunction, inside a UN document symbol (``A/HRC/18/57``), a number
  range (``2010–2012``) or a number with its unit; preferred hyphenation points for the names
  of the region (``Kazakh-stan``, never ``Kaza-khstan``).
- :func:`separate_calls` — two note calls at one place read ¹⁰,¹¹, not ¹⁰¹¹.

They work on text (``break_url``, ``refine_text``) or on the body HTML the notes stage writes
(``separate_calls``, ``refine_html``). ``refine_html`` applies all of them to a whole document
and is what ``pdf.py`` calls today; the Markdown writer should call the text functions on text
nodes as it writes them (see docs/design.md, "Layout").
"""

from __future__ import annotations

import html
import re

WJ = "\u2060"  #: WORD JOINER: no line break here, nothing drawn, nothing copied
NBSP = "\u00a0"
ZWSP = "\u200b"  #: ZERO WIDTH SPACE: a line may break here; nothing drawn or copied
SHY = "\u00ad"

# --- web addresses ----------------------------------------------------------------------------

_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|mailto:|doi:)", re.I)
_BREAK_BEFORE = set("/.,-_~?#%")
_BREAK_AROUND = set("=&")
#: a run of letters and digits longer than this gets break points anyway: running into the
#: margin is worse than a break Chicago does not list
_LONGEST_RUN = 24


def break_url(url: str) -> str:
    """``url`` as escaped HTML with U+200B where a line may break, and only there.

    ``https://doi.org/10.1/x-y`` becomes ``https:⁠/⁠/|doi|.⁠org|/⁠10|.⁠1|/⁠x|-⁠y`` where ``|``
    is U+200B and ``⁠`` U+2060.
    """
    scheme = _SCHEME.match(url)
    head = scheme.group(0) if scheme else ""
    out = [_join(head), ZWSP] if head.endswith("//") else [_join(head)]
    run = 0
    for index, char in enumerate(url[len(head):]):
        escaped = html.escape(char, quote=False)
        if char in _BREAK_AROUND:
            out.append(f"{ZWSP}{escaped}{ZWSP}")
            run = 0
        elif char in _BREAK_BEFORE:
            slash_pair = char == "/" and url[len(head) + index + 1:len(head) + index + 2] == "/"
            out.append(("" if index == 0 else ZWSP) + escaped + ("" if slash_pair else WJ))
            run = 0
        elif char == ":":
            out.append(escaped + ZWSP)
            run = 0
        else:
            run += 1
            if run > _LONGEST_RUN:
                out.append(ZWSP)
                run = 1
            out.append(escaped)
    return "".join(out)


def _join(scheme: str) -> str:
    """The escaped scheme with no break opportunity inside it (Unicode allows one after
    ``:`` and ``/``): "https:" / "//doi.org" and "https:/" / "/doi.org" were both seen."""
    return "".join(html.escape(c, quote=False) + (WJ if c in ":/" else "") for c in scheme)


# --- text -------------------------------------------------------------------------------------

#: one-letter prepositions and conjunctions that must not end a line, by language
_SHORT_WORDS = {
    **dict.fromkeys(("ru", "be", "kk", "bg", "sr", "mk"), "вксоуиаяВКСОУИАЯ"),
    "uk": "вксоуіаяйВКСОУІАЯЙ",
    **dict.fromkeys(("pl", "cs", "sk"), "wzioauvksWZIOAUVKS"),
}
#: a UN document symbol: A/HRC/18/57, CCPR/C/KAZ/CO/1, E/CN.4/2005/60/Add.2
_UN_SYMBOL = re.compile(r"\b[A-Z][A-Z0-9.]*(?:/[A-Za-z0-9.()-]+)+")
#: a range or a pair of numbers joined by a dash: 2010–2012, 14–18, 483-IV
_RANGE = re.compile(r"(?<=\d)([–—-])(?=[\dIVXLC])")
#: a number and its unit or sign (5 000 ₸, 12 %), a label and its number (p. 4, No. 12, § 3)
_UNIT_SPACE = re.compile(r"(?<=\d) (?=%|‰|₸|₽|€|£|km\b|kg\b|per cent|\d{3}\b"
                         r"|гг?\.|в\.|вв\.|тыс\.|млн\b|млрд\b|руб\.|тенге\b|чел\.)")
_LABEL_SPACE = re.compile(r"\b(p|pp|No|no|Art|art|para|paras|vol|ch|§|№|с|ст|п|№)(\.?) (?=\d)")


#: proper names of the region and where they may break (Pyphen gives "Kaza-khstan",
#: "Naz-arbayev"); names under 7 letters are never hyphenated (``hyphenate-limit-chars``)
NAME_BREAKS = {
    "Kazakhstan": "Kazakh-stan", "Kyrgyzstan": "Kyrgyz-stan", "Tajikistan": "Tajik-istan",
    "Uzbekistan": "Uzbek-istan", "Turkmenistan": "Turkmen-istan",
    "Afghanistan": "Afghan-istan", "Azerbaijan": "Azer-baijan", "Nazarbayev": "Nazar-bayev",
    "Tokayev": "Toka-yev", "Zhanaozen": "Zhana-ozen", "Karaganda": "Kara-ganda",
    "Shymkent": "Shym-kent", "Kazakhstani": "Kazakh-stani",
    "Казахстан": "Казах-стан", "Кыргызстан": "Кыргыз-стан", "Таджикистан": "Таджик-истан",
    "Узбекистан": "Узбек-истан", "Туркменистан": "Туркмен-истан", "Назарбаев": "Назар-баев",
    "Токаев": "То-каев", "Жанаозен": "Жана-озен", "Қазақстан": "Қазақ-стан",
}
_NAMES = re.compile(r"\b(" + "|".join(sorted(NAME_BREAKS, key=len, reverse=True)) + r")")


def refine_text(text: str, lang: str) -> str:
    """``text`` with no-break characters and soft hyphens put where a typesetter would.

    Works on plain text or on HTML-escaped text (entities have no letters, digits or slashes
    these rules look at). Adds NBSP, U+2060 and U+00AD only; never removes anything.
    """
    letters = _SHORT_WORDS.get(lang.split("-")[0].lower())
    if letters:
        short = re.compile(rf"(?<![\w\u00ad\u2060])([{letters}]) ")
        text = short.sub(lambda m: m.group(1) + NBSP, text)
    text = _UN_SYMBOL.sub(lambda m: _no_break_symbol(m.group(0)), text)
    text = _RANGE.sub(lambda m: WJ + m.group(1) + WJ, text)
    text = _UNIT_SPACE.sub(NBSP, text)
    text = _LABEL_SPACE.sub(lambda m: m.group(1) + m.group(2) + NBSP, text)
    return _NAMES.sub(lambda m: _name_breaks(m.group(1)), text)


def _no_break_symbol(symbol: str) -> str:
    if symbol.count("/") < 1 or "//" in symbol:
        return symbol
    return re.sub(r"([/.-])", lambda m: m.group(1) + WJ, symbol).rstrip(WJ)


def _name_breaks(name: str) -> str:
    """Soft hyphens at the name's own break points.

    A word holding a soft hyphen is only broken there (CSS Text 3, ``hyphens: auto``), so one
    soft hyphen replaces every Pyphen point. WeasyPrint 70 does not apply
    ``hyphenate-limit-chars`` to soft hyphens, so each point leaves 3+ letters on each side.
    """
    return SHY.join(NAME_BREAKS[name].split("-"))


# --- note calls -------------------------------------------------------------------------------

_CALL = re.compile(r'<a class="fn-call" ')


def separate_calls(body: str) -> str:
    """Put a comma between note calls that follow each other (¹⁰,¹¹).

    A call is followed by its note (``<span class="footnote">…</span>``, spans nested inside);
    when the next call comes right after that note, a raised comma goes between them.
    """
    out: list[str] = []
    position = 0
    for match in _CALL.finditer(body):
        start = match.start()
        if start < position:
            continue
        before = body[position:start]
        if out and before == "" and _ends_with_note(out[-1]):
            out.append('<span class="fn-sep">,</span>')
        out.append(before)
        end = _after_note(body, start)
        out.append(body[start:end])
        position = end
    out.append(body[position:])
    return "".join(out)


def _ends_with_note(chunk: str) -> bool:
    return chunk.endswith("</span>") and '<span class="footnote"' in chunk


def _after_note(body: str, call: int) -> int:
    """Index just past the call at ``call`` and the note span that follows it (if any)."""
    close = body.index("</a>", call) + 4
    if body.startswith('</span><span class="footnote"', close):
        close += len("</span>")  # the call closes the span that keeps it with its word
    if not body.startswith('<span class="footnote"', close):
        return close
    depth, index = 0, close
    for tag in re.finditer(r"<(/?)span\b[^>]*>", body[close:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return close + tag.end()
    return index


# --- a whole document -------------------------------------------------------------------------

_PROTECTED = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>|<a\b[^>]*>.*?</a>|<[^>]+>)", re.S)
#: a link (its attributes before and after href kept) whose text may be its address; pandoc
#: writes ``<https://…>`` as a link of class ``uri``
_LINKED_URL = re.compile(r'<a((?: [\w-]+="[^"]*")*) href="([^"]+)"([^>]*)>([^<]+)</a>')
_CLASS = re.compile(r' class="([^"]*)"')
_BARE_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]]")
_NOTE_MARK = re.compile(r'(<a class="fn-mark" href="#fnref-\d+">\d+</a>) ')


def refine_html(body: str, lang: str) -> str:
    """Every refinement of this module applied to a document's HTML.

    Text inside ``pre`` and ``code`` is left alone; links whose text is their address get
    :func:`break_url` and the ``url`` class; bare addresses in text become ``span.url``.
    """
    body = _LINKED_URL.sub(_linked_url, body)
    body = _NOTE_MARK.sub(r"\1", body)  # the mark's own box makes the gap (see briefing.css)
    body = separate_calls(body)
    pieces = _PROTECTED.split(body)
    for index in range(0, len(pieces), 2):  # even pieces are text between tags
        # a newline in a note's text is drawn as a line break by WeasyPrint: make it a space
        pieces[index] = _refine_piece(pieces[index].replace("\n", " "), lang)
    return "".join(pieces)


def _linked_url(match: re.Match[str]) -> str:
    before, href, after, text = match.groups()
    plain = html.unescape(text)
    if not _SCHEME.match(plain) and not plain.startswith("www."):
        return match.group(0)
    classes = " ".join(["url", *(m.group(1) for m in _CLASS.finditer(before + after))])
    before, after = _CLASS.sub("", before), _CLASS.sub("", after)
    return f'<a class="{classes}"{before} href="{href}"{after}>{break_url(plain)}</a>'


def _refine_piece(text: str, lang: str) -> str:
    pieces = []
    last = 0
    for match in _BARE_URL.finditer(text):
        pieces.append(refine_text(text[last:match.start()], lang))
        url = html.unescape(match.group(0))
        pieces.append(f'<span class="url">{break_url(url)}</span>')
        last = match.end()
    pieces.append(refine_text(text[last:], lang))
    return "".join(pieces)
