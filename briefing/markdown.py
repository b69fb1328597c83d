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
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
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


def parse_sections(sections: list[Section], lang: str) -> MarkdownResult:
    """Parse all sections as one document; return HTML with markers and the records."""
    md = make_parser(lang)
    text, linemap = _concatenate(sections)
    env: dict[str, Any] = {"cites": []}
    tokens = md.parse(text, env)
    _locate_citations(tokens, env, linemap)
    body, notes = _split_footnotes(tokens)
    result = MarkdownResult(html="")
    state = _RenderState(linemap=linemap, env=env, result=result)
    _install_renderers(md, state)
    result.html = _captions(md.renderer.render(body, md.options, env))
    for fid, (note_tokens, line) in notes.items():
        path, fline = env.get("note_where", {}).get(fid) or linemap.locate(line)
        note_html = _inline_blocks(md.renderer.render(note_tokens, md.options, env))
        result.footnotes[fid] = Footnote(id=fid, html=note_html, path=path, line=fline)
    _order(result, env["cites"])
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
    if end < 0 or state.src[end + 1:end + 2] in ("(", "["):
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
    cites.append({"items": items, "line": None})


def _locate_citations(tokens: list[Token], env: dict[str, Any], linemap: _LineMap) -> None:
    """Give each citation the file and line it was written on."""
    last = 0
    inline_notes = env.get("footnotes", {}).get("list", {})

    def visit(children: list[Token], base: int) -> None:
        for child in children:
            line0 = base + child.meta.get("src", "").count("\n", 0, child.meta.get("offset", 0))
            if child.type == "citation":
                env["cites"][child.meta["id"]].setdefault("where", linemap.locate(line0))
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
    env: dict[str, Any]
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
                                    footnote=in_note.get(cid)))
    result.citations = records
