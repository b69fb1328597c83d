"""Charts drawn from data: a fenced block of YAML becomes a numbered figure in vector graphics.

````markdown
```{.chart #fig:shares}
kind: bar            # bar, grouped-bar, stacked-bar, line
data: census.csv     # a CSV file beside the section (first row: column names)
x: Group             # the column of categories (or years)
y: [1999, 2009]      # the column(s) of numbers
title: Ethnic groups, share of the population
units: "%"
source: Agency of Statistics of Kazakhstan, 2009 census
alt: Kazakhs rose from 53 % to 63 % of the population; Russians fell from 30 % to 24 %.
table: true          # the numbers under the chart (default); false leaves them to the alt text
```
````

Part of the reading stage for the checks (:func:`read_specs`: the YAML, the file, the columns,
every value, each problem with its line, nothing drawn, nothing imported) and of the build
(:func:`draw_all`: matplotlib draws each chart as SVG with its text as paths, in the house fonts
and colours, and the block becomes a pandoc ``Figure`` holding the picture and, for screen
readers and the accessible PDF, the numbers as a table). Nothing from the report folder is ever
executed: the spec is data, the CSV is read as text. A drawing is cached by the spec, the CSV
and matplotlib's version, so a rebuild redraws a chart only when its data changed.

Why matplotlib: the well-kept default for static charts in Python, pure wheels on every platform,
deterministic SVG (``svg.hashsalt``, no date), text as paths so the PDF needs no font of its own
for the chart; Vega-Lite through vl-convert would bring a JavaScript engine for the same result.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import cache
from .config import NoAliasLoader
from .errors import Diagnostics
from .locate import Place
from .sources import confined, read_text
from .tree import Attr, Node, text_inlines

KINDS = ("bar", "grouped-bar", "stacked-bar", "line")
CHART_CLASS = "chart"
MAX_CSV_BYTES = 1024 * 1024
MAX_POINTS = 2_000
_KEYS = {"kind", "data", "x", "y", "title", "caption", "units", "source", "alt", "table",
         "orientation"}
#: the house palette: the accent first, then colours that stay apart in grey print
PALETTE = ("#1f4e79", "#c55a11", "#7f9c3a", "#8064a2", "#4bacc6", "#7f7f7f")


@dataclass
class ChartSpec:
    """A chart as declared, checked: everything needed to draw it."""

    node: Node  #: the fenced block in pandoc's tree (becomes the figure)
    place: Place
    kind: str
    x: str
    y: list[str]
    categories: list[str]
    series: dict[str, list[float]]
    title: str = ""
    units: str = ""
    source: str = ""
    alt: str = ""
    data_text: str = ""  #: the CSV as read (for the cache key)
    table: bool = True  #: print the numbers under the chart (the alt text has them anyway)
    horizontal: bool = False  #: bars drawn across (long or many category names read level)


def is_chart(node: Node) -> bool:
    if node.get("t") != "CodeBlock":
        return False
    attr = Attr.of(node["c"][0])
    return CHART_CLASS in attr.classes


def read_specs(charts: list[tuple[Node, Place]], root: Path,
               diags: Diagnostics) -> list[ChartSpec]:
    """Check every chart block; the valid ones come back ready to draw."""
    specs = []
    for node, place in charts:
        spec = _read_spec(node, place, root, diags)
        if spec is not None:
            specs.append(spec)
    return specs


def _read_spec(node: Node, place: Place, root: Path, diags: Diagnostics) -> ChartSpec | None:
    text = node["c"][1]
    first = place.line + 1  # the YAML starts on the line after the fence

    def error(message: str, line_in_yaml: int = 0, key: str = "") -> None:
        if key:
            line_in_yaml = _key_line(text, key)
        diags.error(f"chart: {message}", place.path, first + line_in_yaml)

    data = _yaml(text, error)  # no aliases: a few lines of them can expand to gigabytes
    if data is None:
        return None
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        error(f"unknown key(s) {', '.join(unknown)}; a chart knows {', '.join(sorted(_KEYS))}")
    kind = str(data.get("kind", "bar"))
    if kind not in KINDS:
        error(f"kind '{kind}' is not one of {', '.join(KINDS)}", key="kind")
        return None
    if not isinstance(data.get("data"), str) or not isinstance(data.get("x"), str | int):
        error("a chart needs 'data: FILE.csv' and 'x: COLUMN' (and 'y: COLUMN' or a list)")
        return None
    y = data.get("y")
    columns = [str(c) for c in y] if isinstance(y, list) else [str(y)] if y is not None else []
    table = _read_csv(place, data["data"], root,
                      lambda message: error(message, key="data"))
    if table is None:
        return None
    header, rows = table
    x = str(data["x"])
    missing = [c for c in [x, *columns] if c not in header]
    if missing or not columns:
        error(f"column(s) {', '.join(missing) or '(y)'} not in {data['data']}, which has: "
              f"{', '.join(header)}", key="y" if x not in missing else "x")
        return None
    series = _numbers(header, rows, columns, data["data"], place, diags)
    if series is None:
        return None
    return ChartSpec(node, place, kind, x, columns, [r[header.index(x)] for r in rows], series,
                     str(data.get("title", data.get("caption", ""))), str(data.get("units", "")),
                     str(data.get("source", "")), str(data.get("alt", "")), table_text(table),
                     data.get("table", True) is not False,
                     _horizontal(kind, data.get("orientation"), [r[header.index(x)]
                                                                   for r in rows]))


def _key_line(text: str, key: str) -> int:
    """The line (0-based) of ``key:`` in a chart's YAML, else its first line."""
    for n, line in enumerate(text.split("\n")):
        if line.lstrip().startswith(f"{key}:"):
            return n
    return 0


