"""Make ``styles/reference.docx``, the Word edition's look, from pandoc's own reference document.

    .venv/bin/python tools/make_reference_docx.py          # rewrites styles/reference.docx
    .venv/bin/python tools/make_reference_docx.py --check  # exit 1 if the file is stale

pandoc's docx writer takes every style from a reference document. We start from the one pandoc
ships (``pandoc --print-default-data-file reference.docx``: its style names are what the writer
uses) and change only the look with python-docx and lxml: the house fonts (PT Serif for text,
PT Sans for headings, captions and the cover), the house colours (titles and links in
#1f4e79, text in #1d1d1b), A4 pages, notes in 9 pt, the reference list with a hanging indent,
booktabs-like table rules, and two styles of our own that ``briefing/word.py`` uses:
"Acknowledgement" (the donor acknowledgement) and "Organisation". Theme fonts and theme
colours are removed where we set a value, because Word lets a theme attribute win over an
explicit one.

The output is byte-for-byte reproducible: the zip entries keep pandoc's order and get a fixed
date, so ``--check`` can tell whether the committed file is what this script makes.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.pandoc import pandoc_path  # noqa: E402

TARGET = ROOT / "styles" / "reference.docx"
INK, ACCENT, MUTED = "1D1D1B", "1F4E79", "5B5B57"
SERIF, SANS = "PT Serif", "PT Sans"

#: style id -> (font, size in pt, bold, italic, colour); None leaves a property as it is
RUNS: dict[str, tuple[str | None, float | None, bool | None, bool | None, str | None]] = {
    "Normal": (SERIF, 11, None, None, INK),
    "Title": (SANS, 28, True, None, ACCENT),
    "Subtitle": (SANS, 16, False, False, INK),
    "Author": (SANS, 11, False, None, MUTED),
    "Date": (SANS, 11, False, None, MUTED),
    "Heading1": (SANS, 16, True, False, ACCENT),
    "Heading2": (SANS, 13, True, False, ACCENT),
    "Heading3": (SANS, 11, True, False, ACCENT),
    "Heading4": (SANS, 11, True, True, INK),
    "Heading5": (SANS, 11, False, True, INK),
    "Heading6": (SANS, 11, False, True, MUTED),
    "AbstractTitle": (SANS, 11, True, None, ACCENT),
    "Abstract": (SERIF, 11, None, None, INK),
    "FootnoteText": (SERIF, 9, None, None, INK),
    "Bibliography": (SERIF, 10, None, None, INK),
    "Caption": (SANS, 9, False, False, INK),
    "TableCaption": (SANS, 9, True, False, INK),
    "ImageCaption": (SANS, 9, False, False, INK),
    "BlockText": (SERIF, 10, None, None, INK),
    "TOCHeading": (SANS, 16, True, False, ACCENT),
    "Hyperlink": (None, None, None, None, ACCENT),
}
#: style id -> paragraph spacing (before, after, line in 240ths), alignment, hanging indent
PARAGRAPHS: dict[str, dict[str, object]] = {
    "Normal": {"after": 120, "line": 276},
    "BodyText": {"before": 0, "after": 140},
    "Title": {"after": 120, "jc": "left"},
    "Subtitle": {"before": 0, "after": 240, "jc": "left"},
    "Author": {"before": 0, "after": 0, "jc": "left"},
    "Date": {"before": 0, "after": 480, "jc": "left"},
    "Heading1": {"before": 420, "after": 120},
    "Heading2": {"before": 300, "after": 100},
    "Heading3": {"before": 240, "after": 80},
    "FootnoteText": {"before": 0, "after": 40, "line": 240},
    "Bibliography": {"before": 0, "after": 100, "line": 252, "hanging": 567},
    "Caption": {"before": 60, "after": 200},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if styles/reference.docx differs")
    args = parser.parse_args(argv)
    made = make_reference()
    if args.check:
        same = TARGET.is_file() and TARGET.read_bytes() == made
        print(f"{TARGET.relative_to(ROOT)}: {'up to date' if same else 'STALE: run the tool'}")
        return 0 if same else 1
    TARGET.write_bytes(made)
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(made)} bytes)")
    return 0


def make_reference() -> bytes:
    default = subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"],
                             capture_output=True, check=True).stdout
    document = Document(io.BytesIO(default))
    styles = document.styles
    for style_id, run in RUNS.items():
        _run_properties(_style(styles, style_id).element, *run)
    for style_id, paragraph in PARAGRAPHS.items():
        _paragraph_properties(_style(styles, style_id).element, **paragraph)
    _table_rules(_style(styles, "Table").element)
    _own_styles(styles)
    _defaults(document)
    _theme_fonts(document)
    _a4(document)
    out = io.BytesIO()
    document.save(out)
    return _reproducible(out.getvalue(), default)


def _style(styles: object, style_id: str) -> object:
    for style in styles:  # type: ignore[attr-defined]
        if style.style_id == style_id:
            return style
    raise KeyError(f"pandoc's reference.docx has no style {style_id}")


def _child(parent: etree._Element, tag: str) -> etree._Element:
    """The first ``w:tag`` child of ``parent``, made if missing (in schema order enough for
    Word: properties are appended in the order this script asks for them)."""
    found = parent.find(qn(tag))
    if found is None:
        found = etree.SubElement(parent, qn(tag))
    return found


def _run_properties(element: etree._Element, font: str | None, size: float | None,
                    bold: bool | None, italic: bool | None, colour: str | None) -> None:
    rpr = _child(element, "w:rPr")
    if font is not None:
        fonts = _child(rpr, "w:rFonts")
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            fonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attr), font)
    for tag, value in (("w:b", bold), ("w:i", italic)):
        if value is not None:
            _child(rpr, tag).set(qn("w:val"), "1" if value else "0")
    if colour is not None:
        color = _child(rpr, "w:color")
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(attr), None)
        color.set(qn("w:val"), colour)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            _child(rpr, tag).set(qn("w:val"), str(round(size * 2)))


def _paragraph_properties(element: etree._Element, before: int | None = None,
                          after: int | None = None, line: int | None = None,
                          jc: str | None = None, hanging: int | None = None) -> None:
    ppr = element.find(qn("w:pPr"))
    if ppr is None:
        ppr = etree.Element(qn("w:pPr"))
        rpr = element.find(qn("w:rPr"))
        if rpr is not None:
            rpr.addprevious(ppr)
        else:
            element.append(ppr)
    spacing = _child(ppr, "w:spacing")
    for attr, value in (("w:before", before), ("w:after", after), ("w:line", line)):
        if value is not None:
            spacing.set(qn(attr), str(value))
    if line is not None:
        spacing.set(qn("w:lineRule"), "auto")
    if jc is not None:
        _child(ppr, "w:jc").set(qn("w:val"), jc)
    if hanging is not None:
        ind = _child(ppr, "w:ind")
        ind.set(qn("w:left"), str(hanging))
        ind.set(qn("w:hanging"), str(hanging))


def _table_rules(element: etree._Element) -> None:
    """Booktabs: a rule above and below the table and under its head row, no verticals."""
    tblpr = _child(element, "w:tblPr")
    borders = _child(tblpr, "w:tblBorders")
    for edge, size in (("w:top", 8), ("w:bottom", 8)):
        rule = _child(borders, edge)
        rule.set(qn("w:val"), "single")
        rule.set(qn("w:sz"), str(size))
        rule.set(qn("w:space"), "0")
        rule.set(qn("w:color"), INK)
    head = element.find(qn("w:tblStylePr"))
    if head is not None:
        bottom = head.find(f"{qn('w:tcPr')}/{qn('w:tcBorders')}/{qn('w:bottom')}")
        if bottom is not None:
            bottom.set(qn("w:sz"), "4")
            bottom.set(qn("w:color"), INK)
        _run_properties(_child(head, "w:rPr"), None, None, True, None, None)
    _run_properties(element, SANS, 9.5, None, None, None)


def _own_styles(styles: object) -> None:
    """Paragraph styles briefing's Word writer asks for by name (custom-style)."""
    add = styles.add_style  # type: ignore[attr-defined]
    ack = add("Acknowledgement", WD_STYLE_TYPE.PARAGRAPH)
    ack.base_style = _style(styles, "BodyText")
    _run_properties(ack.element, SANS, 9.5, False, False, MUTED)
    _paragraph_properties(ack.element, before=360, after=80)
    rule = _child(_child(_child(ack.element, "w:pPr"), "w:pBdr"), "w:top")
    for attr, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "6"),
                        ("w:color", ACCENT)):
        rule.set(qn(attr), value)
    org = add("Organisation", WD_STYLE_TYPE.PARAGRAPH)
    org.base_style = _style(styles, "BodyText")
    _run_properties(org.element, SANS, 10, True, False, ACCENT)
    _child(_child(org.element, "w:rPr"), "w:caps").set(qn("w:val"), "1")


