"""Stage 2: BibTeX / biblatex files -> :class:`Reference` records holding CSL-JSON.

bibtexparser v2 splits the files into entries (and tells us which blocks failed); everything
after that is ours: ``@string`` concatenation, LaTeX decoding, names, dates and the type and
field mapping, modelled on pandoc's ``Citeproc/BibTeX.hs``. This mapping is the single source of
truth for the data: the citation engine receives the CSL-JSON made here, never the .bib file.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bibtexparser import middlewares
from bibtexparser.entrypoint import parse_string
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry

from .errors import Diagnostics


@dataclass(frozen=True)
class Reference:
    """One bibliography entry, mapped to CSL-JSON."""

    key: str  #: citation key, case-sensitive
    csl: dict[str, Any]  #: the CSL-JSON item (``id`` == key)
    path: Path  #: the .bib file
    line: int  #: line of the ``@type{key,`` opening
    dropped: tuple[str, ...] = field(default=())  #: fields the mapping did not use


# biblatex / BibTeX entry type -> CSL type (pandoc's getTypeAndGenre)
TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "collection": "book",
    "mvcollection": "book", "manual": "book", "reference": "book", "proceedings": "book",
    "mvproceedings": "book", "software": "book", "booklet": "pamphlet",
    "inbook": "chapter", "incollection": "chapter", "bookinbook": "chapter",
    "suppbook": "chapter", "suppcollection": "chapter", "inproceedings": "paper-conference",
    "conference": "paper-conference", "inreference": "entry-encyclopedia",
    "report": "report", "techreport": "report", "thesis": "thesis", "phdthesis": "thesis",
    "mastersthesis": "thesis", "online": "webpage", "www": "webpage", "electronic": "webpage",
    "unpublished": "manuscript", "dataset": "dataset", "patent": "patent",
    "legislation": "legislation", "legal": "treaty", "jurisdiction": "legal_case",
    "standard": "legislation", "letter": "personal_communication", "movie": "motion_picture",
    "video": "motion_picture", "misc": "document", "periodical": "periodical",
    "mvreference": "book", "suppperiodical": "article-journal",
    "review": "review", "artwork": "graphic", "image": "graphic", "audio": "song",
    "music": "song", "performance": "performance",
}
_GENRES = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
# fields read by _map_fields, or bookkeeping that carries no data for the reader
_USED = {
    "author", "editor", "translator", "title", "subtitle", "titleaddon", "shorttitle",
    "journal", "journaltitle", "shortjournal", "booktitle", "maintitle", "series",
    "institution", "organization", "school", "publisher", "howpublished", "address",
    "location", "number", "issue", "volume", "pages", "edition", "type", "date", "year",
    "month", "day", "urldate", "url", "doi", "isbn", "issn", "note", "addendum", "eventdate",
    "origdate", "venue", "eventtitle", "chapter", "version", "abstract", "keywords",
    "annote", "annotation",
    "langid", "language", "crossref", "pubstate", "xdata", "booksubtitle", "booktitleaddon",
    "bookauthor", "editortype", "entrysubtype", "eprint", "eprinttype", "archiveprefix",
    "hyphenation", "pmid", "pmcid", "volumes", "pagetotal", "place",
}


@dataclass
class _Raw:
    """An entry as read, before inheritance and mapping."""

    key: str
    etype: str
    fields: dict[str, str]
    path: Path
    line: int


def parse_bibliography(paths: tuple[Path, ...],
                       diags: Diagnostics | None = None) -> dict[str, Reference]:
    """Parse every file. Problems go to ``diags``; without it, errors raise at the end."""
    raise_at_end = diags is None
    diags = diags if diags is not None else Diagnostics()
    raws: dict[str, _Raw] = {}
    for path in paths:
        for raw in _parse_file(path, diags):
            if raw.key in raws:
                first = raws[raw.key]
                diags.error(f"duplicate key '{raw.key}' (first defined at "
                            f"{first.path.name}:{first.line}); rename one of them",
                            raw.path, raw.line)
            else:
                raws[raw.key] = raw
    refs = {key: _to_reference(_inherit(raw, raws, diags), diags)
            for key, raw in raws.items() if raw.etype != "xdata"}
    if raise_at_end:
        diags.raise_if_errors()
    return refs


def _parse_file(path: Path, diags: Diagnostics) -> list[_Raw]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        diags.error("not UTF-8 text; save the .bib file as UTF-8", path)
        return []
    library = parse_string(
        text, parse_stack=[middlewares.ResolveStringReferencesMiddleware(True)])
    strings = {s.key.lower(): str(s.value)[1:-1] if str(s.value)[:1] in "{\"" else str(s.value)
               for s in library.strings}
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateFieldKeyBlock):
            diags.error(f"entry has a field twice ({block.error}); delete one of them",
                        path, line)
        elif isinstance(block, DuplicateBlockKeyBlock):
            diags.error(f"duplicate key '{block.key}'; rename one of the entries", path, line)
        else:
            diags.error("broken BibTeX entry (check braces, quotes and commas between "
                        "fields); the entry is skipped", path, line)
    return [_read_entry(entry, path, strings, diags) for entry in library.entries]


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


# biblatex inheritance (crossref): fields a child never takes from its parent ...
_NOT_INHERITED = {"ids", "crossref", "xref", "xdata", "entryset", "entrysubtype", "execute",
                  "label", "options", "presort", "related", "relatedoptions", "relatedstring",
                  "relatedtype", "shorthand", "shorthandintro", "sortkey"}
# ... and fields that change name on the way (parent type group -> child type group)
_BOOKS = {"book", "collection", "reference", "proceedings", "mvbook", "mvcollection",
          "mvreference", "mvproceedings"}
_PARTS = {"inbook", "incollection", "inreference", "inproceedings", "bookinbook",
          "suppbook", "suppcollection"}
_RENAMED = {"title": "booktitle", "subtitle": "booksubtitle", "titleaddon": "booktitleaddon",
            "shorttitle": None, "sorttitle": None}


def _inherit(raw: _Raw, raws: dict[str, _Raw], diags: Diagnostics, depth: int = 0) -> _Raw:
    """Fields from ``xdata`` and ``crossref`` parents, with biblatex's rules."""
    fields = dict(raw.fields)
    for key in [k.strip() for k in fields.get("xdata", "").split(",") if k.strip()]:
        parent = raws.get(key)
        if parent is None:
            diags.error(f"'{raw.key}': xdata '{key}' is not in the bibliography", raw.path,
                        raw.line)
            continue
        for name, value in parent.fields.items():
            fields.setdefault(name, value)
    parent_key = fields.get("crossref", "").strip()
    if parent_key:
        parent = raws.get(parent_key)
        if parent is None:
            diags.error(f"'{raw.key}': crossref '{parent_key}' is not in the bibliography",
                        raw.path, raw.line)
        elif depth < 5:
            parent = _inherit(parent, raws, diags, depth + 1)
            rename = parent.etype in _BOOKS and raw.etype in _PARTS
            for name, value in parent.fields.items():
                if name in _NOT_INHERITED:
                    continue
                target = _RENAMED.get(name, name) if rename else name
                if name == "author" and rename and raw.etype in ("inbook", "bookinbook",
                                                                 "suppbook"):
                    target = "bookauthor"
                if target:
                    fields.setdefault(target, value)
    return _Raw(raw.key, raw.etype, fields, raw.path, raw.line)


