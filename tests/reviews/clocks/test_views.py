"""The clocks on the pages: the key-dates page asks for each kind's stop date, a stage change only
prompts for it, and the review page says how each clock counts and how it ended."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from reviews.models import Review, ReviewKind, ReviewState
from reviews.services.review import review_record_key_dates
from tests.factories import advance_to, make_review
from tests.reviews.pages import date_parts

RAPID_STOP = "The rapid review was sent to the national Panel"


def page(client, review: Review) -> str:
    response = client.get(reverse("reviews:review", args=[review.reference]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("kind", "key_dates", "asked", "not_asked"),
    [
        (
            ReviewKind.RAPID,
            {"became_aware_on": date(2026, 3, 2)},
            RAPID_STOP,
            "The review was published",
        ),
        # A CSPR's publication date is recorded by the publication step (tests/reviews/publication),
        # with its checks; the key dates page asks only for the planned date.
        (
            ReviewKind.CSPR,
            {"decision_on": date(2026, 3, 20)},
            "The review is to be published",
            "The review was published",
        ),
        (
            ReviewKind.DHR,
            {"became_aware_on": date(2026, 3, 2)},
            "The report was sent to the Home Office quality assurance panel",
            RAPID_STOP,
        ),
    ],
)
def test_the_key_dates_page_asks_for_the_kind_s_own_stop_date(
    kind, key_dates, asked, not_asked, client, coordinator, partnership
):
    review = make_review(coordinator=coordinator, partnership=partnership, kind=kind, key_dates=key_dates)
    client.force_login(coordinator)
    html = client.get(reverse("reviews:review_dates", args=[review.reference])).content.decode()
    assert asked in html
    assert not_asked not in html


def test_a_stop_date_in_the_future_is_refused_on_the_page(client, review, coordinator, today):
    client.force_login(coordinator)
    response = client.post(
        reverse("reviews:review_dates", args=[review.reference]),
        {
            **date_parts("became_aware_on", date(2026, 3, 2)),
            **date_parts("notified_on", date(2026, 3, 4)),
            **date_parts("sent_to_panel_on", date(2027, 3, 1)),
        },
    )
    assert response.status_code == 400
    assert "The date the rapid review was sent to the national Panel cannot be in the future." in (
        response.content.decode()
    )
    assert Review.objects.get(pk=review.pk).sent_to_panel_on is None


def test_reaching_findings_prompts_for_the_date_sent_to_the_panel(client, review, coordinator, chair, today):
    advance_to(review, ReviewState.FINDINGS, coordinator)
    client.force_login(coordinator)
    html = page(client, review)
    assert 'id="stop-date-sent_to_panel_on"' in html
    assert (
        "Rapid review completed and sent to the Panel: this clock stops on the date the rapid review was sent "
        "to the national Panel, not on a change of stage. It runs until that date is recorded." in html
    )
    assert reverse("reviews:review_dates", args=[review.reference]) in html
    # The chair cannot record key dates: no prompt.
    client.force_login(chair)
    assert 'id="stop-date-sent_to_panel_on"' not in page(client, review)

    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"sent_to_panel_on": date(2026, 3, 31)})
    client.force_login(coordinator)
    html = page(client, review)
    assert 'id="stop-date-sent_to_panel_on"' not in html
    assert '<strong class="govuk-tag govuk-tag--orange">met late</strong>' in html
    assert "4 working days late" in html
    assert "stopped 31 Mar 2026" in html


def test_no_prompt_before_the_stage_where_the_stop_usually_happens(client, review, coordinator):
    advance_to(review, ReviewState.SCOPING, coordinator)
    client.force_login(coordinator)
    assert 'id="stop-date-sent_to_panel_on"' not in page(client, review)


def test_converting_says_the_clock_waits_for_the_date_sent_to_the_panel(client, review, coordinator, today):
    advance_to(review, ReviewState.SCOPING, coordinator)
    review_record_key_dates(actor=coordinator, review_id=review.pk, key_dates={"decision_on": date(2026, 3, 20)})
    client.force_login(coordinator)

    response = client.post(
        reverse("reviews:review_transition", args=[review.reference, "convert_to_cspr"]),
        {"expected_state": ReviewState.SCOPING, "confirmed": "yes", "reason": "The partners decided on a CSPR."},
        follow=True,
    )

    html = response.content.decode()
    assert (
        f"Record the date {review.reference} was sent to the national Panel on its key dates: "
        "its clock stops on that date." in html
    )
    # The rapid review, closed, still asks for it.
    assert 'id="stop-date-sent_to_panel_on"' in page(client, review)


def test_the_clocks_table_says_which_calendar_each_clock_counts_in(client, coordinator, partnership, today):
    nursery = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.INSTITUTIONAL,
        title="Nursery Z",
        key_dates={"became_aware_on": date(2026, 4, 2)},
    )
    client.force_login(coordinator)
    html = page(client, nursery)
    assert "5 working days (closure days do not move it); basis: statute or national guidance" in html
    assert "1 working day (skips the partnership&#x27;s closure days); basis: common local practice" in html
    assert "14 calendar days; basis: statute" in html


def test_the_review_page_reads_each_clock_s_length_in_words(client, partnership, coordinator, today):
    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        kind=ReviewKind.INSTITUTIONAL,
        key_dates={"became_aware_on": date(2026, 4, 2)},
    )
    client.force_login(coordinator)
    html = page(client, review)
    assert "1 working day (" in html  # the LADO referral, not "1 working days"
    assert not re.search(r"\b1 working days", html)
    assert "5 working days (" in html  # the serious incident notification
    assert "14 calendar days;" in html  # the setting notifies Ofsted (calendar days: no working-day note)
