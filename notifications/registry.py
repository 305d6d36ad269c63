"""What other apps tell notifications about their objects (imports point downward: reviews →
notifications, never back). reviews registers in ReviewsConfig.ready (reviews/services/deadlines.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workflows.types import User


@dataclass(frozen=True)
class DeadlineSpec:
    """What a target's deadline should look like now; notifications.services.deadline_sync makes it so."""

    kind: str
    due_date: date | None
    state: str
    owner_label: str
    scope: str
    context: dict[str, Any]
    recipients: Iterable[User] = ()
    escalation_recipients: Iterable[User] = ()
    escalation_email: str = ""
    escalation_name: str = ""
    # Whose working days count for its reminders: a key the owning app resolves to closure days
    # (register_closure_days); empty: weekends and bank holidays only.
    calendar: str = ""
    # Tell the recipients when the deadline is first set or moved (an agency asked for a contribution).
    announce: bool = False


_coordinated_scopes: list[Callable[[User], Iterable[str]]] = []
_closure_resolvers: list[Callable[[set[str]], Mapping[str, Iterable[date]]]] = []


def register_coordinated_scopes(resolver: Callable[[User], Iterable[str]]) -> None:
    """``resolver(user)`` returns the scopes (review references) the user coordinates: a list or a
    ``values_list`` queryset, which is used as a subquery."""
    _coordinated_scopes.append(resolver)


def coordinated_scopes(user: User) -> list[Iterable[str]]:
    return [resolver(user) for resolver in _coordinated_scopes]


def register_closure_days(resolver: Callable[[set[str]], Mapping[str, Iterable[date]]]) -> None:
    """``resolver(calendars)`` returns the closure days of each calendar key it knows, in one query."""
    _closure_resolvers.append(resolver)


def closure_days(calendars: Iterable[str]) -> dict[str, frozenset[date]]:
    """The extra non-working days of each calendar (every key present, empty when it has none)."""
    keys = {key for key in calendars if key}
    found: dict[str, frozenset[date]] = {key: frozenset() for key in keys}
    found[""] = frozenset()
    if keys:
        for resolver in _closure_resolvers:
            for key, days in resolver(keys).items():
                found[key] = found.get(key, frozenset()) | frozenset(days)
    return found


# --- webhooks ------------------------------------------------------------------------------------

_webhook_review_resolvers: list[Callable[[set[str]], Mapping[str, dict[str, Any]]]] = []


def register_webhook_reviews(resolver: Callable[[set[str]], Mapping[str, dict[str, Any]]]) -> None:
    """``resolver(references)`` returns, in one query, what a webhook payload may say of each review
    (its reference, kind and stage: never a title, a name or case text)."""
    _webhook_review_resolvers.append(resolver)


def webhook_reviews(references: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The payload's ``review`` object for each reference a resolver knows."""
    wanted = {reference for reference in references if reference}
    found: dict[str, dict[str, Any]] = {}
    if wanted:
        for resolver in _webhook_review_resolvers:
            found.update(resolver(wanted))
    return found
