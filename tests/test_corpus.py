"""The differential corpus keeps its promises: size, every citation form, clean for pandoc.

Fast: pandoc parses the Markdown (no citeproc) and reads each .bib once (~1 s in all).
"""

from __future__ import annotations

from collections import Counter

import pytest
from corpus_forms import LANGUAGES, REQUIRED, LanguageCount, count, entries


@pytest.fixture(scope="module")
def counts() -> dict[str, LanguageCount]:
    return {lang: count(lang) for lang in LANGUAGES}


def test_bibliography_size_and_unique_keys() -> None:
    by_file = entries()  # pandoc -f biblatex -t csljson fails the test on a bad file
    keys = [key for file_keys in by_file.values() for key in file_keys]
    assert len(keys) >= 300
    assert [k for k, n in Counter(keys).items() if n > 1] == []
    assert all(len(file_keys) >= 25 for file_keys in by_file.values())


def test_citation_counts(counts: dict[str, LanguageCount]) -> None:
    assert counts["en"].clusters >= 200
    assert counts["ru"].clusters >= 60
    cited = counts["en"].keys | counts["ru"].keys
    assert cited == {k for file_keys in entries().values() for k in file_keys}  # all cited


def test_every_form_is_present(counts: dict[str, LanguageCount]) -> None:
    total = counts["en"].forms + counts["ru"].forms
    assert [form for form in REQUIRED if total[form] == 0] == []
