"""Stage 3: BibTeX / biblatex files -> :class:`Reference` records, read by pandoc.

pandoc reads each .bib with its own biblatex reader (``pandoc --from=biblatex``, the reader
``pandoc --citeproc --bibliography x.bib`` uses), in the briefing's language as citeproc would,
so every entry means what it means to a pandoc user. bibtexparser reads the same files for what
pandoc does not say: where each entry starts, broken entries, duplicate keys and fields,
undefined ``@string`` macros. Where pandoc is measurably wrong on real-world exports, this stage
corrects its reading; each correction is named with its reason in ``corrections.py``, can be
switched off (the differential tests do, to compare with pandoc itself), and is recorded on
the entries it changed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from bibtexparser import middlewares
from bibtexparser.entrypoint import parse_string
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry

from . import cache, pandoc
from .corrections import ALL
from .errors import Diagnostics, EngineError
from .pandoc import TooCostly
from .sources import read_text
from .tree import Node

#: a bibliography larger than this is not one briefing's (a 100,000-entry file took 7 GB;
#: pandoc reads 10,000 entries in 3.5 s and 0.3 GB, 20,000 in 7 s and 0.55 GB)
MAX_ENTRIES = 10_000
MAX_BIB_BYTES = 20 * 1024 * 1024
#: braces inside braces in one field (a title needs two or three levels)
MAX_BRACE_DEPTH = 64
_ENTRY_START = re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(]", re.M)
#: an entry's key where the entry starts (for the keys of entries that could not be read)
_ENTRY_KEY = re.compile(r"^[ \t]*@(?!string|preamble|comment)[A-Za-z]+[ \t]*[{(][ \t]*"
                        r"([^,\s{}()]+)[ \t]*,", re.M | re.I)
#: pandoc stops at a file's first error: the broken entry is set aside and the file read again,
#: at most this many times (each is one pandoc run)
MAX_BROKEN_ENTRIES = 20
# bibtexparser logs each broken block on stderr itself; we report them with their lines
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

#: fields export tools add for their own bookkeeping: read by nobody, reported to nobody
BOOKKEEPING = {
    "file", "timestamp", "owner", "groups", "comment", "comments", "biburl", "bibsource",
    "ranking", "priority", "readstatus", "qualityassured", "creationdate",
    "modificationdate", "mendeley-tags", "mendeley-groups", "copyright", "abstract",
    "keywords", "annote", "annotation", "note", "langidopts", "shorttitle", "urldate",
    "eprintclass", "primaryclass", "publisher-place", "howpublished", "archiveprefix",
    "crossref", "xdata", "ids", "options", "entrysubtype", "editortype", "language",
    "address", "location", "date", "year", "month", "day", "pmid", "pmcid", "library",
}
#: fields pandoc's biblatex reader uses (Citeproc/BibTeX.hs), beside the ones above
READ_BY_PANDOC = {
    "addendum", "author", "bookauthor", "booksubtitle", "booktitle", "booktitleaddon",
    "chapter", "director", "doi", "edition", "editor", "eprint", "eprinttype", "event",
    "eventdate", "eventtitle", "hyphenation", "institution", "isbn", "issn", "issue",
    "issuesubtitle", "issuetitle", "journal", "journalsubtitle", "journaltitle", "langid",
    "mainsubtitle", "maintitle", "maintitleaddon", "number", "organization", "orig",
    "origdate", "origlocation", "origpublisher", "origtitle", "pages", "pagetotal", "part",
    "publisher", "pubstate", "school", "series", "shortjournal", "subtitle", "title",
    "titleaddon", "translator", "type", "url", "venue", "version", "volume", "volumes",
    "endyear", "endmonth", "endday", "urlyear", "urlmonth", "urlday", "eventyear",
    "origyear",
}
_LIST_FIELDS = ("school", "institution", "organization", "publisher", "location", "address")
_LEGAL_TYPES = {"legislation", "legal_case", "treaty", "regulation", "bill"}
_LEGAL_ENTRY_TYPES = {"legislation", "legal", "jurisdiction", "standard"}
_TITLE_FIELDS = ("title", "subtitle", "titleaddon", "shorttitle")
_PUBLISHER_FIELDS = ("school", "institution", "organization", "howpublished", "publisher")
_MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
#: language names and codes as Zotero writes them -> biblatex langid
_LANGIDS = {
    "en": "english", "eng": "english", "english": "english", "en-us": "american",
    "en-gb": "british", "ru": "russian", "rus": "russian", "russian": "russian",
    "kk": "kazakh", "kaz": "kazakh", "kazakh": "kazakh", "uk": "ukrainian",
    "ukr": "ukrainian", "ukrainian": "ukrainian", "de": "german", "deu": "german",
    "ger": "german", "german": "german", "fr": "french", "fra": "french", "fre": "french",
    "french": "french", "es": "spanish", "spa": "spanish", "spanish": "spanish",
    "it": "italian", "ita": "italian", "italian": "italian", "nl": "dutch", "nld": "dutch",
    "dut": "dutch", "dutch": "dutch", "pt": "portuguese", "por": "portuguese",
    "portuguese": "portuguese", "pl": "polish", "pol": "polish", "polish": "polish",
    "tr": "turkish", "tur": "turkish", "turkish": "turkish", "ky": "kyrgyz",
    "uz": "uzbek", "tg": "tajik", "be": "belarusian", "ka": "georgian", "hy": "armenian",
    "az": "azerbaijani", "zh": "chinese", "ar": "arabic", "fa": "persian",
}


@dataclass(frozen=True)
class Reference:
    """One bibliography entry as pandoc reads it (after the corrections)."""

    key: str  #: citation key, case-sensitive
    meta: dict[str, Node]  #: pandoc's reference: CSL variable -> metadata value
    path: Path  #: the .bib file
    line: int  #: line of the ``@type{key,`` opening
    entry_type: str  #: the BibTeX entry type, lower case
    fields: dict[str, str] = field(default_factory=dict)  #: raw fields, macros resolved
    corrected: tuple[str, ...] = ()  #: names of the corrections applied to this entry

    @property
    def csl_type(self) -> str:
        value = self.meta.get("type", {})
        return str(value.get("c", "")) if value.get("t") == "MetaString" else ""

    def has(self, variable: str) -> bool:
        return variable in self.meta


class Bibliography(dict[str, "Reference"]):
    """The references by key, and the keys of entries that are in a file but could not be
    read (each reported where it is): citing one is not an unknown key."""

    broken: dict[str, tuple[Path, int]]

    def __init__(self, refs: dict[str, Reference] | None = None,
                 broken: dict[str, tuple[Path, int]] | None = None) -> None:
        super().__init__(refs or {})
        self.broken = broken or {}


@dataclass
class _Raw:
    """An entry as bibtexparser read it."""

    key: str
    etype: str
    fields: dict[str, str]
    path: Path
    line: int


def parse_bibliography(paths: tuple[Path, ...], lang: str, diags: Diagnostics,
                       corrections: frozenset[str] = ALL,
                       ) -> Bibliography:
    """Read every file; problems go to ``diags``. Entries in file order, first key wins."""
    refs: dict[str, Reference] = {}
    keys: set[str] = set()
    written: dict[str, tuple[Path, int]] = {}  # every entry's key, where it starts
    for path in paths:
        text = read_text(path, MAX_BIB_BYTES, diags, what="bibliography")
        if text is None or not _within_limits(path, text, diags):
            continue
        for match in _ENTRY_KEY.finditer(text):
            written.setdefault(match.group(1), (path, text.count("\n", 0, match.start()) + 1))
        reported: set[int] = set()  # lines of the entries bibtexparser reported broken
        raws = _parse_file(path, text, diags, reported)
        metas = _read_with_pandoc(path, text, lang, diags, reported)
        keys.update(raws)
        for key, raw in raws.items():
            if key in refs:
                first = refs[key]
                diags.error(f"duplicate key '{key}' (first defined at {first.path.name}:"
                            f"{first.line}); rename one of them", raw.path, raw.line)
            elif key in metas:
                refs[key] = Reference(key, metas[key], raw.path, raw.line, raw.etype,
                                      raw.fields)
    _check_parents(refs, keys, diags)
    if corrections:
        refs = correct(refs, lang, corrections)
    _drop_unsafe_urls(refs, diags)
    return Bibliography(refs, {k: v for k, v in written.items() if k not in refs})


def _within_limits(path: Path, text: str, diags: Diagnostics) -> bool:
    """Count entries and brace depth before any parser sees the file (both parsers' cost
    grows with them, pandoc's to gigabytes)."""
    starts = [m.start() for m in _ENTRY_START.finditer(text)]
    if len(starts) > MAX_ENTRIES:
        diags.error(f"{len(starts):,} entries: more than {MAX_ENTRIES:,} is not one "
                    "briefing's bibliography; export only the sources you cite", path, 1)
        return False
    depth = 0
    for match in re.finditer(r"\\.|[{}]|^[ \t]*@[A-Za-z]+[ \t]*[{(]", text, re.M):
        char = match.group()
        if char[-1] in "{(" and "@" in char:
            depth = 1  # an entry starts: a broken one before it does not count here
        elif char == "{":
            depth += 1
            if depth > MAX_BRACE_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                diags.error(f"braces nested more than {MAX_BRACE_DEPTH} deep; a field needs "
                            "two or three levels: check the braces here", path, line)
                return False
        elif char == "}":
            depth = max(0, depth - 1)
    return True


def _drop_unsafe_urls(refs: dict[str, Reference], diags: Diagnostics) -> None:
    """A ``url`` that is not a web address (``file:``, ``javascript:``, ``smb:``) must not
    become a link in the PDF, nor a ``doi`` that is not a DOI: citeproc prints it after
    "https://doi.org/", so ``doi = {smb://host/x}`` would read as a web address."""
    for ref in refs.values():
        value = ref.meta.get("url", {})
        url = str(value.get("c", "")) if value.get("t") == "MetaString" else _meta_text(value)
        if value and not re.match(r"(?i)^(https?|ftp)://", url):
            diags.warning(f"'{ref.key}': url '{url[:60]}' is not a web address (http, https "
                          "or ftp) and is left out", ref.path, ref.line)
            del ref.meta["url"]
        value = ref.meta.get("doi", {})
        doi = str(value.get("c", "")) if value.get("t") == "MetaString" else _meta_text(value)
        bare = re.sub(r"(?i)^\s*(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi)
        if value and not re.fullmatch(r"10\.\d{3,9}/\S+", bare.strip()):
            diags.warning(f"'{ref.key}': doi '{doi[:60]}' is not a DOI (a DOI starts with "
                          "10.); it is left out", ref.path, ref.line)
            del ref.meta["doi"]


def _meta_text(value: Node) -> str:
    """The text of a metadata value that is not a plain string (inlines)."""
    if value.get("t") in ("MetaInlines", "MetaBlocks"):
        from .tree import stringify

        return stringify(value["c"])
    return str(value.get("c", "")) if value else ""


# --- reading ----------------------------------------------------------------------------------

def _parse_file(path: Path, text: str, diags: Diagnostics,
                reported: set[int] | None = None) -> dict[str, _Raw]:
    library = parse_string(
        text, parse_stack=[middlewares.ResolveStringReferencesMiddleware(True)])
    strings = {s.key.lower(): _unwrap(str(s.value)) for s in library.strings}
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if reported is not None:
            reported.add(line)
        if isinstance(block, DuplicateFieldKeyBlock):
            diags.error(f"entry has a field twice ({block.error}); delete one of them",
                        path, line)
        elif isinstance(block, DuplicateBlockKeyBlock):
            diags.error(f"duplicate key '{block.key}'; rename one of the entries", path, line)
        else:
            reason = getattr(getattr(block, "error", None), "abort_reason", "")
            runs_on = "Unexpected block start" in str(reason)
            diags.error("broken BibTeX entry (" + (
                "a brace or quote in it is never closed: it runs into the next entry"
                if runs_on else "check braces, quotes and commas between fields")
                + "); the entry is skipped", path, line)
    raws: dict[str, _Raw] = {}
    for entry in library.entries:
        raws.setdefault(entry.key, _read_entry(entry, path, strings, diags))
    return raws


def _unwrap(value: str) -> str:
    return value[1:-1] if value[:1] in "{\"" and len(value) > 1 else value


def _read_entry(entry: Entry, path: Path, strings: dict[str, str],
                diags: Diagnostics) -> _Raw:
    fields: dict[str, str] = {}
    for f in entry.fields:
        value, undefined = _field_value(str(f.value), strings)
        fields[f.key.lower()] = value
        for name in undefined:
            diags.error(f"'{entry.key}': field '{f.key}' uses @string '{name}', which is not "
                        "defined; define it with @string or put the text in braces",
                        path, (f.start_line or entry.start_line or 0) + 1)
    return _Raw(entry.key, entry.entry_type.lower(), fields, path, (entry.start_line or 0) + 1)


def _field_value(raw: str, strings: dict[str, str]) -> tuple[str, list[str]]:
    """A field's LaTeX text, ``#`` concatenation and macros resolved; and undefined macros."""
    raw = raw.strip()
    parts = [p.strip() for p in re.split(r"\s#\s", raw)] if "#" in raw else [raw]
    if len(parts) > 1 and not all(re.fullmatch(r'\{.*\}|".*"|[\w.:-]+', p, re.S)
                                  for p in parts):
        parts = [raw]  # a '#' inside text, not a concatenation
    out, undefined = [], []
    for part in parts:
        if (part[:1], part[-1:]) in (("{", "}"), ('"', '"')):
            out.append(part[1:-1])
        elif part.isdigit() or part.lower() in _MONTHS:
            out.append(part)
        elif part.lower() in strings:
            out.append(strings[part.lower()])
        else:
            out.append(part)
            undefined.append(part)
    return "".join(out), undefined


def _read_with_pandoc(path: Path, text: str, lang: str, diags: Diagnostics,
                      reported: frozenset[int] | set[int] = frozenset(),
                      ) -> dict[str, dict[str, Node]]:
    """pandoc's reading of one .bib: key -> its reference (CSL variables as metadata).

    pandoc gives up on a file at its first broken entry; that entry is reported with pandoc's
    line and column, blanked out (the lines after it keep their numbers) and the file read
    again, so one broken entry does not lose all the others."""
    key = cache.digest("biblatex", pandoc.pandoc_version(), lang, text)
    found = cache.get("bib", key)
    if found is None:
        found, clean = [], True
        for _attempt in range(MAX_BROKEN_ENTRIES + 1):
            try:
                tree = pandoc.run_json(["--from=biblatex"], text, env={"LANG": lang})
            except TooCostly as exc:
                diags.error(exc.diagnostics[0].message, path, 1)
                return {}
            except EngineError as exc:
                clean = False  # read again next time, so the error is reported again
                line, col = _error_place(str(exc))
                entry = _broken_entry(text, line)
                if entry is None:
                    diags.error(_pandoc_bib_error(str(exc), text, line), path, line or 1, col)
                    return {}
                if entry[0] + 1 not in reported:  # else bibtexparser has said it, better
                    diags.error(_pandoc_bib_error(str(exc), text, line), path, line or 1, col)
                lines = text.split("\n")
                text = "\n".join(lines[:entry[0]] + [""] * (entry[1] - entry[0])
                                  + lines[entry[1]:])
                continue
            found = tree["meta"].get("references", {"c": []})["c"]
            break
        else:
            return {}
        if clean:
            cache.put("bib", key, found)
    return {item["c"]["id"]["c"]: _literal_dates(item["c"]) for item in found
            if item.get("t") == "MetaMap" and "id" in item["c"]}


def _broken_entry(text: str, line: int | None) -> tuple[int, int] | None:
    """The lines (first, end; from 0) of the entry pandoc stopped in at ``line``; an error at
    the very start of an entry ("unexpected '@'") belongs to the one before it, which ran on."""
    if not line:
        return None
    lines = text.split("\n")
    starts = [n for n, ln in enumerate(lines) if _ENTRY_START.match(ln)]
    before = [n for n in starts if n < line - 1]
    if (line - 1) in starts and before:
        begin = before[-1]
    else:
        begin = max((n for n in starts if n <= line - 1), default=-1)
    if begin < 0:
        return None
    end = min((n for n in starts if n > begin), default=len(lines))
    return begin, end


_DATES = ("issued", "accessed", "event-date", "original-date", "available-date", "submitted")
_EDTF = re.compile(r"-?\d{4}(-\d{2}){0,2}[~?%]?(/(-?\d{4}(-\d{2}){0,2}[~?%]?|\.\.)?)?"
                   r"|\.\./-?\d{4}(-\d{2}){0,2}")


def _literal_dates(meta: dict[str, Node]) -> dict[str, Node]:
    """A date pandoc could not parse (``year = {2003--2005}``) comes out of its biblatex reader
    as plain text; given back as metadata, citeproc would read it as a date and print "n.d.",
    where pandoc reading the .bib prints the text. Mark it as the literal it is."""
    for name in _DATES:
        value = meta.get(name)
        if value and value.get("t") == "MetaString" and not _EDTF.fullmatch(value["c"]):
            meta[name] = {"t": "MetaMap", "c": {"literal": value}}
    return meta


def _error_place(message: str) -> tuple[int | None, int | None]:
    match = re.search(r"line (\d+)(?:, column (\d+))?", message)
    if not match:
        return None, None
    return int(match.group(1)), int(match.group(2)) if match.group(2) else None


def _pandoc_bib_error(message: str, text: str, line: int | None) -> str:
    """pandoc's reason ("unexpected 'y'"), not its quoted source line and caret; and the
    likely cause when the line before has no comma at its end."""
    lines = [ln for ln in message.removeprefix("pandoc failed: ").split("\n") if ln.strip()]
    reasons = [ln.strip() for ln in lines[1:] if ln.strip() != "^"]
    if len(reasons) > 1:
        reasons = reasons[:-1]  # the source line pandoc quotes
    reason = "; ".join(reasons) or (lines[0].strip() if lines else "")
    hint = "check braces and commas around here"
    source = text.split("\n")
    before = [ln.rstrip() for ln in source[:(line or 1) - 1] if ln.strip()]
    if line and before and not before[-1].endswith((",", "{", "(")) and "=" in before[-1]:
        hint = "the field on the line before has no comma at its end"
    return f"pandoc cannot read this entry ({reason}); {hint}; the entry is skipped"


def _check_parents(refs: dict[str, Reference], keys: set[str], diags: Diagnostics) -> None:
    """A ``crossref`` or ``xdata`` naming no entry: pandoc would silently inherit nothing."""
    for ref in refs.values():
        for name in ("crossref", "xdata"):
            for parent in [p.strip() for p in ref.fields.get(name, "").split(",") if p.strip()]:
                if parent not in keys:
                    diags.error(f"'{ref.key}': {name} '{parent}' is not in the bibliography",
                                ref.path, ref.line)


def unused_fields(ref: Reference) -> list[str]:
    """Fields of ``ref`` that neither pandoc nor any export tool's bookkeeping accounts for."""
    return sorted(f for f in ref.fields if f not in READ_BY_PANDOC and f not in BOOKKEEPING)


# --- corrections ------------------------------------------------------------------------------

def correct(refs: dict[str, Reference], lang: str,
            corrections: frozenset[str]) -> dict[str, Reference]:
    """Apply the enabled corrections; each changed entry lists what changed it."""
    reread = {key: ref for key, ref in refs.items() if _reread_fields(ref, corrections)}
    again = _reread(reread, lang, corrections) if reread else {}
    out: dict[str, Reference] = {}
    for key, ref in refs.items():
        meta, applied = dict(ref.meta), []
        if key in again:
            replacements, names = again[key]
            for name, value in replacements.items():
                if value is None:
                    meta.pop(name, None)
                else:
                    meta[name] = value
            applied.extend(names)
        for name, fix in _META_FIXES.items():
            if name in corrections and fix(ref, meta):
                applied.append(name)
        out[key] = Reference(ref.key, meta, ref.path, ref.line, ref.entry_type, ref.fields,
                             tuple(applied))
    return out


def _top_level_and(value: str) -> bool:
    """Whether a field holds ' and ' outside braces (where biblatex splits a list)."""
    depth, flat = 0, []
    for char in value:
        depth += (char == "{") - (char == "}")
        flat.append(char if depth == 0 else "_")
    return re.search(r"\sand\s", "".join(flat)) is not None


def _url_only(value: str) -> str | None:
    match = re.fullmatch(r"\s*\\url\{([^{}]+)\}\s*", value)
    return match.group(1).strip() if match else None


def _reread_fields(ref: Reference, corrections: frozenset[str]) -> list[str]:
    """The corrections that need pandoc to read some of ``ref``'s fields again."""
    f, names = ref.fields, []
    if "one-name-lists" in corrections and any(_top_level_and(f[k]) for k in _LIST_FIELDS
                                               if k in f):
        names.append("one-name-lists")
    if "url-in-howpublished" in corrections and _url_only(f.get("howpublished", "")) \
            and "url" not in f:
        names.append("url-in-howpublished")
    if "legal-titles" in corrections and "title" in f and (
            ref.entry_type in _LEGAL_ENTRY_TYPES or ref.csl_type in _LEGAL_TYPES):
        names.append("legal-titles")
    if "language-field" in corrections and "langid" not in f and "hyphenation" not in f \
            and _LANGIDS.get(f.get("language", "").strip().lower()):
        names.append("language-field")
    return names


def _reread(refs: dict[str, Reference], lang: str, corrections: frozenset[str],
            ) -> dict[str, tuple[dict[str, Node | None], list[str]]]:
    """Read the entries again with their fields protected, in one pandoc run.

    Returns, per entry, the variables to take from the second reading (None: the second
    reading has no such variable, so it goes) and the corrections that caused it.
    """
    entries, plans = [], {}
    for key, ref in refs.items():
        names = _reread_fields(ref, corrections)
        fields, take = _protected(ref, names, lang)
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
        entries.append(f"@{ref.entry_type}{{{key},\n{body}\n}}")
        plans[key] = (take, names)
    metas = _read_with_pandoc(Path("corrections.bib"), "\n".join(entries), lang,
                              Diagnostics())
    out: dict[str, tuple[dict[str, Node | None], list[str]]] = {}
    for key, (take, names) in plans.items():
        meta = metas.get(key)
        if meta is None:
            continue
        # a variable the second reading lacks came from a crossref parent: keep pandoc's
        replacements: dict[str, Node | None] = {k: meta[k] for k in take if k in meta}
        if "url-in-howpublished" in names:
            url = _url_only(refs[key].fields["howpublished"]) or ""
            replacements["url"] = {"t": "MetaString", "c": url}
            replacements.setdefault("publisher", meta.get("publisher"))
        out[key] = (replacements, names)
    return out


def _protected(ref: Reference, names: list[str],
               lang: str) -> tuple[dict[str, str], set[str]]:
    """The entry's fields for the second reading, and the variables to take from it."""
    fields = {k: v for k, v in ref.fields.items() if k not in ("crossref", "xdata")}
    take: set[str] = set()
    if "one-name-lists" in names:
        for name in _LIST_FIELDS:
            if name in fields and _top_level_and(fields[name]):
                fields[name] = "{" + fields[name] + "}"
        take.update(("publisher", "publisher-place"))
    if "url-in-howpublished" in names:
        fields.pop("howpublished")
        take.add("publisher")
    if "legal-titles" in names:
        for name in _TITLE_FIELDS:
            if name in fields:
                fields[name] = "{" + fields[name] + "}"
        take.update(("title", "title-short"))
    if "language-field" in names:
        fields["langid"] = _LANGIDS[fields["language"].strip().lower()]
        take.update(("title", "title-short", "container-title"))
        # the item's language matters to citeproc only where it is not the briefing's (a
        # Russian title in an English briefing is not title-cased); set where it is, items
        # that differ only by it stop collapsing ("Kendzior, 2011a; Kendzior, 2011b")
        if _primary(fields["langid"]) != _primary(lang):
            take.add("language")
    return fields, take


def _primary(language: str) -> str:
    """The primary language of a BCP 47 tag or a biblatex langid (british -> en)."""
    code = {"english": "en", "american": "en", "british": "en", "russian": "ru",
            "kazakh": "kk", "ukrainian": "uk", "german": "de", "french": "fr",
            "spanish": "es"}.get(language.lower(), language)
    return code.split("-")[0].lower()


def _fix_doi(ref: Reference, meta: dict[str, Node]) -> bool:
    doi = meta.get("doi", {})
    if doi.get("t") != "MetaString":
        return False
    stripped = re.sub(r"(?i)^\s*(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi["c"])
    if stripped == doi["c"]:
        return False
    meta["doi"] = {"t": "MetaString", "c": stripped}
    return True


def _fix_year_range(ref: Reference, meta: dict[str, Node]) -> bool:
    match = re.fullmatch(r"\s*(\d{4})\s*-{1,3}\s*(\d{4})\s*", ref.fields.get("year", ""))
    if not match or "date" in ref.fields:
        return False
    meta["issued"] = {"t": "MetaString", "c": f"{match.group(1)}/{match.group(2)}"}
    return True


_QUOTE_OPEN = re.compile(r'^([(\[]*)"(.*)$', re.S)
_QUOTE_CLOSE = re.compile(r'^(.*)"([.,;:!?)\]]*)$', re.S)


def _fix_quotes(ref: Reference, meta: dict[str, Node]) -> bool:
    changed = False
    for name in ("title", "title-short", "container-title", "collection-title"):
        value = meta.get(name)
        if value and value.get("t") == "MetaInlines":
            inlines = _quote_pairs(value["c"])
            if inlines is not None:
                meta[name] = {"t": "MetaInlines", "c": inlines}
                changed = True
    return changed


def _quote_pairs(inlines: list[Node]) -> list[Node] | None:
    """Straight double quotes around words -> ``Quoted`` (None if there are none)."""
    out: list[Node] = []
    opened: int | None = None
    found = False
    for node in inlines:
        if node.get("t") != "Str":
            out.append(node)
            continue
        text = node["c"]
        start = _QUOTE_OPEN.match(text) if opened is None else None
        if start:
            if start.group(1):
                out.append({"t": "Str", "c": start.group(1)})
            opened, text = len(out), start.group(2)
            if not text:
                continue
        end = _QUOTE_CLOSE.match(text) if opened is not None else None
        if end and opened is not None:
            if end.group(1):
                out.append({"t": "Str", "c": end.group(1)})
            quoted = {"t": "Quoted", "c": [{"t": "DoubleQuote"}, out[opened:]]}
            del out[opened:]
            out.append(quoted)
            if end.group(2):
                out.append({"t": "Str", "c": end.group(2)})
            opened, found = None, True
            continue
        out.append({"t": "Str", "c": text})
    return out if found and opened is None else None


def _fix_type_braces(ref: Reference, meta: dict[str, Node]) -> bool:
    genre = meta.get("genre", {})
    if genre.get("t") != "MetaString" or not re.search(r"[{}]", genre["c"]):
        return False
    meta["genre"] = {"t": "MetaString", "c": re.sub(r"[{}]", "", genre["c"])}
    return True


_META_FIXES = {
    "doi-prefix": _fix_doi,
    "year-range": _fix_year_range,
    "straight-quotes": _fix_quotes,
    "braces-in-type": _fix_type_braces,
}
