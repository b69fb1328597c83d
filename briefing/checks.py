"""Stages 1-3 plus every check that needs no rendering: what ``--check`` runs, and every build.

In: the config. Out: an :class:`Analysis` (sections, pandoc's reading of them, references,
style) and every problem found, errors and warnings together, each with ``path:line:col``, so
an author fixes them all in one round. Only citeproc and WeasyPrint come after this;
WeasyPrint is not imported here, so ``--check`` answers in a fraction of a second.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes

from .bibliography import Reference, parse_bibliography, unused_fields
from .charts import ChartSpec, read_specs
from .citations import Style, check_keys, resolve_style
from .config import Config
from .corrections import ALL
from .crossref import Numbering, is_label, normal, number, resolve
from .errors import BriefingError, Diagnostics
from .fonts import check_text
from .limits import MAX_IMAGE_BYTES, check_image
from .reader import Document, TargetRecord, read_document
from .sources import Section, confined, read_bytes, read_sections
from .tree import Node, children, stringify, walk
from .writer import LINK_SCHEMES

#: limits that keep a runaway input from taking the machine down
MAX_TABLE_ROWS = 2_000
MAX_TABLE_COLUMNS = 60
MAX_TABLE_CELLS = 40_000
MAX_NESTING = 12  #: lists, quotations and divs inside each other
MAX_CITATIONS = 20_000
MAX_NOTES = 10_000
#: rows of all tables together (one row costs WeasyPrint about 25 KB; 40,000 rows took 2 GB)
MAX_TABLE_ROWS_TOTAL = 5_000
#: notes in one paragraph: WeasyPrint places them all with the paragraph's lines, and its cost
#: grows faster than their number (80 notes: 4 s; 150: 10 s; 1,000: 2 minutes)
MAX_NOTES_PER_PARAGRAPH = 100
#: works cited in one paragraph (a literature review cites a few dozen)
MAX_CITED_PER_PARAGRAPH = 150
#: entries in the reference list (nocite: '@*' lists every entry of the .bib)
MAX_REFERENCES = 2_000
#: a "word" (text without a space) longer than this runs past the end of a line …
LONG_WORD = 80
#: a web address in a word: the house style breaks it (typography.break_url), not a long word
_ADDRESS = re.compile(r"(?:https?|ftp)://|www\.")
#: … and one longer than this is an error (a 1 MB word took 17 s and was cut off silently)
MAX_WORD = 2_000
#: CSL types whose notes read badly without a date
_DATED = {"book", "report", "article-journal", "thesis", "chapter", "paper-conference",
          "legislation", "legal_case", "article-newspaper", "article-magazine"}
#: identifiers briefing gives its own anchors
RESERVED_IDS = ("fn-", "fnref-", "ref-")
_PAGE_BREAKS = {r"\newpage", r"\pagebreak", r"\clearpage"}


@dataclass
class Analysis:
    config: Config
    sections: list[Section]
    document: Document
    refs: dict[str, Reference]
    style: Style | None
    blocks: list[Node]  #: the joined tree, numbered, references to labels resolved
    numbering: Numbering
    charts: list[ChartSpec]  #: checked, ready to draw


def analyse(config: Config, diags: Diagnostics, corrections: frozenset[str] = ALL) -> Analysis:
    """Read and check everything; problems go to ``diags`` (nothing raises for content)."""
    diags.items.extend(config.notes)
    sections = read_sections(config.sections)
    if config.abstract:
        line = (config.line_of("abstract") or 0) + 1  # a block (|) starts on the next line
        sections.insert(0, Section(config.path, config.abstract, line, kind="abstract"))
    document = read_document(sections)
    diags.items.extend(document.problems)
    refs = parse_bibliography(config.bibliography, config.lang, diags, corrections)
    style = None
    try:
        style = resolve_style(config)
    except BriefingError as exc:
        diags.items.extend(exc.diagnostics)
    check_keys(document.cites, refs, config, diags)
    blocks = document.joined()
    numbering = number(blocks, config.number_sections)
    _check_labels(document, numbering, refs, diags)
    if any(cite.crossref for cite in document.cites):  # else nothing to resolve: skip the walk
        resolve(blocks, numbering, config.lang, dict(config.crossref_prefixes))
    _check_metadata(document, diags)
    _check_targets(document, config, diags)
    _check_raw(document, diags)
    _check_structure(document, diags)
    _check_costs(document, sections, refs, config, style, diags)
    _check_entries(refs, document, config, diags)
    _report_unused_fields(refs, diags)
    charts = read_specs(document.charts, config.root, diags)
    diags.items.extend(d for s in sections for d in check_text(s.text, s.path, s.first_line))
    return Analysis(config, sections, document, refs, style, blocks, numbering, charts)


def _check_labels(document: Document, numbering: Numbering, refs: dict[str, Reference],
                  diags: Diagnostics) -> None:
    """Every ``@fig:…``, ``@tbl:…``, ``@sec:…`` names a figure, table or section."""
    for cite in document.cites:
        if not cite.crossref:
            continue
        for key, place in zip(cite.keys, cite.places, strict=True):
            if not is_label(key):
                diags.error(f"'{key}' is a source and the rest of this citation are figures, "
                            "tables or sections; cite them apart", place.path, place.line,
                            place.col)
            elif normal(key) not in numbering.labels:
                kinds = {"fig": "figure", "tbl": "table", "sec": "section"}
                close = [k for k in numbering.labels if k.split(":")[0] == normal(key)[:3]]
                hint = f" (there are: {', '.join(close[:5])})" if close else ""
                diags.error(f"unknown label '{key}': no {kinds[normal(key)[:3]]} has the id "
                            f"'{normal(key)}'{hint}", place.path, place.line, place.col)
    for key in refs:
        if is_label(key):
            ref = refs[key]
            diags.error(f"'{key}' looks like a reference to a figure, table or section "
                        "(fig:, tbl:, sec:); rename the entry", ref.path, ref.line)
    for ident in numbering.duplicates:
        where = next((p for i, p in document.duplicate_ids if i == ident),
                     document.identifiers.get(ident))
        diags.error(f"the label '{ident}' is given twice; make each label unique",
                    where.path if where else None, where.line if where else None)


def _check_metadata(document: Document, diags: Diagnostics) -> None:
    for section in document.sections:
        if section.meta and section.kind == "section":
            keys = ", ".join(sorted(section.meta))
            diags.warning(f"the YAML block at the top of this section is not used ({keys}); "
                          "put these keys in report.yaml", section.path, 1)


def _check_targets(document: Document, config: Config, diags: Diagnostics) -> None:
    for target in document.targets:
        if target.kind == "image":
            _check_image(target, config, diags)
        else:
            _check_link(target, document, diags)


def _check_link(target: TargetRecord, document: Document, diags: Diagnostics) -> None:
    url, place = target.target, target.place
    if url.startswith("#"):
        if url[1:] not in document.identifiers and url[1:] != "refs" \
                and not url.startswith("#ref-"):
            diags.warning(f"link to '{url}' goes nowhere: no heading or element has the id "
                          f"'{url[1:]}'", place.path, place.line, place.col)
        return
    scheme = url.split(":", 1)[0].lower() if re.match(r"^[A-Za-z][\w+.-]*:", url) else ""
    if scheme not in LINK_SCHEMES:
        what = f"'{scheme}:' links" if scheme else "links to files"
        diags.error(f"link to '{url[:80]}' is not allowed: {what} can open programs or "
                    f"files on a reader's machine; use {', '.join(LINK_SCHEMES)} or #heading-id",
                    place.path, place.line, place.col)


def _check_image(target: TargetRecord, config: Config, diags: Diagnostics) -> None:
    src, place = target.target, target.place

    def error(message: str) -> None:
        diags.error(message, place.path, place.line, place.col)

    if not target.text.strip():
        diags.warning(f"image '{src[:60]}' has no alt text: describe it in ![…] for readers "
                      "of the PDF on screen", place.path, place.line, place.col)
    if src.startswith("data:"):
        data_problem = _check_data_url(src)
        if data_problem:
            error(f"image '{src[:30]}…' {data_problem}")
        return
    if re.match(r"^[A-Za-z][\w+.-]*:", src):
        error(f"image '{src[:80]}' is not a file of the report: briefing never fetches from "
              "the network; save it in the report folder")
        return
    try:
        path = confined(place.path.parent, src, config.root)
    except BriefingError as exc:
        error(f"image '{src[:80]}' {exc.diagnostics[0].message}")
        return
    try:
        size = path.stat().st_size if path.is_file() else -1
        exists = size >= 0 or path.exists()
    except OSError as exc:  # a name too long, a folder that cannot be searched
        error(f"image '{src[:80]}' cannot be read ({exc.strerror}); rename it")
        return
    if not exists:
        error(f"image '{src}' not found (looked in {place.path.parent})")
        return
    if size > MAX_IMAGE_BYTES:
        error(f"image '{src}' is {size // 2**20} MB; the limit is "
              f"{MAX_IMAGE_BYTES // 2**20} MB: save it smaller (150 dpi is plenty)")
        return
    found = Diagnostics()
    data = read_bytes(path, MAX_IMAGE_BYTES, found, what="image")
    if data is None:
        error(f"image '{src}': {found.items[0].message}")
        return
    problem = check_image(data)
    if problem is not None:
        error(f"image '{src[:80]}' {problem.message}")


def _check_data_url(url: str) -> str | None:
    """Why a ``data:`` image is refused (too large, too many pixels), or None."""
    header, _, payload = url.partition(",")
    if len(payload) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        return f"is larger than {MAX_IMAGE_BYTES // 2**20} MB; save it as a file, smaller"
    try:
        data = (base64.b64decode(payload, validate=False) if header.endswith(";base64")
                else unquote_to_bytes(payload))
    except ValueError:
        return None  # WeasyPrint cannot read it either, and says so
    problem = check_image(data)
    return problem.message if problem else None


def _check_raw(document: Document, diags: Diagnostics) -> None:
    for raw in document.raws:
        place = raw.place
        if raw.format == "html":
            diags.warning("raw HTML is not rendered; it is printed as text (write Markdown "
                          "instead)", place.path, place.line, place.col)
        elif raw.format in ("tex", "latex") and raw.text.strip() in _PAGE_BREAKS:
            continue
        elif raw.format not in ("briefing-html",):
            diags.warning(f"raw {raw.format} ('{raw.text.strip().splitlines()[0][:30]}') means "
                          "nothing in a "
                          "PDF made from HTML and is left out", place.path, place.line,
                          place.col)


def _check_structure(document: Document, diags: Diagnostics) -> None:
    if document.max_depth > MAX_NESTING and document.max_depth_place:
        place = document.max_depth_place
        diags.error(f"lists, quotations or divs nested more than {MAX_NESTING} levels deep; "
                    "flatten them", place.path, place.line)
    for block in document.blocks:
        if block.kind != "table":
            continue
        place = block.place
        if block.rows > MAX_TABLE_ROWS:
            diags.error(f"table with {block.rows} rows (more than {MAX_TABLE_ROWS}); split it "
                        "or summarise it", place.path, place.line)
        elif block.columns > MAX_TABLE_COLUMNS or block.rows * block.columns > MAX_TABLE_CELLS:
            diags.error(f"table with {block.columns} columns: it cannot fit a page; split it "
                        "or turn it around", place.path, place.line)
    for ident, place in document.identifiers.items():
        if ident.startswith(RESERVED_IDS):
            diags.error(f"the id '{ident}' starts like briefing's own note and reference "
                        f"anchors ({', '.join(RESERVED_IDS)}); rename it", place.path,
                        place.line)
    for ident, place in document.duplicate_ids:
        if is_label(ident):
            continue  # an error of its own (_check_labels)
        diags.warning(f"the id '{ident}' is used twice; links to it go to the first",
                      place.path, place.line)
    if len(document.cites) > MAX_CITATIONS or len(document.notes) > MAX_NOTES:
        diags.error(f"{len(document.cites)} citations and {len(document.notes)} notes: more "
                    "than a briefing can hold", document.sections[0].path, 1)


def _check_costs(document: Document, sections: list[Section], refs: dict[str, Reference],
                 config: Config, style: Style | None, diags: Diagnostics) -> None:
    """What makes layout slow or large beyond a briefing's needs: table rows in all, notes
    and citations in one paragraph, the reference list's length, words longer than a line."""
    texts = {s.path: s.text for s in sections}
    rows = sum(b.rows for b in document.blocks  # a table over the limit is reported alone
               if b.kind == "table" and b.rows <= MAX_TABLE_ROWS)
    if rows > MAX_TABLE_ROWS_TOTAL:
        first = next(b for b in document.blocks if b.kind == "table")
        diags.error(f"the tables hold {rows:,} rows in all; the limit is "
                    f"{MAX_TABLE_ROWS_TOTAL:,}: put long data in an annex file or a link",
                    first.place.path, first.place.line)
    note_style = style is None or style.is_note
    for section in document.sections:
        for block in walk(section.blocks, skip=lambda n: n["t"] in ("Note", "Para", "Plain")):
            if block["t"] in ("Para", "Plain"):
                _check_paragraph(block, section.path, texts.get(section.path, ""),
                                 note_style, diags)
    listed = len(refs) if "*" in config.nocite else len(
        {k for c in document.cites for k in c.keys} | set(config.nocite))
    if listed > MAX_REFERENCES and not config.suppress_bibliography:
        diags.error(f"the reference list would hold {listed:,} entries; the limit is "
                    f"{MAX_REFERENCES:,}: list fewer under nocite (nocite: '@*' lists every "
                    "entry of the bibliography)", config.path,
                    config.line_of("nocite") or 1)


