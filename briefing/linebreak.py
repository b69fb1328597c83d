"""One correction to WeasyPrint 70's line breaking: a text that fits but for its trailing space.

Not a stage: ``pdf.py`` lays out inside :func:`fitting_trailing_spaces`.

WeasyPrint's ``split_first_line`` (``text/line_break.py``) asks Pango for the first line of a
text box. Pango wraps without counting the space at the end of a line, so for a box such as
``"UN Special Rapporteur … of Association, "`` followed by ``<em>Report…</em>`` it answers
"all of it fits"; WeasyPrint then measures the line with its trailing space, finds it 2 px
too wide, concludes that no earlier break exists ("the line can't be split earlier") and
keeps only the first word: the note reads "UN", then a line break, then the rest
(reproduced in plain WeasyPrint at 127.0-127.5 mm widths). A browser keeps the text on the
line (a space at a line's end hangs) and breaks before the next box.

The correction: when WeasyPrint keeps only a short start of a text that ends in a space, and
the text without that space fits the width, the whole text is the first line (the space is
removed at the line's end by WeasyPrint as usual). Only that case calls WeasyPrint again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from math import inf
from typing import Any

import weasyprint.layout.inline as wi

#: a first line shorter than this share of the width is suspect (the bug keeps one word)
_SUSPECT = 0.75


@contextmanager
def fitting_trailing_spaces() -> Iterator[None]:
    """While active, WeasyPrint's inline layout uses :func:`_split` for its text boxes."""
    original: Callable[..., Any] = wi.split_first_line

    def split(text: str, style: Any, context: Any, max_width: float | None, *args: Any,
              **kwargs: Any) -> Any:
        return _split(original, text, style, context, max_width, *args, **kwargs)

    wi.split_first_line = split
    try:
        yield
    finally:
        wi.split_first_line = original


def _split(original: Callable[..., Any], text: str, style: Any, context: Any,
           max_width: float | None, *args: Any, **kwargs: Any) -> Any:
    result = original(text, style, context, max_width, *args, **kwargs)
    resume, width = result[2], result[3]
    if (resume is None or max_width is None or max_width == inf or not text.endswith(" ")
            or style["white_space"] not in ("normal", "pre-line")
            or width >= _SUSPECT * max_width):
        return result
    whole = original(text, style, context, inf, *args, **kwargs)
    trimmed = original(text.rstrip(" "), style, context, inf, *args, **kwargs)
    if whole[2] is None and trimmed[3] <= max_width:
        return whole  # all of it on this line; its trailing space hangs
    return result
