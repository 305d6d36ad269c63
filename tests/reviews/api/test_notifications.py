"""The inbox over the API: the user's own in-app notifications, the unread filter, mark-read."""

from __future__ import annotations

from django.urls import reverse

from notifications.models import Notification


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_the_inbox_lists_the_users_own_and_filters_unread(api_as, police_lead, gp_lead, police_contribution):
    mine = set(Notification.objects.filter(recipient=police_lead, channel="in_app").values_list("pk", flat=True))
    assert mine
    api = api_as(police_lead)
    assert _ids(api.get(reverse("api_v1:notifications"))) == mine
    assert not _ids(api_as(gp_lead).get(reverse("api_v1:notifications"))) & mine
    one = min(mine)
    read = api.post(reverse("api_v1:notification_read", args=[one]))
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert _ids(api.get(reverse("api_v1:notifications"), unread="true")) == mine - {one}
    assert _ids(api.get(reverse("api_v1:notifications"), unread="false")) == {one}
    assert api.get(reverse("api_v1:notifications"), unread="maybe").status_code == 400


def test_someone_elses_notification_is_404_and_stays_unread(api_as, police_lead, gp_lead, police_contribution):
    theirs = Notification.objects.filter(recipient=police_lead, channel="in_app").first()
    response = api_as(gp_lead).post(reverse("api_v1:notification_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
