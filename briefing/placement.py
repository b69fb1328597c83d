"""Keep every footnote on its call's page, inside WeasyPrint's own pagination.

Part of the PDF stage (``pdf.py``). WeasyPrint 70 lays pages out one after the other
(``weasyprint.layout.make_all_pages``) and re-makes only pages marked as changed, stopping once
the pagination falls back into step. That is the hook used here: after each pass over the pages
we look for notes that landed on a later page than their call. Measured on generated briefings,
every such note comes from one heuristic in ``layout/block.py`` ("try to report footnotes when
text overflows because of orphans"): when the second line of the page's last paragraph does not
fit, WeasyPrint moves the page's last notes to the next page to keep two lines of that
paragraph. The typographic answer is the one orphans control would give without the
heuristic: the paragraph starts on the next page. So we set ``break-before: page`` on that
paragraph's style, mark its page as changed, and let WeasyPrint re-make the pages from there
until they are back in step: a few pages per repair, not a new layout of the document.

WeasyPrint carries the notes waiting to be placed from page to page in its layout context, and
its re-make does not restore them; :class:`_PageStarts` records them at the start of every page
so a re-made page starts from the right state. All of this touches WeasyPrint internals (pinned
to 70.x in pyproject.toml); :func:`keeping_notes_with_calls` checks they exist and otherwise
leaves layout alone (``pdf.py`` then warns about every note off its page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import weasyprint.layout as wl
from weasyprint.formatting_structure import boxes


@dataclass
class Repairs:
    """What the in-layout repair did, for the build report and the benchmark."""

    paragraphs: list[str] = field(default_factory=list)  #: data-b of blocks moved to a new page
    rounds: int = 0  #: pages made again because of a repair
    pages_remade: int = 0  #: pages WeasyPrint made again in later passes (its own or ours)
    active: bool = False  #: False when WeasyPrint's internals were not as expected


@dataclass
class _PageStarts:
    """The notes waiting to be placed (and reported from the page before) at each page start."""

    waiting: dict[int, list[Any]] = field(default_factory=dict)
    reported: dict[int, list[Any]] = field(default_factory=dict)

    def record(self, index: int, context: Any) -> None:
        self.waiting[index] = list(context.footnotes)
        self.reported[index] = list(context.reported_footnotes)

    def differs(self, index: int, context: Any) -> bool:
        """Whether the note state now differs from the one page ``index`` was made with."""
        return (self.waiting.get(index) != list(context.footnotes)
                or self.reported.get(index) != list(context.reported_footnotes))

    def restore(self, index: int, context: Any) -> None:
        if index in self.waiting:
            context.footnotes = list(self.waiting[index])
            context.reported_footnotes = list(self.reported[index])


def internals_present() -> bool:
    return callable(getattr(wl, "make_all_pages", None)) and hasattr(wl, "layout_document")


@contextmanager
def keeping_notes_with_calls(enabled: bool = True) -> Iterator[Repairs]:
    """While active, every WeasyPrint layout in this process repairs note placement."""
    repairs = Repairs()
    if not enabled or not internals_present():
        yield repairs
        return
    original: Callable[..., Iterator[Any]] = wl.make_all_pages
    starts_by_context: dict[int, _PageStarts] = {}
    moved: set[Any] = set()

    def make_all_pages(context: Any, root_box: Any, html: Any, pages: list[Any]) -> Any:
        starts = starts_by_context.setdefault(id(context), _PageStarts())
        yield from _paginate(original, context, root_box, html, pages, starts, moved, repairs)

    repairs.active = True
    wl.make_all_pages = make_all_pages
    try:
        yield repairs
    finally:
        wl.make_all_pages = original


def _paginate(original: Callable[..., Iterator[Any]], context: Any, root_box: Any, html: Any,
              pages: list[Any], starts: _PageStarts, moved: set[Any],
              repairs: Repairs) -> list[Any]:
    """Run WeasyPrint's page maker; re-make at once any page that sent a note ahead.

    Each page is checked as soon as it is made: if a note whose call is on it waits for the
    next page, the paragraph at its foot starts a new page instead and the page is made again.
    Pages already made are kept, so a repair costs one page, not a new layout.
    """
    generator = original(context, root_box, html, pages)
    result: list[Any] = []
    previous_remade = True
    restarted = False
    while True:
        index = len(result)
        will_remake = _will_remake(context, index, pages)
        if will_remake and not previous_remade:
            starts.restore(index, context)  # the pages before were reused: state is stale
        if will_remake:
            starts.record(index, context)
        try:
            page = next(generator)
        except StopIteration:
            if restarted:
                _refresh_target_counters(context)
            return result
        remade = index >= len(pages) or page is not pages[index]
        repairs.pages_remade += remade and bool(pages)
        previous_remade = remade
        block = _block_to_move(page, result[-1] if result else None, context) if remade \
            else None
        if block is not None and block.element not in moved:
            moved.add(block.element)
            restarted = True
            _start_on_new_page(root_box, block.element)
            repairs.paragraphs.append(str(block.element.get("data-b", "")))
            repairs.rounds += 1
            # make this page again, from the state it started with
            del context.page_maker[index + 1:]
            context.page_maker[index][-1]["content_changed"] = True
            starts.restore(index, context)
            pages = result
            generator = original(context, root_box, html, pages)
            result = []
            previous_remade = True
            continue
        if remade and index + 1 < len(context.page_maker) and starts.differs(index + 1, context):
            # WeasyPrint compares only where the text resumes; a page whose waiting notes
            # changed must be re-made too, or a note would be lost or doubled
            context.page_maker[index + 1][-1]["content_changed"] = True
        result.append(page)


def _start_on_new_page(root_box: Any, element: Any) -> None:
    """Give the element's box in the document tree ``break-before: page``.

    WeasyPrint shares one computed style between elements that cascade alike, so the box gets
    a copy of its own; changing the shared one would break before every such paragraph.
    """
    for box in root_box.descendants():
        if box.element is element and isinstance(box, boxes.BlockBox):
            box.style = box.style.copy()
            box.style["break_before"] = "page"
            return


def _block_to_move(page: Any, previous: Any, context: Any) -> Any:
    """The block to start on a new page if this page sent a note of its own ahead.

    That is the paragraph at the page foot, or the heading(s) right above it: a heading given
    up by its paragraph would be stranded at the foot of the page (``break-before: page`` on
    the paragraph beats the heading's ``break-after: avoid``), and the running head would name
    a section whose text starts overleaf.
    """
    deferred = {str(f.element.get("id", ""))[3:] for f in context.reported_footnotes
                if f.element is not None}
    if not deferred:
        return None
    calls: set[str] = set()
    last_block = None
    order: list[Any] = []  # the numbered blocks of the page's body, in reading order
    for box, in_notes, block in _walk(page):
        ident = str(box.element.get("id", "")) if box.element is not None else ""
        if ident.startswith("fnref-") and not in_notes:
            calls.add(ident[6:])
        if isinstance(box, boxes.LineBox) and not in_notes and block is not None:
            last_block = block
            if not order or order[-1] is not block:
                order.append(block)
    if not deferred & calls or last_block is None:
        return None
    if previous is not None and any(b.element is last_block.element
                                    for b, _, _ in _walk(previous)):
        return None  # the paragraph began on an earlier page: moving it would not help
    return _with_its_headings(last_block, order)


def _with_its_headings(block: Any, order: list[Any]) -> Any:
    """``block``, or the first of the headings that lead straight into it on the page."""
    position = max(i for i, b in enumerate(order) if b is block)
    first = position
    while first > 0 and _is_heading(order[first - 1]):
        first -= 1
    if first == position:
        return block
    if first == 0:
        return None  # heading and paragraph open the page: moving them would empty it
    return order[first]


def _is_heading(box: Any) -> bool:
    return str(box.element_tag) in ("h1", "h2", "h3", "h4", "h5", "h6")


def _refresh_target_counters(context: Any) -> None:
    """Have the pages that show other pages' numbers (the contents) made again.

    WeasyPrint fills ``target-counter()`` in the contents by making the contents page once
    more after the first pass (its own page counters "changed" from nothing). A repair that
    restarts pagination re-makes the contents page early, before the later headings are laid
    out, and WeasyPrint never looks at it again: every later entry read 0. Its own re-make
    trigger, ``TargetCollector.cache_target_page_counters``, cannot help because it looks the
    targets up by a name that is ``None`` for ``attr(href url)`` targets in WeasyPrint 70 (the
    anchor token is not resolved before ``anchor_name_from_token``). So after a repaired pass
    every box whose content holds a target counter is parsed again with the targets' final
    pages, and its page marked as changed: layout_document then makes one more pass in which
    only those pages (and any page they push) are made again.
    """
    page_maker = context.page_maker
    for (_, token), item in context.target_collector.counter_lookup_items.items():
        index = item.page_maker_index
        if token != "content" or not item.missing_target_counters or index is None:
            continue
        if index < len(page_maker):
            item.parse_again(item.cached_page_counter_values)
            page_maker[index][-1]["content_changed"] = True


def _will_remake(context: Any, index: int, pages: list[Any]) -> bool:
    if not pages or index >= len(context.page_maker):
        return True
    state = context.page_maker[index][-1]
    return bool(state["content_changed"] or state["pages_wanted"])


def _walk(page: Any) -> Iterator[tuple[Any, bool, Any]]:
    """Every box of a page, whether it is in the note area, and its nearest numbered block."""
    stack: list[tuple[Any, bool, Any]] = [(page, False, None)]
    while stack:
        box, in_notes, block = stack.pop()
        yield box, in_notes, block
        children = getattr(box, "children", None) or []
        notes_here = in_notes or isinstance(box, boxes.FootnoteAreaBox)
        if isinstance(box, boxes.MarginBox):
            continue
        element = box.element
        if isinstance(box, boxes.BlockBox) and element is not None and element.get("data-b"):
            block = box
        for child in reversed(children):
            stack.append((child, notes_here, block))
