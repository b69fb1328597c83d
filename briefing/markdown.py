"""Stage 3: Markdown sections -> HTML with citation and footnote markers.

In: the sections (read as one document, as pandoc reads several input files). Out: a
:class:`MarkdownResult` with each section's HTML, the citations and author footnotes as typed
records in document order, and the headings. The HTML still holds markers
(``\\ue000C7\\ue001`` for citation 7, ``\\ue000F2\\ue001`` for author footnote 2): the citation
stage formats the citations and numbers the notes, then ``notes.assemble`` fills the markers in.

Parsing is markdown-it-py (CommonMark + GFM tables + pandoc footnotes from mdit-py-plugins) with
raw HTML off; the pandoc citation syntax is one inline rule of ours, ``_citation_rule``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import footnote_inline

from .errors import Diagnostic
from .sources import Section

MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
MARKER_RE = re.compile("\ue000([CF])(\\d+)\ue001")

# pandoc: a key starts with a letter, digit or _, and may hold internal :.#$%&-+?<>~/
_KEY = r"(?:\{[^{}]+\}|[\w](?:[\w:.#$%&\-+?<>~/]*[\w])?)"
_ITEM_RE = re.compile(rf"^(?P<pre>.*?)(?:(?<=\s)|^)(?P<minus>-?)@(?P<key>{_KEY})(?P<suf>.*)$",
                      re.S)
_INTEXT_RE = re.compile(rf"@(?P<key>{_KEY})")

#: quotation marks by language: primary open/close, secondary open/close
QUOTES = {
    "en": "“”‘’", "ru": "«»„“", "uk": "«»„“", "kk": "«»„“", "be": "«»„“", "de": "„“‚‘",
    "fr": ["«\u00a0", "\u00a0»", "“", "”"], "nl": "“”‘’", "es": "«»“”", "it": "«»“”",
    "pl": "„”«»", "cs": "„“‚‘", "sv": "””’’", "fi": "””’’", "da": "»«›‹", "no": "«»‘’",
    "pt": "«»“”", "tr": "“”‘’", "ky": "«»„“", "uz": "«»„“", "tg": "«»„“", "hy": "«»„“",
}


@dataclass(frozen=True)
class CiteItem:
    """One work cited inside a citation: ``[see @key, 12]``."""

    key: str
    prefix: str = ""  #: text before the key ("see")
    suffix: str = ""  #: text after it, locator included (", 12")
    suppress_author: bool = False  #: ``-@key``
    author_in_text: bool = False  #: ``@key`` without brackets


@dataclass(frozen=True)
class Citation:
    """A citation as written: one note's worth of works in a note style."""

    id: int
    items: tuple[CiteItem, ...]
    path: Path
    line: int
    footnote: int | None = None  #: id of the author footnote it sits in, if any
    col: int | None = None  #: column of the citation's first character, when known


@dataclass(frozen=True)
class Footnote:
    """An author footnote (``^[…]`` or ``[^label]``), its HTML still holding citation markers."""

    id: int
    html: str
    path: Path
    line: int


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  #: plain text: no note calls, no markup
    id: str
    path: Path
    line: int


@dataclass
class MarkdownResult:
    html: str  #: the body, every section in order, with markers
    citations: list[Citation] = field(default_factory=list)  #: document order
    footnotes: dict[int, Footnote] = field(default_factory=dict)
    order: list[tuple[str, int]] = field(default_factory=list)  #: ("C"|"F", id) in body order
    headings: list[Heading] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)  #: found while parsing


#: limits that keep a runaway input from taking the machine down
MAX_TABLE_ROWS = 2_000
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_NESTING = 12  #: lists and quotations; markdown-it silently drops text beyond 20
LINK_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class _LineMap:
    """Maps a line of the concatenated text back to its section file."""

    starts: list[tuple[int, Section]]

    def locate(self, line0: int) -> tuple[Path, int]:
        for start, section in reversed(self.starts):
            if line0 >= start:
                return section.path, line0 - start + section.first_line
        section = self.starts[0][1]
        return section.path, section.first_line


