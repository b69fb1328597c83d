"""A structural check of tagged PDFs (PDF/UA-1, PDF/A-2a/3a), reading only the PDF (pikepdf).

No validator such as veraPDF can be installed here, so this checks, machine-readably, the
failure conditions of the Matterhorn Protocol 1.1 it can decide (docs/design.md lists which it
covers and which it cannot). Each problem is one line starting with the Matterhorn condition
(or ``briefing`` for the house rules beyond it). Used by tests/test_tagging.py; also a script:

    .venv/bin/python tests/pdfua.py FILE.pdf [--notes N] [--standard pdf/a-3a]
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

#: the standard structure types of PDF 1.7 (ISO 32000-1, 14.8.4)
STANDARD = frozenset("""Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct
Private P H H1 H2 H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note
Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP Figure Formula Form""".split())
_TEXT_OPS = {"Tj", "TJ", "'", '"'}
_PAINT_OPS = {"f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh"}


@dataclass
class Element:
    """A structure element as read back, with its resolved (standard) role."""

    obj: Any
    role: str
    parent: Element | None
    children: list[Element] = field(default_factory=list)

    def ancestors(self) -> list[str]:
        out, node = [], self.parent
        while node is not None:
            out.append(node.role)
            node = node.parent
        return out


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)  #: H1..H6 levels in reading order
    roles: Counter[str] = field(default_factory=Counter)
    notes: int = 0
    references: int = 0
    figures: int = 0
    lang_spans: list[str] = field(default_factory=list)  #: /Lang of elements below Document
    runs: int = 0  #: text-showing operators met
    tagged_runs: int = 0
    artifact_runs: int = 0
    xmp: dict[str, str] = field(default_factory=dict)

    def fail(self, condition: str, message: str) -> None:
        self.problems.append(f"{condition}: {message}")


def check(path: Path, standard: str = "pdf/ua-1", notes: int | None = None) -> Report:
    """Every problem found in the PDF at ``path`` for ``standard`` (pdf/ua-1, pdf/a-2a,
    pdf/a-3a); ``notes``: the number of notes it must have."""
    report = Report()
    with pikepdf.open(path) as pdf:
        _catalog(pdf, report)
        _metadata(pdf, report, standard)
        elements, mcids = _tree(pdf, report)
        _content(pdf, report, mcids)
        _semantics(elements, report)
        _notes(pdf, elements, report, notes)
        _annotations(pdf, report)
        _fonts(pdf, report)
        if standard.startswith("pdf/a"):
            _archival(pdf, report, standard)
    return report


def _catalog(pdf: pikepdf.Pdf, report: Report) -> None:
    root = pdf.Root
    mark = root.get("/MarkInfo")
    if mark is None or not bool(mark.get("/Marked", False)):
        report.fail("01-002/01-003", "catalog has no MarkInfo with Marked true")
    if mark is not None and bool(mark.get("/Suspects", False)):
        report.fail("01-007", "MarkInfo Suspects is true")
    if "/StructTreeRoot" not in root:
        report.fail("01-004", "no structure tree")
    if not str(root.get("/Lang", "")):
        report.fail("11-006", "catalog has no /Lang")
    prefs = root.get("/ViewerPreferences")
    if prefs is None or "/DisplayDocTitle" not in prefs:
        report.fail("07-001", "ViewerPreferences has no DisplayDocTitle")
    elif not bool(prefs.DisplayDocTitle):
        report.fail("07-002", "DisplayDocTitle is false")
    if "/Encrypt" in pdf.trailer:
        report.fail("26-001", "the PDF is encrypted")


def _metadata(pdf: pikepdf.Pdf, report: Report, standard: str) -> None:
    if "/Metadata" not in pdf.Root:
        report.fail("06-001", "no XMP metadata stream")
        return
    meta = pdf.open_metadata()
    for key in ("dc:title", "pdfuaid:part", "pdfaid:part", "pdfaid:conformance",
                "dc:identifier", "dc:rights", "xmp:Label", "dc:creator", "pdf:Producer"):
        value = meta.get(key)
        if value:
            report.xmp[key] = str(value)
    if report.xmp.get("pdfuaid:part") != "1":
        report.fail("06-002", f"XMP pdfuaid:part is {report.xmp.get('pdfuaid:part')!r}, not 1")
    if not report.xmp.get("dc:title"):
        report.fail("06-003", "XMP has no dc:title")
    if standard.startswith("pdf/a"):
        part, level = standard[6], standard[7].upper()
        if report.xmp.get("pdfaid:part") != part or \
                report.xmp.get("pdfaid:conformance") != level:
            report.fail("PDF/A 6.6.4", f"XMP pdfaid is {report.xmp.get('pdfaid:part')}"
                        f"{report.xmp.get('pdfaid:conformance')}, not {part}{level}")


def _role(struct_root: Any) -> dict[str, str]:
    rolemap = struct_root.get("/RoleMap") or {}
    return {str(k)[1:]: str(v)[1:] for k, v in rolemap.items()}


def _tree(pdf: pikepdf.Pdf,
          report: Report) -> tuple[list[Element], dict[tuple[int, int], Element]]:
    """Every element reachable from the root, and which element owns each (page, MCID)."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return [], {}
    rolemap = _role(root)
    for name, target in rolemap.items():
        if name in STANDARD:
            report.fail("02-004", f"standard type {name} is remapped to {target}")
    pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
    elements: list[Element] = []
    mcids: dict[tuple[int, int], Element] = {}
    seen: set[tuple[int, int]] = set()

    def claim(page: int, mcid: int, element: Element) -> None:
        if (page, mcid) in mcids:
            report.fail("briefing", f"MCID {mcid} on page {page + 1} is claimed by "
                        f"{mcids[(page, mcid)].role} and {element.role}")
        mcids[(page, mcid)] = element

    def resolve(kind: str) -> str:
        hops = 0
        while kind in rolemap and hops < 10:
            kind, hops = rolemap[kind], hops + 1
        if hops == 10:
            report.fail("02-003", f"circular role mapping at {kind}")
        return kind

    def walk(node: Any, parent: Element | None, page: int | None) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid, parent, page)
            return
        if isinstance(node, int):
            if parent is not None and page is not None:
                claim(page, int(node), parent)
            return
        if not isinstance(node, pikepdf.Dictionary):
            return
        kind = str(node.get("/Type", ""))
        if kind == "/MCR":
            walk(int(node.MCID), parent, pages.get(node.Pg.objgen))
            return
        if kind == "/OBJR" or "/S" not in node:
            return
        if node.objgen in seen and node.objgen != (0, 0):
            report.fail("briefing", f"element {node.objgen} is in the tree twice")
            return
        seen.add(node.objgen)
        name = str(node.S)[1:]
        role = resolve(name)
        if role not in STANDARD:
            report.fail("02-001", f"structure type {name} is not standard nor mapped to one")
        element = Element(node, role, parent)
        if parent is not None:
            parent.children.append(element)
        elements.append(element)
        report.roles[role] += 1
        here = pages.get(node.Pg.objgen) if "/Pg" in node else page
        if "/K" in node:
            walk(node.K, element, here)

    walk(root.get("/K"), None, None)
    _parent_tree(pdf, root, mcids, report)
    return elements, mcids


