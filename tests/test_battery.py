"""The citation battery: every entry type, formatted in Chicago (with and without ibid) and OSCOLA.

The expected notes and reference lists are in ``battery/expected.json``: read line by line against
the Chicago Manual (18th ed.) and OSCOLA (4th ed.), and compared with citeproc-js, the reference
processor, by ``tools/crosscheck.py`` (known differences are listed in docs/design.md).
Refresh after a deliberate change with ``BRIEFING_UPDATE_GOLDEN=1 pytest tests/test_battery.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from briefing.bibliography import parse_bibliography
from briefing.citations import format_citations, resolve_style
from briefing.errors import Diagnostics
from briefing.markdown import parse_sections
from briefing.sources import Section

HERE = Path(__file__).parent / "battery"
STYLES = [("chicago-notes-bibliography", "en-US"),
          ("chicago-notes-bibliography-subsequent-ibid", "en-US"), ("oscola", "en-GB")]


def battery_output(style: str, lang: str) -> dict[str, list[str]]:
    """The battery's notes and reference list as plain text lines."""
    diags = Diagnostics()
    refs = parse_bibliography((HERE / "battery.bib",), diags)
    text = (HERE / "sequence.md").read_text(encoding="utf-8")
    parsed = parse_sections([Section(HERE / "sequence.md", text, 1)], lang)
    result = format_citations(parsed, refs, resolve_style(style, HERE, HERE, None), lang, ("*",))

    def plain(html: str) -> str:
        return re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">") \
            .replace("&amp;", "&")

    notes = [plain(result.formatted[c.id].note or "") for c in parsed.citations]
    return {"notes": notes, "references": [plain(e.html) for e in result.references]}


def _expected() -> dict[str, dict[str, list[str]]]:
    return json.loads((HERE / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("style", "lang"), STYLES)
def test_battery(style: str, lang: str) -> None:
    got = battery_output(style, lang)
    if os.environ.get("BRIEFING_UPDATE_GOLDEN"):
        data = _expected() if (HERE / "expected.json").exists() else {}
        data[style] = got
        (HERE / "expected.json").write_text(json.dumps(data, indent=1, ensure_ascii=False)
                                            + "\n", encoding="utf-8")
    expected = _expected()[style]
    assert got["notes"] == expected["notes"]
    assert got["references"] == expected["references"]


def test_battery_covers_every_entry_type() -> None:
    text = (HERE / "battery.bib").read_text(encoding="utf-8")
    kinds = set(re.findall(r"^@(\w+)\{", text, re.M)) - {"string"}
    assert kinds >= {"report", "techreport", "online", "misc", "book", "collection", "mvbook",
                     "incollection", "inproceedings", "article", "phdthesis", "mastersthesis",
                     "unpublished", "manual", "legislation", "legal", "jurisdiction", "dataset"}
    cited = set(re.findall(r"@([\w-]+)", (HERE / "sequence.md").read_text(encoding="utf-8")))
    keys = set(re.findall(r"^@\w+\{([\w-]+),", text, re.M))
    assert keys <= cited  # every entry is cited at least once


def test_chicago_and_oscola_conventions() -> None:
    chicago = _expected()["chicago-notes-bibliography"]["notes"]
    ibid = _expected()["chicago-notes-bibliography-subsequent-ibid"]["notes"]
    oscola = _expected()["oscola"]["notes"]
    # Chicago: full note first, short form (author, short title, locator) after
    assert chicago[0].startswith("Amara Okafor, Water Governance in the Sahel: Options")
    assert chicago[1] == "Okafor, Water Governance in the Sahel, 12."
    # the -subsequent-ibid variant: Ibid. for the same work, with a new locator if it changed
    assert ibid[1:3] == ["Ibid.", "Ibid., 14."]
    # OSCOLA: back-references to the note of the full citation, "(n 12)"
    assert oscola[24] == "Keohane and Victor (n 12) 15."
    assert oscola[26] == "Nowak (n 8) 45."
