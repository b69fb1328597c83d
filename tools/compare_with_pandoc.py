"""Compare briefing's notes, references and in-text citations with pandoc's own (the oracle).

Usage: ``.venv/bin/python tools/compare_with_pandoc.py [--style NAME …] [--lang en|ru …]
[--raw] [--samples N] [--json FILE]``

For each language of ``tests/corpus`` and each style, it runs briefing's stages up to the HTML
writer (``tests/differential.py``: the PDF prints exactly that HTML) and compares notes,
reference entries and in-text citations, item by item, with what pandoc makes of the same
files (``tests/oracle.py``). It prints identical/total per kind, then a sample of the
differences grouped by an apparent class (:func:`classify`); a difference that one of
briefing's declared corrections accounts for is classed by that correction. ``--raw``
switches the corrections off (then every item should be identical). ``--json`` writes every
difference. ``tests/test_differential.py`` asserts the same; this tool shows the figures.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
import traceback
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from differential import CORPUS, Ours, briefing_output, explain  # noqa: E402
from oracle import STYLES, OracleOutput, run_report  # noqa: E402

from briefing.corrections import ALL  # noqa: E402

# --- briefing's side ---------------------------------------------------------------------------

def build_briefing(lang: str, style: str, raw: bool) -> Built:
    """briefing's side for ``tests/corpus/<lang>`` in ``style``."""
    start = time.perf_counter()
    try:
        ours = briefing_output(CORPUS / lang, style, frozenset() if raw else ALL, root=CORPUS)
    except Exception as exc:  # noqa: BLE001 - a failure is a finding, not a crash
        text = str(exc).strip().splitlines() or [type(exc).__name__]
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return Built(None, None, time.perf_counter() - start,
                     f"{type(exc).__name__}: {text[0][:300]} ({Path(where.filename).name}:"
                     f"{where.lineno})")
    return Built(ours.output, ours, time.perf_counter() - start)


@dataclass
class Built:
    output: OracleOutput | None
    ours: Ours | None
    seconds: float
    error: str = ""
    warnings: int = 0


# --- comparing ---------------------------------------------------------------------------------

@dataclass
class Difference:
    kind: str  #: notes, references, intext
    index: str  #: note number / key / in-text position (pandoc's side when paired)
    ours: str | None  #: briefing's text; None when briefing has no such item
    theirs: str | None  #: pandoc's text; None when pandoc has no such item
    klass: str = ""


@dataclass
class Comparison:
    lang: str
    style: str
    seconds: float
    oracle_seconds: float
    error: str = ""
    warnings: int = 0
    totals: dict[str, tuple[int, int, int]] = field(default_factory=dict)  #: same, ours, theirs
    differences: list[Difference] = field(default_factory=list)


def pair_in_order(ours: list[str], theirs: list[str], kind: str) -> tuple[int, list[Difference]]:
    """Identical count and the differing pairs of two ordered lists, aligned by difflib."""
    same, diffs = 0, []
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            same += a1 - a0
            continue
        for k in range(max(a1 - a0, b1 - b0)):
            a, b = a0 + k, b0 + k
            diffs.append(Difference(kind, str(b + 1 if b < b1 else f"after {b1}"),
                                    ours[a] if a < a1 else None, theirs[b] if b < b1 else None))
    return same, diffs


def pair_by_key(ours: list[tuple[str, str]], theirs: list[tuple[str, str]],
                kind: str) -> tuple[int, list[Difference]]:
    mine, other = dict(ours), dict(theirs)
    same, diffs = 0, []
    for key in [*other, *(k for k in mine if k not in other)]:
        if mine.get(key) == other.get(key):
            same += 1
        else:
            diffs.append(Difference(kind, key, mine.get(key), other.get(key)))
    return same, diffs


_QUOTES = str.maketrans({c: '"' for c in "“”„«»‘’‚'"})
_DASHES = str.maketrans({c: "-" for c in "–—‐‑"})
_MONTHS = ("January February March April May June July August September October November "
           "December").split()


def _loose(text: str, *steps: str) -> str:
    if "space" in steps:
        text = re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()
    if "quotes" in steps:
        text = text.translate(_QUOTES)
    if "dashes" in steps:
        text = re.sub(r"-{2,3}", "-", text.translate(_DASHES))
    if "case" in steps:
        text = text.casefold()
    if "punct" in steps:
        text = re.sub(r"[^\w\s]", "", text)
        text = re.sub(r"\s+", " ", text).strip()
    return text