def _parent_tree(pdf: pikepdf.Pdf, root: Any, mcids: dict[tuple[int, int], Element],
                 report: Report) -> None:
    """The parent tree names, for each page's MCID, the element whose /K claims it."""
    entries: dict[int, Any] = {}

    def read(node: Any) -> None:
        nums = node.get("/Nums") or []
        for i in range(0, len(nums) - 1, 2):
            entries[int(nums[i])] = nums[i + 1]
        for kid in node.get("/Kids") or []:
            read(kid)

    if "/ParentTree" in root:
        read(root.ParentTree)
    for number, page in enumerate(pdf.pages):
        if "/StructParents" not in page.obj:
            continue
        parents = entries.get(int(page.obj.StructParents))
        if not isinstance(parents, pikepdf.Array):
            report.fail("briefing", f"page {number + 1}: no parent tree array")
            continue
        for mcid, parent in enumerate(parents):
            owner = mcids.get((number, mcid))
            if owner is None or not isinstance(parent, pikepdf.Dictionary) or \
                    parent.objgen != owner.obj.objgen:
                report.fail("briefing", f"page {number + 1}: the parent tree's element for "
                            f"MCID {mcid} is not the element that claims it")


def _content(pdf: pikepdf.Pdf, report: Report,
             mcids: dict[tuple[int, int], Element]) -> None:
    """01-005: every text run, image and painted path is tagged (MCID owned by an element of
    the tree) or an artifact; 01-003/01-004: the two are never nested."""
    used: set[tuple[int, int]] = set()
    untagged: Counter[str] = Counter()
    for number, page in enumerate(pdf.pages):
        stack: list[tuple[str, int | None]] = []
        opened_in_text: list[bool] = []  #: per open sequence: began inside a text object
        in_text = False
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BT", "ET"):
                if op == "ET" and opened_in_text and opened_in_text[-1]:
                    report.fail("briefing", f"page {number + 1}: a text object ends inside "
                                "a marked-content sequence begun in it")
                in_text = op == "BT"
            if op in ("BDC", "BMC"):
                opened_in_text.append(in_text)
                tag = str(operands[0])[1:]
                mcid = None
                if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and \
                        "/MCID" in operands[1]:
                    mcid = int(operands[1].MCID)
                artifact_above = any(t == "Artifact" for t, _ in stack)
                tagged_above = any(m is not None for _, m in stack)
                if tag == "Artifact" and tagged_above:
                    report.fail("01-003", f"page {number + 1}: artifact inside tagged content")
                if mcid is not None and artifact_above:
                    report.fail("01-004", f"page {number + 1}: tagged content in an artifact")
                if mcid is not None:
                    if (number, mcid) in used:
                        report.fail("briefing", f"page {number + 1}: MCID {mcid} marks two "
                                    "sequences")
                    if (number, mcid) not in mcids:
                        report.fail("01-005", f"page {number + 1}: MCID {mcid} belongs to no "
                                    "element of the structure tree")
                    used.add((number, mcid))
                stack.append((tag, mcid))
            elif op == "EMC":
                if stack:
                    stack.pop()
                if opened_in_text and opened_in_text.pop() != in_text:
                    report.fail("briefing", f"page {number + 1}: a marked-content sequence "
                                "and a text object overlap")
            elif op in _TEXT_OPS or op in _PAINT_OPS or op in ("Do", "BI", "EI"):
                artifact = any(t == "Artifact" for t, _ in stack)
                tagged = any(m is not None for _, m in stack)
                if op in _TEXT_OPS:
                    report.runs += 1
                    report.tagged_runs += tagged and not artifact
                    report.artifact_runs += artifact
                if not artifact and not tagged:
                    untagged[f"page {number + 1} {op}"] += 1
    for where, count in sorted(untagged.items()):
        report.fail("01-005", f"{where}: {count} operations neither tagged nor artifact")
    for (page, mcid), element in mcids.items():
        if (page, mcid) not in used:
            report.fail("briefing", f"{element.role} claims MCID {mcid} on page {page + 1}, "
                        "which no content carries")