def _to_reference(raw: _Raw, diags: Diagnostics) -> Reference:
    fields, path, line = raw.fields, raw.path, raw.line
    if raw.etype not in TYPES:
        diags.warning(f"unknown entry type '@{raw.etype}' for '{raw.key}': formatted as a "
                      "generic document", path, line)
    url = fields.get("url", "").strip()
    if url and not re.match(r"(?i)^(https?|ftp)://", url):
        diags.warning(f"'{raw.key}': url '{url[:60]}' is not a web address (http, https or "
                      "ftp) and is left out", path, line)
        del fields["url"]
    csl = _map_fields(raw.key, raw.etype, fields)
    dropped = tuple(sorted(k for k in fields if k not in _USED))
    return Reference(key=raw.key, csl=csl, path=path, line=line, dropped=dropped)


def _field_value(raw: str, strings: dict[str, str]) -> tuple[str, list[str]]:
    """A field's text, with ``#`` concatenation and macros resolved; also undefined macros."""
    raw = raw.strip()
    parts = [p.strip() for p in re.split(r"\s#\s", raw)] if "#" in raw else [raw]
    if len(parts) > 1 and not all(_is_part(p) for p in parts):
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


def _is_part(part: str) -> bool:
    return bool(re.fullmatch(r'\{.*\}|".*"|[\w.:-]+', part, re.S))


