"""What pandoc makes of the differential corpus, per style and language.

Usage: ``.venv/bin/python tools/corpus_report.py [--style NAME …] [--lang en|ru …]``

Prints the corpus's size (entries per exporter shape, citations and forms per language), then
runs the pandoc oracle (``tests/oracle.py``) over ``tests/corpus/<lang>`` in each style and
prints the number of notes, reference entries and in-text citations, and the entries pandoc
warns about. Exits 1 if pandoc reports any 'citation … not found' or fails. Takes ~15 s.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from corpus_forms import CORPUS, LANGUAGES, REQUIRED, count, entries, exporter  # noqa: E402
from oracle import STYLES, run_report  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--style", action="append", choices=STYLES,
                        help="a style to run (default: all five)")
    parser.add_argument("--lang", action="append", choices=LANGUAGES,
                        help="a language to run (default: en and ru)")
    args = parser.parse_args(argv)
    styles = args.style or list(STYLES)
    langs = args.lang or list(LANGUAGES)

    by_file = entries()
    print(f"Bibliography: {sum(map(len, by_file.values()))} entries")
    for stem, keys in by_file.items():
        print(f"  {stem + '.bib':20} {len(keys):4}  {exporter(stem)}")

    counts = {lang: count(lang) for lang in langs}
    print("\nCitations (pandoc's parse): clusters / items / distinct keys")
    for lang, c in counts.items():
        print(f"  {lang}: {c.clusters} / {c.items} / {len(c.keys)}")
    print("\nForms" + "".join(f"{lang:>6}" for lang in langs))
    for form in REQUIRED:
        print(f"  {form:50}" + "".join(f"{counts[lang].forms[form]:6}" for lang in langs))

    failed = False
    print(f"\n{'style':44} {'lang':4} {'notes':>5} {'refs':>5} {'in-text':>7} {'missing':>7} "
          f"{'unprinted':>9} {'other':>5} {'secs':>5}")
    for style in styles:
        for lang in langs:
            try:
                result = run_report(CORPUS / lang, style)
            except RuntimeError as exc:
                print(f"{style:44} {lang:4} FAILED: {exc}")
                failed = True
                continue
            out = result.output
            other = [w for w in result.warnings
                     if w.removeprefix("Citeproc: ").split(" ")[0] not in ("citation",
                                                                           "Bibliography")]
            print(f"{style:44} {lang:4} {len(out.notes):5} {len(out.references):5} "
                  f"{len(out.intext):7} {len(result.missing):7} {len(result.unprinted):9} "
                  f"{len(other):5} {result.seconds:5.1f}")
            for label, items in (("citation not found", result.missing),
                                 ("entry with no printed form", result.unprinted),
                                 ("warning", other)):
                if items:
                    print(f"{'':6}{label}: {', '.join(items)}")
            failed = failed or bool(result.missing)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