def _check_paragraph(block: Node, path: Path, text: str, note_style: bool,
                     diags: Diagnostics) -> None:
    notes = cited = 0
    long_word = ""
    # (node, inside one of the author's notes, inside a link): a citation in a note makes no
    # note of its own; a long address linked inside a note wraps (the house style breaks it)
    stack: list[tuple[Node, bool, bool]] = [(n, False, False) for n in block["c"]]
    while stack:
        node, in_note, in_link = stack.pop()
        kind = node["t"]
        if kind in ("Code", "Math"):
            continue
        if kind == "Cite":
            cited += len(node["c"][0])
            notes += note_style and not in_note
        elif kind == "Note":
            notes += 1
        elif kind == "Str" and len(node["c"]) > max(LONG_WORD, len(long_word)) \
                and not (in_link and in_note) \
                and (len(node["c"]) > MAX_WORD or not _ADDRESS.search(node["c"])):
            long_word = node["c"]  # (a web address is broken where Chicago allows)
        stack.extend((child, in_note or kind == "Note", in_link or kind == "Link")
                     for child in children(node))
    if notes > MAX_NOTES_PER_PARAGRAPH or cited > MAX_CITED_PER_PARAGRAPH:
        line = _line_of(text, stringify([block])[:40])
        if notes > MAX_NOTES_PER_PARAGRAPH:
            diags.error(f"{notes} notes in one paragraph; the limit is "
                        f"{MAX_NOTES_PER_PARAGRAPH}: split the paragraph or cite several "
                        "works in one note ([@a; @b])", path, line)
        if cited > MAX_CITED_PER_PARAGRAPH:
            diags.error(f"{cited} citations in one paragraph; the limit is "
                        f"{MAX_CITED_PER_PARAGRAPH}: split the paragraph", path, line)
    if len(long_word) > MAX_WORD:
        diags.error(f"a 'word' of {len(long_word):,} characters without a space; it cannot be "
                    "broken across lines or pages: add spaces or shorten it", path,
                    _line_of(text, long_word[:40]))
    elif long_word:
        diags.warning(f"'{long_word[:30]}…' is a word of {len(long_word)} characters without a "
                      "space: it runs past the end of its line (or out of its table cell); "
                      "shorten it, or make a long address a link with a short text",
                      path, _line_of(text, long_word[:40]))