def _horizontal(kind: str, orientation: Any, categories: list[str]) -> bool:
    """Bars across when asked, or when the category names would have to slant to fit."""
    if kind == "line" or orientation == "vertical":
        return False
    if orientation == "horizontal":
        return True
    return len(categories) > 6 or max((len(c) for c in categories), default=0) > 12


def _yaml(text: str, error: Any) -> dict[str, Any] | None:
    try:
        data = NoAliasLoader(text).get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        error(f"YAML: {exc.problem or exc.context}", mark.line if mark else 0)
        return None
    except (yaml.YAMLError, RecursionError) as exc:
        error(f"YAML: {type(exc).__name__}")
        return None
    if not isinstance(data, dict):
        error("a chart is a list of 'key: value' lines (kind, data, x, y, title, …)")
        return None
    return data


def _read_csv(place: Place, name: str, root: Path,
              error: Any) -> tuple[list[str], list[list[str]]] | None:
    try:
        path = confined(place.path.parent, name, root)
    except Exception as exc:  # BriefingError: outside the folder
        error(f"'{name}' {getattr(exc, 'diagnostics', [exc])[0].message}")
        return None
    diags = Diagnostics()
    text = read_text(path, MAX_CSV_BYTES, diags, what="CSV file") if path.exists() else None
    if text is None:
        error(f"cannot read '{name}' (looked in {place.path.parent})"
              + (f": {diags.items[0].message}" if diags.items else ""))
        return None
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text)) if row]
    if len(rows) < 2:
        error(f"'{name}' has no data: a first row of column names, then one row per category")
        return None
    if len(rows) > MAX_POINTS:
        error(f"'{name}' has {len(rows)} rows; a chart of more than {MAX_POINTS} cannot be read")
        return None
    return rows[0], rows[1:]


def _numbers(header: list[str], rows: list[list[str]], columns: list[str], name: str,
             place: Place, diags: Diagnostics) -> dict[str, list[float]] | None:
    series: dict[str, list[float]] = {}
    for column in columns:
        index = header.index(column)
        values = []
        for n, row in enumerate(rows, start=2):
            cell = row[index] if index < len(row) else ""
            try:
                values.append(float(cell.replace("%", "").replace(" ", "").replace(",", ".")))
            except ValueError:
                diags.error(f"chart: '{name}' line {n}, column '{column}': '{cell}' is not a "
                            "number", place.path, place.line)
                return None
        series[column] = values
    return series


def table_text(table: tuple[list[str], list[list[str]]]) -> str:
    return "\n".join(",".join(row) for row in [table[0], *table[1]])


# --- drawing ----------------------------------------------------------------------------------

def draw_all(specs: list[ChartSpec], font_files: list[Path]) -> None:
    """Draw every chart and turn its block into a figure (in place, in the tree)."""
    for spec in specs:
        figure = figure_node(spec, draw(spec, font_files))
        spec.node.clear()
        spec.node.update(figure)


#: changes whenever the SVG text changes for the same chart (a cached drawing is then redrawn)
_SVG_FORM = "without-doctype"


def draw(spec: ChartSpec, font_files: list[Path]) -> str:
    """The chart as SVG text (cached by everything that shapes it)."""
    import matplotlib

    key = cache.digest("chart", _SVG_FORM, matplotlib.__version__, spec.kind, spec.x,
                       "|".join(spec.y), spec.title, spec.units, spec.data_text,
                       str(spec.horizontal),
                       *[f.name for f in font_files])
    found = cache.get("chart", key)
    if isinstance(found, str):
        return found
    svg = _render(spec, font_files)
    cache.put("chart", key, svg)
    return svg


