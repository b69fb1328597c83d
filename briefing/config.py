"""Stage 0: ``report.yaml`` -> a validated, frozen :class:`Config`.

The keys follow pandoc's metadata names (``title``, ``subtitle``, ``author``, ``date``, ``lang``,
``bibliography``, ``csl``, ``nocite``, ``reference-section-title``) so a pandoc user's file works
unchanged; ``sections`` and a few house-style keys are ours. Every key is checked here, with the
yaml file and line in each message, so later stages can trust the record.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import BriefingError, Diagnostic, Diagnostics

CONFIG_NAME = "report.yaml"
#: the house style shipped with briefing (templates + CSS)
DEFAULT_STYLES = Path(__file__).resolve().parent.parent / "styles"
DEFAULT_CSL = "chicago-notes-bibliography"

#: pandoc's names, then ours; unknown keys are errors with a suggestion
KNOWN_KEYS = {
    "title", "subtitle", "author", "date", "lang", "bibliography", "csl", "nocite",
    "reference-section-title", "sections", "organisation", "subject", "keywords",
    "contents-title", "styles",
}
#: words the house style prints, by language; report.yaml can override the two titles
LABELS = {
    "en": {"contents": "Contents", "sources": "Sources", "page": "Page", "of": "of"},
    "ru": {"contents": "Содержание", "sources": "Источники", "page": "Страница", "of": "из"},
    "kk": {"contents": "Мазмұны", "sources": "Дереккөздер", "page": "Бет", "of": "/"},
    "uk": {"contents": "Зміст", "sources": "Джерела", "page": "Сторінка", "of": "з"},
    "de": {"contents": "Inhalt", "sources": "Quellen", "page": "Seite", "of": "von"},
    "fr": {"contents": "Sommaire", "sources": "Sources", "page": "Page", "of": "sur"},
    "nl": {"contents": "Inhoud", "sources": "Bronnen", "page": "Pagina", "of": "van"},
    "es": {"contents": "Índice", "sources": "Fuentes", "page": "Página", "of": "de"},
}
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Config:
    """Everything ``report.yaml`` says, validated; paths are absolute."""

    path: Path  #: the yaml file
    title: str
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    organisation: str = ""  #: shown on the cover above the authors
    date: str = ""  #: shown as written
    lang: str = "en-GB"
    bibliography: tuple[Path, ...] = ()
    csl: str = DEFAULT_CSL  #: a style name from the collection or a path to a .csl file
    nocite: tuple[str, ...] = ()
    reference_section_title: str = ""  #: empty: the word for "Sources" in ``lang``
    contents_title: str = ""  #: empty: the word for "Contents" in ``lang``
    sections: tuple[Path, ...] = ()
    subject: str = ""
    keywords: tuple[str, ...] = ()
    styles: Path | None = None  #: folder with briefing.html + briefing.css; None: the default
    lines: dict[str, int] = field(default_factory=dict, compare=False)  #: key -> yaml line
    cols: dict[str, int] = field(default_factory=dict, compare=False)  #: key -> yaml column

    @property
    def folder(self) -> Path:
        return self.path.parent

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key)

    @property
    def labels(self) -> dict[str, str]:
        """The house style's words in the briefing's language (English when unknown)."""
        words = dict(LABELS.get(self.lang.split("-")[0].lower(), LABELS["en"]))
        words["sources"] = self.reference_section_title or words["sources"]
        words["contents"] = self.contents_title or words["contents"]
        return words

    @property
    def styles_dir(self) -> Path:
        return self.styles or DEFAULT_STYLES

    def default_output(self) -> Path:
        """``build/<report folder name>.pdf`` under the current directory."""
        return Path.cwd() / "build" / f"{self.folder.name}.pdf"


def find_config(source: Path) -> Path:
    """The yaml file for SOURCE: a report folder holding ``report.yaml``, or the file itself."""
    if source.is_dir():
        candidate = source / CONFIG_NAME
        if not candidate.is_file():
            raise BriefingError(f"no {CONFIG_NAME} in this folder; create one (see README, "
                                f"'Source format')", path=source)
        return candidate.resolve()
    if source.is_file():
        return source.resolve()
    raise BriefingError("no such file or folder; give a report folder or its report.yaml",
                        path=source)


def load_config(source: Path) -> Config:
    """Read and validate the report's yaml; raise with every problem found."""
    path = find_config(source)
    data, lines, cols = _read_yaml(path)
    diags = Diagnostics()
    values = _validate(path, data, lines, cols, diags)
    diags.raise_if_errors()
    return Config(path=path, lines=lines, cols=cols, **values)


