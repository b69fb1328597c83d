"""Property-based fuzzing: random and mutated Markdown, BibTeX and YAML through check and build.

The property: only briefing's own errors ever come out (``BriefingError`` or diagnostics),
never a crash or a traceback. CI runs a bounded number of examples; maintainers run longer with
``HYPOTHESIS_PROFILE=long make test`` (see README).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from conftest import ROOT, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.bibliography import parse_bibliography
from briefing.checks import check
from briefing.config import load_config
from briefing.errors import BriefingError, Diagnostics
from briefing.pipeline import build

settings.register_profile("ci", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
BUILD_EXAMPLES = 6 if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else 200

SEED_MD = (ROOT / "report" / "03-rule-of-law.md").read_text(encoding="utf-8") + (
    "\n\n| A | B |\n|---|--:|\n| x | 1 |\n\nTable: Caption.\n\nNote^[inline [@nowak2009, 3]] "
    "and[^n].\n\n[^n]: Defined *here*.\n\n> quote\n\n- item\n  - nested\n")
SEED_BIB = (ROOT / "bib" / "kazakhstan.bib").read_text(encoding="utf-8")
SEED_YAML = "title: T\nauthor: [A, B]\ndate: 2020-01-02\nlang: en-GB\nbibliography: r.bib\n"
SYNTAX = "[]@^{}#\\\"*_-|<>!():;,=\n\t `~$%&/?."


@st.composite
def mutated(draw: st.DrawFn, seed: str) -> str:
    """The seed text with a few random insertions, deletions and duplications."""
    text = seed
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate"]))
        if action == "insert":
            text = text[:pos] + draw(st.text(alphabet=SYNTAX + "ab@9Жй", min_size=1,
                                             max_size=6)) + text[pos:]
        elif action == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 40)):]
        else:
            text = text[:pos] + text[pos:pos + draw(st.integers(1, 80))] * 2 + text[pos:]
    return text


def _folder(md: str, bib: str = SEED_BIB, yaml: str = SEED_YAML) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    write(folder, {"report.yaml": yaml, "r.bib": bib, "a.md": md})
    return folder


@given(st.one_of(mutated(SEED_MD), st.text(max_size=400)))
def test_check_survives_any_markdown(md: str) -> None:
    folder = _folder(md)
    try:
        diags = check(folder)
        assert all(d.severity in ("error", "warning", "note") and d.message
                   for d in diags.items)
    finally:
        shutil.rmtree(folder)


@given(st.one_of(mutated(SEED_BIB), st.text(max_size=400)))
def test_bibtex_parser_survives_any_input(bib: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.bib"
        path.write_text(bib, encoding="utf-8")
        diags = Diagnostics()
        refs = parse_bibliography((path,), "en-GB", diags)
        assert all(r.meta["id"]["c"] == key for key, r in refs.items())


@given(st.one_of(mutated(SEED_YAML), st.text(max_size=200)))
def test_config_survives_any_yaml(yaml: str) -> None:
    folder = _folder("Text.\n", yaml=yaml)
    try:
        load_config(folder)
    except BriefingError as exc:
        assert exc.diagnostics and all(d.message for d in exc.diagnostics)
    finally:
        shutil.rmtree(folder)


@settings(max_examples=BUILD_EXAMPLES)
@given(mutated(SEED_MD))
def test_build_survives_mutated_markdown(md: str) -> None:
    folder = _folder(md)
    try:
        build(folder, folder / "out" / "x.pdf")
    except BriefingError as exc:
        assert exc.diagnostics
    finally:
        shutil.rmtree(folder)
