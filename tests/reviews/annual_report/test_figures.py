"""Every figure of the 2026 annual report (1 April 2026 to 31 March 2027) against the hand-built
partnership in conftest.py. Each expected number is counted by hand from the fixture's lists (the
comments say which rows count), never by running the same query."""

from __future__ import annotations

from datetime import date

import pytest

from reviews.disclosure import EXACT_NOTE
from reviews.models.findings import DEFAULT_THEMES, Findings, FindingsState
from reviews.selectors.annual_report import AGE_BANDS, FinancialYear, age_band, annual_report
from tests.reviews.annual_report.conftest import AS_OF

pytestmark = pytest.mark.django_db

YEAR = FinancialYear(2026)
KINDS = [
    "Child death review",
    "Rapid review",
    "Local child safeguarding practice review",
    "Serious case review (legacy)",
    "Institutional / multi-child investigation",
    "Domestic homicide review",
    "Safeguarding adults review",
]


def as_rows(table) -> dict[str, list[int | None]]:
    return {label: values for label, values, _ in table.lines()}


def test_the_financial_year_runs_from_1_april_to_31_march():
    assert (YEAR.start, YEAR.end, YEAR.label) == (date(2026, 4, 1), date(2027, 3, 31), "2026 to 2027")
    assert date(2026, 3, 31) not in YEAR and date(2026, 4, 1) in YEAR
    assert date(2027, 3, 31) in YEAR and date(2027, 4, 1) not in YEAR
    assert FinancialYear.of(date(2027, 3, 31)) == YEAR and FinancialYear.of(date(2027, 4, 1)) == FinancialYear(2027)
    first, after = YEAR.moments()
    assert (first.isoformat(), after.isoformat()) == ("2026-04-01T00:00:00+01:00", "2027-04-01T00:00:00+01:00")


def test_age_bands_are_the_national_cdop_bands():
    born = date(2025, 4, 1)
    assert age_band(born, date(2025, 4, 28)) == "0 to 27 days"  # 27 days
    assert age_band(born, date(2025, 4, 29)) == "28 to 364 days"  # 28 days
    assert age_band(born, date(2026, 3, 31)) == "28 to 364 days"  # the day before the first birthday
    assert age_band(born, date(2026, 4, 1)) == "1 to 4 years"
    assert age_band(born, date(2030, 3, 31)) == "1 to 4 years"  # 4 years 364 days
    assert age_band(born, date(2030, 4, 1)) == "5 to 9 years"
    assert age_band(date(2008, 4, 1), date(2026, 3, 31)) == "15 to 17 years"
    assert age_band(date(2008, 4, 1), date(2026, 4, 1)) == "Not known"  # 18: outside a child death review
    assert age_band(None, date(2026, 4, 1)) == "Not known"
    assert AGE_BANDS[0] == "0 to 27 days" and len(AGE_BANDS) == 6


def test_reviews_opened_completed_and_published(world):
    table = annual_report(world.partnership, YEAR, AS_OF).table("reviews")
    assert table.exact and table.rules_note == EXACT_NOTE
    assert list(table.row_labels) == KINDS
    assert as_rows(table) == {
        # Opened: C2 (1 April 2026 10:00), C3 (31 March 2027); not C1 (31 March 2026) nor C6 (1 April 2027).
        # Completed: the CDOP reviewed C1 (1 September 2026) and C4 (31 March 2027); not C5 (31 March 2026).
        "Child death review": [2, 2, 0],
        # Opened: R5; not R4 (1 April 2027 00:00:30). Completed: R5 sent to the Panel 20 June 2026.
        "Rapid review": [1, 1, 0],
        # Opened: R2 (1 April 2026 00:30 BST, still 31 March in UTC) and R3; not R1 (31 March 2026 23:30).
        # Completed and published: R1 (1 April 2026) and R2 (31 March 2027); R3's decision is 1 April 2027.
        "Local child safeguarding practice review": [2, 2, 2],
        "Serious case review (legacy)": [0, 0, 0],
        # R8: opened September 2026, completed by the decision not to publish (1 December 2026).
        "Institutional / multi-child investigation": [1, 1, 0],
        # R9: opened July 2026, completed 20 December 2026 (sent to the QA panel).
        "Domestic homicide review": [1, 1, 0],
        # R6: opened May 2026, completed 11 January 2027, published 1 February 2027. R7 opened March 2026.
        "Safeguarding adults review": [1, 1, 1],
        "Total": [8, 8, 3],
    }


