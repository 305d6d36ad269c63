"""The dashboard: the user's reviews by stage with their clocks, at a fixed cost in queries."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews.models import ClosureDay, ReviewKind, Role
from reviews.services.review import review_advance
from tests.factories import make_review


def add_reviews(n: int, *, coordinator, partnership, scrutineer) -> None:
    aware = timezone.localdate() - timedelta(days=3)
    kinds = [ReviewKind.RAPID, ReviewKind.CHILD_DEATH, ReviewKind.INSTITUTIONAL, ReviewKind.DHR, ReviewKind.SAR]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        review = make_review(
            coordinator=coordinator,
            partnership=partnership,
            kind=kind,
            title=f"Case {i}",
            key_dates={"became_aware_on": aware, "incident_on": aware, "notified_on": aware},
            roles=[(scrutineer, Role.SCRUTINEER, None)],
        )
        if i % 3 == 0:
            review_advance(actor=coordinator, review_id=review.pk, transition="start_scoping")


def dashboard_queries(client) -> int:
    # One request first: a process's first look-up of a content type is a query, later ones are
    # served from Django's cache, whichever number of reviews the page shows.
    client.get(reverse("reviews:dashboard"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reviews:dashboard"))
    assert response.status_code == 200
    return len(queries)


def test_the_dashboard_costs_the_same_queries_for_5_and_50_reviews(client, coordinator, scrutineer, partnership):
    ClosureDay.objects.create(partnership=partnership, date=timezone.localdate() + timedelta(days=1), reason="Closed")
    users = {"coordinator": coordinator, "scrutineer": scrutineer}
    counts: dict[tuple[str, int], int] = {}
    for n, more in ((5, 5), (50, 45)):
        add_reviews(more, coordinator=coordinator, partnership=partnership, scrutineer=scrutineer)
        for name, user in users.items():
            client.force_login(user)
            counts[name, n] = dashboard_queries(client)
            assert client.get(reverse("reviews:dashboard")).content.decode().count("/reviews/NSCP-") == n
    for name in users:
        assert counts[name, 50] == counts[name, 5], counts


def test_reviews_are_grouped_by_stage_in_lifecycle_order(client, coordinator, partnership):
    make_review(coordinator=coordinator, partnership=partnership, title="Still at notification")
    moved = make_review(
        coordinator=coordinator,
        partnership=partnership,
        title="Already scoping",
        key_dates={"became_aware_on": date(2026, 3, 2), "notified_on": date(2026, 3, 4)},
    )
    review_advance(actor=coordinator, review_id=moved.pk, transition="start_scoping")
    client.force_login(coordinator)
    html = client.get(reverse("reviews:dashboard")).content.decode()
    notification, scoping = html.index('id="stage-notification"'), html.index('id="stage-scoping"')
    assert notification < html.index("Still at notification") < scoping < html.index("Already scoping")
    assert 'id="stage-panel"' not in html  # empty stages are left out
    assert "Rapid review" in html


def test_clock_tags_and_summary_counts(client, coordinator, partnership):
    today = timezone.localdate()
    # Aware long ago and never notified: the 5-working-day notification clock is overdue.
    make_review(
        coordinator=coordinator, partnership=partnership, key_dates={"became_aware_on": today - timedelta(days=40)}
    )
    # Aware today: the notification clock is running with 5 working days left.
    make_review(coordinator=coordinator, partnership=partnership, key_dates={"became_aware_on": today})
    client.force_login(coordinator)
    response = client.get(reverse("reviews:dashboard"))
    html = response.content.decode()
    dashboard = response.context["dashboard"]
    assert dashboard.overdue == 1
    assert dashboard.running == 1
    assert dashboard.due_soon == 0
    assert '<strong class="govuk-tag govuk-tag--red">overdue</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--blue">running</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--grey">not started</strong>' in html  # rapid review: not notified
    assert "5 working days left" in html
    assert "working days overdue" in html


def counter(html: str, card: str) -> int:
    found = re.search(rf'id="summary-{card}">\s*<p class="[^"]*">(\d+)</p>', html)
    assert found, card
    return int(found.group(1))


def badges(html: str, label: str) -> int:
    return len(re.findall(rf'<strong class="govuk-tag govuk-tag--[a-z]+">{label}</strong>', html))


def test_the_counters_count_what_the_badges_show(client, coordinator, partnership, today):
    today.set(date(2027, 3, 3))  # a Wednesday

    def rapid(title: str, **key_dates: date) -> None:
        make_review(coordinator=coordinator, partnership=partnership, title=title, key_dates=key_dates)

    # Notification clocks (5 working days from becoming aware) and rapid-review clocks (15 from the
    # notification) in every state, as of Wed 3 March 2027.
    rapid("Running", became_aware_on=date(2027, 3, 3))  # due Wed 10 March
    rapid("Due soon", became_aware_on=date(2027, 2, 26))  # due Fri 5 March: 2 working days left
    rapid("Overdue", became_aware_on=date(2027, 2, 1))  # due Mon 8 February, never notified
    # Notified in time on Wed 3 Feb (met); its rapid review was due Wed 24 Feb: overdue.
    rapid("Met", became_aware_on=date(2027, 2, 1), notified_on=date(2027, 2, 3))
    # Notified on Mon 15 Feb, 5 working days late (met late); its rapid review is due Mon 8 March.
    rapid("Met late", became_aware_on=date(2027, 2, 1), notified_on=date(2027, 2, 15))
    client.force_login(coordinator)

    response = client.get(reverse("reviews:dashboard"))

    html = response.content.decode()
    dashboard = response.context["dashboard"]
    assert (dashboard.running, dashboard.due_soon, dashboard.overdue) == (2, 1, 2)
    for card, label in (("running", "running"), ("due-soon", "due soon"), ("overdue", "overdue")):
        assert counter(html, card) == badges(html, label), label
    assert (badges(html, "met"), badges(html, "met late")) == (1, 1)
    assert "5 working days late" in html
    assert "breached" not in html


def test_another_partnerships_reviews_never_appear(client, review, outsider, other_partnership):
    theirs = make_review(coordinator=outsider, partnership=other_partnership, title="Southmere case")
    client.force_login(outsider)
    html = client.get(reverse("reviews:dashboard")).content.decode()
    assert theirs.reference in html
    assert review.reference not in html
    assert review.title not in html


def test_a_row_links_the_review_escapes_its_title_and_dates_its_clock(client, coordinator, partnership):
    # The rows are written by reviews/templatetags/dashboard_rows.py, not the template language:
    # what the template gave for free (escaping, the link, the date format) is checked here.
    review = make_review(
        coordinator=coordinator,
        partnership=partnership,
        title='Case <script>alert("x")</script> & co',
        key_dates={"became_aware_on": date(2026, 3, 6)},  # a Friday: 5 working days on, due Fri 13 March
    )
    client.force_login(coordinator)
    html = client.get(reverse("reviews:dashboard")).content.decode()
    assert f'<a class="govuk-link" href="/reviews/{review.reference}/">{review.reference}</a>' in html
    assert "Case &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html
    assert "<script>alert" not in html
    assert ": due 13 Mar 2026" in html


def test_a_review_without_clocks_says_so(client, coordinator, partnership):
    review = make_review(coordinator=coordinator, partnership=partnership, title="Clockless")
    review.clocks.all().delete()
    client.force_login(coordinator)
    html = client.get(reverse("reviews:dashboard")).content.decode()
    assert '<li class="govuk-body-s">No clocks</li>' in html


def test_only_a_chair_s_dashboard_looks_for_findings_to_sign_off(client, review, police_lead, chair):
    """An agency lead chairs nothing and reads no partnership's figures: the dashboard asks for
    neither (the roles the navigation reads say so), where a chair's asks for the findings."""

    def tables_read(user) -> str:
        client.force_login(user)
        client.get(reverse("reviews:dashboard"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reviews:dashboard")).status_code == 200
        return "\n".join(query["sql"] for query in queries)

    lead = tables_read(police_lead)
    assert 'FROM "reviews_findings"' not in lead
    assert 'INNER JOIN "reviews_partnership"' not in lead  # the figures' partnerships
    assert 'FROM "reviews_findings"' in tables_read(chair)
