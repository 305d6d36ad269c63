"""The annual report's charts, drawn on the server by matplotlib as SVG text (no files).

Each chart is drawn from one table of the report the viewer is given, so a scrutineer's chart is
drawn from the disclosed table: a suppressed count is never drawn as a bar (its place says [c]),
and the summary sentence is written from the same shown figures. Every chart comes with its
caption, a summary in words and the table it is drawn from, so nothing is said only in a picture
(WCAG 1.1.1 and 1.4.1: colour is never the only carrier of meaning; the table carries it all).

The SVG is made safe for the site's Content-Security-Policy, which allows no inline style: the
``style`` attributes matplotlib writes become SVG presentation attributes, and its ``<style>``
element is dropped (its two rules become attributes of the root element).
"""

from __future__ import annotations

import hashlib
import io
import re
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from html import escape
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from reviews.disclosure import SUPPRESSED, Table
from reviews.selectors.annual_report import AnnualReport

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# The GOV.UK Design System's colours, distinct in greyscale order too.
COLOURS = ("#1d70b8", "#00703c", "#f47738", "#505a5f", "#d4351c", "#003078")
TEXT = "#0b0c0c"
# Raise when the drawing changes, so no chart drawn the old way is served from the cache.
CHARTS_VERSION = 3
CACHE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Chart:
    key: str
    caption: str
    summary: str
    svg: str
    table: Table

    @property
    def caption_id(self) -> str:
        return f"chart-{self.key}-caption"

    @property
    def summary_id(self) -> str:
        return f"chart-{self.key}-summary"

    @property
    def labelled_svg(self) -> SafeString:
        """The SVG as one image named by the caption and described by the summary. Safe to put in
        a page as it is: matplotlib drew it from counts and fixed labels (text in it is escaped)."""
        labelled = f'<svg role="img" aria-labelledby="{self.caption_id} {self.summary_id}" focusable="false" '
        return mark_safe(self.svg.replace("<svg ", labelled, 1))  # noqa: S308


def report_charts(report: AnnualReport) -> list[Chart]:
    """The charts of ``report``, each drawn from its table as the report holds it (disclosed or exact)."""
    keys = {table.key for table in report.tables()}
    charts = [_reviews_chart(report.table("reviews")), _timeliness_chart(report.table("timeliness"))]
    categories = f"cdop_categories_{report.year.start_year}"
    if categories in keys:
        charts.append(_categories_chart(report.table(categories), report.year.label))
    return charts


# --- the three charts ---


def _reviews_chart(table: Table) -> Chart:
    caption = "Reviews opened, completed and published in the year, by kind of review"
    series = {column: [row[c] for row in table.cells] for c, column in enumerate(table.column_labels)}
    svg = _grouped_bars(table.row_labels, series, xlabel="Reviews")
    parts = []
    for c, column in enumerate(table.column_labels):
        total = table.column_totals[c] if table.column_totals else None
        parts.append(f"{_count(total)} {column.lower()}")
    summary = "In all, " + _join(parts) + "."
    opened = series.get("Opened", [])
    top = _largest(table.row_labels, opened)
    if top:
        summary += f" Most reviews opened were of one kind: {top[0][:1].lower()}{top[0][1:]} ({_count(top[1])})."
    summary += _suppressed_sentence(table)
    return Chart("reviews", caption, summary, svg, table)


def _timeliness_chart(table: Table) -> Chart:
    caption = "Timeliness: clocks due in the year, met on time, met late, overdue or not yet due, by clock"
    # Clocks with none due in the year are left out of the picture (they are all in the table).
    keep = [i for i, row in enumerate(table.cells) if any(v is None or v > 0 for v in row)]
    labels = [_short(table.row_labels[i]) for i in keep]
    series = {column: [table.cells[i][c] for i in keep] for c, column in enumerate(table.column_labels)}
    svg = _stacked_bars(labels, series, xlabel="Clocks due in the year")
    totals = dict(zip(table.column_labels, table.column_totals or (), strict=False))
    due = table.grand_total
    summary = (
        f"Of {_count(due)} clocks due in the year, {_count(totals.get('Met on time'))} were met on time, "
        f"{_count(totals.get('Met late'))} met late, {_count(totals.get('Overdue'))} overdue and "
        f"{_count(totals.get('Not yet due'))} not yet due."
    )
    late = [
        (table.row_labels[i], (row[1] or 0) + (row[2] or 0))
        for i, row in enumerate(table.cells)
        if row[1] is not None and row[2] is not None
    ]
    worst = max(late, key=lambda item: item[1], default=None)
    if worst and worst[1] > 0:
        summary += f" The clock most often met late or overdue was \u201c{_short(worst[0])}\u201d ({_count(worst[1])})."
    if len(keep) < len(table.row_labels):
        summary += " Clocks with none due in the year are in the table only."
    summary += _suppressed_sentence(table)
    return Chart("timeliness", caption, summary, svg, table)


