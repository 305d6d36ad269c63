"""Adding a recommendation is a create form: sent twice with one token (a double click, a POST
resent after a slow answer), it adds the recommendation once."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from reviews.models import Recommendation
from tests.reviews.builders import write_findings
from tests.reviews.pages import date_parts, token_of


def test_adding_a_recommendation_twice_adds_it_once(client, drafting, coordinator, police):
    write_findings(drafting, coordinator)
    client.force_login(coordinator)
    add = reverse("reviews:recommendation_add", args=[drafting.reference])
    token = token_of(client.get(add).content.decode())
    data = {
        "what": "Share missed-appointment alerts between health visiting and GP practices.",
        "owner_agency": police.pk,
        **date_parts("due_by", timezone.localdate() + timedelta(days=90)),
        "success_measure": "Audit shows alerts shared in 95% of cases.",
        "submission": token,
    }
    assert client.post(add, data).status_code == 302
    assert client.post(add, data).status_code == 302
    assert Recommendation.objects.filter(findings__review=drafting).count() == 1


def test_a_recommendation_sent_without_its_token_is_refused(client, drafting, coordinator, police):
    write_findings(drafting, coordinator)
    client.force_login(coordinator)
    add = reverse("reviews:recommendation_add", args=[drafting.reference])
    data = {
        "what": "Share missed-appointment alerts between health visiting and GP practices.",
        "owner_agency": police.pk,
        **date_parts("due_by", timezone.localdate() + timedelta(days=90)),
        "success_measure": "Audit shows alerts shared in 95% of cases.",
    }
    response = client.post(add, data)
    assert response.status_code == 400
    assert "sent without its one-time code" in response.content.decode()
    assert not Recommendation.objects.filter(findings__review=drafting).exists()
