"""fonts.py: the shipped fonts and what they cover, read from the font files."""

from __future__ import annotations

from pathlib import Path

from briefing.fonts import check_text, coverage, faces, font_dirs, shipped_names, uncovered

KAZAKH = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"


def test_every_face_is_a_file_in_a_font_folder() -> None:
    folders = font_dirs()
    assert {f.family for f in faces()} == {"PT Serif", "PT Sans", "Noto Serif", "Noto Sans",
                                           "IBM Plex Mono"}
    assert all(f.path.is_file() and f.path.parent in folders for f in faces())


def test_briefings_of_the_region_are_covered() -> None:
    text = ("Latin, Русский, " + KAZAKH + ", Ελληνικά, ₸ € ₽ № § – — « » „ “ ” • – … ′ ″ → "
            "ŞşĞğİı ČčŠšŽž ŁłŃń ÆæØøÅå")
    assert uncovered(text) == []


def test_what_no_font_has_is_named_once_in_order() -> None:
    assert uncovered("中文 and ישראל, 中 again; soft\u00adhyphen\u2060") == [
        "中", "文", "י", "ש", "ר", "א", "ל"]


def test_coverage_comes_from_the_files() -> None:
    assert ord("ә") in coverage() and ord("Ω") in coverage() and ord("中") not in coverage()


def test_check_text_names_line_and_column() -> None:
    problems = check_text("# Title\n\nChinese: 中华.\n", Path("a.md"), first_line=3)
    assert [d.format(Path.cwd()) for d in problems] == [
        "a.md:5:10: warning: no font shipped with briefing has '中' (U+4E2D CJK UNIFIED "
        "IDEOGRAPH-4E2D), '华' (U+534E CJK UNIFIED IDEOGRAPH-534E): the PDF would show an "
        "empty box or a font of this machine; write it another way (a transliteration) or ask "
        "for a font to be added"]


def test_shipped_names_match_what_the_pdf_shows() -> None:
    assert {"PT-Serif", "PT-Sans-Bold", "PT-Serif-Italic"} <= shipped_names()
