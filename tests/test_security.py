"""The attack suite, part 1: nothing a briefing's files say can read local files, reach the
network, run code, plant a result or leave a dangerous link in the PDF.

Each case builds (or checks) a real briefing and shows the PDF carries none of it: no file
content, no embedded file (counted the way ``pdfdetach -list`` counts them, annotations
included), no link annotation to a forbidden address. The numbers in the test names refer to
the classes of the security issue (see the README's "Safety" section). Runaway inputs are in
``test_limits.py``; malformed inputs, kills and concurrency in ``test_robustness.py``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from attack import BIB, SECRET, listener, run_measured
from conftest import ROOT, write
from pdfcheck import embedded_files, page_texts, reader, uri_links

from briefing import cache, fingerprint
from briefing.checks import check
from briefing.errors import BriefingError
from briefing.pipeline import build

HOUSE = ROOT / "styles"


@pytest.fixture()
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def _assert_clean(pdf: Path) -> None:
    data = pdf.read_bytes()
    assert SECRET.encode() not in data
    assert embedded_files(pdf) == []
    doc = reader(pdf)
    for _, uri in uri_links(doc):
        assert uri.startswith(("http://", "https://", "mailto:")), uri
        assert "file:" not in uri
    assert SECRET not in "".join(page_texts(doc))


def _errors(folder: Path, cwd: Path) -> list[str]:
    return [d.format(cwd) for d in check(folder).errors]


# --- 1. the house template is code from someone else ------------------------------------------

def _styled(tmp_path: Path, template: str, css: str = "") -> Path:
    """A briefing whose styles folder (inside it, as a partner would send it) holds
    ``template`` as briefing.html and the house CSS plus ``css``."""
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n"
                                                   "styles: house\n",
                                    "r.bib": BIB, "a.md": "# One\n\nText [@a].\n"})
    (folder / "house").mkdir()
    (folder / "house" / "briefing.css").write_text(
        (HOUSE / "briefing.css").read_text(encoding="utf-8") + css, encoding="utf-8")
    (folder / "house" / "briefing.html").write_text(template, encoding="utf-8")
    return folder


def _page(inner: str) -> str:
    return ('<html><head><link rel="stylesheet" href="{{ styles_url }}briefing.css"></head>'
            f"<body>{{{{ body }}}}{inner}</body></html>")


@pytest.mark.parametrize("expression", [
    "{{ config.folder.joinpath('/etc/hostname').read_text() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ config.labels.__class__.__base__ }}",
])
def test_1_template_cannot_reach_python_or_files(tmp_path: Path, expression: str) -> None:
    folder = _styled(tmp_path, _page(expression))
    with pytest.raises(BriefingError) as exc:
        build(folder, tmp_path / "out.pdf")
    [diag] = exc.value.diagnostics
    assert diag.message.startswith("template: ") and diag.path == folder / "house/briefing.html"
    assert exc.value.exit_code == 1 and not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("include", ["../secret.txt", "/etc/passwd", "leak.html",
                                     "../../secret.txt"])
def test_1_template_includes_stay_in_the_styles_folder(tmp_path: Path, secret: Path,
                                                       include: str) -> None:
    folder = _styled(tmp_path, _page(f'{{% include "{include}" %}}'))
    (folder / "house" / "leak.html").symlink_to(secret)  # a link inside, leading out
    (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
    with pytest.raises(BriefingError) as exc:  # old code: an internal error, or the secret
        build(folder, tmp_path / "out.pdf")
    [diag] = exc.value.diagnostics
    assert diag.message.startswith("template: ") and SECRET not in diag.message
    assert not (tmp_path / "out.pdf").exists()


def test_1_template_cannot_attach_link_or_post(tmp_path: Path, secret: Path) -> None:
    attacks = (f'<link rel="attachment" href="data:text/plain,{SECRET}" title="a">'
               f'<p><a rel="attachment" href="data:text/plain,{SECRET}">data</a> '
               '<a rel="attachment" href="briefing.css">css</a> '
               f'<a rel="attachment" href="{secret.as_uri()}">file</a> '
               '<a href="file:///etc/passwd">f</a> <a href="smb://host/share">s</a> '
               '<a href="ms-msdt:/id PCWDiagnostic">m</a> <a href="https://example.org/">ok</a>'
               '</p><form action="http://127.0.0.1:9/steal" method="post">'
               '<input name="q" style="appearance: auto"><button style="appearance: auto">'
               "Go</button></form>")
    folder = _styled(tmp_path, _page(attacks))
    result = build(folder, tmp_path / "out.pdf")
    _assert_clean(result.output)
    assert [u for _, u in uri_links(reader(result.output))] == ["https://example.org/"]
    data = result.output.read_bytes()
    assert b"/AcroForm" not in data and b"SubmitForm" not in data
    [warning] = [d.message for d in result.diagnostics.warnings if "left them out" in d.message]
    assert "attachment" in warning and "'file:///etc/passwd'" in warning and "a form" in warning


@pytest.mark.parametrize("expression", [
    "{% for i in range(100000) %}x{% endfor %}",
    "{{ 'x' * 1000000000 }}",
    "{{ ['x'] * 1000000000 }}",
    "{{ 'x' | center(1000000000) }}",
    "{{ 'x'.ljust(1000000000) }}",
    "{{ '{:>1000000000}'.format('x') }}",
    "{{ '%1000000000s' | format('x') }}",
    "{{ 10 ** 100000000 }}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "{% for i in range(9000) %}{{ body }}{{ body }}{{ body }}{% endfor %}",
])
def test_1_template_cannot_run_away(tmp_path: Path, expression: str) -> None:
    # one big body, so that repeating it is what costs
    folder = _styled(tmp_path, _page(expression))
    (folder / "a.md").write_text("# One\n\nText [@a].\n\n" + "word " * 2000 + "\n",
                                 encoding="utf-8")
    with pytest.raises(BriefingError) as exc:
        build(folder, tmp_path / "out.pdf")
    assert exc.value.exit_code == 1


def test_1_template_loops_are_stopped_by_the_guard(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_MAX_SECONDS", "12")  # the template gets a sixth: 2 s
    folder = _styled(tmp_path, _page("{% for i in range(9999) %}{% for j in range(9999) %}"
                                     "{% endfor %}{% endfor %}"))
    with pytest.raises(BriefingError) as exc:
        build(folder, tmp_path / "out.pdf")
    [diag] = exc.value.diagnostics
    assert diag.message == ("filling the house template took more than 2 s and was stopped: "
                            "the template repeats or loops too much; simplify it; or allow "
                            "more time with BRIEFING_MAX_SECONDS=48")


# --- 2. files outside the folder --------------------------------------------------------------

@pytest.mark.parametrize("key, value", [
    ("sections", "[/proc/self/environ]"), ("sections", "[../secret.txt]"),
    ("sections", "['{secret}']"), ("bibliography", "../secret.bib"),
    ("bibliography", "/etc/passwd"), ("csl", "../style.csl"), ("csl", "/etc/passwd"),
    ("styles", ".."), ("styles", "/etc"), ("sections", "[~/secret.md]"),
])
def test_2_report_yaml_cannot_name_files_outside(tmp_path: Path, secret: Path, key: str,
                                                 value: str) -> None:
    (tmp_path / "secret.bib").write_text(f"@book{{s, title={{{SECRET}}}, year={{2001}}}}\n",
                                         encoding="utf-8")
    (tmp_path / "style.csl").write_text("<style/>", encoding="utf-8")
    yaml = f"title: T\nnocite: '@*'\n{key}: {value.format(secret=secret)}\n"
    folder = write(tmp_path / "r", {"report.yaml": yaml, "a.md": "Text.\n"})
    errors = _errors(folder, tmp_path)
    assert len(errors) == 1 and "outside the report folder" in errors[0], errors
    assert SECRET not in errors[0]
    with pytest.raises(BriefingError):
        build(folder, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("target", ["outside", "/dev/zero", "fifo", "loop", "dangling"])
@pytest.mark.parametrize("role", ["section", "bibliography", "image", "csl"])
def test_2_symbolic_links_in_the_folder_lead_nowhere(tmp_path: Path, secret: Path, target: str,
                                                     role: str) -> None:
    names = {"section": "b.md", "bibliography": "r.bib", "image": "p.png", "csl": "s.csl"}
    name = names[role]
    yaml = "title: T\nsections: [a.md" + (", b.md" if role == "section" else "") + "]\n" + \
        ("bibliography: r.bib\n" if role == "bibliography" else "") + \
        ("csl: s.csl\n" if role == "csl" else "")
    text = "Text.\n" + ("\n![Picture](p.png)\n" if role == "image" else "")
    folder = write(tmp_path / "r", {"report.yaml": yaml, "a.md": text})
    link = folder / name
    if target == "outside":
        link.symlink_to(secret)
    elif target == "fifo":
        os.mkfifo(folder / "pipe")
        link.symlink_to(folder / "pipe")
    elif target == "loop":
        link.symlink_to(link)
    elif target == "dangling":
        link.symlink_to(folder / "gone")
    else:
        link.symlink_to(target)
    run = run_measured(str(folder), "-o", str(tmp_path / "out.pdf"), cwd=tmp_path, timeout=60)
    assert run.code == 1, run.stderr  # never a hang, a crash (exit 3) or a built PDF
    assert run.seconds < 20 and SECRET not in run.stderr + run.stdout
    place = {"section": "r/report.yaml:2:1", "bibliography": "r/report.yaml:3:1",
             "image": "r/a.md:3:12", "csl": "r/report.yaml:3"}[role]
    assert [e.split(": error: ")[0] for e in run.errors] == [place], run.stderr
    assert not (tmp_path / "out.pdf").exists()


def test_2_markdown_cannot_embed_or_link_local_files(tmp_path: Path, secret: Path) -> None:
    folder = write(tmp_path / "r", {
        "report.yaml": "title: T\nbibliography: r.bib\n", "r.bib": BIB,
        "a.md": f"Text [@a].\n\n"
                f'<link rel="attachment" href="{secret.as_uri()}">\n\n'
                f'Inline <a rel="attachment" href="{secret.as_uri()}">x</a> and '
                f'<img src="{secret.as_uri()}"> and <script>alert(1)</script>.\n\n'
                f"[link]({secret.as_uri()}) [js](javascript:alert(1)) "
                f"[local](http://127.0.0.1:9/)\n"})
    with pytest.raises(BriefingError) as exc:  # the forbidden links are errors
        build(folder, tmp_path / "out.pdf")
    messages = [d.message for d in exc.value.diagnostics]
    assert sum("is not allowed" in m for m in messages) == 2
    assert sum("raw HTML is not rendered" in m for m in messages) >= 3
    # without the forbidden links it builds, and the raw HTML is only text
    (folder / "a.md").write_text((folder / "a.md").read_text().split("[link]")[0],
                                 encoding="utf-8")
    result = build(folder, tmp_path / "out.pdf")
    _assert_clean(result.output)
    text = "".join(page_texts(reader(result.output)))
    assert "<script>alert(1)</script>" in text.replace("\n", "")


def test_2_user_css_and_svg_read_only_the_folder(tmp_path: Path, secret: Path) -> None:
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
           f'<image href="{secret.as_uri()}" width="10" height="10"/>'
           '<image href="../secret.txt" width="10" height="10"/></svg>')
    css = (f'\n@import url("{secret.as_uri()}");\n'
           f'.cover {{ background: url("{secret.as_uri()}"); }}\n'
           'h1 { background: url("../../secret.txt"); }\n'
           f'@font-face {{ font-family: Leak; src: url("{secret.as_uri()}"); }}\n')
    folder = _styled(tmp_path, (HOUSE / "briefing.html").read_text(encoding="utf-8"), css)
    (folder / "d.svg").write_text(svg, encoding="utf-8")
    (folder / "a.md").write_text("# One\n\nText [@a].\n\n![Drawing](d.svg)\n", encoding="utf-8")
    result = build(folder, tmp_path / "out.pdf")
    _assert_clean(result.output)


# --- 3. the network ---------------------------------------------------------------------------

def _dependent_style(parent: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="note" '
            'default-locale="en-US"><info><title>A journal</title><id>x</id>'
            f'<link href="{parent}" rel="independent-parent"/>'
            '<category citation-format="note"/><updated>2020-01-01T00:00:00+00:00</updated>'
            "</info></style>\n")


def test_3_a_whole_build_makes_no_request(tmp_path: Path) -> None:
    """Every way a briefing could name an address, in one build: nothing is requested."""
    with listener() as (base, requests):
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" '
               f'xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">'
               f'<image href="{base}/svg-image.png" width="9" height="9"/>'
               f'<use xlink:href="{base}/ext.svg#a"/></svg>')
        css = (f'\n@import url("{base}/import.css");\n'
               f'@font-face {{ font-family: Far; src: url("{base}/font.ttf"); }}\n'
               f'h1 {{ font-family: Far; background: url("{base}/bg.png"); }}\n')
        template = (HOUSE / "briefing.html").read_text(encoding="utf-8").replace(
            "</body>", f'<img src="{base}/img.png"><link rel="stylesheet" href="{base}/t.css">'
                       f'<object data="{base}/object.svg"></object>'
                       f'<embed src="{base}/embed.svg"><iframe src="{base}/frame"></iframe>'
                       "</body>")
        folder = _styled(tmp_path, template, css)
        write(folder, {
            "report.yaml": "title: T\nbibliography: r.bib\nstyles: house\ncsl: journal.csl\n",
            "journal.csl": _dependent_style(f"{base}/styles/chicago-notes-bibliography"),
            "r.bib": (f"@online{{a, author={{Doe, Jane}}, title={{T}}, year={{2001}}, "
                      f"url={{{base}/url}}, doi={{10.1000/x}}}}\n"),
            "d.svg": svg,
            "a.md": (f"---\nbibliography: {base}/x.bib\ncsl: {base}/x.csl\n---\n\n"
                     f"# One\n\nText [@a] and [a link]({base}/link).\n\n![Drawing](d.svg)\n")})
        result = build(folder, tmp_path / "out.pdf")
        assert result.layout.pages > 1 and result.notes == 1
        assert requests == []
        # a Markdown image on the network is an error, found without fetching it
        (folder / "a.md").write_text(f"Text [@a].\n\n![Far]({base}/far.png)\n", encoding="utf-8")
        assert [d.message[:40] for d in check(folder).errors] == [
            f"image '{base}/far.png' is not a fi"[:40]]
        assert requests == []


@pytest.mark.parametrize("parent, expected", [
    ("{base}/styles/chicago-notes-bibliography", None),
    ("{base}/styles/evil-parent", "is not in the bundled collection"),
    ("{secret}", "is not in the bundled collection"),
    ("{base}/../../etc/passwd", "is not in the bundled collection"),
])
def test_3_dependent_styles_come_from_the_bundled_collection(
        tmp_path: Path, secret: Path, parent: str, expected: str | None) -> None:
    with listener() as (base, requests):
        folder = write(tmp_path / "r", {
            "report.yaml": "title: T\nbibliography: r.bib\ncsl: journal.csl\n",
            "journal.csl": _dependent_style(parent.format(base=base, secret=secret)),
            "r.bib": BIB, "a.md": "Text [@a].\n"})
        run = run_measured(str(folder), "-o", "out.pdf", cwd=tmp_path)
        assert requests == []
    assert SECRET not in run.stderr + run.stdout  # old code printed a local parent's text
    if expected is None:
        assert run.code == 0, run.stderr
    else:
        assert run.code == 1 and expected in run.stderr


def test_3_a_style_copied_from_zotero_stays_offline(tmp_path: Path) -> None:
    from briefing.citations import _collection_dir

    with listener() as (base, requests):
        source = (_collection_dir() / "apa.csl").read_text(encoding="utf-8")
        source = source.replace("<info>", f'<info><link href="{base}/styles/x" rel="self"/>'
                                          f'<link href="{base}/t" rel="template"/>'
                                          f'<link href="{base}/doc" rel="documentation"/>', 1)
        folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n"
                                                       "csl: zotero.csl\n",
                                        "zotero.csl": source, "r.bib": BIB, "a.md": "T [@a].\n"})
        result = build(folder, tmp_path / "out.pdf")
        assert result.notes + result.citations >= 1 and requests == []


# --- 4. planted caches and records ------------------------------------------------------------

def _cache_files(namespace: str) -> list[Path]:
    return sorted((cache.cache_root() / namespace).glob("*"))


def test_4_a_planted_or_damaged_citation_cache_is_never_used(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                    "r.bib": BIB, "a.md": "# Planted\n\nText [@a].\n"})
    before = set(_cache_files("cited"))
    build(folder, tmp_path / "one.pdf")
    [entry] = set(_cache_files("cited")) - before
    raw = entry.read_bytes()
    tag, payload = raw[:64], json.loads(raw[64:])
    payload["blocks"].insert(0, {"t": "RawBlock", "c": ["briefing-html", f"<p>{SECRET}</p>"]})
    forged = tag + json.dumps(payload).encode()  # the name is computable; the tag is not
    for planted in (forged, raw[: len(raw) * 2 // 3]):  # forged, then truncated
        entry.write_bytes(planted)
        result = build(folder, tmp_path / "two.pdf")
        assert SECRET not in "".join(page_texts(reader(result.output)))
        assert result.notes == 1 and entry.read_bytes() == raw  # rebuilt, stored anew


def test_4_a_planted_last_build_record_cannot_keep_a_foreign_pdf(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                    "r.bib": BIB, "a.md": "# One\n\nText [@a].\n"})
    assert run_measured("r", cwd=tmp_path).code == 0
    pdf = tmp_path / "build" / "r.pdf"
    ours = pdf.read_bytes()
    foreign = ours + b"\n% not briefing's\n"
    pdf.write_bytes(foreign)
    # what the old code trusted: a record beside the PDF, whose name and content can be made
    # by anyone who can read the folder
    digest = fingerprint.fingerprint(fingerprint.load_config(folder), pdf)
    import hashlib

    record = {"fingerprint": digest, "output_sha256": hashlib.sha256(foreign).hexdigest(),
              "summary": {"pages": 3, "notes": [], "sources": [], "warnings": []}}
    name = hashlib.sha256(str(pdf.resolve()).encode()).hexdigest()[:16]
    (tmp_path / "build" / ".cache").mkdir(exist_ok=True)
    (tmp_path / "build" / ".cache" / f"last-build-{name}.json").write_text(json.dumps(record))
    run = run_measured("r", cwd=tmp_path)
    assert run.code == 0 and "built in" in run.stdout and "reused" not in run.stdout
    assert pdf.read_bytes() == ours


def test_4_force_rebuilds_everything_the_cache_holds(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing import pandoc
    from briefing.rebuild import run_single

    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                    "r.bib": BIB, "a.md": "# One\n\nText [@a].\n"})
    assert run_single(folder, tmp_path / "one.pdf").exit_code == 0
    runs: list[list[str]] = []
    real = pandoc.run

    def counting(args: list[str], *rest: object, **kw: object) -> str:
        runs.append(args)
        return real(args, *rest, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pandoc, "run", counting)
    assert run_single(folder, tmp_path / "two.pdf").exit_code == 0
    assert runs == []  # every reading came from the cache
    assert run_single(folder, tmp_path / "two.pdf", force=True).exit_code == 0
    assert len(runs) == 3  # the section, the .bib and citeproc, all made again


# --- 5. links a reader's viewer would open ----------------------------------------------------

@pytest.mark.parametrize("link", [
    "smb://host/share/x.pdf", "ms-msdt:/id PCWDiagnostic", "cmd:calc", "C:\\Windows\\x.exe",
    "file:///etc/passwd", "other.pdf", "/etc/passwd", "\\\\server\\share", "//evil.example/x",
    "vbscript:msgbox", "data:text/html,<script>x</script>", "javascript:alert(1)",
    "search-ms:query=x", "ms-officecmd:x"])
def test_5_markdown_links_outside_the_web_are_errors(tmp_path: Path, link: str) -> None:
    folder = write(tmp_path / "r", {"report.yaml": "title: T\n",
                                    "a.md": f"# One\n\nSee [this](<{link}>).\n"})
    errors = _errors(folder, tmp_path)
    assert len(errors) == 1 and errors[0].startswith("r/a.md:3:")
    assert "is not allowed" in errors[0]


@pytest.mark.parametrize("autolink", ["<smb://host/share>", "<file:///etc/passwd>"])
def test_5_autolinks_outside_the_web_are_errors(tmp_path: Path, autolink: str) -> None:
    folder = write(tmp_path / "r", {"report.yaml": "title: T\n",
                                    "a.md": f"# One\n\nSee {autolink}.\n"})
    errors = _errors(folder, tmp_path)
    assert len(errors) == 1 and "is not allowed" in errors[0] and "r/a.md:3:" in errors[0]


def test_5_an_unknown_scheme_in_angle_brackets_is_text(tmp_path: Path) -> None:
    folder = write(tmp_path / "r", {"report.yaml": "title: T\n",
                                    "a.md": "# One\n\nSee <ms-msdt:/id> and <cmd:calc>.\n"})
    result = build(folder, tmp_path / "out.pdf")  # pandoc reads them as raw HTML: text
    assert uri_links(reader(result.output)) == []
    assert "<ms-msdt:/id>" in "".join(page_texts(reader(result.output)))


def test_5_bibtex_cannot_hide_a_link_behind_a_web_address(tmp_path: Path, secret: Path) -> None:
    bib = ("@article{a, author={Doe, Jane}, title={A}, journal={J}, year={2001}, "
           "doi={file:///etc/passwd}}\n"
           "@article{b, author={Doe, Jane}, title={B}, journal={J}, year={2002}, "
           "doi={smb://evil/share}}\n"
           "@article{c, author={Doe, Jane}, title={C}, journal={J}, year={2003}, "
           "doi={https://doi.org/10.1000/182}}\n"
           "@online{d, title={D}, url={smb://evil/x}, year={2004}}\n"
           "@online{e, author={Doe, Jane}, title={E}, url={javascript:alert(1)}, year={2005}}\n"
           "@online{f, title={Local}, url={http://127.0.0.1:9/admin}, year={2006}}\n")
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                    "r.bib": bib,
                                    "a.md": "A [@a]. B [@b]. C [@c]. D [@d]. E [@e]. F [@f].\n"})
    result = build(folder, tmp_path / "out.pdf")
    warnings = [d.format(tmp_path) for d in result.diagnostics.warnings]
    assert "r/r.bib:1: warning: 'a': doi 'file:///etc/passwd' is not a DOI (a DOI starts with " \
           "10.); it is left out" in warnings
    assert sum("is not a DOI" in w for w in warnings) == 2
    assert sum("is not a web address" in w for w in warnings) == 2
    _assert_clean(result.output)
    links = [u for _, u in uri_links(reader(result.output))]
    assert sorted(set(links)) == ["http://127.0.0.1:9/admin", "https://doi.org/10.1000/182"]
    text = "".join(page_texts(reader(result.output)))
    assert "smb:" not in text and "file:" not in text and "javascript" not in text


@pytest.mark.parametrize("markdown", ["# Heading {#fn-1}", "# Heading {#fnref-2}",
                                      "# Heading {#ref-a}", "[span]{#fn-3}",
                                      "::: {#fnref-1}\nText\n:::"])
def test_5_ids_cannot_take_the_note_anchors(tmp_path: Path, markdown: str) -> None:
    folder = write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n",
                                    "r.bib": BIB, "a.md": f"Text [@a].\n\n{markdown}\n"})
    errors = _errors(folder, tmp_path)
    assert len(errors) == 1 and "starts like briefing's own note and reference anchors" \
        in errors[0] and errors[0].startswith("r/a.md:3")


def test_5_output_is_never_written_through_a_symbolic_link(tmp_path: Path) -> None:
    write(tmp_path / "r", {"report.yaml": "title: T\nbibliography: r.bib\n", "r.bib": BIB,
                           "a.md": "Text [@a].\n"})
    victim = tmp_path / "contract.pdf"
    victim.write_bytes(b"%PDF-1.4 the user's own file")
    (tmp_path / "link.pdf").symlink_to(victim)
    run = run_measured("r", "-o", "link.pdf", cwd=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr.startswith("briefing: -o link.pdf: it is a symbolic link (to ")
    # the default output, planted by a partner's files: build/r.pdf -> the victim
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "r.pdf").symlink_to(victim)
    run = run_measured("r", cwd=tmp_path)
    assert run.code == 1 and "it is a symbolic link" in run.stderr
    # and a planted build/ folder that leads elsewhere
    shutil.rmtree(tmp_path / "build")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "build").symlink_to(tmp_path / "elsewhere")
    run = run_measured("r", cwd=tmp_path)
    assert run.code == 1 and "build is a symbolic link" in run.stderr
    assert victim.read_bytes() == b"%PDF-1.4 the user's own file"
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_5_output_naming_a_folder_is_a_command_line_mistake(tmp_path: Path) -> None:
    write(tmp_path / "r", {"report.yaml": "title: T\n", "a.md": "Text.\n"})
    (tmp_path / "out").mkdir()
    run = run_measured("r", "-o", "out", cwd=tmp_path)
    assert (run.code, run.stderr) == (
        2, "briefing: -o out: that is a folder; give the PDF's file name, for example "
           "-o out/briefing.pdf\n")
    (tmp_path / "out.pdf").mkdir()
    run = run_measured("r", "-o", "out.pdf", cwd=tmp_path)
    assert run.code == 2 and "that is a folder" in run.stderr


# --- values from report.yaml and BibTeX are text ----------------------------------------------

def test_report_yaml_values_are_text(tmp_path: Path, secret: Path) -> None:
    folder = write(tmp_path / "r", {
        "report.yaml": f"title: '<img src=\"{secret.as_uri()}\">'\n"
                       f"subtitle: '<link rel=attachment href=\"{secret.as_uri()}\">'\n"
                       "organisation: '<style>@import url(http://127.0.0.1:9/x.css)</style>'\n"
                       "bibliography: r.bib\n",
        "r.bib": BIB, "a.md": "Text [@a].\n"})
    result = build(folder, tmp_path / "out.pdf")
    _assert_clean(result.output)
    assert not [d for d in result.diagnostics.items if "refused" in d.message]


def test_the_attachment_check_sees_what_pdfdetach_sees(tmp_path: Path) -> None:
    """pypdf's ``attachments`` misses a file attached to a link annotation; ours does not."""
    from weasyprint import HTML

    pdf = tmp_path / "a.pdf"
    HTML(string='<p><a rel="attachment" href="data:text/plain,x">x</a></p>').write_pdf(pdf)
    assert not reader(pdf).attachments
    assert any("FileAttachment" in f for f in embedded_files(pdf))
    if shutil.which("pdfdetach"):
        assert "pdfdetach: 1: attachment.bin" in embedded_files(pdf)
