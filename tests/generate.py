"""Generate long synthetic briefings for placement tests and benchmarks.

``write_report(folder, sections=…, seed=…)`` writes a report folder (report.yaml, Markdown
sections, a .bib) shaped like a real briefing: paragraphs of varying length, one to three
citations per paragraph with locators, repeated sources, multi-work notes, author footnotes
(some citing sources inside), a few long notes, tables and lists. Deterministic for a seed.
Roughly 3.3 pages and 11 notes per section with the house style.
"""

from __future__ import annotations

import random
from pathlib import Path

_WORDS = """
    authorities government rights detention courts judiciary reform assembly freedom
    expression media journalists register organisations religious minorities migrants
    labour women violence police investigation torture allegations evidence report
    commission observers elections parliament president constitution amendment law policy
    implementation commitments international standards monitoring civil society defenders
    lawyers prisons conditions access information internet restrictions charges criminal
    administrative penalties fines registration practice region country population economic
    growth resources cooperation partners dialogue accountability transparency corruption
    procurement budget oversight independent
""".split()
_TYPES = ("report", "online", "article", "book", "incollection")


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 22))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _paragraph(rng: random.Random, keys: list[str], note_ids: list[int],
               per_paragraph: tuple[int, ...]) -> str:
    sentences = [_sentence(rng) for _ in range(rng.randint(3, 9))]
    for _ in range(rng.choice(per_paragraph)):
        i = rng.randrange(len(sentences))
        end = sentences[i][:-1]
        # a second citation at the same place: pandoc needs a space between two brackets
        space = " " if end.endswith("]") else ""
        sentences[i] = end + space + _citation(rng, keys, note_ids) + "."
    return " ".join(sentences)


def _citation(rng: random.Random, keys: list[str], note_ids: list[int]) -> str:
    roll = rng.random()
    if roll < 0.08:  # an author footnote, sometimes citing a source
        note_ids[0] += 1
        inner = _sentence(rng)
        if rng.random() < 0.5:
            inner = inner[:-1] + f" [@{rng.choice(keys)}, {rng.randint(1, 300)}]."
        return f"^[{inner}]"
    if roll < 0.11:  # a long note, a third of a page
        note_ids[0] += 1
        return "^[" + " ".join(_sentence(rng) for _ in range(12)) + "]"
    if roll < 0.25:
        a, b = rng.sample(keys, 2)
        return f"[see @{a}, {rng.randint(1, 99)}; @{b}]"
    key = rng.choice(keys[: max(3, len(keys) // 3)] if rng.random() < 0.4 else keys)
    return f"[@{key}, {rng.randint(1, 400)}]" if rng.random() < 0.7 else f"[@{key}]"


def _bib_entry(rng: random.Random, key: str) -> str:
    kind = rng.choice(_TYPES)
    title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 9))).title()
    year = rng.randint(1995, 2024)
    fields = {"title": title, "date": f"{year}-{rng.randint(1, 12):02d}"}
    if rng.random() < 0.5:
        fields["author"] = "{" + rng.choice(("Human Rights Watch", "Amnesty International",
                                             "OSCE Office for Democratic Institutions and "
                                             "Human Rights", "United Nations Human Rights "
                                             "Council", "International Crisis Group")) + "}"
    else:
        fields["author"] = f"{rng.choice(_WORDS).title()}, {rng.choice('ABCDEFGHJKLMN')}."
    if kind == "report":
        fields["institution"] = "Institute for " + rng.choice(_WORDS).title() + " Studies"
        fields["number"] = f"A/HRC/{rng.randint(10, 55)}/{rng.randint(1, 80)}"
    elif kind == "online":
        fields["url"] = (f"https://www.example.org/{rng.choice(_WORDS)}/{year}/"
                         f"{'-'.join(rng.choice(_WORDS) for _ in range(6))}?id={key}")
        fields["urldate"] = f"{year + 1}-03-0{rng.randint(1, 9)}"
    elif kind == "article":
        fields["journal"] = rng.choice(_WORDS).title() + " Review"
        fields["volume"] = str(rng.randint(1, 40))
        fields["pages"] = f"{rng.randint(1, 200)}--{rng.randint(201, 400)}"
    elif kind == "book":
        fields["publisher"] = rng.choice(("Oxford University Press", "Routledge", "Brill"))
    else:
        fields["booktitle"] = rng.choice(_WORDS).title() + " in Central Asia"
        fields["editor"] = f"{rng.choice(_WORDS).title()}, {rng.choice('PQRSTUVW')}."
        fields["publisher"] = "Routledge"
        fields["pages"] = f"{rng.randint(1, 100)}--{rng.randint(101, 300)}"
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
    return f"@{kind}{{{key},\n{body}\n}}\n"


