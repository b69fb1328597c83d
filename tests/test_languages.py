"""A Russian edition: Cyrillic text and sources, Russian quotes, labels and citation terms."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import write
from pdfcheck import fonts, page_texts, reader

from briefing.pipeline import build

BIB = """
@report{hrw2022, author={{Хьюман Райтс Вотч}}, title={Казахстан: события 2021 года},
  institution={Хьюман Райтс Вотч}, date={2022-01-13}, langid={russian}}
@book{nowak2005, author={Новак, Манфред}, title={Пакт о гражданских и политических правах},
  publisher={Энгель}, year={2005}, langid={russian}}
"""
TEXT = ("# Политическая ситуация\n\n"
        "Власти называют протесты \"беспорядками\"[@hrw2022, 4]. Международные обязательства "
        "страны остаются невыполненными[@nowak2005, 45]. Эксперты повторяют это "
        "снова[@nowak2005, 45].\n")


def test_russian_edition(tmp_path: Path) -> None:
    folder = write(tmp_path / "ru", {
        "report.yaml": "title: Казахстан\nsubtitle: Обзор положения с правами человека\n"
                       "lang: ru\nbibliography: r.bib\n"
                       "csl: chicago-notes-bibliography-subsequent-ibid\n",
        "r.bib": BIB, "a.md": TEXT})
    result = build(folder, tmp_path / "ru.pdf")
    texts = [re.sub(r"\s+", " ", t) for t in page_texts(reader(result.output))]
    assert "Содержание" in texts[1] and "Источники" in texts[1]
    assert f"Страница 3 из {len(texts)}" in texts[2]
    assert "«беспорядками»" in texts[2]
    assert "Там же" in texts[2]  # ibid. in Russian, from pandoc's ru locale
    assert "Новак, Манфред. Пакт о гражданских и политических правах" in texts[-1]
    found = fonts(reader(result.output))
    assert all(re.search(r"PT-(Serif|Sans)", name) for name in found), found
