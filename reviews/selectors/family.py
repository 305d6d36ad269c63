"""Readers of the family's involvement: the page's record and meetings, and what the publication
step reads (``family_involvement``: whether and when the family saw the report)."""

from __future__ import annotations

from django.db.models import QuerySet

from reviews.models import FamilyInvolvement, FamilyMeeting, Review


def family_involvement(review: Review) -> FamilyInvolvement | None:
    """The review's record of the family's involvement, or None if nothing is recorded yet. Its
    ``saw_report_on`` is the date the family saw the report before publication (None: not yet)."""
    return FamilyInvolvement.objects.filter(review=review).first()


def family_meetings(review: Review) -> QuerySet[FamilyMeeting]:
    return FamilyMeeting.objects.filter(review=review).select_related("recorded_by").order_by("held_on", "id")
