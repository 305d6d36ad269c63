"""The partnership's admin page: its clock settings (practice clocks only) and closure days, which move
the open reviews' deadlines, read once however many reviews are open."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from reviews.models import ClockSetting, ClosureDay, ReviewClock, ReviewKind
from tests.reviews.pages import partnership_form

pytestmark = pytest.mark.django_db


def change_url(partnership) -> str:
    return reverse("admin:reviews_partnership_change", args=[partnership.pk])


def test_partnership_page_loads_with_its_inlines(admin_client, partnership):
    response = admin_client.get(change_url(partnership))
    assert response.status_code == 200
    page = response.content.decode()
    assert "clock_settings-TOTAL_FORMS" in page and "closure_days-TOTAL_FORMS" in page


def test_a_statute_clock_cannot_be_given_a_partnership_setting(admin_client, partnership):
    data = partnership_form(
        partnership, clock_settings=[{"clock_key": "si_notification", "duration": 10, "unit": "working_days"}]
    )

    response = admin_client.post(change_url(partnership), data)

    assert response.status_code == 200  # the form comes back with the error, nothing saved
    [formset] = [f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "clock_settings"]
    assert formset.formset.errors[0]["duration"] == [
        "'Serious incident notification to the national Panel' is set by statute "
        "(Working Together to Safeguard Children: 5 working days from becoming aware) and cannot be changed."
    ]
    assert "is set by statute" in response.content.decode()
    assert not ClockSetting.objects.exists()


def test_a_practice_clock_setting_is_saved_and_moves_open_reviews_clocks(admin_client, partnership, coordinator):
    from tests.factories import make_review

    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.INSTITUTIONAL,
        title="Nursery Z",
        key_dates={"became_aware_on": date(2026, 3, 2)},
    )
    assert ReviewClock.objects.get(review=review, key="lado_referral").due_date == date(2026, 3, 3)
    data = partnership_form(
        partnership, clock_settings=[{"clock_key": "lado_referral", "duration": 2, "unit": "working_days"}]
    )

    response = admin_client.post(change_url(partnership), data)

    assert response.status_code == 302
    assert ClockSetting.objects.get(partnership=partnership).clock_key == "lado_referral"
    assert ReviewClock.objects.get(review=review, key="lado_referral").due_date == date(2026, 3, 4)


def test_a_closure_day_moves_practice_working_day_deadlines_only(admin_client, partnership, review, coordinator):
    from tests.factories import make_review

    nursery = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.INSTITUTIONAL,
        title="Nursery Z",
        key_dates={"became_aware_on": date(2026, 3, 9)},
    )
    assert ReviewClock.objects.get(review=review, key="rapid_review").due_date == date(2026, 3, 25)
    assert ReviewClock.objects.get(review=nursery, key="lado_referral").due_date == date(2026, 3, 10)
    data = partnership_form(partnership, closure_days=[{"date": "2026-03-10", "reason": "Council IT outage"}])

    response = admin_client.post(change_url(partnership), data)

    assert response.status_code == 302
    assert ClosureDay.objects.filter(partnership=partnership, date=date(2026, 3, 10)).exists()
    # The LADO referral (practice) moves to the next working day; the rapid review (statute) stays.
    assert ReviewClock.objects.get(review=nursery, key="lado_referral").due_date == date(2026, 3, 11)
    assert ReviewClock.objects.get(review=review, key="rapid_review").due_date == date(2026, 3, 25)


def _closure_day_queries(admin_client, partnership, day: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    data = partnership_form(partnership, closure_days=[{"date": day, "reason": "Council IT outage"}])
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.post(change_url(partnership), data).status_code == 302
    return sum(1 for q in queries.captured_queries if 'FROM "reviews_closureday"' in q["sql"])


def test_saving_closure_days_reads_them_once_however_many_open_reviews(admin_client, partnership, coordinator):
    from tests.factories import make_review

    make_review(coordinator=coordinator, partnership=partnership, key_dates={"became_aware_on": date(2026, 3, 2)})
    few = _closure_day_queries(admin_client, partnership, "2026-03-10")
    for title in ("Child B (aged 3)", "Child C (aged 4)", "Child D (aged 5)"):
        make_review(
            coordinator=coordinator,
            partnership=partnership,
            title=title,
            key_dates={"became_aware_on": date(2026, 3, 2)},
        )
    assert _closure_day_queries(admin_client, partnership, "2026-03-11") == few
