"""Readers of agency contributions: the requests on a review, an agency lead's own, and what a
new request defaults to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Exists, OuterRef, Prefetch, QuerySet, Value, When, prefetch_related_objects
from django.http import QueryDict
from django.utils import timezone

from reviews.models import Agency, Review, ReviewKind, ReviewRole, Role
from reviews.models.agencyforms import AgencyFormAnswers
from reviews.models.contributions import EDITABLE_STATES, AgencyContribution, ContributionState, DueDateChange
from reviews.selectors.clocks import fetch_closure_days
from ui.pagination import Pages, paginate
from workflows.calendar import add_working_days, working_days_between
from workflows.types import AnyUser

# The steps offered on a contribution (its page and the API): the agency lead's, then the coordinator's.
CONTRIBUTION_STEPS = ("submit", "resubmit", "record_nil_return", "accept", "return_to_agency", "waive")

STATE_TAG_CLASSES: dict[str, str] = {
    ContributionState.REQUESTED: "govuk-tag--grey",
    ContributionState.IN_PROGRESS: "govuk-tag--blue",
    ContributionState.SUBMITTED: "govuk-tag--purple",
    ContributionState.RETURNED: "govuk-tag--orange",
    ContributionState.ACCEPTED: "govuk-tag--green",
    ContributionState.NIL_RETURN: "govuk-tag--turquoise",
    ContributionState.WAIVED: "govuk-tag--grey",
}


def state_tag_class(state: str) -> str:
    return STATE_TAG_CLASSES.get(state, "govuk-tag--grey")


def due_text(contribution: AgencyContribution, today: date) -> str:
    """'3 working days left', 'Due today', '2 working days overdue'; empty once settled or submitted."""
    if contribution.state not in (
        ContributionState.REQUESTED,
        ContributionState.IN_PROGRESS,
        ContributionState.RETURNED,
    ):
        return ""
    # Reads the partnership's prefetched closure days, so a list costs no query per row.
    left = working_days_between(today, contribution.due_date, contribution.review.partnership)
    if contribution.due_date == today:
        return "Due today"
    if contribution.due_date < today:
        late = max(-left, 1)
        return f"{late} working day{'s' if late != 1 else ''} overdue"
    return f"{left} working day{'s' if left != 1 else ''} left"


@dataclass(frozen=True)
class ContributionRow:
    contribution: AgencyContribution
    due_text: str
    overdue: bool
    open_extension: DueDateChange | None

    @property
    def tag_class(self) -> str:
        return state_tag_class(self.contribution.state)


def _row(contribution: AgencyContribution, today: date) -> ContributionRow:
    text = due_text(contribution, today)
    open_requests = getattr(contribution, "open_requests", None)
    return ContributionRow(
        contribution=contribution,
        due_text=text,
        overdue=text.endswith("overdue"),
        open_extension=open_requests[0] if open_requests else None,
    )


def _open_requests_prefetch() -> Prefetch:
    return Prefetch(
        "due_date_changes",
        queryset=DueDateChange.objects.filter(status=DueDateChange.Status.REQUESTED),
        to_attr="open_requests",
    )


def _forms_prefetch() -> Prefetch:
    # The agency forms asked, for the "Asked for" column (AgencyContribution.ask_labels).
    return Prefetch("form_answers", queryset=AgencyFormAnswers.objects.select_related("form").order_by("form__title"))


def contribution_prefetches() -> tuple[str | Prefetch, ...]:
    """What a list of contributions reads for its rows, fetched once a page (due dates over the
    partnerships' closure days, the open extension requests, the agency forms asked)."""
    return ("review__partnership__closure_days", _open_requests_prefetch(), _forms_prefetch())


# --- asking ------------------------------------------------------------------------------------

# Default time given to an agency, in working days from the start shown (docs/DOMAIN.md "Rapid
# review": agency summaries on days 2-10 of the 15; elsewhere a practice default of 20 days).
RAPID_REVIEW_SUMMARY_DAY = 10
DEFAULT_CONTRIBUTION_WORKING_DAYS = 20


def default_due_date(review: Review, today: date | None = None) -> date:
    """The due date an agency is given unless the coordinator chooses another (with a reason)."""
    today = today or timezone.localdate()
    if review.kind == ReviewKind.RAPID:
        clock = next((c for c in review.clocks.all() if c.key == "rapid_review"), None)
        start = clock.start_date if clock and clock.start_date else today
        due = add_working_days(start, RAPID_REVIEW_SUMMARY_DAY, review.partnership)
        return max(due, today)
    return add_working_days(today, DEFAULT_CONTRIBUTION_WORKING_DAYS, review.partnership)


def invitable_agencies(review: Review) -> QuerySet[Agency]:
    """Agencies serving the review's partnership that have not been asked yet."""
    asked = AgencyContribution.objects.filter(review=review).values("agency_id")
    return review.partnership.agencies.exclude(pk__in=asked).order_by("name")


# --- lists --------------------------------------------------------------------------------------


def contribution_rows(review: Review, *, agency_ids: frozenset[int] | None = None) -> list[ContributionRow]:
    """The review's contributions (or only those of ``agency_ids``), with their due-date clocks."""
    today = timezone.localdate()
    contributions = (
        AgencyContribution.objects.filter(review=review)
        .select_related("agency", "lead", "review__partnership")
        .prefetch_related("review__partnership__closure_days", _open_requests_prefetch(), _forms_prefetch())
        .order_by("agency__name")
    )
    if agency_ids is not None:
        contributions = contributions.filter(agency_id__in=agency_ids)
    return [_row(c, today) for c in contributions]


@dataclass(frozen=True)
class MyRequests:
    pages: Pages[AgencyContribution]
    rows: list[ContributionRow]


def my_requests(user: AnyUser, params: QueryDict | None = None) -> MyRequests:
    """The contributions the user leads, across all their reviews, a page at a time: work still to
    do first (soonest due first), then what is with the coordinator or finished.

    Five queries however many: the count, the page's contributions with their review, partnership
    and agency, the partnerships' closure days, the open extension requests, the agency forms asked.
    """
    params = params if params is not None else QueryDict()
    if not (user and user.is_authenticated):
        return MyRequests(pages=paginate([], params, singular="request", plural="requests"), rows=[])
    today = timezone.localdate()
    leads = ReviewRole.objects.filter(
        review_id=OuterRef("review_id"), agency_id=OuterRef("agency_id"), user=user, role=Role.AGENCY_LEAD
    )
    contributions = (
        AgencyContribution.objects.filter(Exists(leads))
        .select_related("agency", "review__partnership")
        .annotate(later=Case(When(state__in=EDITABLE_STATES, then=Value(0)), default=Value(1)))
        .order_by("later", "due_date", "review__reference", "id")
    )
    pages = paginate(contributions, params, singular="request", plural="requests")
    page = pages.rows
    prefetch_related_objects(page, _open_requests_prefetch(), _forms_prefetch())
    fetch_closure_days(contribution.review for contribution in page)
    return MyRequests(pages=pages, rows=[_row(c, today) for c in page])


def due_date_history(contribution: AgencyContribution) -> list[DueDateChange]:
    return list(contribution.due_date_changes.select_related("asked_by", "decided_by").order_by("asked_at", "id"))