def test_timeliness_against_every_clock(world):
    table = annual_report(world.partnership, YEAR, AS_OF).table("timeliness")
    assert list(table.column_labels) == ["Met on time", "Met late", "Overdue", "Not yet due"]
    rows = as_rows(table)
    # Clocks due 1 April 2026 to 31 March 2027, read on 30 June 2027 (met, met late, overdue, not yet due, total):
    assert rows["Death notified to the Child Death Overview Panel (CDR; common local practice)"] == [
        1,
        0,
        0,
        0,
        1,
    ]  # C2
    # C4 due 28 October 2026, stopped 31 March 2027; C1's and C5's were due 31 March 2026.
    assert rows["Independent review by the CDOP (CDR; common local practice)"] == [0, 1, 0, 0, 1]
    # C3's home visit was withdrawn: neither met nor missed, so not counted.
    assert rows["Joint home visit (joint agency response) (CDR; common local practice)"] == [0, 0, 0, 0, 0]
    assert rows["Rapid review completed and sent to the Panel (RR; statute)"] == [1, 0, 0, 0, 1]  # R5
    # R1 due and met 1 April 2026; R2 met late; R3 due 1 April 2027 is next year's.
    assert rows["Review completed and published (CSPR; statute)"] == [1, 1, 0, 0, 2]
    assert rows["Review completed (DHR; statute)"] == [1, 0, 0, 0, 1]  # R9
    assert rows["The Home Office told of the decision (DHR; not confirmed)"] == [0, 0, 1, 0, 1]  # R9, never stopped
    assert rows["Board decision on the referral (SAR; common local practice)"] == [
        1,
        0,
        0,
        0,
        1,
    ]  # R7, due and met 1 April 2026
    assert rows["Review completed (SAR; not confirmed)"] == [0, 1, 0, 0, 1]  # R6
    assert rows["Serious incident notification to the national Panel (RR, SCR, INV; statute)"] == [0, 0, 0, 0, 0]
    assert rows["Total"] == [5, 3, 1, 0, 9]
    # Every clock of every kind the partnership runs has its row, even with nothing due: 19 of them.
    assert len(rows) == 19 + 1

    # Read on 30 March 2027, R9's Home Office clock (due 31 March) is not yet due.
    early = as_rows(annual_report(world.partnership, YEAR, date(2027, 3, 30)).table("timeliness"))
    assert early["The Home Office told of the decision (DHR; not confirmed)"] == [0, 0, 0, 1, 1]


def test_themes_and_recommendations(world):
    report = annual_report(world.partnership, YEAR, AS_OF)
    themes = as_rows(report.table("themes"))
    # Signed off in the year: R2 (1 April 2026 00:30 BST) and R6 (31 March 2027 23:30 BST); not R1
    # (31 March 2026 23:30) nor R9 (reopened). A theme not on the list is added after it.
    assert list(themes) == [*DEFAULT_THEMES, "Self-neglect"]
    assert themes["Neglect"] == [2] and themes["Domestic abuse"] == [1] and themes["Self-neglect"] == [1]
    assert sum(v[0] for v in themes.values()) == 4
    recommendations = as_rows(report.table("recommendations"))
    # R2's 2 (a CSPR) and R6's 1 (a SAR); R1's 3 and R9's 1 are not of findings signed off in the year.
    assert recommendations["Local child safeguarding practice review"] == [2]
    assert recommendations["Safeguarding adults review"] == [1]
    assert recommendations["Total"] == [3]


