from __future__ import annotations

import pytest

from notifications.webhooks_models import WebhookEvent, WebhookSubscription
from reviews.models import PartnershipMember
from reviews.services.webhooks import webhook_subscription_add
from tests.factories import UserFactory, member


@pytest.fixture
def partnership_admin(partnership):
    return member(UserFactory(username="partnership.admin"), partnership, PartnershipMember.Standing.ADMINISTRATOR)


@pytest.fixture
def subscription(partnership, partnership_admin) -> WebhookSubscription:
    return webhook_subscription_add(
        actor=partnership_admin,
        partnership=partnership,
        name="Police case system",
        url="https://police.example/hooks",
        events=[WebhookEvent.REVIEW_STAGE_CHANGED, WebhookEvent.FINDINGS_SIGNED],
    )
