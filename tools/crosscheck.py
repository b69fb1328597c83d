"""Compare briefing's citation battery with citeproc-js, the reference CSL processor.

Usage: ``.venv/bin/python tools/crosscheck.py`` (needs Node.js and the npm registry; installs the
``citeproc`` npm package and the CSL locales of the ``citeproc-py`` wheel under
``build/.tools/``). For each style of ``tests/test_battery.py`` it formats the same CSL-JSON
(briefing's own mapping) with citeproc-js and prints every note or reference that differs.
A maintainer's tool, not a test: the runtime does not need Node.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "build" / ".tools"
sys.path.insert(0, str(ROOT / "tests"))

from briefing.markdown import parse_sections  # noqa: E402
from test_battery import HERE, STYLES, battery_output  # noqa: E402

from briefing.bibliography import parse_bibliography  # noqa: E402
from briefing.citations import resolve_style  # noqa: E402
from briefing.errors import Diagnostics  # noqa: E402
from briefing.sources import Section  # noqa: E402

_LABELS = {"p": "page", "pp": "page", "para": "paragraph", "paras": "paragraph",
           "chap": "chapter", "sec": "section", "art": "article-locator", "n": "note"}


def _setup() -> Path:
    TOOLS.mkdir(parents=True, exist_ok=True)
    if not (TOOLS / "node_modules" / "citeproc").is_dir():
        subprocess.run(["npm", "install", "--prefix", str(TOOLS), "citeproc@2"], check=True,
                       capture_output=True)
    if not list(TOOLS.glob("citeproc_py-*.whl")):
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d",
                        str(TOOLS), "citeproc-py"], check=True)
    return next(TOOLS.glob("citeproc_py-*.whl"))


def _locale(wheel: Path, lang: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(f"citeproc/data/locales/locales-{lang}.xml").decode("utf-8")


def _cite(item: object) -> dict[str, str]:
    cite = {"id": item.key}  # type: ignore[attr-defined]
    suffix = item.suffix.lstrip(", ")  # type: ignore[attr-defined]
    match = re.match(r"(?:(\w+)\.\s*)?(.+)", suffix)
    if suffix and match:
        label, locator = match.groups()
        cite["locator"] = locator
        cite["label"] = _LABELS.get((label or "p").lower(), "page")
    if item.prefix:  # type: ignore[attr-defined]
        cite["prefix"] = item.prefix + " "  # type: ignore[attr-defined]
    return cite


def reference_output(wheel: Path, style: str, lang: str) -> dict[str, list[str]]:
    refs = parse_bibliography((HERE / "battery.bib",), Diagnostics())
    text = (HERE / "sequence.md").read_text(encoding="utf-8")
    parsed = parse_sections([Section(HERE / "sequence.md", text, 1)], lang)
    payload = {"style": resolve_style(style, HERE, HERE, None).path.read_text(encoding="utf-8"),
               "locale": _locale(wheel, lang), "lang": lang,
               "items": [ref.csl for ref in refs.values()],
               "citations": [[_cite(i) for i in c.items] for c in parsed.citations]}
    out = subprocess.run(["node", str(Path(__file__).with_name("citeproc_js.js"))],
                         input=json.dumps(payload), capture_output=True, text=True, check=True,
                         env={"NODE_PATH": str(TOOLS / "node_modules"), "PATH": "/usr/bin:/bin"})
    data: dict[str, list[str]] = json.loads(out.stdout)
    return data


def main() -> None:
    wheel = _setup()
    for style, lang in STYLES:
        ours, theirs = battery_output(style, lang), reference_output(wheel, style, lang)
        print(f"\n== {style} ({lang})")
        for kind in ("notes", "references"):
            pairs = list(zip(ours[kind], theirs[kind], strict=False))
            same = sum(a == b for a, b in pairs)
            print(f"{kind}: {same} of {len(pairs)} identical"
                  + ("" if len(ours[kind]) == len(theirs[kind]) else
                     f" (briefing {len(ours[kind])}, citeproc-js {len(theirs[kind])})"))
            for n, (a, b) in enumerate(pairs, start=1):
                if a != b:
                    print(f"  [{n}] briefing:    {a}\n  [{n}] citeproc-js: {b}")


if __name__ == "__main__":
    main()
