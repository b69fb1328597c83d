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
