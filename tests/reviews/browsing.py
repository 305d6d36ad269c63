"""What the browser journeys share: signing in as a demo user, and a demo review brought to findings
through the services (the journeys seed the demo first)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from reviews.models import Agency, Partnership, ReviewKind, ReviewState, Role
from reviews.services.findings import FindingsData, RecommendationData, findings_save, recommendation_save
from reviews.services.review import review_advance, review_open
from reviews.services.roles import review_role_grant
from reviews.services.subjects import SubjectData
from tests.factories import advance_to


def review_at_findings():
    """A demo rapid review brought to findings through the services, with draft findings and one
    recommendation owned by the police."""
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["coordinator", "chair", "police.lead"])
    }
    coordinator = users["coordinator"]
    partnership = Partnership.objects.get(code="NSCP")
    police = Agency.objects.get(name="Northbridge Police")
    today = timezone.localdate()
    review = review_open(
        actor=coordinator,
        partnership=partnership,
        kind=ReviewKind.RAPID,
        title="Child G (aged 1)",
        key_dates={"became_aware_on": today - timedelta(days=30), "notified_on": today - timedelta(days=29)},
        subject=SubjectData(pseudonym="Child G"),
    )
    review_role_grant(actor=coordinator, review_id=review.pk, user=users["chair"], role=Role.CHAIR)
    review_role_grant(
        actor=coordinator, review_id=review.pk, user=users["police.lead"], role=Role.AGENCY_LEAD, agency=police
    )
    advance_to(review, ReviewState.PANEL, coordinator)
    review_advance(actor=coordinator, review_id=review.pk, transition="draft_findings")
    findings_save(
        actor=coordinator,
        review_id=review.pk,
        data=FindingsData(
            findings="Bruising on a non-mobile baby was seen by three agencies and escalated by none.",
            learning="Any bruise on a non-mobile baby is referred the same day.",
            themes=["Physical abuse"],
        ),
    )
    recommendation_save(
        actor=coordinator,
        review_id=review.pk,
        data=RecommendationData(
            what="Train every response officer in the bruising protocol.",
            owner_agency=police,
            due_by=today + timedelta(days=90),
            success_measure="Every response team trained; dip-sample audit in six months.",
        ),
    )
    return review, users, police


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/")
