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

The same hook repairs two more things a restart of pagination touches: the heading right above
the moved paragraph moves with it (else it would end the page), and after a repaired pass the
contents page is made again, because WeasyPrint would not (``_refresh_target_counters``). It
also keeps figures from leaving holes: an image pushed to the next page is scaled to fit the
room it left, and the page before is made again (``_figure_to_fit``).

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
from weasyprint.css.properties import Dimension
from weasyprint.formatting_structure import boxes


@dataclass
class Repairs:
    """What the in-layout repair did, for the build report and the benchmark."""

    paragraphs: list[str] = field(default_factory=list)  #: data-b of blocks moved to a new page
    rounds: int = 0  #: pages made again because of a repair
    figures: int = 0  #: figures scaled to fill the hole they would have left
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


@dataclass
class _Run:
    """One run of WeasyPrint's page maker, restartable at a page."""

    original: Callable[..., Iterator[Any]]
    context: Any
    root_box: Any
    html: Any
    pages: list[Any]  #: pages WeasyPrint may reuse
    result: list[Any] = field(default_factory=list)  #: pages made or reused in this run
    generator: Iterator[Any] | None = None

    def __post_init__(self) -> None:
        self.generator = self.original(self.context, self.root_box, self.html, self.pages)

    def restart_at(self, index: int, starts: _PageStarts) -> None:
        """Make page ``index`` again, from the note state it started with."""
        del self.context.page_maker[index + 1:]
        self.context.page_maker[index][-1]["content_changed"] = True
        starts.restore(index, self.context)
        self.pages, self.result = self.result, []
        self.generator = self.original(self.context, self.root_box, self.html, self.pages)


def _paginate(original: Callable[..., Iterator[Any]], context: Any, root_box: Any, html: Any,
              pages: list[Any], starts: _PageStarts, moved: set[Any],
              repairs: Repairs) -> list[Any]:
    """Run WeasyPrint's page maker; re-make at once any page that sent a note ahead.

    Each page is checked as soon as it is made: if a note whose call is on it waits for the
    next page, the paragraph at its foot starts a new page instead and the page is made again.
    If the page opens with a figure that left a hole at the foot of the page before, the
    figure is scaled to fit the hole and the page before is made again. Pages already made are
    kept, so a repair costs a page or two, not a new layout.
    """
    run = _Run(original, context, root_box, html, pages)
    previous_remade = True
    restarted = False
    while True:
        index = len(run.result)
        will_remake = _will_remake(context, index, run.pages)
        if will_remake and not previous_remade:
            starts.restore(index, context)  # the pages before were reused: state is stale
        if will_remake:
            starts.record(index, context)
        try:
            assert run.generator is not None
            page = next(run.generator)
        except StopIteration:
            if restarted:
                _refresh_target_counters(context)
            return run.result
        remade = index >= len(run.pages) or page is not run.pages[index]
        repairs.pages_remade += remade and bool(run.pages)
        previous_remade = remade
        previous = run.result[-1] if run.result else None
        block = _block_to_move(page, previous, context) if remade else None
        if block is not None and block.element not in moved:
            moved.add(block.element)
            _start_on_new_page(root_box, block.element)
            repairs.paragraphs.append(str(block.element.get("data-b", "")))
            repairs.rounds += 1
            restarted = previous_remade = True
            run.restart_at(index, starts)
            continue
        figure = _figure_to_fit(page, previous) if remade and previous is not None else None
        if figure is not None and figure[0] not in moved:
            moved.add(figure[0])
            _limit_height(root_box, figure[0], figure[1])
            repairs.figures += 1
            restarted = previous_remade = True
            run.restart_at(index - 1, starts)
            continue
        if remade and index + 1 < len(context.page_maker) and starts.differs(index + 1, context):
            # WeasyPrint compares only where the text resumes; a page whose waiting notes
            # changed must be re-made too, or a note would be lost or doubled
            context.page_maker[index + 1][-1]["content_changed"] = True
        run.result.append(page)


#: a figure is scaled down to fill the hole it left, but never below this share of its size
FIGURE_MIN_SCALE = 0.6
#: room kept for the figure's line (strut and paragraph margin), in CSS px
_FIGURE_LINE_ALLOWANCE = 24.0


def _figure_to_fit(page: Any, previous: Any) -> tuple[Any, float] | None:
    """The image opening ``page`` and the height that fits the hole on ``previous``.

    WeasyPrint moves an image that does not fit to the next page whole, leaving the rest of
    the page blank (a quarter page was measured). A figure that fits once scaled to at least
    ``FIGURE_MIN_SCALE`` is given that height instead, as a typesetter would.
    """
    image = _first_image(page)
    if image is None:
        return None
    # the figure's caption, source line and margins must fit under the scaled image too
    free = _free_height(previous) - max(_FIGURE_LINE_ALLOWANCE, _around_image(page, image))
    height = image.margin_height()
    if height * FIGURE_MIN_SCALE <= free < height and free > 0.15 * previous.height:
        return image.element, free - (image.margin_height() - image.height)
    return None


def _around_image(page: Any, image: Any) -> float:
    """What the image's ``<figure>`` adds to the image's own height (caption, margins)."""
    for box in page.descendants():
        if isinstance(box, boxes.BlockBox) and box.element is not None \
                and box.element.tag == "figure" and any(d is image for d in box.descendants()):
            return float(box.margin_height() - image.margin_height())
    return 0.0


def _first_image(page: Any) -> Any:
    """The image on the first line of the page's text, if it opens the page."""
    for box, in_notes, _ in _walk(page):
        if in_notes:
            continue
        if isinstance(box, boxes.LineBox):
            images = [b for b in box.descendants() if isinstance(b, boxes.ReplacedBox)]
            return images[0] if images else None
    return None


def _free_height(page: Any) -> float:
    """The height left empty at the foot of the page's text block, above its notes."""
    bottom = page.content_box_y() + page.height
    used = page.content_box_y()
    for child in page.children:
        if isinstance(child, boxes.FootnoteAreaBox):
            bottom -= child.margin_height()
        else:
            used = max([used, *(b.position_y + b.margin_height() for b in child.descendants()
                                if isinstance(b, boxes.LineBox))])
    return float(bottom - used)


def _limit_height(root_box: Any, element: Any, height: float) -> None:
    """Give the image's box in the document tree a ``max-height`` (on a copy of its style)."""
    for box in root_box.descendants():
        if box.element is element and isinstance(box, boxes.ReplacedBox):
            box.style = box.style.copy()
            box.style["max_height"] = Dimension(height, "px")
            return


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
