"""Disclosure control on crafted tables: primary suppression of 1-4, secondary suppression so no
suppressed count can be worked out from a row or column total, rounding to the nearest 5 with
totals rounded from the exact figures, both rules as settings, and the note every table carries.
Every expected table is worked out by hand in the comments."""

from __future__ import annotations

import pytest
from django.test import override_settings

from reviews.disclosure import EXACT_NOTE, DisclosureRules, disclose, make_table, round_count, suppressed_positions

RULES = DisclosureRules(suppress_below=5, round_to=5)
C = None  # a suppressed count


def lines_with_totals(table):
    """(entries, total) of every line with a total, as disclosed: for the 'none recoverable' check."""
    out = []
    for _label, values, _total in table.lines():
        if table.has_row_totals:
            out.append(values)
    if table.has_column_totals:
        columns = len(table.column_labels) + (1 if table.has_row_totals else 0)
        all_rows = [values for _l, values, _t in table.lines()]
        out += [[row[c] for row in all_rows] for c in range(columns)]
    return out


def test_rounding_to_the_nearest_5_halves_up_and_0_stays_0():
    assert [round_count(v, 5) for v in (0, 5, 7, 8, 12, 13, 1234)] == [0, 5, 5, 10, 10, 15, 1235]
    assert [round_count(v, 10) for v in (0, 14, 15, 26)] == [0, 10, 20, 30]
    assert round_count(7, 1) == 7  # rounding off


def test_primary_suppression_of_1_to_4_and_rounding_without_totals():
    # No totals: nothing can be worked out, so only 1-4 go. 3 → [c]; 12 → 10; 0 stays 0; 7 → 5; 4 → [c]; 5 → 5.
    table = make_table("t", "T", ["A", "B"], ["X", "Y", "Z"], [[3, 12, 0], [7, 4, 5]])
    shown = disclose(table, RULES)
    assert shown.cells == ((C, 10, 0), (5, C, 5))
    assert not shown.exact and shown.rules_note.startswith("Disclosure control: counts of 1 to 4 are suppressed")


def test_a_row_where_the_one_suppressed_cell_could_be_derived_from_the_total():
    # Row A: 2, 10, 20, total 32. With only the 2 hidden, 32 - 10 - 20 = 2 gives it away, so the next
    # smallest, 10, is hidden too. Shown: [c], [c], 20, total 32 → 30 (rounded from the exact total).
    # Row B has nothing small: 6, 9, 11 → 5, 10, 10; total 26 → 25.
    table = make_table("t", "T", ["A", "B"], ["X", "Y", "Z"], [[2, 10, 20], [6, 9, 11]], row_totals=True)
    shown = disclose(table, RULES)
    assert shown.cells == ((C, C, 20), (5, 10, 10))
    assert shown.row_totals == (30, 25)
    assert suppressed_positions(table, 5) == {(0, 0), (0, 1)}


def test_a_column_where_the_one_suppressed_cell_could_be_derived_from_the_column_total():
    # Column X: 3, 20, 30, total 53: the 3 is hidden, then the 20 (the smallest other non-zero).
    # Column Y: 0, 8, 40, total 48: nothing small; 0, 10, 40, total 50.
    table = make_table("t", "T", ["A", "B", "C"], ["X", "Y"], [[3, 0], [20, 8], [30, 40]], column_totals=True)
    shown = disclose(table, RULES)
    assert shown.cells == ((C, 0), (C, 10), (30, 40))
    assert shown.column_totals == (55, 50)  # 53 → 55, 48 → 50