def pandoc_bugs(ours: str, theirs: str) -> tuple[str, list[str]]:
    """``theirs`` with pandoc's known misreadings of .bib files undone where ``ours`` shows the
    intended text (research/pandoc-core.md), and the names of the bugs undone."""
    bugs = []
    fixed = theirs.replace("https://doi.org/https://doi.org/", "https://doi.org/")
    if fixed != theirs:
        bugs.append("DOI prefix doubled")

    def rejoin(m: re.Match[str]) -> str:
        joined = f"{m.group(1)} and {m.group(2)}"
        return joined if joined in ours else m.group(0)

    split = re.sub(r"(\w+); (\w+)", rejoin, fixed)
    if split != fixed:
        bugs.append("name list split of an institution at ' and '")
    straight = split.count('"')
    if straight and straight > ours.count('"'):
        curly = re.sub(r'"([^"]*)"', "“\\1”", split)
        if _loose(curly, "space") in _loose(ours, "space") or "‘" in ours:
            bugs.append("straight quotes in a title kept")
            split = curly
    return split, bugs


def classify(diff: Difference) -> str:
    """An apparent class for a difference: a first guess at its cause, for grouping.

    Known pandoc bugs are undone first (the class names them when nothing else differs); then
    the first matching test below names the class, most specific first.
    """
    ours, theirs = diff.ours, diff.theirs
    if ours is None:
        return f"{diff.kind}: missing in briefing"
    if theirs is None:
        return f"{diff.kind}: extra in briefing"
    theirs, bugs = pandoc_bugs(ours, theirs)
    if bugs and _loose(ours, "space", "quotes") == _loose(theirs, "space", "quotes"):
        return "pandoc bug only: " + ", ".join(bugs)
    steps: list[str] = []
    for step, label in (("space", "whitespace / no-break space only"),
                        ("quotes", "quotation marks only"),
                        ("dashes", "dashes only (-- not made an en dash, - vs –)"),
                        ("case", "letter case only (title/sentence case)"),
                        ("punct", "punctuation only")):
        steps.append(step)
        if _loose(ours, *steps) == _loose(theirs, *steps):
            if step == "case":  # who capitalises more: title case applied, or case lost
                upper = sum(c.isupper() for c in ours) - sum(c.isupper() for c in theirs)
                return label + (": briefing has more capitals" if upper > 0 else
                                ": pandoc has more capitals")
            return label
    if re.sub(r"\s", "", _loose(ours, "quotes", "dashes")) == \
            re.sub(r"\s", "", _loose(theirs, "quotes", "dashes")):
        return "spaces lost or added (a soft line break dropped)"
    ours, theirs = _loose(ours, "space"), _loose(theirs, "space")
    words_a, words_b = ours.split(), theirs.split()
    ops = [op for op in difflib.SequenceMatcher(None, words_a, words_b, autojunk=False)
           .get_opcodes() if op[0] != "equal"]
    changed = [" ".join(words_a[o[1]:o[2]] + words_b[o[3]:o[4]]) for o in ops]
    if ops and ops[0][1] < 12 and ops[0][3] < 12 and \
            re.search(r"\band[.,]|\band\b[^,.‘“]*\band\b", " ".join(words_a[:14])):
        return "author names parsed differently (list split, line breaks, 'and')"
    for m in re.finditer(r",? (?:(?:pp?|paras?|chap|arts?|n|s)\.? )?[\dvixlc]+(?:[–-]\d+)?",
                         theirs):
        if theirs[:m.start()] + theirs[m.end():] == ours:
            return "locator dropped by briefing"
    if re.search(r"``|''|&amp;|\\[a-z]+|[{}$]", ours) and not \
            re.search(r"``|''|&amp;|\\[a-z]+|[{}$]", theirs):
        return "TeX/HTML left in briefing's text (``, &amp;, \\cmd, braces, $)"
    if re.search(r"[α-ω]", theirs) and not re.search(r"[α-ω]", ours):
        return "TeX math dropped by briefing"
    if re.search(r"\b(phdthesis|mathesis|mastersthesis|techreport)\b", ours):
        return "thesis/report type left as a biblatex key (phdthesis, mathesis)"
    if theirs.startswith("Ibid") != ours.startswith("Ibid"):
        return "ibid. vs full/short note"
    if bool(re.search(r"\(n \d+\)", theirs)) != bool(re.search(r"\(n \d+\)", ours)):
        return "OSCOLA cross-reference (n X)"
    if re.search(r"\d--\d", ours):
        return "locator range typed with -- not parsed (no en dash / range format)"
    quoted_a = set(re.findall(r"[‘“]([^’”]{8,})[’”]", ours))
    quoted_b = set(re.findall(r"[‘“]([^’”]{8,})[’”]", theirs))
    if quoted_a != quoted_b and any(q in theirs for q in quoted_a - quoted_b) | \
            any(q in ours for q in quoted_b - quoted_a):
        return "title quoted by one side only (entry type mapped differently)"
    if all(re.fullmatch(r"[,.]?\s*(\w+[,.]?\s*)?", c) for c in changed) and \
            any(m in c for c in changed for m in _MONTHS):
        return "month shown by one side only"
    if all(op[0] == "delete" for op in ops):
        return "extra words in briefing"
    if all(op[0] == "insert" for op in ops):
        return "words missing in briefing"
    if any(re.search(r"https?://|doi", c) for c in changed):
        return "URL / DOI differs"
    if len(ours) < 0.6 * len(theirs):
        return "much shorter in briefing"
    if len(theirs) < 0.6 * len(ours):
        return "much longer in briefing"
    if all(re.search(r"\d", c) for c in changed):
        return "numbers / dates / locators differ"
    return "other wording"


