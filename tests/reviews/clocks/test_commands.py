"""`manage.py refresh_clocks`: a review opened before a clock existed gets it, once."""

from __future__ import annotations

from datetime import date
from io import StringIO

from django.core.management import call_command

from reviews.models import ReviewClock


def test_a_review_missing_a_clock_gets_it_and_a_second_run_changes_nothing(review, coordinator):
    from reviews.services.review import review_record_key_dates

    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"sent_to_panel_on": date(2026, 3, 20)})
    # As a review opened before the Panel's reply had a clock.
    ReviewClock.objects.filter(review=review, key="panel_reply").delete()

    out = StringIO()
    call_command("refresh_clocks", stdout=out)
    assert "Refreshed the clocks of 1 reviews: +1 clocks." in out.getvalue()
    # Sent Fri 20 March 2026: 10 working days (23-27 March, 30 March-3 April less Good Friday, 6 April Easter
    # Monday, so 7 April) is Tue 7 April.
    assert ReviewClock.objects.get(review=review, key="panel_reply").due_date == date(2026, 4, 7)

    again = StringIO()
    call_command("refresh_clocks", "--partnership", review.partnership.code, stdout=again)
    assert "+0 clocks" in again.getvalue()