def _render(spec: ChartSpec, font_files: list[Path]) -> str:
    from matplotlib import font_manager, rcParams
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    for path in font_files:
        font_manager.fontManager.addfont(str(path))
    rcParams.update({"svg.fonttype": "path", "svg.hashsalt": "briefing",
                     "font.family": "PT Sans", "font.size": 8.5, "axes.edgecolor": "#5b5b57",
                     "axes.labelcolor": "#1d1d1b", "xtick.color": "#1d1d1b",
                     "ytick.color": "#1d1d1b", "axes.spines.top": False,
                     "axes.spines.right": False})
    rows = len(spec.categories)
    figure = Figure(figsize=(6.2, max(2.2, 0.9 + 0.32 * rows * (len(spec.y) if spec.kind ==
                                                                "grouped-bar" else 1)))
                    if spec.horizontal else (6.2, 3.2))
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    _plot(axes, spec)
    if spec.units:
        (axes.set_xlabel if spec.horizontal else axes.set_ylabel)(spec.units)
    axes.grid(axis="x" if spec.horizontal else "y", color="#d0d7de", linewidth=0.5)
    axes.set_axisbelow(True)
    if len(spec.y) > 1:
        axes.legend(frameon=False, ncols=min(len(spec.y), 4), loc="upper center",
                    bbox_to_anchor=(0.5, 1.12))
    figure.tight_layout()
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    # matplotlib declares the SVG 1.1 DTD; the image check refuses any DOCTYPE (entities), and
    # the drawing does not need it
    return re.sub(r"<!DOCTYPE[^>]*>\s*", "", out.getvalue(), count=1)


def _plot(axes: Any, spec: ChartSpec) -> None:
    positions = list(range(len(spec.categories)))
    count = len(spec.y)
    bottoms = [0.0] * len(positions)
    bar = axes.barh if spec.horizontal else axes.bar
    for n, column in enumerate(spec.y):
        values, colour = spec.series[column], PALETTE[n % len(PALETTE)]
        if spec.kind == "line":
            axes.plot(positions, values, color=colour, marker="o", markersize=3, label=column)
        elif spec.kind == "stacked-bar":
            stack = {"left" if spec.horizontal else "bottom": bottoms}
            bar(positions, values, 0.6, color=colour, label=column, **stack)
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        else:
            width = 0.8 / count
            offset = (n - (count - 1) / 2) * width
            bar([p + offset for p in positions], values, width * 0.92, color=colour,
                label=column)
    if spec.horizontal:
        axes.set_yticks(positions, spec.categories)
        axes.invert_yaxis()  # the first row of the CSV on top, as in the table
    else:
        slant = len(positions) >= 8
        axes.set_xticks(positions, spec.categories, rotation=45 if slant else 0,
                        ha="right" if slant else "center")


def figure_node(spec: ChartSpec, svg: str) -> Node:
    """A pandoc ``Figure``: the chart as an image (SVG data URL) and its numbers as a table."""
    url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    alt = spec.alt or f"{spec.title}: " + "; ".join(
        f"{c}: " + ", ".join(f"{cat} {v:g}" for cat, v in
                             zip(spec.categories, spec.series[c], strict=True))
        for c in spec.y)
    attr = Attr.of(spec.node["c"][0])  # read now: the numbering has added the number
    attrs = [list(kv) for kv in attr.attributes]
    if spec.source:
        attrs.append(["source", spec.source])
    image = {"t": "Image", "c": [["", ["chart-image"], [["alt", alt]]], text_inlines(alt),
                                 [url, ""]]}
    caption = [{"t": "Plain", "c": text_inlines(spec.title)}] if spec.title else []
    return {"t": "Figure", "c": [[attr.id, [CHART_CLASS, *[c for c in attr.classes
                                                          if c != CHART_CLASS]], attrs],
                                 [None, caption],
                                 [{"t": "Plain", "c": [image]}]
                                 + ([_data_table(spec)] if spec.table else [])]}


def _data_table(spec: ChartSpec) -> Node:
    """The chart's numbers as a pandoc table (class ``chart-data``: not numbered)."""
    def cell(text: str, align: str = "AlignDefault") -> list[Any]:
        return [["", [], []], {"t": align}, 1, 1, [{"t": "Plain", "c": text_inlines(text)}]]

    head = [["", [], []], [cell(spec.x), *[cell(c, "AlignRight") for c in spec.y]]]
    rows = [[["", [], []], [cell(cat), *[cell(f"{spec.series[c][n]:g}", "AlignRight")
                                         for c in spec.y]]]
            for n, cat in enumerate(spec.categories)]
    specs = [[{"t": "AlignLeft"}, {"t": "ColWidthDefault"}]] + \
        [[{"t": "AlignRight"}, {"t": "ColWidthDefault"}] for _ in spec.y]
    return {"t": "Table", "c": [["", ["chart-data"], []], [None, []], specs,
                                [["", [], []], [head]], [[["", [], []], 0, [], rows]],
                                [["", [], []], []]]}
