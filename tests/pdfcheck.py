"""Read what a reader sees in a PDF: text per page, links, outline, fonts, embedded files."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject


def reader(path: Path) -> PdfReader:
    return PdfReader(str(path))


def page_texts(pdf: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in pdf.pages]


def internal_links(pdf: PdfReader) -> dict[str, list[int]]:
    """Destination name -> the (1-based) pages holding a link to it."""
    links: dict[str, list[int]] = defaultdict(list)
    for number, page in enumerate(pdf.pages, start=1):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                links[str(annot["/Dest"])].append(number)
    return links


def link_rects(pdf: PdfReader, prefix: str) -> list[list[float]]:
    rects = []
    for page in pdf.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if str(annot.get("/Dest", "")).startswith(prefix):
                rects.append([float(v) for v in annot["/Rect"]])
    return rects


def uri_links(pdf: PdfReader) -> list[tuple[int, str]]:
    out = []
    for number, page in enumerate(pdf.pages, start=1):
        for annot in page.get("/Annots") or []:
            action: Any = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                out.append((number, str(action["/URI"])))
    return out


def note_pages(pdf: PdfReader) -> tuple[dict[int, int], dict[int, int]]:
    """Note number -> page of its call (link to fn-N) and of the note (link back fnref-N)."""
    links = internal_links(pdf)
    calls = {int(k[3:]): v[0] for k, v in links.items() if k.startswith("fn-")}
    notes = {int(k[6:]): v[0] for k, v in links.items() if k.startswith("fnref-")}
    return calls, notes


def outline(pdf: PdfReader) -> list[tuple[str, int]]:
    """(title, 1-based page) of every bookmark, depth first."""
    out: list[tuple[str, int]] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append((str(item.title), pdf.get_destination_page_number(item) + 1))

    walk(pdf.outline)
    return out


def fonts(pdf: PdfReader) -> dict[str, bool]:
    """Base font name -> whether its file is embedded."""
    found: dict[str, bool] = {}
    for page in pdf.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts") or [font]
            for desc in descendants:
                desc = desc.get_object()
                descriptor = desc.get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor is not None else {}
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2",
                                                         "/FontFile3"))
                found[str(font.get("/BaseFont"))] = embedded
    return found


def embedded_files(path: Path) -> list[str]:
    """Every file embedded in the PDF, the way ``pdfdetach -list`` sees them (the document's
    EmbeddedFiles and FileAttachment annotations) and, beyond it, any object of the file that
    is a file specification, an embedded file stream or a file-attachment annotation, so
    nothing pypdf's ``attachments`` (EmbeddedFiles only) misses is missed here."""
    found: list[str] = []
    if shutil.which("pdfdetach"):
        listing = subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True,
                                 text=True, check=True).stdout
        count = int(re.match(r"(\d+) embedded files", listing).group(1))  # type: ignore[union-attr]
        found.extend(f"pdfdetach: {line.strip()}" for line in listing.splitlines()[1:])
        assert len(found) == count, listing
    pdf = PdfReader(str(path))
    numbers = {(n, g) for g, table in pdf.xref.items() for n in table}
    numbers |= {(n, 0) for n in pdf.xref_objStm}
    for number, generation in sorted(numbers):
        obj = pdf.get_object(IndirectObject(number, generation, pdf))
        if isinstance(obj, DictionaryObject):
            kind = (obj.get("/Type"), obj.get("/Subtype"))
            if "/EF" in obj or kind[0] in ("/Filespec", "/EmbeddedFile") \
                    or kind[1] == "/FileAttachment" or "/EmbeddedFiles" in obj:
                found.append(f"object {number}: {kind}")
    return found
