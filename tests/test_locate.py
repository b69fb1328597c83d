"""Finding where pandoc's elements were written (reading stage helper)."""

from __future__ import annotations

from pathlib import Path

from briefing.locate import Locator, mask_code

TEXT = """---
title: x @notakey
---
# Head

Text `@code` and [@a, 3].^[Inline [@b].] More[^n].

```
@fenced [@c]
```

[^n]: Labelled [@a]
    and its second line [@c].

After the note [@a].
"""


def test_code_and_yaml_are_blanked_keeping_positions() -> None:
    masked = mask_code(TEXT)
    assert len(masked) == len(TEXT) and masked.count("\n") == TEXT.count("\n")
    assert "@notakey" not in masked and "@code" not in masked and "@fenced" not in masked
    assert "[@a, 3]" in masked


def test_keys_are_found_in_order_and_inside_their_note() -> None:
    loc = Locator(Path("a.md"), TEXT)
    first = loc.find_key("a", "")
    assert (first.line, first.col) == (6, 19)
    assert [m[1] for m in loc.markers] == [None, "n"]
    in_note = loc.find_key("c", "n")
    assert (in_note.line, in_note.col) == (13, 26)
    assert loc.find_key("a", "n").line == 12
    assert loc.find_key("a", "").line == 15  # the body skips the definition


def test_undefined_and_unused_labels() -> None:
    loc = Locator(Path("a.md"), "Call[^x] and [^y].\n\n[^y]: Y.\n\n[^z]: Z.\n")
    assert [label for _, label in loc.undefined] == ["x"]
    assert [label for _, label in loc.unused] == ["z"]


def test_place_is_one_based() -> None:
    loc = Locator(Path("a.md"), "ab\ncd\n")
    place = loc.place(4)
    assert (place.line, place.col) == (2, 2)


def test_heading_lines_setext_and_atx() -> None:
    loc = Locator(Path("a.md"), "Intro\n=====\n\ntext\n\n## Two\n")
    assert [loc.find_heading("").line for _ in range(2)] == [1, 6]
