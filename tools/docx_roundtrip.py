"""What a partner's Word file gives back: the default briefing's .docx read by pandoc again.

    .venv/bin/python tools/docx_roundtrip.py

Builds the Word edition of ``report/`` and the PDF's HTML from the same reading, converts the
.docx back to Markdown with ``pandoc --from=docx --to=markdown`` (what an editor would do to
take a partner's edits back into the sources) and counts what came back: cover fields, headings,
paragraphs, notes, citations, the reference list, tables, emphasis, ids. docs/design.md quotes
the result.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.pandoc import pandoc_path  # noqa: E402
from briefing.pipeline import build  # noqa: E402


def plain(fragment: str) -> str:
    text = re.sub(r'<span class="footnote".*?</span>(?=[^<]*(<|$))', "", fragment)
    text = re.sub(r'<a class="fn-call"[^>]*>\d+</a>|<span class="fn-sep">,</span>', "", text)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def unmark(text: str) -> str:
    """Words only, to compare the PDF's text with pandoc's Markdown of the Word file: no
    note calls, emphasis marks, escapes, autolink brackets; quotation marks made plain
    (pandoc writes ‘…’ as '…', which reads back as the same quotes)."""
    text = re.sub(r"\[\^\d+\]", "", text)
    text = re.sub(r"[*_\\<>]", "", text)
    text = re.sub(r"[‘’]", "'", re.sub(r"[“”]", '"', text))
    return " ".join(text.split())


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        result = build(ROOT / "report", Path(tmp) / "report.pdf", root=ROOT,
                       kinds=("pdf", "docx"))
        docx = Path(tmp) / "report.docx"
        markdown = subprocess.run([pandoc_path(), "--from=docx", "--to=markdown",
                                   "--standalone", "--wrap=none", str(docx)],
                                  capture_output=True, text=True, check=True).stdout
    assert result.written is not None
    sources = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "report")
                                                                       .glob("*.md")))
    front, body = markdown.split("\n---\n", 1) if markdown.startswith("---") else ("", markdown)
    notes = dict(re.findall(r"^\[\^(\d+)\]: (.+(?:\n {4}.+)*)", body, re.M))
    text = re.sub(r"^\[\^\d+\]:.*(?:\n {4}.*)*", "", body, flags=re.M)
    paragraphs = [p.strip() for p in text.split("\n\n")
                  if p.strip() and not p.lstrip().startswith(("#", "|", ":", "-", "+", "["))]
    pdf_paragraphs = [plain(p) for p in re.findall(r"<p>(.*?)</p>", result.written.body, re.S)]
    pdf_paragraphs = [unmark(p) for p in pdf_paragraphs]
    kept_paragraphs = sum(1 for p in paragraphs if unmark(p) in pdf_paragraphs)
    pdf_notes = [unmark(plain(n)) for n in result.note_texts]
    kept_notes = sum(1 for n, t in notes.items() if unmark(t) == pdf_notes[int(n) - 1])
    keys = re.compile(r"@[\w-]+")
    table_rows = re.compile(r"^  -{3,}|^\|", re.M)
    facts = [
        ("cover: title, subtitle, author, date in the YAML block",
         all(k in front for k in ("title:", "subtitle:", "author:", "date:"))),
        ("headings (level 1)", f"{len(re.findall(r'^# ', body, re.M))} of "
                               f"{sum(1 for h in result.written.headings if h.level == 1) + 1}"),
        ("body paragraphs with the PDF's words", f"{kept_paragraphs} of {len(pdf_paragraphs)}"),
        ("notes, as Markdown notes", f"{len(notes)} of {len(pdf_notes)}"),
        ("notes with the PDF's words", f"{kept_notes} of {len(pdf_notes)}"),
        ("notes with italics (*…*)", sum(1 for t in notes.values() if "*" in t)),
        ("citations as @keys", f"{len(keys.findall(body))} of {len(keys.findall(sources))} "
                               "in the sources"),
        ("reference list entries, as plain paragraphs",
         f"{sum(1 for e in result.written.references if unmark(plain(e.html)) in unmark(body))}"
         f" of {len(result.written.references)}"),
        ("tables", "kept" if table_rows.search(body) else "lost"),
        ("explicit ids {#…}", len(re.findall(r"\{#", body))),
    ]
    width = max(len(k) for k, _ in facts)
    for key, value in facts:
        print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
