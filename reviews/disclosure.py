"""Tables of counts and the disclosure control applied to every one that leaves the building
(docs/DOMAIN.md, "Reporting").

A ``Table`` is counts with row labels, column labels and, where the table asks for them, a total
for each row (a Total column), for each column (a Total row) and both (the grand total). Totals are
worked out here from the exact counts, once, so a disclosed table's totals are the exact totals,
rounded, never the sum of rounded cells.

``disclose(table)`` applies the rules in this order:

1. Primary suppression: a count from 1 to ``suppress_below - 1`` (settings.DISCLOSURE_SUPPRESS_BELOW,
   5) is not shown. 0 is shown: a zero identifies no one.
2. Secondary suppression: in every line that has a total (a row with its row total, a column with
   its column total, and the Total row and Total column themselves), a single suppressed entry
   could be worked out by subtracting the others from the total. So while any line has exactly one
   suppressed entry, the smallest non-zero shown cell of that line is suppressed too (or, when the
   line has no such cell, its total), and every line is checked again until none changes.
3. Rounding: every count still shown is rounded to the nearest ``round_to``
   (settings.DISCLOSURE_ROUND_TO, 5), halves upward; 0 stays 0.

The table then carries a note saying which rules were applied. An exact table (the business
manager's internal view, ``--exact``) carries "NOT FOR PUBLICATION" instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from django.conf import settings

# How a suppressed count is shown: the marker national statistics use for "confidential".
SUPPRESSED = "[c]"
EXACT_NOTE = "NOT FOR PUBLICATION: exact figures, with no disclosure control. For internal use only."

Position = tuple[int, int]


@dataclass(frozen=True)
class DisclosureRules:
    suppress_below: int
    round_to: int

    @classmethod
    def from_settings(cls) -> DisclosureRules:
        return cls(suppress_below=settings.DISCLOSURE_SUPPRESS_BELOW, round_to=settings.DISCLOSURE_ROUND_TO)

    def note(self) -> str:
        parts = []
        if self.suppress_below > 1:
            parts.append(
                f"counts of 1 to {self.suppress_below - 1} are suppressed (shown as {SUPPRESSED}), and further "
                f"counts are suppressed where a suppressed count could otherwise be worked out from a row or "
                f"column total"
            )
        if self.round_to > 1:
            parts.append(f"other counts are rounded to the nearest {self.round_to} (0 stays 0)")
        if not parts:
            return "Disclosure control: none (no suppression or rounding is set)."
        text = "Disclosure control: " + "; ".join(parts) + "."
        if self.round_to > 1:
            text += " Totals are worked out from the exact figures and then rounded, so they may not equal the sum "
            text += "of the rounded figures shown."
        return text


@dataclass(frozen=True)
class Table:
    """Counts as data. ``None`` in a disclosed table is a suppressed count."""

    key: str
    title: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    # The Total column (one per row) and the Total row (one per column), when the table has them.
    row_totals: tuple[int | None, ...] | None = None
    column_totals: tuple[int | None, ...] | None = None
    grand_total: int | None = None
    notes: tuple[str, ...] = ()
    rules_note: str = EXACT_NOTE
    exact: bool = True

    @property
    def has_row_totals(self) -> bool:
        return self.row_totals is not None

    @property
    def has_column_totals(self) -> bool:
        return self.column_totals is not None

    def header(self) -> list[str]:
        return ["", *self.column_labels, *(["Total"] if self.has_row_totals else [])]

    def lines(self) -> Iterator[tuple[str, list[int | None], bool]]:
        """Each row as (label, values, is_total_row), the Total row last; values end with the row total."""
        for i, label in enumerate(self.row_labels):
            values = list(self.cells[i])
            if self.row_totals is not None:
                values.append(self.row_totals[i])
            yield label, values, False
        if self.column_totals is not None:
            values = list(self.column_totals)
            if self.row_totals is not None:
                values.append(self.grand_total)
            yield "Total", values, True

    def value(self, row_label: str, column_label: str) -> int | None:
        """One count by its labels ("Total" for a total), for tests and for the internal view."""
        columns = list(self.column_labels) + (["Total"] if self.has_row_totals else [])
        for label, values, _ in self.lines():
            if label == row_label:
                return values[columns.index(column_label)]
        raise KeyError(row_label)


def make_table(
    key: str,
    title: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    cells: Sequence[Sequence[int]],
    *,
    row_totals: bool = False,
    column_totals: bool = False,
    notes: Sequence[str] = (),
) -> Table:
    """An exact table, its totals summed from the exact counts. Ask for totals only where the
    categories do not overlap (a review with two themes would be counted twice in a total)."""
    rows = tuple(tuple(int(v) for v in row) for row in cells)
    if len(rows) != len(row_labels) or any(len(row) != len(column_labels) for row in rows):
        raise ValueError(f"{key}: cells do not match the labels")
    by_row = tuple(sum(row) for row in rows) if row_totals else None
    by_column = tuple(sum(row[c] for row in rows) for c in range(len(column_labels))) if column_totals else None
    grand = sum(sum(row) for row in rows) if row_totals and column_totals else None
    return Table(
        key=key,
        title=title,
        row_labels=tuple(row_labels),
        column_labels=tuple(column_labels),
        cells=rows,
        row_totals=by_row,
        column_totals=by_column,
        grand_total=grand,
        notes=tuple(notes),
    )


def round_count(value: int, round_to: int) -> int:
    """To the nearest ``round_to``, halves upward (7 → 5, 8 → 10 for 5); 0 stays 0."""
    if round_to <= 1:
        return value
    return (2 * value + round_to) // (2 * round_to) * round_to


def _grid(table: Table) -> dict[Position, int]:
    """Every entry by position; the Total column is column C and the Total row is row R."""
    R, C = len(table.row_labels), len(table.column_labels)
    grid: dict[Position, int] = {}
    for r in range(R):
        for c in range(C):
            grid[(r, c)] = _exact(table.cells[r][c])
        if table.row_totals is not None:
            grid[(r, C)] = _exact(table.row_totals[r])
    if table.column_totals is not None:
        for c in range(C):
            grid[(R, c)] = _exact(table.column_totals[c])
        if table.row_totals is not None:
            grid[(R, C)] = _exact(table.grand_total)
    return grid


def _exact(value: int | None) -> int:
    if value is None:
        raise ValueError("disclose() takes an exact table, not one already disclosed")
    return value


def _totalled_lines(table: Table) -> list[tuple[list[Position], Position]]:
    """Every line that has a total: (its cells, its total's position)."""
    R, C = len(table.row_labels), len(table.column_labels)
    lines: list[tuple[list[Position], Position]] = []
    if table.row_totals is not None:
        rows = range(R + 1) if table.column_totals is not None else range(R)
        lines += [([(r, c) for c in range(C)], (r, C)) for r in rows]
    if table.column_totals is not None:
        columns = range(C + 1) if table.row_totals is not None else range(C)
        lines += [([(r, c) for r in range(R)], (R, c)) for c in columns]
    return lines


def suppressed_positions(table: Table, suppress_below: int) -> set[Position]:
    """Primary then secondary suppression, until stable (see the module's docstring)."""
    grid = _grid(table)
    suppressed = {p for p, v in grid.items() if 0 < v < suppress_below}
    if not suppressed:
        return suppressed
    lines = _totalled_lines(table)
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            hidden = [p for p in (*cells, total) if p in suppressed]
            if len(hidden) != 1:
                continue
            shown = [p for p in cells if p not in suppressed and grid[p] > 0]
            if shown:
                # The smallest: the least information lost; ties go to the first in reading order.
                suppressed.add(min(shown, key=lambda p: (grid[p], p)))
            else:
                suppressed.add(total)
            changed = True
    return suppressed


def disclose(table: Table, rules: DisclosureRules | None = None) -> Table:
    """The table as it may be published: suppressed counts are ``None``, the rest rounded."""
    rules = rules or DisclosureRules.from_settings()
    hidden = suppressed_positions(table, rules.suppress_below) if rules.suppress_below > 1 else set()
    grid = _grid(table)
    shown = {p: (None if p in hidden else round_count(v, rules.round_to)) for p, v in grid.items()}
    R, C = len(table.row_labels), len(table.column_labels)
    return replace(
        table,
        cells=tuple(tuple(shown[(r, c)] for c in range(C)) for r in range(R)),
        row_totals=tuple(shown[(r, C)] for r in range(R)) if table.row_totals is not None else None,
        column_totals=tuple(shown[(R, c)] for c in range(C)) if table.column_totals is not None else None,
        grand_total=shown[(R, C)] if table.row_totals is not None and table.column_totals is not None else None,
        rules_note=rules.note(),
        exact=False,
    )


def text(value: int | None) -> str:
    """A count as shown in a document: the suppression marker for ``None``."""
    return SUPPRESSED if value is None else str(value)
