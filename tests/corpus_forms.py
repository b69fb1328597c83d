"""Self-check of ``tests/corpus``: which citation forms its Markdown uses, and how often.

Citations are counted on pandoc's own parse (``pandoc -t json``: every ``Cite`` and its items,
modes, prefixes and suffixes); forms that only the source text shows (braced keys, a citation
starting a wrapped line, a footnote over several lines) are found with regular expressions.
``tests/test_corpus.py`` asserts the corpus keeps every form; ``tools/corpus_report.py`` prints
the table.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oracle import pandoc_path, read_report

CORPUS = Path(__file__).resolve().parent / "corpus"
LANGUAGES = ("en", "ru")


@dataclass(frozen=True)
class Cite:
    """One citation (cluster) as pandoc parsed it."""

    items: list[dict[str, Any]]
    in_note: bool

    @property
    def modes(self) -> list[str]:
        return [str(item["citationMode"]["t"]) for item in self.items]

    def prefix(self, i: int = 0) -> list[Any]:
        return list(self.items[i]["citationPrefix"])

    def suffix(self, i: int = 0) -> str:
        """The suffix as plain text; pandoc's smart no-break spaces ("p.\u00a033") read as
        spaces."""
        return _plain(self.items[i]["citationSuffix"]).replace("\u00a0", " ")


def _plain(inlines: list[Any]) -> str:
    out = []
    for node in inlines:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak"):
            out.append(" ")
        elif isinstance(content, list):
            out.append(_plain([c for c in content if isinstance(c, dict) and "t" in c]))
    return "".join(out)


def _walk(node: Any, in_note: bool = False) -> Iterator[Cite]:
    if isinstance(node, dict):
        if node.get("t") == "Cite":
            yield Cite(items=node["c"][0], in_note=in_note)
        in_note = in_note or node.get("t") == "Note"
        for value in node.values():
            yield from _walk(value, in_note)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, in_note)


def parse_cites(sections: list[Path]) -> list[Cite]:
    done = subprocess.run([pandoc_path(), "-f", "markdown", "-t", "json", *map(str, sections)],
                          capture_output=True, text=True, encoding="utf-8", check=True)
    return list(_walk(json.loads(done.stdout)["blocks"]))


_LOCATOR = {
    "[@k, 22--23]": r", \d+–\d+",
    "[@k, pp. 240--242]": r",? ?pp\. ",
    "[@k, p. 33]": r",? ?(p|с)\. \d",
    "[@k, chap. 3]": r",? ?(chap|гл)\. ",
    "[@k, para. 12]": r", (paras?|п)\.? \d",
    "[@k, art. 20]": r", (arts?|ст)\. ",
    "[@k, 12, emphasis added]": r", (?:[^\W\d]+\.? )?\d+, \w",
}

#: forms seen in the source text (whole file; [^\]] spans wrapped lines)
_SOURCE = {
    "@{key.with.odd:chars}": r"@\{[^}]+\}",
    "as @k [87] argues": r"\bas\s+@[\w:./-]+\s+\[[^\]]+\]\s+\w",
    "citation starts a wrapped line": r"[^\n]\n(\[-?@|@[\w{])",
    '"quotation" [@k]': r"[\"”»]\s*\[[^\]@]*@",
    "[@k] before ? ! ; :": r"\[[^\[\]]*@[^\[\]]*\][?!;:]",
    "inside parentheses": r"\((?:see |compare |)[^()\n]*(?:\n[^()\n]*)?@[\w{]",
    "two citations at one place": r"@[^\[\]]*\]\s?\[[^\]]*@",
    "inline footnote with citation": r"\^\[[^\]]*@",
    "footnote that is only a citation": r"\^\[\[?@[^\s\]]+\]?\]",
    "inline footnote over several lines": r"\^\[[^\]]*\n[^\]]*\]",
    "labelled footnote with citation": r"(?m)^\[\^[^\]]+\]:[^\n]*(?:\n(?! *\n)[^\n]*)*@",
    "labelled footnote, two paragraphs": r"(?m)^\[\^[^\]]+\]:[^\n]*(?:\n[^\n]+)*\n\n {4}\S",
    "citation in a list item": r"(?m)^- [^\n]*(?:\n  [^\n]*)*@",
    "citation in a block quote": r"(?m)^> [^\n]*@",
    "citation in a table cell": r"(?m)^\|[^\n]*@",
}


def forms(cites: list[Cite], text: str) -> Counter[str]:
    """How many times each citation form occurs."""
    found: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    previous: str | None = None
    for cite in cites:
        first = cite.items[0]
        single = len(cite.items) == 1
        mode = cite.modes[0]
        bare = not cite.prefix() and not cite.suffix()
        if single and mode == "NormalCitation" and bare:
            found["[@k]"] += 1
        if single and mode == "AuthorInText":
            found["@k [87]" if cite.suffix() else "@k"] += 1
        if "SuppressAuthor" in cite.modes:
            found["[-@k]"] += 1
        if len(cite.items) > 1:
            if all(not cite.prefix(i) and not cite.suffix(i) for i in range(len(cite.items))):
                found["[@k; @j]"] += 1
            if cite.prefix() and any(cite.suffix(i) for i in range(len(cite.items))):
                found["[see @a, 12; @b, 4]"] += 1
        if any(node.get("t") == "Emph" for node in cite.prefix()):
            found["[*cf.* @k]"] += 1
        for name, pattern in _LOCATOR.items():
            if any(re.match(pattern, cite.suffix(i)) for i in range(len(cite.items))):
                found[name] += 1
        if cite.in_note:
            found["citation inside a footnote"] += 1
        key = str(first["citationId"])
        seen[key] += 1
        if key == previous and single:
            found["same source twice running (ibid.)"] += 1
        elif seen[key] > 1:
            found["repeat after other sources (short form, (n X))"] += 1
        previous = key if single else None
    for name, pattern in _SOURCE.items():
        found[name] += len(re.findall(pattern, text))
    return found


#: every form the corpus must keep
REQUIRED = ("[@k]", "[@k, 22--23]", "[@k, pp. 240--242]", "[@k, p. 33]", "[@k, chap. 3]",
            "[@k, para. 12]", "[see @a, 12; @b, 4]", "[*cf.* @k]", "[@k, 12, emphasis added]",
            "[@k; @j]", "[-@k]", "@k [87]", "@k", *_SOURCE, "citation inside a footnote",
            "same source twice running (ibid.)",
            "repeat after other sources (short form, (n X))")


@dataclass(frozen=True)
class LanguageCount:
    lang: str
    clusters: int
    items: int
    keys: set[str]
    forms: Counter[str]


def count(lang: str) -> LanguageCount:
    report = read_report(CORPUS / lang)
    cites = parse_cites(report.sections)
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in report.sections)
    return LanguageCount(lang=lang, clusters=len(cites),
                         items=sum(len(c.items) for c in cites),
                         keys={str(i["citationId"]) for c in cites for i in c.items},
                         forms=forms(cites, text))


_EXPORTER = {"zotero-bbt": "Zotero Better BibLaTeX", "zotero-bibtex": "Zotero BibTeX",
             "jabref": "JabRef", "scholar": "Google Scholar", "dblp": "DBLP",
             "acm-ieee": "ACM / IEEE / publishers", "legal-un": "legal and UN, by hand",
             "multilingual": "multilingual"}


def entries() -> dict[str, list[str]]:
    """Bibliography file stem -> its entry keys, as pandoc's biblatex reader returns them."""
    out: dict[str, list[str]] = {}
    for stem in _EXPORTER:
        done = subprocess.run([pandoc_path(), "-f", "biblatex", "-t", "csljson",
                               str(CORPUS / f"{stem}.bib")],
                              capture_output=True, text=True, encoding="utf-8", check=True)
        out[stem] = [str(item["id"]) for item in json.loads(done.stdout)]
    return out


def exporter(stem: str) -> str:
    return _EXPORTER.get(stem, stem)
