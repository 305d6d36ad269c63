"""Create-once forms: a double click or a resent POST must not open two reviews or add an action twice.

Each create form carries a hidden token (ui.forms.SubmitOnceMixin). The first submission
records the token in the same transaction as what it creates; a second one with the same token
waits for the first (the token is the primary key) and is then pointed at the first one's result.
A submission that fails (bad input) rolls its token back with everything else, so the corrected
form can be sent again with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from workflows.models import FormSubmission
from workflows.types import User

T = TypeVar("T")


def submit_once(
    *, token: UUID | None, user: User, create: Callable[[], T], result_url: Callable[[T], str]
) -> tuple[T | None, str]:
    """``(created, its url)`` the first time; ``(None, the first one's url)`` for a repeat."""
    if token is None:  # a form rendered before tokens existed: no protection, but no refusal either
        created = create()
        return created, result_url(created)
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, user=user)
            created = create()
            url = result_url(created)
            FormSubmission.objects.filter(token=token).update(result_url=url)
            return created, url
    except IntegrityError:
        earlier = FormSubmission.objects.filter(token=token).first()
        if earlier is None:  # the IntegrityError was the create's own, not a repeat
            raise
        if earlier.user_id != getattr(user, "pk", None):
            # Someone else's token (copied from their page): nothing of theirs is revealed.
            raise ValidationError("This form has expired: reload the page and send it again.") from None
        return None, earlier.result_url