def _map_fields(key: str, etype: str, f: dict[str, str]) -> dict[str, Any]:
    csl: dict[str, Any] = {"id": key, "type": TYPES.get(etype, "document")}
    if etype in _GENRES:
        csl["genre"] = _GENRES[etype]
    for bib, var in (("author", "author"), ("editor", "editor"),
                     ("translator", "translator")):
        if bib in f:
            csl[var] = parse_names(f[bib])
    # as pandoc: English titles to sentence case; unlike pandoc, not the names of laws, cases
    # and treaties, which no style title-cases back (OSCOLA printed "Law of the republic …")
    english = (_is_english(f.get("langid") or f.get("hyphenation") or f.get("language", ""))
               and csl["type"] not in ("legislation", "legal_case", "treaty"))

    def title_text(value: str) -> str:
        return sentence_case(rich_text(value)) if english else rich_text(value)

    if "title" in f:
        csl["title"] = _joined(f, "title", "subtitle", "titleaddon", title_text)
        if "shorttitle" in f:
            csl["title-short"] = title_text(f["shorttitle"])
        elif "subtitle" in f:
            csl["title-short"] = title_text(f["title"])
        elif ":" in _without_braced(f["title"]):  # pandoc: the part before the colon
            csl["title-short"] = title_text(f["title"].split(":", 1)[0])
    journal = f.get("journaltitle") or f.get("journal")
    if journal:  # a journal's name is a proper name: its case stays
        csl["container-title"] = rich_text(journal)
    elif "booktitle" in f or "maintitle" in f:
        main = "booktitle" if "booktitle" in f else "maintitle"
        csl["container-title"] = _joined(f, main, "booksubtitle", "booktitleaddon", title_text)
    if "bookauthor" in f:
        csl["container-author"] = parse_names(f["bookauthor"])
    if f.get("editortype", "").strip().lower() == "director" and "editor" in csl:
        csl["director"] = csl.pop("editor")
    subtype = f.get("entrysubtype", "").strip().lower()
    if csl["type"] == "article-journal" and subtype in ("magazine", "newspaper"):
        csl["type"] = f"article-{subtype}"
    eprint = _eprint_url(f)
    if eprint and "url" not in f:
        csl["URL"] = eprint
    if "shortjournal" in f:
        csl["container-title-short"] = rich_text(f["shortjournal"])
    if "series" in f:
        csl["collection-title"] = rich_text(f["series"])
    publishers = [plain_text(f[k]) for k in ("school", "institution", "organization",
                                             "howpublished", "publisher") if k in f]
    if publishers:
        csl["publisher"] = "; ".join(publishers)
    place = f.get("location") or f.get("address") or f.get("place")
    if place:
        csl["publisher-place"] = plain_text(place)
    if "number" in f or "issue" in f:
        number = plain_text(f.get("number") or f.get("issue", ""))
        if csl["type"] == "article-journal":
            csl["issue"] = number
        elif csl["type"] in ("book", "chapter") and "series" in f:
            csl["collection-number"] = number
        else:
            csl["number"] = number
    for bib, var in (("volume", "volume"), ("edition", "edition"), ("version", "version"),
                     ("chapter", "chapter-number"), ("isbn", "ISBN"), ("issn", "ISSN"),
                     ("eventtitle", "event-title"), ("venue", "event-place"),
                     ("pubstate", "status"), ("pmid", "PMID"), ("pmcid", "PMCID"),
                     ("volumes", "number-of-volumes"), ("pagetotal", "number-of-pages")):
        if bib in f:
            csl[var] = plain_text(f[bib])
    if "pages" in f:
        csl["page"] = re.sub(r"\s*-+\s*", "–", plain_text(f["pages"]))
    if "type" in f:
        csl["genre"] = plain_text(f["type"])
    for bib, var in (("abstract", "abstract"), ("keywords", "keyword"), ("annote", "annote"),
                     ("annotation", "annote")):
        if bib in f:
            csl[var] = plain_text(f[bib])
    language = _language_code(f.get("langid") or f.get("hyphenation") or f.get("language", ""))
    if language:
        csl["language"] = language  # CSL wants a code: styles title-case only English items
    notes = [rich_text(f[k]) for k in ("note", "addendum") if k in f]
    if notes:
        csl["note"] = ". ".join(notes)
    if "url" in f:
        csl["URL"] = f["url"].strip()  # verbatim: LaTeX decoding would cut at '%'
    if "doi" in f:
        csl["DOI"] = re.sub(r"^https?://(dx\.)?doi\.org/", "", f["doi"].strip())
    issued = parse_date(f.get("date")) or _year_month(f)
    if issued:
        csl["issued"] = issued
    for bib, var in (("urldate", "accessed"), ("eventdate", "event-date"),
                     ("origdate", "original-date")):
        date = parse_date(f.get(bib))
        if date:
            csl[var] = date
    return csl


