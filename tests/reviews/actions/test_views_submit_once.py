"""Adding an action is a create form: sent twice with one token (a double click, a POST resent
after a slow answer), it adds the action once and points the second submission at it."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from reviews.models import Action
from reviews.services.review import review_advance
from tests.reviews.builders import signed_with_recommendation
from tests.reviews.pages import date_parts, token_of


def test_adding_an_action_twice_adds_it_once(client, drafting, coordinator, chair, police):
    recommendation = signed_with_recommendation(drafting, coordinator, chair, police)
    review_advance(actor=coordinator, review_id=drafting.pk, transition="start_action_tracking")
    client.force_login(coordinator)
    add_action = reverse("reviews:action_add", args=[drafting.reference, recommendation.pk])
    token = token_of(client.get(add_action).content.decode())
    data = {
        "description": "Alerts built into the shared record.",
        "owner_agency": police.pk,
        "owner_role": "Head of safeguarding",
        **date_parts("due_date", timezone.localdate() + timedelta(days=60)),
        "success_measure": "Alerts live.",
        "submission": token,
    }
    first = client.post(add_action, data)
    second = client.post(add_action, data)
    action = Action.objects.get(recommendation=recommendation)
    assert first["Location"] == second["Location"] == reverse("reviews:action", args=[drafting.reference, action.pk])


def test_an_action_sent_without_its_token_is_refused(client, drafting, coordinator, chair, police):
    recommendation = signed_with_recommendation(drafting, coordinator, chair, police)
    review_advance(actor=coordinator, review_id=drafting.pk, transition="start_action_tracking")
    client.force_login(coordinator)
    add_action = reverse("reviews:action_add", args=[drafting.reference, recommendation.pk])
    data = {
        "description": "Alerts built into the shared record.",
        "owner_agency": police.pk,
        "owner_role": "Head of safeguarding",
        **date_parts("due_date", timezone.localdate() + timedelta(days=60)),
        "success_measure": "Alerts live.",
    }
    response = client.post(add_action, data)
    assert response.status_code == 400
    assert "sent without its one-time code" in response.content.decode()
    assert not Action.objects.filter(recommendation=recommendation).exists()