def _explained(diff: Difference, ours: Ours) -> str | None:
    if diff.ours is None or diff.theirs is None:
        return None
    keys: tuple[str, ...] = ()
    if diff.kind == "references":
        keys = (diff.index,)
    elif diff.kind == "notes" and diff.index.isdigit():
        keys = ours.written.notes[int(diff.index) - 1].keys
    elif diff.kind == "intext" and diff.index.isdigit() and \
            int(diff.index) - 1 < len(ours.intext_keys):
        keys = ours.intext_keys[int(diff.index) - 1]
    return explain(diff.ours, diff.theirs, keys, ours)


def show(diff: Difference, width: int = 240) -> str:
    """The two texts, with the first differing stretch marked ⟦…⟧."""
    ours, theirs = diff.ours or "", diff.theirs or ""
    if diff.ours is None or diff.theirs is None:
        return f"    briefing: {ours[:width] or '—'}\n    pandoc:   {theirs[:width] or '—'}"
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    first = next((op for op in matcher.get_opcodes() if op[0] != "equal"), None)
    if first is None:
        return f"    (equal) {ours[:width]}"
    _, a0, a1, b0, b1 = first
    start = max(0, min(a0, b0) - 60)

    def mark(text: str, i: int, j: int) -> str:
        return (("…" if start else "") + text[start:i] + "⟦" + text[i:j] + "⟧"
                + text[j:j + width - (i - start)])

    return f"    briefing: {mark(ours, a0, a1)}\n    pandoc:   {mark(theirs, b0, b1)}"


def compare(lang: str, style: str, raw: bool = False) -> Comparison:
    built = build_briefing(lang, style, raw)
    oracle = run_report(CORPUS / lang, style)
    result = Comparison(lang, style, built.seconds, oracle.seconds, built.error, built.warnings)
    if built.output is None:
        return result
    mine, theirs = built.output, oracle.output
    for kind, (same, diffs) in (
            ("notes", pair_in_order(mine.notes, theirs.notes, "notes")),
            ("references", pair_by_key(mine.references, theirs.references, "references")),
            ("intext", pair_in_order(mine.intext, theirs.intext, "intext"))):
        result.totals[kind] = (same, len(getattr(mine, kind)), len(getattr(theirs, kind)))
        for diff in diffs:
            why = _explained(diff, built.ours) if built.ours else None
            diff.klass = f"correction: {why}" if why else classify(diff)
        result.differences.extend(diffs)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--style", action="append", choices=STYLES)
    parser.add_argument("--lang", action="append", choices=("en", "ru"))
    parser.add_argument("--samples", type=int, default=2, help="examples per class (default 2)")
    parser.add_argument("--raw", action="store_true", help="switch briefing's corrections off")
    parser.add_argument("--json", type=Path, help="write every difference to this file")
    args = parser.parse_args(argv)
    results = []
    print(f"{'style':44} {'lang':4} {'notes':>11} {'references':>11} {'in-text':>11} "
          f"{'build s':>7} {'pandoc s':>8}")
    for style in args.style or STYLES:
        for lang in args.lang or ("en", "ru"):
            res = compare(lang, style, args.raw)
            results.append(res)
            if res.error:
                print(f"{style:44} {lang:4} BUILD FAILED after {res.seconds:.1f} s: {res.error}")
                continue
            cells = [f"{same}/{theirs}" + ("" if ours == theirs else f"({ours})")
                     for same, ours, theirs in res.totals.values()]
            print(f"{style:44} {lang:4} " + " ".join(f"{c:>11}" for c in cells)
                  + f" {res.seconds:7.1f} {res.oracle_seconds:8.1f}", flush=True)
    print("\nidentical/pandoc's count (briefing's count when different)")

    groups: dict[str, list[tuple[Comparison, Difference]]] = defaultdict(list)
    for res in results:
        for diff in res.differences:
            groups[diff.klass].append((res, diff))
    print("\nDifferences by apparent class (all styles and languages):")
    for klass, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        print(f"\n{len(items):5}  {klass}")
        seen: set[tuple[str | None, str | None]] = set()
        shown = 0
        for res, diff in items:
            if shown >= args.samples or (diff.ours, diff.theirs) in seen:
                continue
            seen.add((diff.ours, diff.theirs))
            shown += 1
            print(f"  [{res.style}, {res.lang}, {diff.kind} {diff.index}]")
            print(show(diff))
    if args.json:
        payload: list[dict[str, Any]] = [
            {**{k: v for k, v in asdict(r).items() if k != "differences"},
             "differences": [asdict(d) for d in r.differences]} for r in results]
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