def _defaults(document: object) -> None:
    """The document defaults (used where no style says otherwise) in the house fonts."""
    root = document.styles.element  # type: ignore[attr-defined]
    defaults = root.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _run_properties(defaults, SERIF, 11, None, None, None)


_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _theme_fonts(document: object) -> None:
    """The theme's heading and body fonts, for anything that still asks the theme."""
    part = document.part  # type: ignore[attr-defined]
    theme = next(rel.target_part for rel in part.rels.values() if rel.reltype.endswith("/theme"))
    root = etree.fromstring(theme.blob)
    for scheme, font in (("majorFont", SANS), ("minorFont", SERIF)):
        latin = root.find(f".//{_A}fontScheme/{_A}{scheme}/{_A}latin")
        if latin is not None:
            latin.set("typeface", font)
            latin.attrib.pop("panose", None)
    theme._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                 standalone=True)


def _a4(document: object) -> None:
    """A4 pages with the PDF's margins, notes numbered continuously (pandoc takes the last
    section's properties from here)."""
    body = document.element.body  # type: ignore[attr-defined]
    sect = body.find(qn("w:sectPr"))
    if sect is None:
        sect = etree.SubElement(body, qn("w:sectPr"))
    # notes numbered through the whole briefing, as in the PDF (pandoc otherwise asks for
    # "eachSect", which LibreOffice reads as a restart at every chapter)
    _child(_child(sect, "w:footnotePr"), "w:numRestart").set(qn("w:val"), "continuous")
    size = _child(sect, "w:pgSz")
    size.set(qn("w:w"), "11906")
    size.set(qn("w:h"), "16838")
    margins = _child(sect, "w:pgMar")
    for attr, value in (("w:top", 1361), ("w:right", 1247), ("w:bottom", 1361),
                        ("w:left", 1361), ("w:header", 709), ("w:footer", 709),
                        ("w:gutter", 0)):
        margins.set(qn(attr), str(value))


def _reproducible(data: bytes, order_from: bytes) -> bytes:
    """The same zip every time: pandoc's entry order, a fixed date, fixed permissions."""
    with zipfile.ZipFile(io.BytesIO(order_from)) as original:
        order = original.namelist()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as made, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as fixed:
        names = made.namelist()
        for name in sorted(names, key=lambda n: (order.index(n) if n in order else len(order),
                                                 n)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            fixed.writestr(info, made.read(name))
    return out.getvalue()


if __name__ == "__main__":
    raise SystemExit(main())