def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle) if needle else -1
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def _check_entries(refs: dict[str, Reference], document: Document, config: Config,
                   diags: Diagnostics) -> None:
    cited = {key for cite in document.cites for key in cite.keys} | set(config.nocite)
    for ref in refs.values():
        kind = ref.csl_type
        if not ref.has("title"):
            diags.warning(f"'{ref.key}' has no title: its notes will start with the next "
                          "field; add title = {…}", ref.path, ref.line)
        if kind in _DATED and not ref.has("issued"):
            diags.warning(f"'{ref.key}' ({kind.replace('-', ' ')}) has no date: its notes "
                          "will say 'n.d.'; add date = {YYYY-MM-DD} or year = {YYYY}",
                          ref.path, ref.line)
        if ref.key not in cited and "*" not in config.nocite and not document.skipped:
            diags.warning(f"'{ref.key}' is never cited, so it is not in the sources; cite it "
                          "or list it under nocite in report.yaml", ref.path, ref.line)


def _report_unused_fields(refs: dict[str, Reference], diags: Diagnostics) -> None:
    """Fields nobody prints and no export tool explains: one note per file, never noise."""
    by_file: dict[Path, dict[str, int]] = {}
    first: dict[Path, int] = {}
    for ref in refs.values():
        for name in unused_fields(ref):
            counts = by_file.setdefault(ref.path, {})
            counts[name] = counts.get(name, 0) + 1
            first[ref.path] = min(first.get(ref.path, ref.line), ref.line)
    for path, counts in by_file.items():
        listed = ", ".join(f"{name} ({n})" for name, n in sorted(counts.items()))
        diags.note(f"fields pandoc does not print are left out: {listed}", path, first[path])


def check(source: Path, root: Path | None = None) -> Diagnostics:
    """Everything ``--check`` reports for SOURCE, without rendering."""
    from .config import load_config

    diags = Diagnostics()
    try:
        analyse(load_config(source, root), diags)
    except BriefingError as exc:
        diags.items.extend(exc.diagnostics)
    return diags