def _joined(f: dict[str, str], main: str, sub: str, addon: str,
            text: Callable[[str], str]) -> str:
    """biblatex's ``title: subtitle. titleaddon`` (or the book's equivalents) as one title."""
    out = text(f[main])
    if sub in f:
        out += ": " + text(f[sub])
    if addon in f:
        out += ". " + text(f[addon])
    return out


_EPRINT_URLS = {"arxiv": "https://arxiv.org/abs/{}", "jstor": "https://www.jstor.org/stable/{}",
                "pubmed": "https://www.ncbi.nlm.nih.gov/pubmed/{}",
                "hdl": "https://hdl.handle.net/{}", "googlebooks": "https://books.google.com?id={}"}


def _eprint_url(f: dict[str, str]) -> str | None:
    """biblatex ``eprint`` + ``eprinttype`` (or arXiv's ``archiveprefix``) -> a URL."""
    kind = (f.get("eprinttype") or f.get("archiveprefix") or "").strip().lower()
    eprint = f.get("eprint", "").strip()
    return _EPRINT_URLS[kind].format(eprint) if eprint and kind in _EPRINT_URLS else None


def _without_braced(text: str) -> str:
    """The text with brace groups blanked out (a colon inside braces is protected)."""
    return re.sub(r"\{[^{}]*\}", lambda m: " " * len(m.group(0)), text)


def _year_month(f: dict[str, str]) -> dict[str, Any] | None:
    if "year" not in f:
        return None
    year = plain_text(f["year"])
    if not year.isdigit():
        return {"literal": year}
    parts = [int(year)]
    month = f.get("month", "").strip().lower()
    if month:
        number = _MONTHS.get(month[:3]) if not month.isdigit() else int(month)
        if number:
            parts.append(number)
            if f.get("day", "").strip().isdigit():
                parts.append(int(f["day"]))
    return {"date-parts": [parts]}


