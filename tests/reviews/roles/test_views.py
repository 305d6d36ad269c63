"""Granting roles through the roles page: an agency lead needs the agency, only members of the
partnership, no duplicate; others with a role read the roles but cannot grant."""

from __future__ import annotations

from django.urls import reverse

from reviews.models import ReviewRole, Role
from tests.factories import UserFactory, member


def test_granting_an_agency_lead_needs_the_agency(client, review, coordinator, partnership, police):
    newcomer = member(UserFactory(username="health.visitor"), partnership, agency=police)
    client.force_login(coordinator)
    url = reverse("reviews:review_roles", args=[review.reference])
    response = client.post(url, {"user": newcomer.pk, "role": Role.AGENCY_LEAD, "agency": ""})
    assert response.status_code == 400
    assert "Select the agency this lead answers for" in response.content.decode()
    assert not ReviewRole.objects.filter(user=newcomer).exists()

    response = client.post(url, {"user": newcomer.pk, "role": Role.AGENCY_LEAD, "agency": police.pk}, follow=True)
    assert "is now agency lead" in response.content.decode()
    assert ReviewRole.objects.get(user=newcomer).agency == police
    assert newcomer.has_perm("reviews.view_review", review)


def test_roles_can_go_only_to_members_of_the_partnership(client, review, coordinator, outsider):
    client.force_login(coordinator)
    url = reverse("reviews:review_roles", args=[review.reference])
    assert "outsider" not in client.get(url).content.decode()
    response = client.post(url, {"user": outsider.pk, "role": Role.PANEL_MEMBER})
    assert response.status_code == 400
    assert "Select a member of this partnership" in response.content.decode()
    assert not ReviewRole.objects.filter(user=outsider).exists()


def test_a_duplicate_role_is_refused_by_the_service(client, review, coordinator, chair):
    client.force_login(coordinator)
    response = client.post(
        reverse("reviews:review_roles", args=[review.reference]), {"user": chair.pk, "role": "chair"}
    )
    assert response.status_code == 400
    assert "is already chair" in response.content.decode()


def test_others_with_a_role_can_read_the_roles_but_not_grant(client, review, police_lead):
    client.force_login(police_lead)
    html = client.get(reverse("reviews:review_roles", args=[review.reference])).content.decode()
    assert "Northbridge Police" in html or "Police" in html
    assert "Give someone a role" not in html


def test_only_a_member_of_the_agency_can_be_made_its_lead(client, review, coordinator, chair, police):
    """Issue 12: the chair was accepted as an agency's lead. The page says why, and grants nothing."""
    client.force_login(coordinator)
    url = reverse("reviews:review_roles", args=[review.reference])
    response = client.post(url, {"user": chair.pk, "role": Role.AGENCY_LEAD, "agency": police.pk})
    assert response.status_code == 400
    assert "does not work for Police: select a member of Police as its lead" in response.content.decode()
    assert not ReviewRole.objects.filter(user=chair, role=Role.AGENCY_LEAD).exists()


def test_the_person_list_shows_which_agency_each_member_works_for(client, review, coordinator, police_lead):
    client.force_login(coordinator)
    html = client.get(reverse("reviews:review_roles", args=[review.reference])).content.decode()
    assert (
        f'<option value="{police_lead.pk}">{police_lead.get_full_name()} (police.lead), Northbridge Police</option>'
        in html
    )