def write_report(folder: Path, sections: int = 32, sources: int = 100, seed: int = 1,
                 title: str = "Generated briefing",
                 per_paragraph: tuple[int, ...] = (1, 1, 2, 2, 3)) -> Path:
    """Write a report folder; return the path of its report.yaml.

    ``per_paragraph`` is drawn from for each paragraph's number of citations.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    keys = [f"src{n:03d}" for n in range(sources)]
    (folder / "sources.bib").write_text("\n".join(_bib_entry(rng, k) for k in keys),
                                        encoding="utf-8")
    note_ids = [0]
    names = []
    for s in range(sections):
        parts = [f"# Section {s + 1}: {rng.choice(_WORDS).title()} and "
                 f"{rng.choice(_WORDS)}\n"]
        for p in range(rng.randint(6, 10)):
            if p == 3 and s % 4 == 1:
                parts.append(f"## Findings on {rng.choice(_WORDS)}\n")
            if p == 5 and s % 5 == 2:
                parts.append(_table(rng))
            if p == 4 and s % 3 == 0:
                parts.append("\n".join(f"- {_sentence(rng)}" for _ in range(3)) + "\n")
            parts.append(_paragraph(rng, keys, note_ids, per_paragraph) + "\n")
        name = f"{s + 1:03d}-section.md"
        (folder / name).write_text("\n".join(parts), encoding="utf-8")
        names.append(name)
    yaml = [f"title: {title}", "subtitle: A long document for tests and benchmarks",
            "organisation: Briefing test suite", "date: 2024-05-01", "lang: en-GB",
            "bibliography: sources.bib", "sections:"] + [f"  - {n}" for n in names]
    path = folder / "report.yaml"
    path.write_text("\n".join(yaml) + "\n", encoding="utf-8")
    return path


def _table(rng: random.Random) -> str:
    rows = [f"| {rng.choice(_WORDS).title()} | {rng.randint(1, 999)} | "
            f"{rng.uniform(0, 100):.1f} % |" for _ in range(rng.randint(4, 9))]
    return ("| Item | Cases | Share |\n|:--|--:|--:|\n" + "\n".join(rows)
            + "\n\nTable: Generated figures.\n")


# --- a Russian briefing ---------------------------------------------------------------------

_RU_WORDS = """
    власти правительство права задержание суды судебная реформа собрание свобода выражения
    журналисты организации религиозные меньшинства мигранты трудовые женщины насилие полиция
    расследование пытки обвинения доказательства доклад комиссия наблюдатели выборы парламент
    президент конституция поправка закон политика осуществление обязательства международные
    стандарты мониторинг гражданское общество защитники адвокаты тюрьмы условия доступ
    информация Казахстан Назарбаев Астана Алматы Жанаозен
""".split()
#: one-letter prepositions and conjunctions a Russian typesetter never leaves at a line end
_RU_SHORT = ("в", "к", "с", "о", "у", "и", "а")


def _ru_sentence(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(8, 20)):
        if rng.random() < 0.18:
            words.append(rng.choice(_RU_SHORT))
        words.append(rng.choice(_RU_WORDS))
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def write_russian_report(folder: Path, sections: int = 4, seed: int = 5) -> Path:
    """A Russian edition: Cyrillic text, Kazakh names and letters, UN symbols, ranges."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    keys = [f"ru{n:02d}" for n in range(12)]
    (folder / "sources.bib").write_text(
        "\n".join(f"@report{{{k},\n  author = {{{{Комитет по правам человека ООН}}}},\n"
                  f"  title = {{Заключительные замечания по докладу {n}}},\n"
                  f"  number = {{CCPR/C/KAZ/CO/{n}}},\n  date = {{2011-0{n % 9 + 1}}},\n"
                  f"  langid = {{russian}}\n}}\n" for n, k in enumerate(keys, 1)),
        encoding="utf-8")
    names = []
    for s in range(sections):
        parts = [f"# Раздел {s + 1}: {rng.choice(_RU_WORDS).capitalize()} и "
                 f"{rng.choice(_RU_WORDS)}\n"]
        for p in range(rng.randint(5, 8)):
            if p == 2:
                parts.append(f"## Выводы о {rng.choice(_RU_WORDS)}\n")
            text = " ".join(_ru_sentence(rng) for _ in range(rng.randint(3, 7)))
            text += (f" В докладе A/HRC/{rng.randint(10, 55)}/{rng.randint(10, 80)} "
                     f"за 2010–2012 годы (с. 14–18) упомянуты Қазақстан, Ақмола, "
                     f"Өскемен, Үржар, Һ и і [@{rng.choice(keys)}, {rng.randint(1, 90)}].")
            parts.append(text + "\n")
        name = f"{s + 1:02d}-razdel.md"
        (folder / name).write_text("\n".join(parts), encoding="utf-8")
        names.append(name)
    yaml = ["title: Казахстан", "subtitle: Положение с правами человека и верховенство права",
            "organisation: Нидерландский Хельсинкский комитет", "date: 2012-10-01",
            "lang: ru", "bibliography: sources.bib", "sections:"] + [f"  - {n}" for n in names]
    path = folder / "report.yaml"
    path.write_text("\n".join(yaml) + "\n", encoding="utf-8")
    return path


# --- edge cases -------------------------------------------------------------------------------

