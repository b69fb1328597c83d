"""What a partner's house style may do: a bounded Jinja sandbox, and a scrub of the laid-out
document.

Not a stage: ``templates.py`` makes its environment here and ``pdf.py`` scrubs the document
WeasyPrint laid out before it is written. A ``styles:`` folder may come with a partner's report
folder, so its template is code from someone else:

* it runs in Jinja's immutable sandbox (no attribute starting with ``_``, no changes to lists
  or dicts), sees plain data only (``templates.template_config``), and reads templates
  (``{% include %}``, ``{% extends %}``) only from its own folder, through the same careful
  reading as every other file (no symbolic link out, no device, bounded size);
* what it can make cheaply is bounded: ``range`` up to :data:`MAX_RANGE`, repetition (``*``,
  ``center``, ``indent``, format widths) up to :data:`MAX_TEXT`, the whole output up to twice
  what it is given (:func:`output_budget`); loops that run long are stopped by
  ``limits.guard`` around the stage;
* whatever its HTML asks for, the PDF gets no attachment (``<link rel=attachment>``,
  ``<a rel=attachment>``, even of a ``data:`` URL), no link a reader's viewer could open
  outside the web and e-mail (``file:``, ``smb:``, …), and no form (a submit button can post
  to any address): :func:`scrub` removes them after layout and says so in a warning.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import BriefingError, Diagnostics
from .sources import confined, read_text

#: ``range(n)`` in a template: no house style needs more items than this
MAX_RANGE = 10_000
#: the longest text one operation of a template may make (``'x' * n``, ``center(n)``)
MAX_TEXT = 1_000_000
#: the template's whole output (the default briefing makes 0.1 MB, 300 pages about 3 MB)
MAX_OUTPUT = 64 * 2**20
#: a template file (and each file it includes)
MAX_TEMPLATE_BYTES = 1024 * 1024
#: link schemes the PDF may carry (the writer's allowlist: ``writer.LINK_SCHEMES``)
LINK_SCHEMES = ("http", "https", "mailto")


class ConfinedLoader(jinja2.BaseLoader):
    """Templates from one folder only, read as every file of a report folder is read."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str,
                   ) -> tuple[str, str, Callable[[], bool]]:
        try:
            path = confined(self.folder, template)
        except BriefingError:
            raise jinja2.TemplateNotFound(template) from None
        diags = Diagnostics()
        text = read_text(path, MAX_TEMPLATE_BYTES, diags, what="template")
        if text is None:
            raise jinja2.TemplateNotFound(template, diags.items[0].message if diags.items
                                          else None)
        return text, str(path), lambda: False


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the cheap ways to make huge text closed."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, folder: Path) -> None:
        super().__init__(loader=ConfinedLoader(folder), autoescape=True,
                         undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
        self.concat = _bounded_concat  # type: ignore[method-assign]  # Jinja's join, bounded
        self.globals["range"] = _range
        for name in ("lipsum", "namespace"):  # text from nothing; state that grows in loops
            self.globals.pop(name, None)
        for name in ("center", "indent", "format"):
            self.filters[name] = _bounded_filter(self.filters[name])

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                   right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) \
                        and len(seq) * times > MAX_TEXT:
                    raise SecurityError(f"the template repeats text {times:,} times")
        elif operator == "**" and isinstance(right, int) and right > 64 \
                and isinstance(left, int | float) and abs(left) > 1:
            raise SecurityError("the template computes a number too large to print")
        elif operator == "%":
            _check_format(left, right)
        return super().call_binop(context, operator, left, right)

    def call(self, context: jinja2.runtime.Context, obj: Any, /, *args: Any,
             **kwargs: Any) -> Any:
        target = getattr(obj, "__wrapped__", obj)
        owner = getattr(target, "__self__", None)
        if isinstance(owner, str):  # "{:>99999999}".format(…), "x".center(n), …
            _check_format(owner, (*args, *kwargs.values()))
        _check_sizes((*args, *kwargs.values()))
        return super().call(context, obj, *args, **kwargs)