_EDTF = re.compile(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?([?~%]?)$")


def parse_date(value: str | None) -> dict[str, Any] | None:
    """An EDTF / biblatex date or range -> CSL date; unparseable text becomes a literal."""
    if not value or not value.strip():
        return None
    text = value.strip()
    ends = text.split("/") if "/" in text else [text]
    parts: list[list[int]] = []
    circa = False
    for end in ends[:2]:
        end = end.strip()
        if end in ("", ".."):
            parts.append([])  # open-ended range
            continue
        match = _EDTF.match(end)
        if not match:
            return {"literal": plain_text(text)}
        circa = circa or bool(match.group(4))
        parts.append([int(g) for g in match.groups()[:3] if g])
    date: dict[str, Any] = {"date-parts": [p for p in parts if p] or [[0]]}
    if len(parts) == 2 and not parts[1]:
        date["date-parts"] = [parts[0], [0]] if parts[0] else [[0]]
    if circa:
        date["circa"] = True
    return date


# --- title case -----------------------------------------------------------------------------

_ENGLISH = {"", "english", "american", "british", "canadian", "australian", "newzealand",
            "usenglish", "ukenglish", "en", "en-us", "en-gb"}
_MARKUP_RE = re.compile(r'(<span class="nocase">.*?</span>|<[^>]+>)', re.S)
_CAPITALISED_RE = re.compile(r"^[A-Z][a-z’']*$")
_WORD_RE = re.compile(r"[^\W\d_][\w’']*")


_LANGUAGES = {"english": "en", "american": "en-US", "british": "en-GB", "usenglish": "en-US",
              "ukenglish": "en-GB", "canadian": "en-CA", "australian": "en-AU",
              "newzealand": "en-NZ", "russian": "ru", "kazakh": "kk", "ukrainian": "uk",
              "german": "de", "ngerman": "de", "french": "fr", "spanish": "es",
              "italian": "it", "dutch": "nl", "polish": "pl", "turkish": "tr",
              "portuguese": "pt", "swedish": "sv", "norwegian": "no", "danish": "da",
              "finnish": "fi", "czech": "cs", "uzbek": "uz", "kyrgyz": "ky", "tajik": "tg",
              "georgian": "ka", "armenian": "hy", "azerbaijani": "az", "belarusian": "be"}


def _language_code(name: str) -> str | None:
    """biblatex language names (``langid``) or codes -> a BCP 47 code; None if unknown."""
    name = plain_text(name).lower()
    if name in _LANGUAGES:
        return _LANGUAGES[name]
    return name if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", name) else None


def _is_english(langid: str) -> bool:
    return langid.strip().lower() in _ENGLISH


def sentence_case(rich: str) -> str:
    """Title Case -> Sentence case, as pandoc's BibTeX reader does for English entries.

    CSL styles expect sentence case and title-case it themselves where they want to (Chicago);
    APA and Harvard print it as it is. Words in braces (``nocase`` spans), acronyms and words
    with inner capitals keep their case; the first word, and the first after a colon, keep
    their capital.
    """
    out: list[str] = []
    start = True
    for part in _MARKUP_RE.split(rich):
        if part.startswith('<span class="nocase">'):
            out.append(part)
            start = False
            continue
        if part.startswith("<"):
            out.append(part)
            continue
        for token in re.split(r"(\s+)", part):
            if token and not token.isspace():
                if not start:
                    token = _WORD_RE.sub(lambda m: m.group(0).lower()
                                         if _CAPITALISED_RE.match(m.group(0)) else m.group(0),
                                         token)
                start = token.endswith((":", "?", "!", "."))
            out.append(token)
    return "".join(out)


# --- names ----------------------------------------------------------------------------------

def parse_names(value: str) -> list[dict[str, str]]:
    """BibTeX name list -> CSL names; ``{Corporate Name}`` stays whole as a literal."""
    names = []
    for raw in _split_top_level(value, " and "):
        raw = raw.strip()
        if not raw:
            continue
        if raw == "others":
            names.append({"literal": "others"})
        elif raw.startswith("{") and raw.endswith("}") and _balanced(raw[1:-1]):
            names.append({"literal": plain_text(raw[1:-1])})
        elif "=" in raw and re.match(r"^\s*(family|given|prefix|suffix)\s*=", raw):
            names.append(_extended_name(raw))
        else:
            names.append(_person(raw))
    return names


def _extended_name(raw: str) -> dict[str, str]:
    name: dict[str, str] = {}
    for part in _split_top_level(raw, ","):
        if "=" in part:
            k, v = part.split("=", 1)
            k = {"prefix": "non-dropping-particle"}.get(k.strip(), k.strip())
            name[k] = plain_text(v.strip().strip("{}"))
    return name


def _person(raw: str) -> dict[str, str]:
    parts = [p.strip() for p in _split_top_level(raw, ",")]
    if len(parts) == 1:
        words = _split_top_level(parts[0], " ")
        # "First von Last": the family name starts at the first lower-case word, or is the last
        i = next((n for n, w in enumerate(words[:-1]) if n and w[:1].islower()), len(words) - 1)
        given, rest = words[:i], words[i:]
    else:
        given = _split_top_level(parts[-1], " ")
        rest = _split_top_level(parts[0], " ")
    particle = []
    while len(rest) > 1 and rest[0][:1].islower():
        particle.append(rest.pop(0))
    name = {"family": plain_text(" ".join(rest))}
    if given:
        name["given"] = plain_text(" ".join(given))
    if particle:
        name["non-dropping-particle"] = plain_text(" ".join(particle))
    if len(parts) == 3:
        name["suffix"] = plain_text(parts[1])
    return name


def _split_top_level(text: str, sep: str) -> list[str]:
    out, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and text.startswith(sep, i):
            out.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    out.append(text[start:])
    return [p for p in out if p.strip()] if sep == " " else out


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


# --- LaTeX ----------------------------------------------------------------------------------

_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
            "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
            "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331"}