def _categories_chart(table: Table, year_label: str) -> Chart:
    caption = f"Child deaths reviewed in {year_label}, by category of death"
    totals = list(table.row_totals or ())
    svg = _grouped_bars(table.row_labels, {"Deaths reviewed": totals}, xlabel="Deaths reviewed", legend=False)
    everyone = table.grand_total
    top = _largest(table.row_labels, totals)
    if top and top[1]:
        summary = (
            f"Most deaths reviewed ({_count(top[1])} of {_count(everyone)}) were in category "
            f"{top[0].replace('. ', ': ', 1)}."
        )
    elif everyone == 0:
        summary = "The panel reviewed no deaths in the year."
    else:
        summary = f"The panel reviewed {_count(everyone)} deaths in the year."
    summary += _suppressed_sentence(table)
    return Chart("cdop-categories", caption, summary, svg, table)


# --- words ---


def _count(value: int | None) -> str:
    return f"{SUPPRESSED} (a suppressed count)" if value is None else f"{value:,}"


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _largest(labels: Sequence[str], values: Sequence[int | None]) -> tuple[str, int] | None:
    """The label with the largest shown count; ties to the first. Suppressed counts never compete."""
    shown = [(label, v) for label, v in zip(labels, values, strict=True) if v is not None and v > 0]
    return max(shown, key=lambda item: item[1]) if shown else None


def _suppressed_sentence(table: Table) -> str:
    if table.exact:
        return ""
    hidden = sum(v is None for _, values, _ in table.lines() for v in values)
    if not hidden:
        return " Figures are rounded to protect privacy."
    return (
        f" {hidden} small or derivable {'count is' if hidden == 1 else 'counts are'} suppressed and not drawn "
        f"(shown as {SUPPRESSED}); other figures are rounded."
    )


def _short(label: str) -> str:
    # A timeliness row ends "(CSPR, SCR; statute)": the chart keeps the kinds (two clocks share a
    # name) and leaves the basis to the table.
    head, _, _ = label.rpartition(";")
    return f"{head})" if head and "(" in head else label


# --- drawing ---


def _figure(rows: int, row_height: float = 0.45) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    # Fixed margins, not a layout engine: the labels' column is a third of the width (the longest
    # label wraps nothing; it is cut by the table, which always has it whole), and each row a
    # fixed height. A layout engine measures every text first and costs several times the drawing.
    height = row_height * rows + 1.1
    figure = Figure(figsize=(8, height))
    figure.subplots_adjust(left=0.36, right=0.97, bottom=0.55 / height, top=1 - 0.5 / height)
    axes = figure.subplots()
    return figure, axes


def _cached(draw: Callable[..., str]) -> Callable[..., str]:
    """The same figures draw the same SVG: kept in the shared cache by what is drawn, so a report
    whose figures have not changed is not drawn again (matplotlib takes a few hundred ms a chart).
    The key is a hash of the labels and shown counts; a disclosed table's key is its disclosed counts."""

    @wraps(draw)
    def cached(*args: Any, **kwargs: Any) -> str:
        what = repr((CHARTS_VERSION, draw.__name__, args, sorted(kwargs.items())))
        key = "annual-report-chart:" + hashlib.sha256(what.encode()).hexdigest()
        svg = cache.get(key)
        if svg is None:
            svg = draw(*args, **kwargs)
            cache.set(key, svg, CACHE_SECONDS)
        return str(svg)

    return cached


