"""What a donor briefing holds: figures, charts from data, cross-references, tables, boxes,
annexes (issue "What a donor briefing holds"). The PDF is read back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import write
from pdfcheck import internal_links, page_texts, reader

from briefing.checks import check
from briefing.pipeline import BuildResult, build

CSV = "Group,1999,2009\nKazakhs,53.5,63.1\nRussians,30.0,23.7\nUzbeks,2.5,2.9\n"
BIB = "@book{a, author={Doe, Jane}, title={Title}, year={2001}}\n"
TEXT = """# Population {#sec:pop}

The census [@a] in @fig:shares and @tbl:pop; both [@fig:shares; @tbl:pop]; [-@fig:shares].

```{.chart #fig:shares}
kind: grouped-bar
data: census.csv
x: Group
y: [1999, 2009]
title: Ethnic groups, share of the population
units: "%"
source: Agency of Statistics of Kazakhstan
```

| Group | 2009 |
|---|--:|
| Kazakhs | 63.1 |

Table: Ethnic composition {#tbl:pop}

::: {.key-messages}
### Key messages

- One.
:::

![Second figure](dot.svg){#fig:dot}

See @sec:media and @Fig:dot.

# Media {#sec:media}

::: {.landscape}
| A | B |
|---|---|
| 1 | 2 |

Table: A wide table {#tbl:wide}
:::

# Data {.annex #sec:data}

Annex text, @sec:data.
"""
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40">'
       '<rect width="100" height="40" fill="#1f4e79"/></svg>')
YAML = ("title: Content\nlang: en-GB\nbibliography: r.bib\nnumber-sections: true\n"
        "crossref-pages: true\nlof: true\nlot: true\nannexes-after-sources: true\n")


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    folder = tmp_path_factory.mktemp("content") / "r"
    write(folder, {"report.yaml": YAML, "r.bib": BIB, "a.md": TEXT, "census.csv": CSV,
                   "dot.svg": SVG})
    return build(folder, folder.parent / "content.pdf")


def _text(result: BuildResult) -> str:
    return re.sub(r"\s+", " ", " ".join(page_texts(reader(result.output))).replace("\xa0", " "))


def test_figures_and_tables_are_numbered_in_order(content: BuildResult) -> None:
    text = _text(content)
    assert text.index("Figure 1. Ethnic groups") < text.index("Table 1. Ethnic composition") \
        < text.index("Figure 2. Second figure") < text.index("Table 2. A wide table")
    assert "Source: Agency of Statistics of Kazakhstan" in text


def test_cross_references_print_the_number_and_page_and_link(content: BuildResult) -> None:
    pdf = reader(content.output)
    text = _text(content)
    page_of = {name: pdf.get_destination_page_number(dest) + 1
               for name, dest in pdf.named_destinations.items()}
    fig = page_of["fig:shares"]
    assert f"in Figure 1, p. {fig} and Table 1, p. {page_of['tbl:pop']}" in text
    assert f"Figures 1, p. {fig} and 2, p. {page_of['fig:dot']}" not in text  # mixed kinds
    assert f"both Figure 1, p. {fig} and Table 1, p. {page_of['tbl:pop']}" in text
    assert f"; 1, p. {fig}." in text  # [-@fig:shares]: the number alone
    assert f"See section 2, p. {page_of['sec:media']} and Figure 2" in text
    assert f"Annex text, section A, p. {page_of['sec:data']}." in text
    links = internal_links(pdf)
    assert len(links["fig:shares"]) >= 3 and links["tbl:pop"] and links["sec:media"]


def test_a_chart_is_vector_graphics(content: BuildResult) -> None:
    pdf = reader(content.output)
    page = next(p for p in pdf.pages
                if "Figure 1. Ethnic" in " ".join((p.extract_text() or "").split()))
    xobjects = page["/Resources"].get("/XObject") or {}
    images = [x for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"]
    assert images == []  # drawn as paths, not a picture
    assert "Kazakhs 53.5 63.1" in re.sub(r"\s+", " ", page.extract_text() or "")  # its data


def test_the_landscape_page_is_landscape_and_numbered_headings(content: BuildResult) -> None:
    pdf = reader(content.output)
    wide = next(p for p in pdf.pages
                if "Table 2. A wide" in " ".join((p.extract_text() or "").split()))
    assert float(wide.mediabox.width) > float(wide.mediabox.height)
    portrait = [p for p in pdf.pages if p is not wide]
    assert all(float(p.mediabox.width) < float(p.mediabox.height) for p in portrait)
    text = _text(content)
    assert "1 Population" in text and "2 Media" in text and "Annex A Data" in text
    assert "1.1 Key messages" not in text  # a box's heading is not a section


def test_annexes_follow_the_sources_and_lists_of_figures(content: BuildResult) -> None:
    text = _text(content)
    assert text.index("Doe, Jane. Title. 2001.") < text.index("Annex text")
    contents = page_texts(reader(content.output))[1]
    assert "Figures" in contents and "Ethnic groups, share of the population" in contents
    assert contents.index("Sources") < contents.index("Annex A")


def test_problems_with_charts_and_labels_are_located(tmp_path: Path) -> None:
    text = ("# One\n\nSee @fig:nope and @tbl:t.\n\n| A |\n|---|\n| 1 |\n\n: T {#tbl:t}\n\n"
            "| B |\n|---|\n| 2 |\n\n: U {#tbl:t}\n\n"
            "```{.chart}\nkind: pie\ndata: c.csv\nx: A\ny: B\n```\n\n"
            "```{.chart}\ndata: missing.csv\nx: A\ny: B\n```\n\n"
            "```{.chart}\ndata: c.csv\nx: Group\ny: [Nope]\n```\n\n"
            "```{.chart}\ndata: c.csv\nx: Group\ny: 1999\ntitle: [unclosed\n```\n")
    write(tmp_path / "r", {"report.yaml": "title: T\n", "a.md": text, "c.csv": CSV})
    assert [d.format(tmp_path) for d in check(tmp_path / "r").items] == [
        "r/a.md:3:5: error: unknown label 'fig:nope': no figure has the id 'fig:nope'",
        "r/a.md:11: error: the label 'tbl:t' is given twice; make each label unique",
        "r/a.md:18: error: chart: kind 'pie' is not one of bar, grouped-bar, stacked-bar, line",
        f"r/a.md:25: error: chart: cannot read 'missing.csv' (looked in {tmp_path / 'r'})",
        "r/a.md:33: error: chart: column(s) Nope not in c.csv, which has: Group, 1999, 2009",
        "r/a.md:40: error: chart: YAML: expected ',' or ']', but got '<stream end>'"]


def test_a_bibliography_key_that_looks_like_a_label_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n",
                           "r.bib": "@book{fig:a, title={T}, year={2001}}\n", "a.md": "x\n"})
    assert any("'fig:a' looks like a reference to a figure" in d.message
               for d in check(tmp_path / "r").errors)


def test_letter_paper_on_every_page_cover_included(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": "title: Letter\npapersize: letter\n"
                                                   "organisation: NHC\n",
                                    "a.md": "# One\n\nText.\n\n::: {.landscape}\nWide.\n:::\n"})
    pdf = reader(build(folder, tmp_path / "letter.pdf").output)
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pdf.pages]
    assert sizes[:-1] == [(612, 792)] * (len(sizes) - 1) and sizes[-1] == (792, 612)


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")


def test_the_organisations_identity_on_the_cover_and_back_cover(tmp_path: Path) -> None:
    yaml = ("title: A Very Long Title for a Briefing on Freedom of Assembly\n"
            "short-title: Assembly briefing\norganisation: Rights Watchers\nlogo: logo.svg\n"
            "accent-color: '#7a1f3d'\nversion: Version 2\nreport-number: RW-2024-3\n"
            "isbn: 978-0-00-000000-2\nlicense: CC BY 4.0\naddress: |\n  1 Main Street\n"
            "  Geneva\ncontact: [info@example.org, +41 00 000 00 00]\n"
            "acknowledgement: This briefing was funded by the *Example Fund*.\n"
            "donors:\n  - name: Example Fund\n    logo: donor.png\n  - Another Donor\n"
            "disclaimer: The contents are the sole responsibility of Rights Watchers.\n")
    folder = write(tmp_path / "r", {"report.yaml": yaml, "a.md": "# One\n\nText.\n",
                                    "logo.svg": SVG})
    (folder / "donor.png").write_bytes(PNG)
    result = build(folder, tmp_path / "id.pdf")
    pdf = reader(result.output)
    texts = [" ".join((p.extract_text() or "").split()) for p in pdf.pages]
    assert "Version 2 · RW-2024-3" in texts[0]
    assert "Assembly briefing One Page 3" in texts[2]  # the short title in the running head
    back = texts[-1]
    for words in ("This briefing was funded by the Example Fund.", "Another Donor",
                  "The contents are the sole responsibility of Rights Watchers.",
                  "Rights Watchers 1 Main Street Geneva info@example.org",
                  "RW-2024-3 · ISBN 978-0-00-000000-2", "CC BY 4.0"):
        assert words in back, (words, back)
    images = [x for x in (pdf.pages[-1]["/Resources"].get("/XObject") or {}).values()
              if x.get_object().get("/Subtype") == "/Image"]
    assert images  # the donor's logo
    assert b"0.478431 0.121569 0.239216 rg" in pdf.pages[0].get_contents().get_data()  # accent


def test_identity_problems_are_reported_with_their_line(tmp_path: Path) -> None:
    write(tmp_path / "r", {"report.yaml": "title: T\nlogo: missing.svg\naccent-color: blue\n"
                                          "donors: [{logo: x.png}]\n", "a.md": "x\n"})
    assert [d.format(tmp_path) for d in check(tmp_path / "r").errors] == [
        f"r/report.yaml:2:1: error: 'logo' names 'missing.svg', which does not exist (looked "
        f"in {tmp_path / 'r'})",
        "r/report.yaml:3:1: error: 'accent-color' must be a colour such as #1f4e79, not 'blue'",
        "r/report.yaml:4:1: error: 'donors' is a list of names, or of 'name:' and 'logo:' pairs"]


def test_table_columns_are_aligned_as_the_markdown_says(tmp_path: Path) -> None:
    import pdfplumber

    folder = tmp_path / "r"
    write(folder, {"report.yaml": "title: T\nauthor: A\n",
                   "a.md": "# Figures\n\n| Region | Cases | Note |\n|:--|--:|:-:|\n"
                           "| Almaty | 7 | ok |\n| Astana | 12345 | longer note |\n"})
    result = build(folder, tmp_path / "t.pdf")
    with pdfplumber.open(result.output) as pdf:
        words = {w["text"]: w for page in pdf.pages for w in page.extract_words()}
    assert abs(words["7"]["x1"] - words["12345"]["x1"]) < 0.5  # right-aligned
    assert abs(words["Almaty"]["x0"] - words["Astana"]["x0"]) < 0.5  # left-aligned
    middle = (words["longer"]["x0"] + words["note"]["x1"]) / 2
    assert abs((words["ok"]["x0"] + words["ok"]["x1"]) / 2 - middle) < 1  # centred


@pytest.mark.parametrize(("lang", "shown"), [("en-GB", "section ‘The legal framework’"),
                                             ("en-US", "section “The legal framework”"),
                                             ("ru", "разд.\u00a0«Содержание закона»")])
def test_a_reference_to_an_unnumbered_section_quotes_its_title_as_the_language_does(
        tmp_path: Path, lang: str, shown: str) -> None:
    title = "Содержание закона" if lang == "ru" else "The legal framework"
    folder = tmp_path / "r"
    write(folder, {"report.yaml": f"title: T\nauthor: A\nlang: {lang}\n",
                   "a.md": f"# {title} {{#sec:law}}\n\nText.\n\n# Next\n\nSee @sec:law.\n"})
    result = build(folder, tmp_path / "t.pdf")
    text = _text(result)
    assert shown.replace("\u00a0", " ") in text, text[-300:]


def test_a_box_taller_than_the_room_left_breaks_instead_of_leaving_a_hole(
        tmp_path: Path) -> None:
    words = ("The government adopted measures that restrict the work of independent media and "
             "civil society organisations across the country. ")
    points = "\n".join(f"- Point {i}. {words * 2}^[A note on point {i}.]" for i in range(7))
    folder = tmp_path / "r"
    write(folder, {"report.yaml": "title: T\nauthor: A\n",
                   "a.md": f"# Section\n\n{words * 4}\n\n{words * 3} Last words here.\n\n"
                           f"::: {{.key-messages}}\n## Key messages\n\n{points}\n:::\n"})
    result = build(folder, tmp_path / "t.pdf")
    pages = page_texts(reader(result.output))
    text_page = next(n for n, t in enumerate(pages) if "Last words here." in t)
    assert "Key messages" in pages[text_page] and "Point 0." in pages[text_page]
    assert "Point 6." in pages[text_page + 1]  # the rest of the box overleaf