LONG_URL = ("https://www.osce.org/files/f/documents/a/b/kazakhstan-parliamentary-elections-"
            "15-january-2012-osce-odihr-election-observation-mission-final-report.pdf")


def write_edge_report(folder: Path, seed: int = 11) -> Path:
    """Wide and long tables, long notes, long web addresses, a figure, mixed scripts, code."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources.bib").write_text(
        f"@online{{osce2012,\n  author = {{{{OSCE/ODIHR}}}},\n  title = {{Final report}},\n"
        f"  url = {{{LONG_URL}}},\n  urldate = {{2012-05-01}},\n  date = {{2012-04-03}}\n}}\n"
        "@online{doi,\n  author = {{Human Rights Watch}},\n  title = {Atmosphere of Quiet"
        " Repression},\n  url = {https://doi.org/10.1234/hrw.2012.kazakhstan.atmosphere-of-"
        "quiet-repression.full-text},\n  date = {2008-12-01}\n}\n", encoding="utf-8")
    _figure(folder / "figure.png")
    filler = " ".join(_sentence(rng) for _ in range(14))
    long_note = " ".join(_sentence(rng) for _ in range(21))  # about 3,200 characters
    years = list(range(2000, 2015))
    wide = ("| Indicator | " + " | ".join(map(str, years)) + " |\n|:--" + "|--:" * 15 + "|\n"
            + "\n".join(f"| {w.title()} | " + " | ".join(str(rng.randint(100, 99999))
                                                         for _ in years) + " |"
                        for w in rng.sample(_WORDS, 5)) + "\n\nTable: Fifteen years.\n")
    long_rows = "\n".join(f"| {rng.choice(_WORDS).title()} {n} | {rng.randint(1, 999)} | "
                          f"{_sentence(rng) if n % 7 == 0 else rng.choice(_WORDS)} |"
                          for n in range(1, 71))
    long_table = ("| Case | Days | Outcome |\n|:--|--:|:--|\n" + long_rows
                  + "\n\nTable: Seventy cases, longer than a page.\n")
    sections = {
        "01-tables.md": f"# Tables\n\n{filler}\n\n{wide}\n{filler} [@osce2012]\n\n"
                        f"{long_table}\n{filler}\n\n| Term | Meaning |\n|:--|:--|\n"
                        "| OSCE | Organization for Security and Co-operation in Europe |\n"
                        "| ODIHR | Office for Democratic Institutions and Human Rights |\n",
        "02-notes.md": f"# Long notes and addresses\n\n{filler}^[{long_note}]\n\n{filler}"
                       "[^two] [@doi, 3] [@osce2012, 5]\n\n[^two]: First paragraph of a "
                       "two-paragraph note.\n\n    Second paragraph, with a citation "
                       "[@doi, 9].\n\nA note written over^[several source lines,\nas "
                       "authors do\nin Markdown.] three lines.\n\n"
                       f"The mission's report is at {LONG_URL} and at <{LONG_URL}>; see also "
                       f"[the report]({LONG_URL}).\n\n{filler}\n",
        "03-figure.md": "# Figure, and a section title long enough to wrap in the contents "
                        "and to run out of room in the running head\n\n### Level three\n\n"
                        f"{filler}\n\n#### Level four\n\n{filler}\n\n![A chart of cases by year]"
                        f"(figure.png)\n\n{filler}\n",
        "04-scripts.md": "# Mixed scripts\n\nGreek: Ελληνική Δημοκρατία. Tenge: 5 000 ₸. "
                         "Kazakh: Әділет, ғылым, қала, Маңғыстау, өмір, ұлт, үкімет, Һ, іс. "
                         # Chinese in italics: only the italic face then gets WeasyPrint's
                         # custom CMap for a missing glyph, the rest stays readable
                         "Chinese: *中华人民共和国*. Hebrew: ישראל. Arabic: العربية. "
                         "Symbols: № § ° ± × € ₽ → ✓.\n\n"
                         "- First level\n    - Second level bullet\n        - Third level\n\n"
                         "```\nsummary = fetch('" + LONG_URL + "', timeout=30, retries=5)\n"
                         "```\n\nInline `code` and a rule:\n\n---\n\nAfter the rule.\n",
    }
    for name, text in sections.items():
        (folder / name).write_text(text, encoding="utf-8")
    yaml = ["title: Edge cases of a briefing with a very long title that would wrap",
            "author: Test Author", "date: 2024-05-01", "lang: en-GB",
            "bibliography: sources.bib", "sections:"]
    path = folder / "report.yaml"
    path.write_text("\n".join(yaml + [f"  - {n}" for n in sections]) + "\n", encoding="utf-8")
    return path


def _figure(path: Path) -> None:
    """A 1200 x 900 bar chart as PNG (Pillow comes with WeasyPrint)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), "white")
    draw = ImageDraw.Draw(image)
    for n in range(10):
        height = 80 * (n % 7 + 1)
        draw.rectangle((60 + 110 * n, 860 - height, 140 + 110 * n, 860), fill="#1f4e79")
    image.save(path)
