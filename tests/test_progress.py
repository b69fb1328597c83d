"""The progress display: a live line on a terminal, plain lines in logs, WeasyPrint's pages."""

from __future__ import annotations

import io
import logging

from briefing.progress import Display, following_weasyprint, live_terminal


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _screen(raw: str) -> str:
    """What a terminal shows last: the text after the final carriage return, codes removed."""
    return raw.rsplit("\r", 1)[-1].replace("\x1b[K", "")


def test_live_line_shows_stage_page_and_time_and_is_erased_at_the_end() -> None:
    out, clock = io.StringIO(), _Clock()
    display = Display(out, live=True, clock=clock)
    display.begin("kz")
    display.stage("starting", 0)
    assert _screen(out.getvalue()) == "kz: starting, 0 s"
    display.stage("checking", 0)
    clock.now += 2
    display.stage("layout", 1)
    for page in range(2, 138):
        clock.now += 0.2
        display.stage("layout", page)
    assert _screen(out.getvalue()) == "kz: laying out pages, page 137, 29 s"
    assert "\n" not in out.getvalue()  # one line, rewritten in place
    display.stage("relayout", 1)
    display.stage("layout", 12)
    clock.now += 1
    display.stage("layout", 30)
    assert _screen(out.getvalue()) == "kz: laying out pages, page 30 of 137 (pass 2), 30 s"
    display.stage("write", 137)
    assert _screen(out.getvalue()) == "kz: writing the PDF, 30 s"
    display.end()
    assert out.getvalue().endswith("\r\x1b[K")
    display.close()


def test_live_line_steps_aside_for_a_problem() -> None:
    out = io.StringIO()
    display = Display(out, live=True, clock=_Clock())
    display.begin("kz")
    display.stage("checking", 0)
    with display.above():
        out.write("a.md:1:6: error: unknown citation key 'b'\n")
    assert out.getvalue().endswith("\r\x1b[Ka.md:1:6: error: unknown citation key 'b'\n"
                                   "\rkz: checking the sources, 0 s\x1b[K")
    display.close()


def test_series_bar() -> None:
    out, clock = io.StringIO(), _Clock()
    display = Display(out, live=True, clock=clock)
    display.series(0, 3)
    clock.now += 12
    display.series(1, 3)
    assert _screen(out.getvalue()) == "[######--------------] 1/3 briefings, 12 s"
    display.close()


def test_plain_lines_name_the_stages_and_a_long_layout_every_few_seconds() -> None:
    out, clock = io.StringIO(), _Clock()
    display = Display(out, live=False, clock=clock)
    display.begin("kz")
    for stage in ("starting", "checking", "citations"):
        display.stage(stage, 0)
    for page in range(1, 201):
        clock.now += 0.125
        display.stage("layout", page)
    display.stage("write", 200)
    assert out.getvalue().splitlines() == [
        "kz: checking the sources", "kz: laying out pages", "kz: 41 pages laid out (5 s)",
        "kz: 81 pages laid out (10 s)", "kz: 121 pages laid out (15 s)",
        "kz: 161 pages laid out (20 s)", "kz: writing the PDF"]


def test_quiet_display_prints_nothing() -> None:
    out = io.StringIO()
    display = Display(out, live=True, enabled=False)
    display.begin("kz")
    display.stage("layout", 3)
    display.series(1, 2)
    display.close()
    assert out.getvalue() == ""


def test_terminal_detection_honours_ci_and_dumb_terminals() -> None:
    assert live_terminal(_Tty(), {})
    assert not live_terminal(_Tty(), {"CI": "true"})
    assert not live_terminal(_Tty(), {"TERM": "dumb"})
    assert not live_terminal(io.StringIO(), {})


def test_weasyprint_progress_records_become_pages() -> None:
    events: list[tuple[str, int]] = []
    logger = logging.getLogger("weasyprint.progress")
    with following_weasyprint(lambda stage, n: events.append((stage, n))):
        logger.info("Step 3 - Applying CSS")
        logger.info("Step 5 - Creating layout - Page %d", 1)
        logger.info("Step 5 - Creating layout - Page %d", 2)
        logger.info("Step 5 - Creating layout - Repagination #%d", 1)
        logger.info("Step 5 - Creating layout - Page %d (up-to-date)", 1)
        logger.info("Step 6 - Creating PDF")
    logger.info("Step 5 - Creating layout - Page %d", 3)  # no longer listening
    assert events == [("prepare", 0), ("layout", 1), ("layout", 2), ("relayout", 1), ("layout", 1),
                      ("write", 2)]
    assert logger.level == logging.NOTSET and logger.propagate
