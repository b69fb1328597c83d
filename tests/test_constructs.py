"""Every pandoc Markdown construct prints as pandoc means it (pandoc's own HTML is the oracle),
or is reported with its line."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import write, written
from oracle import parse_html, text_of

from briefing import pandoc
from briefing.checks import check

KITCHEN_SINK = r"""# Heading one {#one}

Setext heading
--------------

### Three {.unnumbered}

Plain *emphasis*, **strong**, ***both***, ~~struck~~, H~2~O, x^2^, `code`, [small
caps]{.smallcaps}, [underlined]{.underline}, [marked]{.mark} and a hard\
break. Dashes -- and --- and dots... "double" and 'single'.

> A quotation
>
> > nested

- bullet
    - nested bullet
- [ ] task
- [x] done

1. one
2. two

a) alpha
b) beta

(@) example one
(@) example two

Term
:   Definition.

Second term
:   First definition.

    Continued.

| Left | Right | Centre |
|:-----|------:|:------:|
| a    | 1     | x      |
| b    | 2     | y      |

: A pipe table

+--------+--------+
| Grid   | Table  |
+========+========+
| cell   | cell   |
+--------+--------+

  Simple  Table
  ------- ------
  one     two

| line
|    block kept

```python
code block
```

    indented code

::: {.box #key-messages}
**Key messages**

Inside a div.
:::

---

![A map of the region](map.png "title")

Text with math $E = mc^2$ and $$\sum_{i=1}^n i$$ and a [link](https://example.org)
and <https://example.org/auto>.
"""

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")


def _texts(html: str) -> list[str]:
    """Each block's text, in order (what a reader reads, markup aside)."""
    root = parse_html(f"<div>{html}</div>")
    blocks = [el for el in root.iter() if el.tag in ("p", "li", "dt", "dd", "td", "th", "pre",
                                                     "caption", "figcaption", "h1", "h2", "h3")
              and not any(a.tag in ("li", "dd", "td", "th") for a in el.ancestors())]
    # a task list's box is a character for us (☐ ☒ print), a form control for pandoc's HTML
    return [text_of(el).replace("\u2019", "'").removeprefix("☐ ").removeprefix("☒ ")
            for el in blocks]


def test_every_construct_reads_as_pandocs_html(tmp_path: Path) -> None:
    out = written(tmp_path / "r", {"report.yaml": "title: T\nlang: en-US\n",
                                   "a.md": KITCHEN_SINK}, frozenset())
    (tmp_path / "r" / "map.png").write_bytes(PNG)
    theirs = subprocess.run([pandoc.pandoc_path(), "-f", "markdown", "-t", "html", "--wrap=none"],
                            input=KITCHEN_SINK, capture_output=True, text=True,
                            check=True).stdout
    # numbers in captions ("Figure 1.") are briefing's own: pandoc-crossref's, not pandoc's
    ours_html = re.sub(r'<span class="caption-label">[^<]*</span> ', "", out.body)
    assert _texts(ours_html) == _texts(theirs)
    for tag in ("table", "dl", "blockquote", "pre", "ol", "ul", "em", "strong", "del", "sub",
                "sup", "code", "figure", "figcaption", "hr", "br"):
        assert len(re.findall(rf"<{tag}[ >]", ours_html)) == \
            len(re.findall(rf"<{tag}[ >]", theirs)), tag


def test_constructs_that_mean_nothing_in_a_pdf_are_reported_with_their_line(
        tmp_path: Path) -> None:
    write(tmp_path / "r", {"report.yaml": "title: T\n", "a.md": (
        "Text.\n\n\\newpage\n\n\\begin{center}\nx\n\\end{center}\n\n"
        "<div>raw</div>\n\n```{=html}\n<b>raw</b>\n```\n\nInline \\emph{tex}.\n")})
    messages = [d.format(tmp_path) for d in check(tmp_path / "r").items]
    assert messages == [
        "r/a.md:5:1: warning: raw tex ('\\begin{center}') means nothing in a PDF made from "
        "HTML and is left out",
        "r/a.md:12:1: warning: raw HTML is not rendered; it is printed as text (write Markdown "
        "instead)",
        "r/a.md:15:8: warning: raw tex ('\\emph{tex}') means nothing in a PDF made from HTML "
        "and is left out"]  # \\newpage is honoured; <div> is pandoc's own div


def test_a_pandoc_users_report_yaml_builds_unchanged(tmp_path: Path) -> None:
    yaml = """---
title: "Kazakhstan: Freedom of Assembly"
subtitle: A briefing
author:
  - name: Jane Doe
    affiliation: NHC
date: 2024-05-01
lang: en-GB
abstract: |
  The summary, citing [@a].
toc: true
toc-title: Contents
toc-depth: 2
bibliography: refs.bib
csl: chicago-notes-bibliography
link-citations: true
link-bibliography: true
reference-section-title: Bibliography
documentclass: report
geometry: margin=2cm
fontsize: 11pt
papersize: a4
number-sections: true
header-includes: |
  \\usepackage{csquotes}
colorlinks: true
...
"""
    out = written(tmp_path / "r", {"report.yaml": yaml, "a.md": "# One\n\nText [@a].\n",
                                   "refs.bib": "@book{a, author={Doe, Jane}, title={Title}, "
                                               "year={2001}}\n"})
    assert out.abstract.startswith("<p>The summary, citing")
    assert [n.number for n in out.notes] == [1, 2]
    diags = check(tmp_path / "r")
    assert diags.errors == []
    assert [d.message for d in diags.items if d.severity == "note"] == [
        "ignored, they mean nothing for a briefing PDF: documentclass, geometry, fontsize, "
        "header-includes, colorlinks"]