def _semantics(elements: list[Element], report: Report) -> None:
    """Headings, lists, tables, the contents, figures, languages."""
    for element in elements:
        role, up = element.role, element.ancestors()
        if re.fullmatch(r"H[1-6]", role):
            report.headings.append(int(role[1]))
        elif role == "H":
            report.fail("14-002", "an unnumbered H heading")
        if role in ("TR", "TH", "TD", "THead", "TBody", "TFoot") and "Table" not in up:
            report.fail("09-004", f"{role} outside a Table")
        if role == "LI" and (element.parent is None or element.parent.role != "L"):
            report.fail("09-006", "LI whose parent is not L")
        if role in ("Lbl", "LBody") and element.parent is not None and \
                element.parent.role not in ("LI", "Note", "TOCI", "Reference", "BibEntry"):
            report.fail("09-007", f"{role} inside {element.parent.role}")
        if role == "TOCI" and (element.parent is None or element.parent.role != "TOC"):
            report.fail("09-008", "TOCI whose parent is not TOC")
        if role == "Figure":
            report.figures += 1
            if not str(element.obj.get("/Alt", "")) and "/ActualText" not in element.obj:
                report.fail("13-004", "a Figure without alternate text")
        if role == "Table":
            _table(element, report)
        if "/Lang" in element.obj and role != "Document":
            report.lang_spans.append(str(element.obj.Lang))
    levels = report.headings
    if levels and levels[0] != 1:
        report.fail("14-002", f"the first heading is H{levels[0]}, not H1")
    for before, after in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            report.fail("14-003", f"heading levels skip from H{before} to H{after}")
            break