def _check_sizes(values: Iterable[Any]) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_TEXT:
            raise SecurityError(f"the template asks for {value:,} of something; the limit is "
                                f"{MAX_TEXT:,}")


def _check_format(fmt: Any, args: Any) -> None:
    if isinstance(fmt, str) and re.search(r"\d{7,}", fmt):
        raise SecurityError("the template formats text to a width of millions of characters")
    _check_sizes(args if isinstance(args, tuple | list) else (args,))


def _bounded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        if args:
            _check_format(args[0], (*args[1:], *kwargs.values()))
        return function(*args, **kwargs)
    return bounded


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(f"range() of {len(numbers):,} items in the template; the limit is "
                            f"{MAX_RANGE:,}")
    return numbers


#: the output one rendering may make (set by :func:`output_budget` around a rendering)
_budget: ContextVar[int] = ContextVar("briefing_template_budget", default=MAX_OUTPUT)


@contextmanager
def output_budget(given: int) -> Iterator[None]:
    """Let the template inside make at most twice ``given`` (the size of what it is given:
    body, notes, references) plus 1 MB of HTML: the house template prints the body once, so
    a template that prints it thousands of times is refused before layout, not after."""
    token = _budget.set(min(MAX_OUTPUT, 2 * given + 2**20))
    try:
        yield
    finally:
        _budget.reset(token)


def _bounded_concat(parts: Iterable[str]) -> str:
    """Jinja's ``"".join`` for the output and every block, stopping at the budget before the
    text is joined (joining is one allocation nothing could interrupt)."""
    kept, total, budget = [], 0, _budget.get()
    for part in parts:
        total += len(part)
        if total > budget:
            raise SecurityError(f"the template makes more than {budget / 2**20:.1f} MB of "
                                "HTML, over twice what it is given; it repeats something too "
                                "often")
        kept.append(part)
    return "".join(kept)


def template_failure(exc: Exception, folder: Path) -> BriefingError | None:
    """An exception the template's own code raised (``{{ 1 / 0 }}``, ``{{ title + 1 }}``) as
    an error at the template's line; None if no template frame raised it (a bug of ours).
    Jinja rewrites tracebacks so that template code appears under the template's file name."""
    place: tuple[Path, int] | None = None
    trace = exc.__traceback__
    while trace is not None:
        name = Path(trace.tb_frame.f_code.co_filename)
        if name.parent == folder:
            place = (name, trace.tb_lineno)
        trace = trace.tb_next
    if place is None:
        return None
    return BriefingError(f"template: {type(exc).__name__}: {exc}; the template's code fails "
                         "here", path=place[0], line=place[1])


# --- after layout -----------------------------------------------------------------------------

def scrub(document: Any, diags: Diagnostics) -> None:
    """Remove attachments, links outside :data:`LINK_SCHEMES` and forms from a laid-out
    WeasyPrint document; a warning says what was removed (only a template or stylesheet can
    have put them there: the writer never does)."""
    removed: list[str] = []
    attachments = document.metadata.attachments
    if attachments:
        removed.append(f"{len(attachments)} attachment(s)")
        document.metadata.attachments = []
    for page in document.pages:
        kept = []
        for link in page.links:
            kind, target = link[0], str(link[1])
            if kind == "attachment":
                removed.append(f"an attachment link ({target[:60]})")
            elif kind == "external" and not _web_link(target):
                removed.append(f"a link to '{target[:60]}'")
            else:
                kept.append(link)
        page.links[:] = kept
        if any(page.forms.values()):
            removed.append("a form")
            page.forms.clear()
    if removed:
        shown = ", ".join(dict.fromkeys(removed))
        diags.warning(f"the house template or stylesheet put {shown} into the PDF; briefing "
                      "left them out (a PDF from briefing carries no attachment, form or link "
                      f"outside {', '.join(LINK_SCHEMES)})")


def _web_link(url: str) -> bool:
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", url)
    return match is not None and match.group(1).lower() in LINK_SCHEMES