def make_parser(lang: str) -> MarkdownIt:
    """markdown-it configured like pandoc's Markdown, as far as briefings need."""
    # html on only so raw HTML becomes tokens we can report; it is rendered as escaped text
    md = MarkdownIt("commonmark", {"html": True, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.use(footnote_plugin)
    md.inline.ruler.at("footnote_inline", _located_inline_footnote)
    md.options["quotes"] = _quotes_for(lang)
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.inline.ruler.push("intext_citation", _intext_rule)
    return md


def _located_inline_footnote(state: StateInline, silent: bool) -> bool:
    """The plugin's ``^[…]`` rule, remembering where the note starts (for line numbers)."""
    pos = state.pos
    found: bool = footnote_inline(state, silent)
    if found and not silent:
        state.tokens[-1].meta.update(offset=pos, src=state.src)
    return found


def _quotes_for(lang: str) -> Any:
    return QUOTES.get(lang.split("-")[0].lower(), QUOTES["en"])


def parse_sections(sections: list[Section], lang: str,
                   base: Path | None = None) -> MarkdownResult:
    """Parse all sections as one document; return HTML with markers and the records.

    ``base`` is the folder relative images resolve against (the report folder); problems
    (missing images, raw HTML, unknown footnote labels, …) are in ``result.problems``.
    """
    md = make_parser(lang)
    rejected: list[str] = []
    validate = md.validateLink
    md.validateLink = lambda url: validate(url) or bool(rejected.append(url))  # type: ignore
    text, linemap = _concatenate(sections)
    env: dict[str, Any] = {"cites": []}
    tokens = md.parse(text, env)
    _locate_citations(tokens, env, linemap)
    body, notes = _split_footnotes(tokens)
    result = MarkdownResult(html="")
    state = _RenderState(linemap=linemap, result=result)
    _install_renderers(md, state)
    result.html = _captions(md.renderer.render(body, md.options, env))
    for fid, (note_tokens, line) in notes.items():
        path, fline = env.get("note_where", {}).get(fid) or linemap.locate(line)
        note_html = _inline_blocks(md.renderer.render(note_tokens, md.options, env))
        result.footnotes[fid] = Footnote(id=fid, html=note_html, path=path, line=fline)
    _order(result, env["cites"])
    result.problems = _problems(tokens, env, linemap, text, base, rejected)
    return result


def _concatenate(sections: list[Section]) -> tuple[str, _LineMap]:
    parts, starts, line = [], [], 0
    for section in sections:
        starts.append((line, section))
        parts.append(section.text.rstrip("\n") + "\n\n")
        line += parts[-1].count("\n")
    return "".join(parts), _LineMap(starts)


# --- citation syntax --------------------------------------------------------------------------

def _citation_rule(state: StateInline, silent: bool) -> bool:
    """``[see @a, 12; -@b]``: a bracketed citation, one or more items separated by ';'."""
    if state.src[state.pos] != "[" or state.src.startswith("[^", state.pos):
        return False
    end = state.md.helpers.parseLinkLabel(state, state.pos, False)
    if end < 0 or state.src[end + 1:end + 2] == "(":
        return False
    items = _parse_items(state.src[state.pos + 1:end])
    if not items:
        return False
    if not silent:
        _push_citation(state, tuple(items))
    state.pos = end + 1
    return True


def _intext_rule(state: StateInline, silent: bool) -> bool:
    """``@key`` or ``@key [p. 3]`` in running text (author named in the sentence)."""
    pos = state.pos
    if state.src[pos] != "@" or (pos > 0 and (state.src[pos - 1].isalnum()
                                              or state.src[pos - 1] in "_@")):
        return False
    match = _INTEXT_RE.match(state.src, pos)
    if not match:
        return False
    end = match.end()
    suffix = ""
    bracket = re.match(r" ?\[([^\]\[@]*)\]", state.src[end:])
    if bracket and not state.src[end + bracket.end():].startswith("("):
        suffix = bracket.group(1).strip()
        suffix = suffix if suffix.startswith(",") else ", " + suffix
        end += bracket.end()
    if not silent:
        key = _unbrace(match.group("key"))
        _push_citation(state, (CiteItem(key=key, suffix=suffix, author_in_text=True),))
    state.pos = end
    return True


def _parse_items(content: str) -> list[CiteItem] | None:
    items = []
    for part in content.split(";"):
        match = _ITEM_RE.match(part.strip())
        if not match:
            return None
        items.append(CiteItem(key=_unbrace(match.group("key")),
                              prefix=_clean(match.group("pre")),
                              suffix=_clean(match.group("suf"), keep_lead=True),
                              suppress_author=bool(match.group("minus"))))
    return items


def _unbrace(key: str) -> str:
    return key[1:-1] if key.startswith("{") else key


def _clean(text: str, keep_lead: bool = False) -> str:
    text = re.sub(r"\s+", " ", text)
    return text.rstrip() if keep_lead else text.strip()


def _push_citation(state: StateInline, items: tuple[CiteItem, ...]) -> None:
    cites: list[dict[str, Any]] = state.env.setdefault("cites", [])
    token = state.push("citation", "", 0)
    token.meta = {"id": len(cites), "offset": state.pos, "src": state.src}
    # the rule runs before state.pos moves past the citation: offset is where it starts
    cites.append({"items": items, "line": None})


def _locate_citations(tokens: list[Token], env: dict[str, Any], linemap: _LineMap) -> None:
    """Give each citation the file and line it was written on."""
    last = 0
    inline_notes = env.get("footnotes", {}).get("list", {})

    def visit(children: list[Token], base: int) -> None:
        for child in children:
            line0 = base + child.meta.get("src", "").count("\n", 0, child.meta.get("offset", 0))
            if child.type == "citation":
                src, offset = child.meta["src"], child.meta["offset"]
                col = offset - src.rfind("\n", 0, offset)
                env["cites"][child.meta["id"]].setdefault("where", linemap.locate(line0))
                env["cites"][child.meta["id"]].setdefault("col", col)
            elif child.type == "footnote_ref" and "tokens" in inline_notes.get(
                    child.meta["id"], {}):
                env.setdefault("note_where", {})[child.meta["id"]] = linemap.locate(line0)
                visit(inline_notes[child.meta["id"]]["tokens"], line0)
            if child.children:
                visit(child.children, base)

    for token in tokens:
        if token.map:
            last = token.map[0]
        if token.children:
            visit(token.children, last)
    for cite in env["cites"]:
        cite.setdefault("where", linemap.locate(0))


# --- footnotes --------------------------------------------------------------------------------

def _split_footnotes(tokens: list[Token]) -> tuple[list[Token], dict[int, tuple[list[Token], int]]]:
    """Body tokens, and each footnote's content tokens (the plugin appends them at the end)."""
    body: list[Token] = []
    notes: dict[int, tuple[list[Token], int]] = {}
    current: list[Token] | None = None
    for token in tokens:
        if token.type == "footnote_block_open" or token.type == "footnote_block_close":
            continue
        if token.type == "footnote_open":
            current = []
            notes[token.meta["id"]] = (current, 0)
            continue
        if token.type == "footnote_close":
            current = None
            continue
        if token.type == "footnote_anchor":
            continue
        if current is None:
            body.append(token)
        else:
            current.append(token)
    for fid, (content, _) in list(notes.items()):
        line = next((t.map[0] for t in content if t.map), 0)
        notes[fid] = (content, line)
    return body, notes


_BLOCK_TAGS = re.compile(r"<(/?)(p|ul|ol|li|blockquote|pre|h[1-6])(\s[^>]*)?>")


def _inline_blocks(note_html: str) -> str:
    """A footnote is an inline ``<span>`` in its paragraph: turn its blocks into spans."""
    note_html = note_html.strip()
    if note_html.startswith("<p>") and note_html.count("<p>") == 1 and note_html.endswith("</p>"):
        return note_html[3:-4]
    return _BLOCK_TAGS.sub(lambda m: f"<{m.group(1)}span" + (
        "" if m.group(1) else f' class="fn-{m.group(2)}"') + ">", note_html).replace("\n", "")


# --- rendering --------------------------------------------------------------------------------

@dataclass
class _RenderState:
    linemap: _LineMap
    result: MarkdownResult
    slugs: set[str] = field(default_factory=set)


def _install_renderers(md: MarkdownIt, state: _RenderState) -> None:
    def citation(_r: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        return f"{MARK_OPEN}C{tokens[idx].meta['id']}{MARK_CLOSE}"

    def footnote_ref(_r: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        return f"{MARK_OPEN}F{tokens[idx].meta['id']}{MARK_CLOSE}"

    def heading_open(_r: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        level = int(token.tag[1])
        text = _plain(tokens[idx + 1].children or [])
        slug = _unique_slug(text, state.slugs)
        path, line = state.linemap.locate(token.map[0] if token.map else 0)
        state.result.headings.append(Heading(level, text, slug, path, line))
        return (f'<{token.tag} id="{slug}" data-title="{html.escape(text)}">')

    md.add_render_rule("citation", citation)
    md.add_render_rule("footnote_ref", footnote_ref)
    md.add_render_rule("heading_open", heading_open)
    md.add_render_rule("html_inline", lambda _r, t, i, o, e: html.escape(t[i].content))
    md.add_render_rule("html_block", lambda _r, t, i, o, e: f"<p>{html.escape(t[i].content)}</p>")
    md.add_render_rule("table_open", lambda *a: '<div class="table-wrap"><table>\n')
    md.add_render_rule("table_close", lambda *a: "</table></div>\n")


_CAPTION_RE = re.compile(r'<div class="table-wrap"><table>\n(.*?)</table></div>\n'
                         r'<p>Table: (.*?)</p>', re.S)


def _captions(body: str) -> str:
    """pandoc's ``Table: caption`` paragraph after a table becomes the table's caption."""
    return _CAPTION_RE.sub(lambda m: '<div class="table-wrap"><table>\n<caption>'
                           f"{m.group(2)}</caption>\n{m.group(1)}</table></div>\n", body)


def _plain(children: list[Token]) -> str:
    out = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.children:
            out.append(_plain(child.children))
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _unique_slug(text: str, taken: set[str]) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "section"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _order(result: MarkdownResult, cites: list[dict[str, Any]]) -> None:
    """Citation records in document order; a citation in a footnote follows the note's call."""
    in_note: dict[int, int] = {}
    for fid, note in result.footnotes.items():
        for kind, ident in MARKER_RE.findall(note.html):
            if kind == "C":
                in_note[int(ident)] = fid
    records = []
    for kind, ident in MARKER_RE.findall(result.html):
        result.order.append((kind, int(ident)))
        ids = [int(ident)] if kind == "C" else [
            int(i) for k, i in MARKER_RE.findall(result.footnotes[int(ident)].html) if k == "C"]
        for cid in ids:
            path, line = cites[cid]["where"]
            records.append(Citation(id=cid, items=cites[cid]["items"], path=path, line=line,
                                    footnote=in_note.get(cid), col=cites[cid].get("col")))
    result.citations = records


# --- problems a reader would notice -----------------------------------------------------------

_UNDEFINED_NOTE_RE = re.compile(r"\[\^([^\]\s]+)\]")
_OPEN_BRACKET_RE = re.compile(r"\[[^\]]*$")


def _problems(tokens: list[Token], env: dict[str, Any], linemap: _LineMap, text: str,
              base: Path | None, rejected: list[str]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    lines = text.split("\n")

    def add(severity: str, message: str, line0: int, needle: str = "") -> None:
        path, line = linemap.locate(line0)
        col = lines[line0].find(needle) + 1 if needle and 0 <= line0 < len(lines) else 0
        out.append(Diagnostic(severity, message, path, line, col or None))

    def line_of(needle: str) -> int:
        return next((n for n, ln in enumerate(lines) if needle in ln), 0)

    current = 0
    rows = 0
    for token in tokens:
        if token.map:
            current = token.map[0]
        if token.level >= MAX_NESTING:
            add("error", f"lists or quotations nested more than {MAX_NESTING} levels deep; "
                         "flatten them", current)
            break
        if token.type == "html_block":
            add("warning", "raw HTML is not rendered; it is printed as text (write Markdown "
                           "instead)", current, token.content.strip()[:10])
        elif token.type == "tbody_open":
            rows = 0
        elif token.type == "tr_open":
            rows += 1
            if rows == MAX_TABLE_ROWS + 1:
                add("error", f"table with more than {MAX_TABLE_ROWS} rows; split it or "
                             "summarise it (a briefing's reader cannot use it either)", current)
        children = token.children or []
        for n, child in enumerate(children):
            _inline_problems(child, current, add, base)
            following = children[n + 1] if n + 1 < len(children) else None
            if (child.type == "text" and following is not None
                    and following.type == "citation" and _OPEN_BRACKET_RE.search(child.content)):
                add("error", "citation bracket is not closed: add ']' after the citation",
                    current, child.content[child.content.rfind("["):][:12])
    for label, ident in env.get("footnotes", {}).get("refs", {}).items():
        if ident == -1:
            needle = f"[^{label[1:]}]:"
            add("warning", f"footnote '{label[1:]}' is defined but never used", line_of(needle),
                needle)
    for url in dict.fromkeys(rejected):
        add("error", f"link to '{url}' is not allowed: links may use "
                     f"{', '.join(LINK_SCHEMES)} or point within the briefing (#…)",
            line_of(url), url)
    return out


def _inline_problems(child: Token, line0: int, add: Any, base: Path | None) -> None:
    if child.type == "html_inline":
        add("warning", "raw HTML is not rendered; it is printed as text (write Markdown "
                       "instead)", line0, child.content)
    elif child.type == "text":
        for match in _UNDEFINED_NOTE_RE.finditer(child.content):
            add("error", f"footnote '{match.group(1)}' is used but never defined; add "
                         f"'[^{match.group(1)}]: …' or remove the mark", line0, match.group(0))
    elif child.type == "link_open":
        href = str(child.attrs.get("href", ""))
        scheme = href.split(":", 1)[0].lower() if ":" in href else ""
        if not href.startswith("#") and scheme not in LINK_SCHEMES:
            add("warning", f"link to '{href}' will not work in a PDF: use an http(s) or "
                           "mailto address, or #heading-id", line0, href)
    elif child.type == "image":
        _image_problems(child, line0, add, base)


def _image_problems(child: Token, line0: int, add: Any, base: Path | None) -> None:
    src = str(child.attrs.get("src", ""))
    if not child.content.strip():
        add("warning", f"image '{src}' has no alt text: describe it in ![…] for readers of "
                       "the PDF on screen", line0, src)
    if src.startswith("data:"):
        return
    if ":" in src.split("/", 1)[0]:
        add("error", f"image '{src}' is not a file of the report: briefing never fetches from "
                     "the network; save it in the report folder", line0, src)
        return
    if base is None:
        return
    path = (base / src).resolve()
    if not path.is_relative_to(base.resolve()):
        add("error", f"image '{src}' is outside the report folder; copy it into {base}",
            line0, src)
    elif not path.is_file():
        add("error", f"image '{src}' not found (looked in {base})", line0, src)
    elif path.stat().st_size > MAX_IMAGE_BYTES:
        add("error", f"image '{src}' is {path.stat().st_size // 2**20} MB; the limit is "
                     f"{MAX_IMAGE_BYTES // 2**20} MB: save it smaller (150 dpi is plenty)",
            line0, src)
