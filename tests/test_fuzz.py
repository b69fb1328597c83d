"""Property-based fuzzing: random and mutated Markdown, BibTeX, YAML, images and templates
through check and build.

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
from briefing.config import DEFAULT_STYLES, load_config
from briefing.errors import BriefingError, Diagnostics
from briefing.limits import check_image, guard, screen_markdown
from briefing.pipeline import build
from briefing.sandbox import template_failure

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


SEED_TEMPLATE = (DEFAULT_STYLES / "briefing.html").read_text(encoding="utf-8")
SEED_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            '<defs><g id="a"><rect width="1" height="1"/></g><g id="b"><use xlink:href="#a"/>'
            '<use xlink:href="#b"/></g></defs><use xlink:href="#b"/><text>x</text></svg>')
SEED_PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
                         "0000000a4944415408d763600000000200015e2b0e0b0000000049454e44ae426082")


@given(st.one_of(st.binary(max_size=600), mutated(SEED_SVG).map(str.encode),
                 st.binary(max_size=60).map(lambda b: SEED_PNG[:16] + b + SEED_PNG[24:])))
def test_image_checks_survive_any_bytes(data: bytes) -> None:
    problem = check_image(data)
    assert problem is None or problem.message


@given(st.one_of(mutated(SEED_MD), st.text(max_size=600),
                 mutated("---\na: &x [1, 2]\nb: *x\n---\n\n[a [b [c]]] ^[n] | x | y |\n")))
def test_markdown_screen_survives_any_text(md: str) -> None:
    for problem in screen_markdown(md, Path("a.md")):
        assert problem.severity == "error" and problem.line and problem.line >= 1


@settings(max_examples=BUILD_EXAMPLES * 5)
@given(mutated(SEED_TEMPLATE))
def test_a_mutated_house_template_fails_only_as_an_input_error(template: str) -> None:
    from briefing.templates import render_page
    from briefing.writer import Written

    folder = _folder("# One\n\nText.\n", yaml=SEED_YAML + "styles: house\n")
    try:
        (folder / "house").mkdir()
        (folder / "house" / "briefing.html").write_text(template, encoding="utf-8")
        config = load_config(folder)
        with guard("filling the house template"):
            render_page(config, Written(body="<p>Body</p>"))
    except BriefingError as exc:
        assert exc.diagnostics and exc.exit_code == 1
    except Exception as exc:  # the pipeline reports the template's own failures at its line
        assert template_failure(exc, (folder / "house").resolve()) is not None, exc
    finally:
        shutil.rmtree(folder)