def _table(table: Element, report: Report) -> None:
    cells = []
    stack = list(table.children)
    while stack:
        node = stack.pop()
        if node.role in ("TH", "TD"):
            cells.append(node)
        stack.extend(node.children)
    heads = [c for c in cells if c.role == "TH"]
    if not heads:
        report.fail("briefing", "a Table without header cells (TH)")
    ids = {str(c.obj.get("/ID")) for c in heads if "/ID" in c.obj}
    for cell in heads:
        attributes = cell.obj.get("/A") or {}
        if "/Scope" not in attributes and "/ID" not in cell.obj:
            report.fail("15-003", "a TH without Scope in a table without Headers and IDs")
    for cell in cells:
        attributes = cell.obj.get("/A") or {}
        for header in attributes.get("/Headers", []) if cell.role == "TD" else []:
            if str(header) not in ids:
                report.fail("15-002", f"a TD names header {header}, which is no TH's ID")


def _notes(pdf: pikepdf.Pdf, elements: list[Element], report: Report,
           notes: int | None) -> None:
    """19-003/19-004: every Note has an ID, unique; and (house rule) each note is linked both
    ways: a Reference whose link goes to the note's ID, a link in the note back to its call."""
    found = [e for e in elements if e.role == "Note"]
    report.notes = len(found)
    ids = [str(e.obj.get("/ID", "")) for e in found]
    if any(not i for i in ids):
        report.fail("19-003", f"{sum(1 for i in ids if not i)} Note elements without ID")
    duplicates = [i for i, n in Counter(ids).items() if n > 1 and i]
    if duplicates:
        report.fail("19-004", f"Note IDs used twice: {duplicates[:3]}")
    if notes is not None and len(found) != notes:
        report.fail("briefing", f"{len(found)} Note elements, want {notes}")
    targets = {}
    for element in elements:
        if element.role == "Reference":
            report.references += 1
            for dest in _link_targets(element):
                targets[dest] = element
    for element, ident in zip(found, ids, strict=True):
        if ident not in targets:
            report.fail("briefing", f"no Reference links to note {ident}")
        back = _link_targets(element)
        call = ident.replace("fn-", "fnref-", 1)
        if call not in back:
            report.fail("briefing", f"note {ident} has no link back to its call {call}")
    tree = (pdf.Root.StructTreeRoot.get("/IDTree") or {})
    names = tree.get("/Names", [])
    listed = {str(names[i]) for i in range(0, len(names), 2)}
    missing = [i for i in ids if i and i not in listed]
    if missing:
        report.fail("briefing", f"IDTree lacks {len(missing)} note IDs ({missing[:3]})")


def _link_targets(element: Element) -> list[str]:
    """The named destinations of the link annotations under ``element``."""
    out = []
    stack = [element.obj]
    while stack:
        node = stack.pop()
        kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids else []):
            if not isinstance(kid, pikepdf.Dictionary):
                continue
            if str(kid.get("/Type", "")) == "/OBJR":
                annot = kid.Obj
                dest = annot.get("/Dest")
                if dest is None and "/A" in annot:
                    dest = annot.A.get("/D")
                if dest is not None:
                    out.append(str(dest))
            elif "/S" in kid:
                stack.append(kid)
    return out


def _annotations(pdf: pikepdf.Pdf, report: Report) -> None:
    parents = pdf.Root.StructTreeRoot.get("/ParentTree") if "/StructTreeRoot" in pdf.Root \
        else None
    nums = _number_tree(parents) if parents is not None else {}
    for number, page in enumerate(pdf.pages):
        annots = page.obj.get("/Annots") or []
        if annots and str(page.obj.get("/Tabs", "")) != "/S":
            report.fail("28-008", f"page {number + 1} has annotations but Tabs is not /S")
        for annot in annots:
            if str(annot.get("/Subtype")) != "/Link":
                continue
            if not str(annot.get("/Contents", "")):
                report.fail("28-004", f"page {number + 1}: a link without Contents")
            owner = nums.get(int(annot.get("/StructParent", -1)))
            if owner is None or str(owner.get("/S")) not in ("/Link", "/Annot"):
                report.fail("28-011", f"page {number + 1}: a link annotation not in a Link "
                            "element")