def test_secondary_suppression_in_a_two_way_table_iterates_until_no_line_has_a_single_gap():
    # Cells with row and column totals:
    #        X   Y   Z | total
    #   A    2   6   9 |  17
    #   B    8  10  12 |  30
    #   C    7  15  20 |  42
    #   ---------------+-----
    #       17  31  41 |  89
    # Pass 1: the 2 (A,X) is primary. Row A has one gap: hide its smallest other, 6 (A,Y). Column X
    # has one gap: hide 7 (C,X), smaller than 8. Column Y now has one gap (A,Y): hide 10 (B,Y).
    # Pass 2: row B has one gap (B,Y): hide 8 (B,X). Row C has one gap (C,X): hide 15 (C,Y).
    # Pass 3: every line has 0 or at least 2 gaps: stable. Z, the totals and the grand total stay.
    table = make_table(
        "t",
        "T",
        ["A", "B", "C"],
        ["X", "Y", "Z"],
        [[2, 6, 9], [8, 10, 12], [7, 15, 20]],
        row_totals=True,
        column_totals=True,
    )
    assert suppressed_positions(table, 5) == {(0, 0), (0, 1), (2, 0), (1, 1), (1, 0), (2, 1)}
    shown = disclose(table, RULES)
    assert shown.cells == ((C, C, 10), (C, C, 10), (C, C, 20))
    assert shown.row_totals == (15, 30, 40)  # 17, 30, 42
    assert shown.column_totals == (15, 30, 40)  # 17, 31, 41
    assert shown.grand_total == 90  # 89
    for line in lines_with_totals(shown):
        assert line.count(None) != 1, line


def test_a_total_is_suppressed_when_no_other_cell_of_the_line_can_be():
    #        X   Y | total
    #   A    3   0 |  3      3 and its row total 3 are primary.
    #   B    0   9 |  9
    #   -----------+--
    #        3   9 | 12      the column total 3 is primary.
    # The Total row then has one gap (3): hide the 9 beside it. Column Y then has one gap (that
    # total): hide B's 9. Row B then has one gap and only a 0 beside it: its total 9 goes. The Total
    # column has gaps at 3 and 9 and shows the grand total 12 → 10: neither can be worked out.
    table = make_table("t", "T", ["A", "B"], ["X", "Y"], [[3, 0], [0, 9]], row_totals=True, column_totals=True)
    assert suppressed_positions(table, 5) == {(0, 0), (0, 2), (2, 0), (2, 1), (1, 1), (1, 2)}
    shown = disclose(table, RULES)
    assert shown.cells == ((C, 0), (0, C))
    assert shown.row_totals == (C, C) and shown.column_totals == (C, C) and shown.grand_total == 10


def test_nothing_small_means_nothing_suppressed_and_zeros_stay():
    table = make_table("t", "T", ["A"], ["X", "Y"], [[0, 0]], row_totals=True, column_totals=True)
    shown = disclose(table, RULES)
    assert shown.cells == ((0, 0),) and shown.row_totals == (0,) and shown.grand_total == 0


@override_settings(DISCLOSURE_SUPPRESS_BELOW=10, DISCLOSURE_ROUND_TO=1)
def test_both_rules_are_settings():
    # Below 10 suppressed, no rounding: 7 → [c], 12 → 12, 9 → [c], 13 → 13.
    table = make_table("t", "T", ["A", "B"], ["X", "Y"], [[7, 12], [9, 13]])
    shown = disclose(table)
    assert shown.cells == ((C, 12), (C, 13))
    assert "counts of 1 to 9 are suppressed" in shown.rules_note and "rounded" not in shown.rules_note


def test_an_exact_table_says_not_for_publication_and_cannot_be_disclosed_twice():
    table = make_table("t", "T", ["A"], ["X"], [[3]], column_totals=True)
    assert table.exact and table.rules_note == EXACT_NOTE and "NOT FOR PUBLICATION" in EXACT_NOTE
    with pytest.raises(ValueError, match="exact table"):
        disclose(disclose(table, RULES), RULES)


def test_totals_are_rounded_from_the_exact_figures_and_the_note_says_so():
    # 6 + 6 + 6 = 18: cells 5, 5, 5 but the total 18 → 20, not 15.
    table = make_table("t", "T", ["A"], ["X", "Y", "Z"], [[6, 6, 6]], row_totals=True)
    shown = disclose(table, RULES)
    assert shown.cells == ((5, 5, 5),) and shown.row_totals == (20,)
    assert "Totals are worked out from the exact figures and then rounded" in shown.rules_note