@_cached
def _grouped_bars(
    labels: Sequence[str], series: dict[str, list[int | None]], *, xlabel: str, legend: bool = True
) -> str:
    with _style():
        n = max(1, len(series))
        figure, axes = _figure(len(labels), 0.2 * n + 0.25)
        longest = 0
        height = 0.8 / n
        positions = range(len(labels))
        for s, (name, values) in enumerate(series.items()):
            offsets = [p - 0.4 + height * (s + 0.5) for p in positions]
            drawn = [0 if v is None else v for v in values]
            bars = axes.barh(offsets, drawn, height=height, label=name, color=COLOURS[s % len(COLOURS)])
            axes.bar_label(bars, labels=[SUPPRESSED if v is None else f"{v:,}" for v in values], padding=3)
            longest = max([longest, *drawn])
        _finish(axes, labels, xlabel, legend and len(series) > 1, longest)
        return _svg(figure)


@_cached
def _stacked_bars(labels: Sequence[str], series: dict[str, list[int | None]], *, xlabel: str) -> str:
    with _style():
        figure, axes = _figure(len(labels))
        left = [0] * len(labels)
        for s, (name, values) in enumerate(series.items()):
            drawn = [0 if v is None else v for v in values]
            axes.barh(range(len(labels)), drawn, left=left, height=0.7, label=name, color=COLOURS[s % len(COLOURS)])
            left = [a + b for a, b in zip(left, drawn, strict=True)]
        # Each bar's figures at its end, in the legend's order, suppressed ones as [c]: the bar's
        # length is only what is shown, so a suppressed part is said, never drawn.
        for i in range(len(labels)):
            words = " / ".join(SUPPRESSED if values[i] is None else f"{values[i]:,}" for values in series.values())
            axes.annotate(words, (left[i], i), xytext=(3, 0), textcoords="offset points", va="center")
        _finish(axes, labels, xlabel, True, max(left, default=0))
        return _svg(figure)


def _finish(axes: Axes, labels: Sequence[str], xlabel: str, legend: bool, longest: int) -> None:
    # Long labels wrap in the labels' column rather than run off the picture.
    axes.set_yticks(range(len(labels)), labels=[textwrap.fill(label, 34) for label in labels])
    axes.invert_yaxis()
    axes.set_xlabel(xlabel)
    # Every bar says its figure, so no scale: none to misread, and no tick to stand for a count.
    axes.set_xticks([])
    # From 0, with room after the longest bar for its figures (and a width when every bar is 0).
    axes.set_xlim(0, max(longest, 1) * 1.35)
    axes.spines[["top", "right", "bottom"]].set_visible(False)
    if legend:
        axes.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=2, frameon=False)


@contextmanager
def _style() -> Iterator[None]:
    """matplotlib's settings for these charts only, restored afterwards."""
    import matplotlib

    matplotlib.use("Agg")
    with matplotlib.rc_context(
        {
            # Text stays text in the SVG: searchable, selectable, read by screen readers in the PDF.
            "svg.fonttype": "none",
            # The same drawing gives the same SVG (ids are hashed from this, not random).
            "svg.hashsalt": "annual-report",
            "font.family": "sans-serif",
            "font.size": 10,
            "text.color": TEXT,
            "axes.labelcolor": TEXT,
            "xtick.color": TEXT,
            "ytick.color": TEXT,
        }
    ):
        yield


_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.S)
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return own_ids(csp_safe(out.getvalue()))


_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^")]+)')


def own_ids(svg: str) -> str:
    """Every id of the drawing, and every reference to one, prefixed with a hash of the drawing.
    matplotlib numbers its ids the same way in every figure (text_21, the clip path of the axes),
    and several charts share one page and one PDF: a repeated id is invalid, and a chart's clip path
    reference would find another chart's."""
    prefix = "mpl-" + hashlib.sha256(svg.encode()).hexdigest()[:10] + "-"
    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    return _REFERENCE.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)


def csp_safe(svg: str) -> str:
    """matplotlib's SVG with no inline style: presentation attributes instead, no prologue or metadata."""
    svg = _PROLOGUE.sub("", svg)
    svg = _METADATA.sub("", svg)
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = svg.replace("<defs>\n  \n </defs>", "")
    svg = _STYLE_ATTRIBUTE.sub(lambda m: _attributes(m.group(1)), svg)
    # The two rules of the dropped <style> element, inherited from the root.
    return svg.replace("<svg ", '<svg stroke-linejoin="round" stroke-linecap="butt" ', 1)


def _attributes(style: str) -> str:
    pairs = []
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() and value.strip():
            pairs.append(f' {name.strip()}="{escape(value.strip(), quote=True)}"')
    return "".join(pairs)
