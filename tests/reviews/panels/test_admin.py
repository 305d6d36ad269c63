"""Admin for panels, findings and actions: lists load; the quorum rule takes only known groups."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews.models.panels import QuorumGroup, QuorumRule
from tests.factories import UserFactory


@pytest.fixture
def admin_client_for(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["theme", "quorumrule", "panelmeeting", "findings", "signedfindings", "action"])
def test_changelists_load(admin_client_for, model):
    assert admin_client_for.get(reverse(f"admin:reviews_{model}_changelist")).status_code == 200


def test_quorum_rule_is_saved_with_the_groups_ticked(admin_client_for, partnership):
    groups = [QuorumGroup.values[0], QuorumGroup.values[1]]
    response = admin_client_for.post(
        reverse("admin:reviews_quorumrule_add"),
        {"partnership": partnership.pk, "chair_required": "on", "required_groups": groups},
    )
    assert response.status_code == 302
    assert QuorumRule.objects.get(partnership=partnership).required_groups == groups


def test_quorum_rule_refuses_an_unknown_group(admin_client_for, partnership):
    response = admin_client_for.post(
        reverse("admin:reviews_quorumrule_add"),
        {"partnership": partnership.pk, "required_groups": ["the_press"]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not QuorumRule.objects.exists()