def _number_tree(node: Any) -> dict[int, Any]:
    out: dict[int, Any] = {}
    if "/Nums" in node:
        nums = node.Nums
        for i in range(0, len(nums), 2):
            out[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", []):
        out.update(_number_tree(kid))
    return out


def _fonts(pdf: pikepdf.Pdf, report: Report) -> None:
    """31-009: every font embedded; 10-001: every font maps its glyphs to Unicode."""
    seen = set()
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for _name, font in fonts.items():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            if descriptor is None or not any(k in descriptor for k in (
                    "/FontFile", "/FontFile2", "/FontFile3")):
                report.fail("31-009", f"font {font.get('/BaseFont')} is not embedded")
            if "/ToUnicode" not in font:
                report.fail("10-001", f"font {font.get('/BaseFont')} has no ToUnicode map")


def _archival(pdf: pikepdf.Pdf, report: Report, standard: str) -> None:
    """What PDF/A adds that can be read off the file."""
    intents = pdf.Root.get("/OutputIntents") or []
    if not any(str(i.get("/S")) == "/GTS_PDFA1" and "/DestOutputProfile" in i
               for i in intents):
        report.fail("PDF/A 6.2.3", "no GTS_PDFA1 output intent with an ICC profile")
    if "/ID" not in pdf.trailer:
        report.fail("PDF/A 6.1.3", "the trailer has no /ID")
    if "/JavaScript" in (pdf.Root.get("/Names") or {}) or "/OpenAction" in pdf.Root:
        report.fail("PDF/A 6.6.1", "JavaScript or an open action")
    for image in _images(pdf):
        if bool(image.get("/Interpolate", False)):
            report.fail("PDF/A 6.2.8", "an image with /Interpolate true")
            break
    info = pdf.docinfo
    meta = report.xmp
    if str(info.get("/Title", "")) and str(info.get("/Title")) != meta.get("dc:title"):
        report.fail("PDF/A 6.6.3", "Info Title and XMP dc:title differ")
    files = (pdf.Root.get("/Names") or {}).get("/EmbeddedFiles")
    specs = list(_name_tree(files)) if files is not None else []
    if specs and standard != "pdf/a-3a":
        report.fail("PDF/A-2 6.8", "files are attached")
    af = {s.objgen for s in pdf.Root.get("/AF", [])}
    for spec in specs:
        if "/AFRelationship" not in spec or spec.objgen not in af:
            report.fail("PDF/A-3 6.8", f"attachment {spec.get('/UF')} has no AFRelationship "
                        "or is not in the catalog's AF")
        stream = spec.EF.F
        if "/Subtype" not in stream:
            report.fail("PDF/A-3 6.8", f"attachment {spec.get('/UF')} has no MIME type")
    for page in pdf.pages:
        for annot in page.obj.get("/Annots") or []:
            if not int(annot.get("/F", 0)) & 4:
                report.fail("PDF/A 6.3.2", "an annotation without the print flag")
                return


def _images(pdf: pikepdf.Pdf) -> list[Any]:
    return [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
            and str(obj.get("/Subtype", "")) == "/Image"]


def _name_tree(node: Any) -> list[Any]:
    out = []
    names = node.get("/Names", [])
    out.extend(names[i + 1] for i in range(0, len(names), 2))
    for kid in node.get("/Kids", []):
        out.extend(_name_tree(kid))
    return out


def main(argv: list[str]) -> int:
    path = Path(argv[0])
    standard = argv[argv.index("--standard") + 1] if "--standard" in argv else "pdf/ua-1"
    notes = int(argv[argv.index("--notes") + 1]) if "--notes" in argv else None
    report = check(path, standard, notes)
    for problem in report.problems:
        print(problem)
    print(f"{path}: {len(report.problems)} problems; {report.runs} text runs "
          f"({report.tagged_runs} tagged, {report.artifact_runs} artifacts), headings "
          f"{''.join(map(str, report.headings))}, {report.notes} notes, {report.figures} "
          f"figures, roles {dict(report.roles.most_common(8))}")
    return 1 if report.problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