_SYMBOLS = {"ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ",
            "oe": "œ", "OE": "Œ", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð",
            "th": "þ", "S": "§", "P": "¶", "textendash": "–", "textemdash": "—",
            "ldots": "…", "dots": "…", "textquoteleft": "‘", "textquoteright": "’",
            "guillemotleft": "«", "guillemotright": "»", "LaTeX": "LaTeX", "TeX": "TeX"}
_STYLE_CMDS = {"textit": "i", "emph": "i", "textsl": "i", "textbf": "b",
               "textsc": "span style=\"font-variant:small-caps;\"", "textsuperscript": "sup",
               "textsubscript": "sub", "mkbibemph": "i", "mkbibquote": None, "url": None,
               "textup": None, "textrm": None, "textnormal": None, "mbox": None, "text": None}


def plain_text(value: str) -> str:
    """LaTeX -> plain Unicode, braces and markup dropped."""
    return re.sub(r"<[^>]+>", "", _decode(value, markup=False)).strip()


def rich_text(value: str) -> str:
    """LaTeX -> CSL-JSON rich text: italics, and brace-protected words kept as ``nocase``."""
    return _decode(value, markup=True).strip()


def _decode(text: str, markup: bool) -> str:
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            i = _command(text, i + 1, out, markup)
            continue
        if ch == "{":
            end = _matching(text, i)
            inner = _decode(text[i + 1:end], markup)
            protect = markup and not text.startswith("{\\", i) and inner.strip()
            out.append(f'<span class="nocase">{inner}</span>' if protect else inner)
            i = end + 1
            continue
        if ch == "}":
            i += 1
            continue
        if ch == "~":
            out.append("\u00a0")
        elif text.startswith("---", i):
            out.append("—")
            i += 2
        elif text.startswith("--", i):
            out.append("–")
            i += 1
        elif ch in "<>&" and markup:
            out.append({"<": "&lt;", ">": "&gt;", "&": "&amp;"}[ch])
        elif ch == "$":
            pass  # math delimiters: keep the content, drop the dollars
        else:
            out.append(ch)
        i += 1
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", "".join(out)))


def _matching(text: str, start: int) -> int:
    depth = 0
    for j in range(start, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(text) - 1


def _command(text: str, i: int, out: list[str], markup: bool) -> int:
    """Decode the command starting after a backslash at ``i``; return the next index."""
    ch = text[i]
    if ch in _ACCENTS and (not ch.isalpha() or not text[i + 1:i + 2].isalpha()):
        arg, nxt = _argument(text, i + 1)
        out.append(_decode(arg, markup=False) + _ACCENTS[ch] if arg else "")
        return nxt
    if not (ch.isascii() and ch.isalpha()):  # \&, \\, or a stray backslash
        char = " " if ch == "\\" else ch
        out.append(html.escape(char, quote=False) if markup else char)
        return i + 1
    match = re.match(r"[A-Za-z]+", text[i:])
    assert match
    name = match.group(0)
    nxt = i + len(name)
    if name in _ACCENTS:  # \u{a}, \v{c}, …
        arg, nxt = _argument(text, nxt)
        out.append(_decode(arg, markup=False) + _ACCENTS[name])
    elif name in _SYMBOLS:
        out.append(_SYMBOLS[name])
        if text.startswith("{}", nxt):
            nxt += 2
        elif text[nxt:nxt + 1] == " ":
            nxt += 1
    elif name in _STYLE_CMDS:
        arg, nxt = _argument(text, nxt)
        inner = _decode(arg, markup)
        tag = _STYLE_CMDS[name]
        if markup and tag:
            out.append(f"<{tag}>{inner}</{tag.split()[0]}>")
        else:
            out.append(inner)
    else:
        if text[nxt:nxt + 1] == " ":
            nxt += 1
    return nxt


def _argument(text: str, i: int) -> tuple[str, int]:
    while i < len(text) and text[i] == " ":
        i += 1
    if i < len(text) and text[i] == "{":
        end = _matching(text, i)
        return text[i + 1:end], end + 1
    if i < len(text) and text[i] == "\\":
        match = re.match(r"\\[A-Za-z]+", text[i:])
        if match:
            return match.group(0), i + len(match.group(0))
    return text[i:i + 1], i + 1