def test_actions_by_state(world):
    rows = as_rows(annual_report(world.partnership, YEAR, AS_OF).table("actions"))
    # Agreed by 31 March 2027 (not A7); overdue: open or in progress and due before 1 April 2027.
    assert rows == {
        "Open": [3, 2],  # A1 (due 31 March 2027: overdue), A2 (due 1 April 2027), A8 (agreed last year, overdue)
        "In progress": [1, 1],  # A3
        "Completed (awaiting verification)": [1, 0],  # A4
        "Verified": [1, 0],  # A5
        "Closed: not implemented": [1, 0],  # A6
        "Total": [7, 3],
    }


def test_agency_responsiveness(world):
    table = annual_report(world.partnership, YEAR, AS_OF).table("agencies")
    # Asked, on time, late, overdue, waived, extension granted, chased, escalated.
    assert as_rows(table) == {
        # K4 waived (its only reminder was cancelled, so never chased); K6 due 20 April 2027, its
        # extension refused; K5 was asked on 31 March 2026 23:30, last year.
        "Annualshire NHS Trust": [2, 0, 0, 0, 1, 0, 0, 0],
        # K1 submitted 2 May 2026 00:30 BST (1 May in UTC) against 1 May: late, after an extension,
        # chased. K2 on its due day: on time. K3 never submitted, due 1 August 2026: overdue, chased
        # and escalated.
        "Annualshire Police": [3, 1, 1, 1, 0, 1, 2, 1],
        "Total": [5, 1, 1, 1, 1, 1, 2, 1],
    }


def test_cdop_tables_with_the_previous_year_beside(world):
    report = annual_report(world.partnership, YEAR, AS_OF)
    columns = ["Notified 2025 to 2026", "Notified 2026 to 2027", "Reviewed 2025 to 2026", "Reviewed 2026 to 2027"]
    # Notified 2025-26: C1 (31 March 2026), C4, C5. Notified 2026-27: C2 (1 April 2026), C3 (aware
    # 31 March 2027). Reviewed 2025-26: C5 (31 March 2026). Reviewed 2026-27: C1, C4 (31 March 2027).
    # C6 (1 April 2027) is in none.
    expected = report.table("cdop_expected")
    assert list(expected.column_labels) == columns
    assert as_rows(expected) == {
        "Expected": [1, 1, 1, 0],  # C5 | C2 | C5 | -
        "Unexpected": [2, 0, 0, 2],  # C1, C4 | - | - | C1, C4
        "Not recorded": [0, 1, 0, 0],  # C3
        "Total": [3, 2, 1, 2],
    }
    age = as_rows(report.table("cdop_age"))
    assert age == {
        "0 to 27 days": [1, 0, 0, 1],  # C1
        "28 to 364 days": [1, 1, 1, 0],  # C5 | C2 | C5
        "1 to 4 years": [0, 0, 0, 0],
        "5 to 9 years": [0, 1, 0, 0],  # C3 (date of death from the subject)
        "10 to 14 years": [1, 0, 0, 1],  # C4
        "15 to 17 years": [0, 0, 0, 0],
        "Not known": [0, 0, 0, 0],
        "Total": [3, 2, 1, 2],
    }
    assert as_rows(report.table("cdop_sex")) == {
        "Female": [1, 1, 1, 0],  # C5 | C2 | C5
        "Male": [2, 0, 0, 2],  # C1, C4
        "Indeterminate": [0, 0, 0, 0],
        "Not known": [0, 1, 0, 0],  # C3
        "Total": [3, 2, 1, 2],
    }
    place = as_rows(report.table("cdop_place"))
    assert place["Hospital"] == [2, 0, 1, 1]  # C1, C5 | - | C5 | C1
    assert place["The child's normal home"] == [0, 1, 0, 0]  # C2
    assert place["A public place"] == [1, 0, 0, 1]  # C4
    assert place["Not recorded"] == [0, 1, 0, 0]  # C3 has no notification dataset
    assert place["Total"] == [3, 2, 1, 2]
    ethnicity = as_rows(report.table("cdop_ethnicity"))
    assert ethnicity["White: English, Welsh, Scottish, Northern Irish or British"] == [2, 0, 0, 2]  # C1, C4
    assert ethnicity["Asian, Asian British or Asian Welsh: Indian"] == [0, 1, 0, 0]  # C2
    assert ethnicity["Black, Black British, Black Welsh, Caribbean or African: African"] == [1, 0, 1, 0]  # C5
    assert ethnicity["Not recorded"] == [0, 1, 0, 0]  # C3
    assert ethnicity["White: Irish"] == [0, 0, 0, 0]  # C6 only, notified next year
    assert ethnicity["Total"] == [3, 2, 1, 2]


