"""The partnership's theme list (its administrator and business manager edit it), a theme's page
counted against a hand-built fixture, and the learning briefing (404 until published)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from reviews.models import Publication, Theme
from reviews.models.actions import Action
from reviews.models.findings import DEFAULT_THEMES
from tests.reviews.world import IDENTITY_STRINGS


def test_the_defaults_carry_the_domain_list_without_duplicates():
    assert len(DEFAULT_THEMES) == len({name.lower() for name in DEFAULT_THEMES}) == 16
    for name in ("Sexual abuse", "Emotional abuse", "Institutional abuse", "Self-harm and suicide", "Neglect"):
        assert name in DEFAULT_THEMES


def test_the_business_manager_adds_and_removes_a_theme(client, world, partnership):
    client.force_login(world.users["business_manager"])
    url = reverse("reviews:themes", args=[partnership.code])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "  Cost   of living "})
    assert response.status_code == 302
    assert list(Theme.objects.filter(partnership=partnership).values_list("name", flat=True)) == [
        "Neglect",
        "Cost of living",
    ]
    response = client.post(url, {"name": "NEGLECT"})
    assert response.status_code == 400
    assert "“Neglect” is already on the list" in response.content.decode()
    assert Theme.objects.filter(partnership=partnership).count() == 2
    client.post(url, {"remove": "Cost of living"})
    assert list(Theme.objects.filter(partnership=partnership).values_list("name", flat=True)) == ["Neglect"]
    client.post(url, {"remove": "Neglect"})  # the last one stays
    assert list(Theme.objects.filter(partnership=partnership).values_list("name", flat=True)) == ["Neglect"]


def test_the_theme_list_is_not_found_by_anyone_else(client, world, partnership):
    url = reverse("reviews:themes", args=[partnership.code])
    for role in ("chair", "partnership_member", "partnership_scrutineer", "outsider"):
        client.force_login(world.users[role])
        assert client.get(url).status_code == 404, role
        assert client.post(url, {"name": "Anything"}).status_code == 404, role
    assert Theme.objects.filter(partnership=partnership).count() == 1


def test_the_theme_page_counts_against_the_fixture(client, world, partnership, django_assert_max_num_queries):
    # By hand: the world's review is tagged Neglect, with two recommendations and one action on each;
    # the police action is verified here, so 1 of 2 implemented. The CSPR and the CDR have no findings.
    Action.objects.filter(pk=world.own["action_id"]).update(state="verified", evidence="Training given.")
    theme = Theme.objects.get(partnership=partnership, name="Neglect")
    url = reverse("reviews:theme", args=[partnership.code, theme.pk])
    client.force_login(world.users["coordinator"])
    html = client.get(url).content.decode()
    assert 'id="total-reviews">1<' in html
    assert 'id="total-recommendations">2<' in html
    assert 'id="total-actions">2<' in html
    assert 'id="total-implemented">1<' in html
    assert world.review.reference in html
    # A reader without case detail counts nothing.
    client.force_login(world.users["scrutineer"])
    html = client.get(url).content.decode()
    assert 'id="total-reviews">0<' in html and world.review.reference not in html
    client.force_login(world.users["outsider"])
    assert client.get(url).status_code == 404


def test_the_briefing_is_not_found_before_publication(client, world):
    review = world.cspr
    url = reverse("reviews:learning_briefing", args=[review.reference])
    client.force_login(world.users["coordinator"])
    assert client.get(url).status_code == 404


def test_the_briefing_once_published(client, world):
    review = world.review
    url = reverse("reviews:learning_briefing", args=[review.reference])
    client.force_login(world.users["coordinator"])
    assert client.get(url).status_code == 404  # findings signed, nothing published
    Publication.objects.create(
        review=review,
        decision="full",
        state="published",
        publish_on=date(2026, 9, 1),
        public_url="https://northbridge.example.org/reviews/child",
        recorded_by=world.users["coordinator"],
    )
    for role in ("coordinator", "agency_lead", "scrutineer", "business_manager"):
        client.force_login(world.users[role])
        response = client.get(url)
        assert response.status_code == 200, role
        html = response.content.decode()
        assert "Escalate concerns about a non-mobile baby" in html
        assert "Audit GP safeguarding referrals." in html
        assert "Questions for practitioners" in html
        for identity in IDENTITY_STRINGS:
            assert identity not in html
    client.force_login(world.users["outsider"])
    assert client.get(url).status_code == 404


def test_the_partnerships_coordinator_and_administrator_keep_the_list_too(client, world, partnership):
    url = reverse("reviews:themes", args=[partnership.code])
    for role, theme in (("coordinator", "Cost of living"), ("partnership_admin", "Gangs")):
        client.force_login(world.users[role])
        assert client.get(url).status_code == 200, role
        assert client.post(url, {"name": theme}).status_code == 302, role
    names = set(Theme.objects.filter(partnership=partnership).values_list("name", flat=True))
    assert {"Cost of living", "Gangs"} <= names
