"""Restricted identity: a subject's real name, NHS number and address appear on the coordinator's
identity page and nowhere else: not on any page for anyone else, not in any export, not in any
e-mail the outbox renders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.delivery import render
from notifications.models import Notification
from notifications.services import preference_set
from notifications.sweep import digests_fold, reminders_sweep_and_expand
from reviews.access import ROLES, RULES
from tests.reviews.world import IDENTITY_STRINGS, INTAKE_STRINGS, served_urls, url_kwargs


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.content.decode("utf-8", errors="replace")


def _leaks(text: str) -> list[str]:
    return [s for s in (*IDENTITY_STRINGS, *INTAKE_STRINGS) if s in text]


def _get_pages(client, world, role):
    for name, params in served_urls():
        rule = RULES[name]
        if rule.post_only or name == "logout":
            continue
        for who in (role, "agency_lead_other") if role == "agency_lead" else (role,):
            url = reverse(name, kwargs=url_kwargs(world, who, name, params))
            if rule.api:
                # An API route is read with the role's token, as a machine reads it.
                token = world.tokens.get(who)
                yield name, url, client.get(url, headers={"Authorization": f"Bearer {token}"} if token else {})
            else:
                yield name, url, client.get(url)


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("coordinator", "agency_lead_other")])
def test_no_page_shows_the_identity_to_anyone_but_the_coordinator(client, world, role):
    if world.users[role] is not None:  # the visitor not signed in stays so
        client.force_login(world.users[role])
    leaks = [f"{url}: {_leaks(_body(response))}" for _, url, response in _get_pages(client, world, role)]
    assert not [leak for leak in leaks if not leak.endswith("[]")]


def test_the_coordinator_sees_the_identity_on_the_identity_page_only(client, world):
    client.force_login(world.users["coordinator"])
    shown_on = {name for name, _, response in _get_pages(client, world, "coordinator") if _leaks(_body(response))}
    # The subject's identity on its identity page; the notified child's on the notification's page
    # in the intake queue (and the queue lists the child's name), both for the coordinators only.
    # The setting's real name on the page that records it.
    assert shown_on == {
        "reviews:subject_identity",
        "reviews:restricted_names",
        "reviews:intake_item",
        "reviews:intake_queue",
    }
    identity_page = client.get(
        reverse("reviews:subject_identity", args=[world.review.reference, world.identity_subject.pk])
    )
    assert set(_leaks(_body(identity_page))) >= {IDENTITY_STRINGS[0], "401 023 2137", IDENTITY_STRINGS[3]}


@pytest.mark.parametrize("role", ["coordinator", "chair", "panel_member", "agency_lead"])
def test_exports_never_contain_the_identity(client, world, role):
    client.force_login(world.users[role])
    urls = [
        reverse("reviews:chronology_export", args=[world.review.reference]),
        reverse("reviews:action_tracker_export"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        body = _body(response)
        assert body.count("\n") > 1 or "actions" in url, "the export should hold rows"
        assert not _leaks(body), url


def test_no_e_mail_contains_the_identity(world, settings):
    # Every outbox row the review's life wrote (due dates set and moved), then the reminders and
    # escalations a sweep long after every deadline writes, and the digests folded from them.
    preference_set(user=world.users["agency_lead"], daily_digest=True)
    later = timezone.localdate() + timedelta(days=400)
    reminders_sweep_and_expand(today=later)
    digests_fold(today=later)
    rows = list(Notification.objects.all())
    # "message": the coordinators told of the notification in the intake queue.
    assert {row.kind for row in rows} == {"deadline_set", "reminder", "digest", "message"}
    for row in rows:
        items = list(Notification.objects.filter(digest=row)) if row.kind == "digest" else None
        subject, text, html = render(row, items=items)
        for part in (subject, text, html):
            assert not _leaks(part), (row.kind, part)
