"""Partnership-wide standings (docs/ACCESS.md): a business manager reads every review of their
partnership, and no other partnership's, from the standing alone (no row per review, so taking the
standing away closes every review at once); they change nothing. A partnership's scrutineer reads
its figures only: no review exists for them."""

from __future__ import annotations

from django.urls import reverse

from reviews.models import PartnershipMember, ReviewState
from reviews.permissions import partnership_figures_for, reviews_for_user
from tests.factories import UserFactory, make_review, member

Standing = PartnershipMember.Standing


def test_a_business_manager_sees_every_review_of_their_partnership_and_none_of_another(
    client, review, coordinator, partnership, other_partnership, outsider
):
    second = make_review(coordinator=coordinator, partnership=partnership, title="Child B (aged 5)")
    elsewhere = make_review(coordinator=outsider, partnership=other_partnership, title="Child C (aged 9)")
    manager = member(UserFactory(username="manager"), partnership, Standing.BUSINESS_MANAGER)

    assert set(reviews_for_user(manager)) == {review, second}
    client.force_login(manager)
    listed = client.get(reverse("reviews:dashboard")).content.decode()
    assert review.reference in listed and second.reference in listed
    assert elsewhere.reference not in listed
    assert client.get(reverse("reviews:review", args=[review.reference])).status_code == 200
    assert client.get(reverse("reviews:review", args=[elsewhere.reference])).status_code == 404


def test_a_business_manager_changes_nothing(client, review, partnership):
    manager = member(UserFactory(username="manager"), partnership, Standing.BUSINESS_MANAGER)
    client.force_login(manager)
    response = client.post(reverse("reviews:review_transition", args=[review.reference, "start_scoping"]))
    assert response.status_code == 403
    assert "review coordinator" in response.content.decode()
    review.refresh_from_db()
    assert review.state == ReviewState.NOTIFICATION


def test_taking_the_standing_away_closes_every_review_at_once(client, review, partnership):
    manager = member(UserFactory(username="manager"), partnership, Standing.BUSINESS_MANAGER)
    client.force_login(manager)
    assert client.get(reverse("reviews:review", args=[review.reference])).status_code == 200
    member(manager, partnership, Standing.MEMBER)
    assert client.get(reverse("reviews:review", args=[review.reference])).status_code == 404
    assert not reviews_for_user(manager).exists()


def test_a_partnership_scrutineer_reads_figures_and_no_review(client, review, partnership):
    scrutineer = member(UserFactory(username="board"), partnership, Standing.SCRUTINEER)
    assert not reviews_for_user(scrutineer).exists()
    figures = partnership_figures_for(scrutineer, partnership.code)
    assert (figures.exact, figures.sees_reviews) == (False, False)
    client.force_login(scrutineer)
    assert client.get(reverse("reviews:review", args=[review.reference])).status_code == 404
    assert review.reference not in client.get(reverse("reviews:dashboard")).content.decode()