def _read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, int], dict[str, int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BriefingError(f"not UTF-8 text (byte {exc.start}); save the file as UTF-8",
                            path=path) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise BriefingError(f"character U+{exc.character:04X} is not allowed in YAML; delete "
                            "it", path=path, line=line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise BriefingError([Diagnostic("error", f"YAML syntax: {exc.problem or exc.context}",
                                        path, mark.line + 1 if mark else None,
                                        mark.column + 1 if mark else None)]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode | type(None)):
        raise BriefingError("report.yaml must be a mapping of keys to values "
                            "(for example 'title: Kazakhstan')", path=path, line=1)
    lines: dict[str, int] = {}
    cols: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines[str(key_node.value)] = key_node.start_mark.line + 1
            cols[str(key_node.value)] = key_node.start_mark.column + 1
    return data, lines, cols


def _validate(path: Path, data: dict[str, Any], lines: dict[str, int], cols: dict[str, int],
              diags: Diagnostics) -> dict[str, Any]:
    folder = path.parent
    out: dict[str, Any] = {}

    def err(key: str, message: str) -> None:
        diags.error(message, path, lines.get(key), cols.get(key))

    for key in data:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(str(key), sorted(KNOWN_KEYS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            err(str(key), f"unknown key '{key}'{hint}")

    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        diags.error("'title' is required: the briefing's title, shown on the cover",
                    path, lines.get("title", 1))
    else:
        out["title"] = title.strip()

    for key, attr in (("subtitle", "subtitle"), ("organisation", "organisation"),
                      ("subject", "subject"), ("reference-section-title",
                                               "reference_section_title"),
                      ("contents-title", "contents_title")):
        if key in data:
            value = data[key]
            if not isinstance(value, str):
                err(key, f"'{key}' must be text")
            else:
                out[attr] = value.strip()

    if "date" in data:
        out["date"] = _date_text(data["date"], lambda m: err("date", m))
    if "author" in data:
        out["authors"] = _str_list(data["author"], "author", err)
    if "keywords" in data:
        out["keywords"] = _str_list(data["keywords"], "keywords", err)
    if "lang" in data:
        lang = data["lang"]
        if not isinstance(lang, str) or not _LANG_RE.match(lang):
            err("lang", f"'lang' must be a BCP 47 tag such as en-GB or ru, not {lang!r}")
        else:
            out["lang"] = lang
    if "bibliography" in data:
        names = _str_list(data["bibliography"], "bibliography", err)
        out["bibliography"] = _existing_files(folder, names, "bibliography", err)
    if "csl" in data:
        if not isinstance(data["csl"], str) or not data["csl"].strip():
            err("csl", "'csl' must be a style name such as chicago-notes-bibliography "
                       "or a path to a .csl file")
        else:
            out["csl"] = data["csl"].strip()
    if "nocite" in data:
        out["nocite"] = _nocite_keys(data["nocite"], err)
    if "styles" in data:
        styles = (folder / str(data["styles"])).resolve()
        if not (styles / "briefing.html").is_file():
            err("styles", f"'styles' must be a folder holding briefing.html and briefing.css; "
                          f"{styles} has no briefing.html")
        else:
            out["styles"] = styles
    if "sections" in data:
        names = _str_list(data["sections"], "sections", err)
        out["sections"] = _existing_files(folder, names, "sections", err)
    else:
        found = tuple(sorted(p.resolve() for p in folder.glob("*.md")))
        if not found:
            diags.error("no sections: list Markdown files under 'sections:' or put *.md "
                        "files beside report.yaml", path, 1)
        out["sections"] = found
    return out


def _date_text(value: Any, err: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | int):
        return str(value).strip()
    err("'date' must be text such as 'March 2012' or 2012-03-01")
    return ""


def _str_list(value: Any, key: str, err: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value.strip(),)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value)
    if isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value):
        return tuple(str(v["name"]).strip() for v in value)  # pandoc's author: [{name: …}]
    err(key, f"'{key}' must be text or a list of texts")
    return ()


def _existing_files(folder: Path, names: tuple[str, ...], key: str,
                    err: Any) -> tuple[Path, ...]:
    paths = []
    for name in names:
        path = (folder / name).resolve()
        if not path.is_file():
            err(key, f"'{key}' names '{name}', which does not exist (looked in {folder})")
        else:
            paths.append(path)
    return tuple(paths)


def _nocite_keys(value: Any, err: Any) -> tuple[str, ...]:
    texts = _str_list(value, "nocite", err)
    keys: list[str] = []
    for text in texts:
        for token in re.split(r"[\s,;]+", text):
            if token:
                keys.append(token.lstrip("@"))
    return tuple(keys)
