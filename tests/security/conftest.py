"""Objects for every kind of URL argument, so the walks over every route use real identifiers."""

from __future__ import annotations

from typing import Any

import pytest

from notifications.models import Notification
from reviews.models import ReviewState
from tests.factories import advance_to
from tests.reviews.builders import notify_death


@pytest.fixture
def url_values(review, coordinator) -> dict[str, Any]:
    """An identifier for every argument a route of the project takes. Where no object is at hand,
    an id that does not exist: the middleware under test answers before any view looks it up."""
    advance_to(review, ReviewState.SCOPING, coordinator)
    notification = Notification.objects.order_by("pk").first()
    return {
        "reference": review.reference,
        "name": "start_scoping",
        "subject_id": review.subjects.first().pk if review.subjects.exists() else 999_999,
        "name_id": 999_999,  # a real name behind a pseudonym
        "contribution_id": 999_999,
        "change_id": 999_999,
        "entry_id": 999_999,
        "version": 1,
        "recommendation_id": 999_999,
        "action_id": 999_999,
        "file_id": 999_999,
        "document_id": 999_999,
        "meeting_id": 999_999,
        "notification_id": notification.pk if notification else 999_999,
        "kind": "panel_reply",  # a notice the rapid review owes
        "form_key": "rapid_review_summary",  # an agency form (none asked: the middleware answers first)
        "item": "home_visit",  # a step of a child death review's joint agency response
        # A notification in the partnership's intake queue, which the coordinator may open.
        "intake_reference": notify_death(review.partnership).reference,
        "section_id": 999_999,  # a section of the overview report
        "round_id": 999_999,  # a factual accuracy round
        # A partnership's figures and themes: the coordinator's own partnership.
        "code": review.partnership.code,
        "year": 2026,
        "file_format": "csv",
        "theme_id": 999_999,
        "subscription_id": 999_999,  # a webhook endpoint of the partnership
        "token_id": 999_999,  # a personal access token (api/pages.py)
    }
