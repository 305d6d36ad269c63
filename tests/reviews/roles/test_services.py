"""Granting and revoking roles: the permissions follow the role, bad input saves nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews.models import ReviewRole, ReviewUserObjectPermission, Role
from reviews.services.roles import review_role_grant, review_role_revoke
from tests.factories import AgencyFactory, UserFactory, member
from workflows.models import AuditEvent


def counts() -> tuple[int, int, int]:
    return ReviewRole.objects.count(), ReviewUserObjectPermission.objects.count(), AuditEvent.objects.count()


def grant(review, actor, user, role, agency=None):
    return review_role_grant(actor=actor, review_id=review.pk, user=user, role=role, agency=agency)


def test_an_agency_lead_is_granted_with_the_agency_and_its_permissions(review, coordinator, partnership, police):
    lead = member(UserFactory(username="police.lead2"), partnership, agency=police)
    role = grant(review, coordinator, lead, Role.AGENCY_LEAD, police)

    assert role.agency == police
    assert lead.has_perm("reviews.view_review", review)
    assert lead.has_perm("reviews.lead_agency_submission", review)
    assert not lead.has_perm("reviews.coordinate_review", review)
    assert not lead.has_perm("reviews.view_identity", review)
    event = AuditEvent.objects.filter(verb="role.granted").latest("id")
    assert event.detail == {"user": "police.lead2", "role": "agency_lead", "agency": "Police"}


def test_an_agency_that_does_not_serve_the_partnership_is_refused(review, coordinator, partnership, other_partnership):
    elsewhere = AgencyFactory(name="Southmere Police", short_name="Southmere Police", serves=[other_partnership])
    lead = member(UserFactory(username="lead"), partnership)
    before = counts()

    with pytest.raises(ValidationError) as error:
        grant(review, coordinator, lead, Role.AGENCY_LEAD, elsewhere)

    assert error.value.message_dict == {
        "agency": ["Southmere Police does not serve Northbridge Safeguarding Children Partnership."]
    }
    assert counts() == before
    assert not lead.has_perm("reviews.view_review", review)


def test_a_user_who_is_not_a_member_of_the_partnership_is_refused(review, coordinator, outsider):
    before = counts()
    with pytest.raises(ValidationError) as error:
        grant(review, coordinator, outsider, Role.PANEL_MEMBER)
    assert error.value.message_dict == {
        "user": ["outsider is not a member of Northbridge Safeguarding Children Partnership."]
    }
    assert counts() == before
    assert not outsider.has_perm("reviews.view_review", review)


def test_an_agency_lead_must_name_an_agency_and_others_must_not(review, coordinator, partnership, police):
    user = member(UserFactory(username="someone"), partnership)
    before = counts()
    with pytest.raises(ValidationError) as error:
        grant(review, coordinator, user, Role.AGENCY_LEAD)
    assert error.value.message_dict == {"agency": ["An agency lead answers for one agency: choose it."]}
    with pytest.raises(ValidationError) as error:
        grant(review, coordinator, user, Role.CHAIR, police)
    assert error.value.message_dict == {"agency": ["Only an agency lead is tied to an agency."]}
    assert counts() == before


def test_the_same_role_twice_is_refused(review, coordinator, chair):
    before = counts()
    with pytest.raises(ValidationError) as error:
        grant(review, coordinator, chair, Role.CHAIR)
    assert error.value.message_dict == {"role": [f"chair is already chair / independent reviewer on {review}."]}
    assert counts() == before


@pytest.mark.parametrize("who", ["chair", "police_lead", "scrutineer", "outsider"])
def test_only_the_review_s_coordinator_grants_roles(who, review, partnership, request):
    user = member(UserFactory(username="newcomer"), partnership)
    before = counts()
    with pytest.raises(PermissionDenied):
        grant(review, request.getfixturevalue(who), user, Role.PANEL_MEMBER)
    assert counts() == before


def test_revoking_a_role_takes_its_permissions_away(review, coordinator, chair):
    role = ReviewRole.objects.get(review=review, user=chair)
    review_role_revoke(actor=coordinator, role_id=role.pk)

    chair = type(chair).objects.get(pk=chair.pk)  # fresh permission cache
    assert not chair.has_perm("reviews.chair_review", review)
    assert not chair.has_perm("reviews.view_review", review)
    assert AuditEvent.objects.filter(verb="role.revoked").count() == 1


def test_revoking_a_role_twice_says_it_is_already_gone(review, coordinator, chair):
    role = ReviewRole.objects.get(review=review, user=chair)
    review_role_revoke(actor=coordinator, role_id=role.pk)
    with pytest.raises(ValidationError, match="already been removed"):
        review_role_revoke(actor=coordinator, role_id=role.pk)
    assert AuditEvent.objects.filter(verb="role.revoked").count() == 1


def test_revoking_one_of_two_roles_keeps_what_the_other_grants(review, coordinator, chair):
    grant(review, coordinator, chair, Role.PANEL_MEMBER)
    review_role_revoke(actor=coordinator, role_id=ReviewRole.objects.get(review=review, user=chair, role="chair").pk)

    chair = type(chair).objects.get(pk=chair.pk)
    assert chair.has_perm("reviews.view_review", review)
    assert chair.has_perm("reviews.sit_on_panel", review)
    assert not chair.has_perm("reviews.chair_review", review)


def test_the_last_coordinator_cannot_be_removed(review, coordinator):
    role = ReviewRole.objects.get(review=review, role=Role.COORDINATOR)
    before = counts()
    with pytest.raises(ValidationError) as error:
        review_role_revoke(actor=coordinator, role_id=role.pk)
    assert error.value.message_dict == {"role": ["A review always needs a coordinator: add another one first."]}
    assert counts() == before
    assert coordinator.has_perm("reviews.coordinate_review", review)


def test_a_lead_who_does_not_work_for_the_agency_is_refused(review, coordinator, chair, panel_member, police):
    """Issue 12: the chair, or anyone else who does not work for the agency, is never made its lead."""
    before = counts()
    for user in (chair, panel_member):
        with pytest.raises(ValidationError) as error:
            grant(review, coordinator, user, Role.AGENCY_LEAD, police)
        assert error.value.message_dict == {
            "user": [
                f"{user.get_full_name()} does not work for Police: only a member of Police can be its agency lead. "
                "A partnership administrator records which agency a member works for."
            ]
        }
    assert counts() == before