def test_category_of_death_by_modifiable_factors(world):
    report = annual_report(world.partnership, YEAR, AS_OF)
    this = report.table("cdop_categories_2026")
    # Reviewed 2026-27: C1 (perinatal, no modifiable factors), C4 (trauma, modifiable factors).
    assert this.value("3. Trauma and other external factors", "Yes: modifiable factors identified") == 1
    assert this.value("8. Perinatal/neonatal event", "No modifiable factors identified") == 1
    assert this.value("3. Trauma and other external factors", "Total") == 1
    assert this.value("Total", "Yes: modifiable factors identified") == 1
    assert this.value("Total", "Insufficient information") == 0
    assert this.value("Total", "Total") == 2
    before = report.table("cdop_categories_2025")
    # Reviewed 2025-26: C5 (chronic, insufficient information).
    assert before.value("6. Chronic medical condition", "Insufficient information") == 1
    assert before.value("Total", "Total") == 1


def test_an_analysis_not_yet_signed_off_has_no_category_in_the_report(world):
    # C4's analysis reopened (a draft again): its category can still change, so it is not counted
    # as trauma; C4 is still a death reviewed in 2026-27, now under "Not recorded".
    Findings.objects.filter(review=world.reviews["C4"]).update(state=FindingsState.DRAFT)
    this = annual_report(world.partnership, YEAR, AS_OF).table("cdop_categories_2026")
    assert this.value("3. Trauma and other external factors", "Total") == 0
    assert this.value("Not recorded", "Not recorded") == 1
    assert this.value("8. Perinatal/neonatal event", "No modifiable factors identified") == 1  # C1, signed
    assert this.value("Total", "Total") == 2


def test_safeguarding_adults_board_figures(world):
    assert as_rows(annual_report(world.partnership, YEAR, AS_OF).table("sar")) == {
        "Referrals received": [1],  # R6 (10 April 2026); R7's was 31 March 2026
        "Decisions on referrals": [2],  # R6 (15 May 2026), R7 (1 April 2026)
        "Reviews completed": [1],  # R6
        "Reviews published": [1],  # R6
    }


def test_a_partnership_without_sars_or_cdrs_has_no_such_part(world):
    world.partnership.review_kinds = ["cspr", "rapid_review"]
    world.partnership.save()
    report = annual_report(world.partnership, YEAR, AS_OF)
    assert [s.title for s in report.sections] == ["Partnership yearly report"]
    assert list(report.table("reviews").row_labels) == ["Rapid review", "Local child safeguarding practice review"]


def test_a_constant_number_of_queries(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        annual_report(world.partnership, YEAR, AS_OF)


def test_the_disclosed_report_controls_every_table(world):
    report = annual_report(world.partnership, YEAR, AS_OF).disclosed()
    assert not report.exact
    for table in report.tables():
        assert not table.exact and table.rules_note.startswith("Disclosure control:"), table.key
    # Opened by kind 2, 1, 2, 0, 1, 1, 1, total 8: every non-zero count is under 5, and the total
    # 8 → 10; each column (with its total) has at least two gaps, so none can be worked out.
    reviews = as_rows(report.table("reviews"))
    assert [reviews[kind][0] for kind in KINDS] == [None, None, None, 0, None, None, None]
    assert reviews["Total"] == [10, 10, None]  # published: 3 is itself under 5
