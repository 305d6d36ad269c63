"""Who may do what: the one place that answers "may this user ..." for every view and service.

Two kinds of answer live here:

- checks that services make under their locks (``has_review_perm``, ``require_review_perm``,
  ``is_agency_lead``, ``require_partnership_coordinator`` ...). Superusers keep guardian's meaning
  there: they may do anything (the platform operator, in the admin);
- one access helper per object type for views (``review_for``, ``contribution_for``,
  ``action_for``, ``meeting_for``, ``partnerships_for``), which fetch the object and check in one
  go (after healthchecks' ``_get_check_for_user``): a 404 to whoever must not learn the object
  exists, a 403 naming the role that is missing to whoever holds a role on the review but not
  the one needed. A view reads only the roles a user holds on the review: global permissions,
  superusers' included, never open a review (docs/SECURITY.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from reviews.models import (
    AccuracyRound,
    Action,
    Agency,
    AgencyContribution,
    Document,
    DocumentKind,
    IntakeItem,
    PanelMeeting,
    Partnership,
    PartnershipMember,
    Review,
    ReviewRole,
    ReviewUserObjectPermission,
    Role,
)
from reviews.models.roles import ROLE_PERMISSIONS
from workflows.conditions import Ask, Fact, holds
from workflows.types import AnyUser, User


def has_review_perm(user: AnyUser | None, codename: str, review: Review) -> bool:
    """Whether ``user`` holds ``reviews.<codename>`` on this one review.

    The permissions live in django-guardian's direct table for reviews (granted and revoked only
    by reviews.services.roles). Roles go to users, never to groups, and model-wide permissions
    never open a review, so the check is one indexed EXISTS rather than guardian's generic
    backend (two queries, and global permissions would leak across partnerships). Superusers
    keep guardian's meaning: they may do anything (the platform operator in the admin).

    During a step the EXISTS has usually been read already, under the review's row lock, with the
    step's conditions (workflows.runner): that answer is used instead.
    """
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return holds(review, HOLDS_REVIEW_PERM.ask(user.pk, codename))


def held_review_perms(user: AnyUser | None, review: Review, codenames: Iterable[str]) -> frozenset[str]:
    """Which of ``codenames`` ``user`` holds on this review, in one query: ``has_review_perm``
    asked of several codenames at once (same meaning for superusers and inactive users)."""
    codenames = frozenset(codenames)
    if not (user and user.is_authenticated and user.is_active):
        return frozenset()
    if user.is_superuser:
        return codenames
    return frozenset(
        ReviewUserObjectPermission.objects.filter(
            user_id=user.pk, content_object_id=review.pk, permission__codename__in=codenames
        ).values_list("permission__codename", flat=True)
    )


def _holds_permission(user_id: int, codename: str) -> Exists:
    return Exists(
        ReviewUserObjectPermission.objects.filter(
            user_id=user_id, content_object_id=OuterRef("pk"), permission__codename=codename
        )
    )


# Whether a user holds a permission on a review: asked alone by has_review_perm, and by a step with
# its conditions (workflows.conditions.step_asks), both from this one definition.
HOLDS_REVIEW_PERM = Fact("holds_review_perm", _holds_permission)


def review_perm_ask(user: AnyUser | None, codename: str) -> Ask | None:
    """The fact ``has_review_perm`` reads for this user; None for the users it answers without a
    query (no one signed in, an inactive user, a superuser)."""
    if not (user and user.is_authenticated and user.is_active) or user.is_superuser:
        return None
    return HOLDS_REVIEW_PERM.ask(user.pk, codename)


# --- what each check asks for, in words -----------------------------------------------------------

# Codenames of the review permissions, as ROLE_PERMISSIONS grants them.
COORDINATE = "coordinate_review"
CHAIR = "chair_review"
VIEW_IDENTITY = "view_identity"
LEAD_AGENCY = "lead_agency_submission"

# Not a permission granted on a review but what a partnership's business manager holds on each of
# its reviews (PartnershipMember.Standing.BUSINESS_MANAGER): reading, never writing, never an identity.
OVERSEE = "oversee_review"
# What a business manager holds on every review of their partnership, with no row of their own.
OVERSIGHT_PERMS = frozenset({"view_review", OVERSEE})

# Roles that may read case detail (subjects, key dates, the chronology, findings). A read-only
# scrutineer sees progress and timeliness only (docs/DOMAIN.md "Who uses it").
CASE_DETAIL = frozenset({COORDINATE, CHAIR, "sit_on_panel", LEAD_AGENCY, OVERSEE})
# The CDOP's anonymised papers: the coordinator, the panel's chair and its members (never an identity).
CDOP_READERS = frozenset({COORDINATE, CHAIR, "sit_on_panel", OVERSEE})
# Roles that see every agency's row of a review's contributions.
REVIEW_WIDE_READERS = frozenset({COORDINATE, CHAIR, "sit_on_panel", "scrutinise_review", OVERSEE})
# Findings and recommendations are drafted by the coordinator or the independent reviewer (the chair).
FINDINGS_DRAFTERS = (COORDINATE, CHAIR)
# The overview report is written by the same two; the panel reads its drafts (docs/DOMAIN.md
# "Overview report"). Agency leads see a draft only when it is sent to them for factual accuracy.
REPORT_WRITERS = FINDINGS_DRAFTERS
REPORT_READERS = frozenset({COORDINATE, CHAIR, "sit_on_panel", OVERSEE})

# How a refusal names a role's holder: "You need the chair's role on ...".
_HOLDER = {
    Role.COORDINATOR: "the review coordinator's",
    Role.CHAIR: "the chair's",
    Role.PANEL_MEMBER: "a panel member's",
    Role.AGENCY_LEAD: "an agency lead's",
    Role.SCRUTINEER: "a scrutineer's",
}
_OVERSEER = "the partnership's business manager's"

# One codename, or several of which any will do (asked in the order given).
Needed = str | Iterable[str]


def _ordered(needed: Needed) -> list[str]:
    return [needed] if isinstance(needed, str) else list(dict.fromkeys(needed))


def _codenames(needed: Needed) -> frozenset[str]:
    return frozenset(_ordered(needed))


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def refusal(review: Review, needed: Needed, doing: str) -> str:
    """Why a user with a role on ``review`` may not do this: the role(s) that would let them."""
    codenames = _codenames(needed)
    holders = [_HOLDER[role] for role in Role if codenames & set(ROLE_PERMISSIONS[role])]
    if OVERSEE in codenames:
        holders.append(_OVERSEER)
    return f"You need {_either(holders)} role on {review} to {doing}."


def require_review_perm(user: AnyUser | None, needed: Needed, review: Review, doing: str) -> None:
    """PermissionDenied, naming the role that is missing, unless ``user`` holds one of ``needed``
    on ``review`` (``has_review_perm``, asked of each in turn: superusers may)."""
    if not any(has_review_perm(user, codename, review) for codename in _ordered(needed)):
        raise PermissionDenied(refusal(review, needed, doing))


# --- agency leads and partnership coordinators ----------------------------------------------------


def is_agency_lead(user: AnyUser | None, *, review_id: int, agency_id: int) -> bool:
    """Whether ``user`` is the lead for this agency on this review (contributions, actions, evidence)."""
    if not (user and user.is_authenticated):
        return False
    return ReviewRole.objects.filter(
        review_id=review_id, user_id=user.pk, role=Role.AGENCY_LEAD, agency_id=agency_id
    ).exists()


def is_owner_lead(user: AnyUser | None, action: Action) -> bool:
    """Whether ``user`` leads the agency that owns ``action``, on its review."""
    return is_agency_lead(user, review_id=action.review_id, agency_id=action.owner_agency_id)


def lead_agency_ids(user: AnyUser | None, review: Review) -> frozenset[int]:
    """The agencies ``user`` leads on ``review``: one query."""
    if not (user and user.is_authenticated):
        return frozenset()
    return frozenset(
        ReviewRole.objects.filter(review=review, user_id=user.pk, role=Role.AGENCY_LEAD).values_list(
            "agency_id", flat=True
        )
    )


def require_agency_lead(
    user: AnyUser | None, of: AgencyContribution | Action, doing: str, *, or_coordinator: bool = False
) -> None:
    """PermissionDenied unless ``user`` leads the agency of this contribution (or owning this
    action) on its review, or, if ``or_coordinator``, coordinates the review."""
    agency_id = of.owner_agency_id if isinstance(of, Action) else of.agency_id
    if is_agency_lead(user, review_id=of.review_id, agency_id=agency_id):
        return
    if or_coordinator and has_review_perm(user, COORDINATE, of.review):
        return
    agency = of.owner_agency if isinstance(of, Action) else of.agency
    raise PermissionDenied(lead_refusal(of.review, agency, doing, or_coordinator=or_coordinator))


def lead_refusal(review: Review, agency: Agency, doing: str, *, or_coordinator: bool = False) -> str:
    """Why a user may not do this on an agency's contribution or action: it needs that agency's
    lead (or, if ``or_coordinator``, the review's coordinator)."""
    holders = f"the {agency} lead's" + (" or the review coordinator's" if or_coordinator else "")
    return f"You need {holders} role on {review} to {doing}."


def is_partnership_coordinator(user: AnyUser | None, partnership_id: int) -> bool:
    if not (user and user.is_authenticated):
        return False
    return PartnershipMember.objects.filter(
        user_id=user.pk, partnership_id=partnership_id, standing=PartnershipMember.Standing.COORDINATOR
    ).exists()


def require_partnership_coordinator(user: AnyUser | None, partnership: Partnership, doing: str) -> None:
    if not is_partnership_coordinator(user, partnership.pk):
        raise PermissionDenied(f"You need to be a review coordinator of {partnership} to {doing}.")


def partnerships_user_coordinates(user: AnyUser | None) -> list[Partnership]:
    if not (user and user.is_authenticated):
        return []
    return list(
        Partnership.objects.filter(
            members__user_id=user.pk, members__standing=PartnershipMember.Standing.COORDINATOR
        ).order_by("name")
    )


def partnerships_for(user: AnyUser, doing: str) -> list[Partnership]:
    """The partnerships ``user`` coordinates (opening a review, scheduling a panel): 403 if none."""
    partnerships = partnerships_user_coordinates(user)
    if not partnerships:
        raise PermissionDenied(f"You need to be a review coordinator of a partnership to {doing}.")
    return partnerships


def intake_item_for(user: AnyUser, reference: str) -> IntakeItem:
    """A notification in an intake queue: it exists only for the coordinators of the partnership it
    was routed to (404 to everyone else, as for a reference that does not exist)."""
    item = IntakeItem.objects.select_related("partnership", "review", "linked_to").filter(reference=reference).first()
    if item is None or not is_partnership_coordinator(user, item.partnership_id):
        raise Http404("No such notification.")
    return item


# --- a partnership's figures ----------------------------------------------------------------------

# Who reads a partnership's figures (the oversight dashboard, the annual report, timeliness across
# reviews): its coordinators and business managers exactly, marked "not for publication"; its
# scrutineers only under disclosure control (reviews/disclosure.py), and never the reviews behind them.
_FIGURES_EXACT = frozenset({PartnershipMember.Standing.COORDINATOR, PartnershipMember.Standing.BUSINESS_MANAGER})
FIGURES_READERS = _FIGURES_EXACT | {PartnershipMember.Standing.SCRUTINEER}


@dataclass(frozen=True)
class FiguresAccess:
    partnership: Partnership
    standing: str

    @property
    def exact(self) -> bool:
        """Exact counts, for use inside the partnership; otherwise disclosure-controlled ones."""
        return self.standing in _FIGURES_EXACT

    @property
    def sees_reviews(self) -> bool:
        """Whether a figure links to the reviews behind it (the list it leads to is still only the
        reviews the user may see: reviews_for_user)."""
        return self.standing != PartnershipMember.Standing.SCRUTINEER

    @property
    def standing_label(self) -> str:
        return str(PartnershipMember.Standing(self.standing).label)


def figure_partnerships(user: AnyUser | None) -> list[FiguresAccess]:
    """Every partnership whose figures ``user`` reads, by name: one query."""
    if not (user and user.is_authenticated):
        return []
    members = (
        PartnershipMember.objects.select_related("partnership")
        .filter(user_id=user.pk, standing__in=FIGURES_READERS)
        .order_by("partnership__name")
    )
    return [FiguresAccess(partnership=member.partnership, standing=member.standing) for member in members]


def _membership_for(user: AnyUser, code: str, standings: Iterable[str]) -> PartnershipMember:
    """``user``'s membership of the partnership ``code`` if it has one of ``standings``; otherwise
    a 404, as for a partnership that does not exist. One query."""
    member = (
        PartnershipMember.objects.select_related("partnership")
        .filter(user_id=user.pk, partnership__code=code, standing__in=list(standings))
        .first()
        if user.is_authenticated
        else None
    )
    if member is None:
        raise Http404("No such partnership.")
    return member


def partnership_figures_for(user: AnyUser, code: str) -> FiguresAccess:
    """A partnership's figures: 404 to anyone who is not its coordinator, business manager or
    scrutineer (a partnership's code is no secret, but its figures are)."""
    member = _membership_for(user, code, FIGURES_READERS)
    return FiguresAccess(partnership=member.partnership, standing=member.standing)


# --- a partnership's themes -----------------------------------------------------------------------

# The theme list (reviews/models/findings.py Theme) is kept by the partnership's business unit: its
# coordinators, administrator and business manager (who tag findings and answer for the report).
_THEME_EDITORS = frozenset(
    {
        PartnershipMember.Standing.COORDINATOR,
        PartnershipMember.Standing.ADMINISTRATOR,
        PartnershipMember.Standing.BUSINESS_MANAGER,
    }
)


def themes_editor_for(user: AnyUser, code: str) -> Partnership:
    """The partnership whose theme list ``user`` edits: 404 to anyone but its coordinators,
    administrator or business manager. One query."""
    return _membership_for(user, code, _THEME_EDITORS).partnership


def may_edit_themes(user: AnyUser | None, partnership_id: int) -> bool:
    """Whether ``user`` may change the partnership's theme list: its administrator, business
    manager or a review coordinator of it."""
    if not (user and user.is_authenticated):
        return False
    return PartnershipMember.objects.filter(
        user_id=user.pk,
        partnership_id=partnership_id,
        standing__in=_THEME_EDITORS,
    ).exists()


def partnership_reader_for(user: AnyUser, code: str) -> Partnership:
    """A partnership's pages across its reviews (a theme page): 404 to a user with neither a
    standing in it nor a review of it they may see. One query."""
    if not user.is_authenticated:
        raise Http404("No such partnership.")
    partnership = (
        Partnership.objects.filter(code=code)
        .filter(
            Q(Exists(PartnershipMember.objects.filter(user_id=user.pk, partnership_id=OuterRef("pk"))))
            | Q(Exists(reviews_for_user(user).filter(partnership_id=OuterRef("pk"))))
        )
        .first()
    )
    if partnership is None:
        raise Http404("No such partnership.")
    return partnership


# --- a partnership's webhooks --------------------------------------------------------------------


def is_partnership_administrator(user: AnyUser | None, partnership_id: int) -> bool:
    """Whether ``user`` administers the partnership (its webhooks' services ask it under their lock)."""
    return bool(
        user is not None
        and user.is_authenticated
        and PartnershipMember.objects.filter(
            user_id=user.pk, partnership_id=partnership_id, standing=PartnershipMember.Standing.ADMINISTRATOR
        ).exists()
    )


def partnership_admin_for(user: AnyUser, code: str) -> Partnership:
    """The partnership whose webhooks ``user`` manages: 404 to anyone but its administrator (the
    endpoints and their secrets are the partnership's systems, not its reviews). One query."""
    return _membership_for(user, code, [PartnershipMember.Standing.ADMINISTRATOR]).partnership


# --- one review -----------------------------------------------------------------------------------


def _permission_rows(user: User) -> QuerySet[ReviewUserObjectPermission]:
    return ReviewUserObjectPermission.objects.filter(
        user_id=user.pk, permission__content_type__app_label="reviews", permission__content_type__model="review"
    )


def _managed_partnerships(user: User) -> QuerySet[PartnershipMember, Any]:
    """The partnerships ``user`` is business manager of, as a subquery of their ids."""
    return PartnershipMember.objects.filter(
        user_id=user.pk, standing=PartnershipMember.Standing.BUSINESS_MANAGER
    ).values("partnership_id")


def reviews_for_user(user: AnyUser | None) -> QuerySet[Review]:
    """Reviews on which ``user`` holds ``view_review``, and every review of a partnership they are
    business manager of; none at all for an anonymous user."""
    if not (user and user.is_authenticated):
        return Review.objects.none()
    return Review.objects.filter(pk__in=review_ids_for_user(user))


def review_ids_for_user(user: AnyUser | None) -> QuerySet[Any, Any]:
    """The ids of ``reviews_for_user``, as a subquery: for filtering the rows of many reviews
    (their clocks) by ``review_id`` without joining the reviews table."""
    if not (user and user.is_authenticated):
        return Review.objects.none().values("pk")
    review_ids = _permission_rows(user).filter(permission__codename="view_review").values("content_object_id")
    return _with_managed_reviews(review_ids, user)


def _with_managed_reviews(review_ids: QuerySet[Any, Any], user: User) -> QuerySet[Any, Any]:
    """``review_ids`` and the ids of every review of a partnership ``user`` is business manager of,
    as one subquery.

    A UNION, not ``pk IN (...) OR partnership_id IN (...)``: PostgreSQL cannot take an OR of two
    subqueries through an index, so it read all 40,000 reviews to find a coordinator's 2,000 (and
    expected 30,000, choosing sequential scans for whatever was joined next). The UNION reads the
    user's permission rows and the managed partnerships' reviews through their indexes.
    """
    managed = Review.objects.filter(partnership_id__in=_managed_partnerships(user)).order_by().values("pk")
    return review_ids.order_by().union(managed)


def reviews_holding(user: AnyUser | None, needed: Needed) -> QuerySet[Review]:
    """Reviews on which ``user`` holds one of ``needed``, as ``ReviewAccess.holds`` reads it: their
    own permission rows, and ``OVERSIGHT_PERMS`` on every review of a partnership they are business
    manager of. For filtering rows across reviews (search, a theme page) in the same query."""
    if not (user and user.is_authenticated):
        return Review.objects.none()
    codenames = _codenames(needed)
    review_ids = _permission_rows(user).filter(permission__codename__in=codenames).values("content_object_id")
    if codenames & OVERSIGHT_PERMS:
        review_ids = _with_managed_reviews(review_ids, user)
    return Review.objects.filter(pk__in=review_ids)


@dataclass(frozen=True)
class ReviewAccess:
    """A review a user may see, and the codenames of the roles they hold on it."""

    review: Review
    perms: frozenset[str]

    def holds(self, needed: Needed) -> bool:
        return bool(self.perms & _codenames(needed))

    def require(self, needed: Needed, doing: str) -> None:
        """403, naming the role that is missing, unless the user holds one of ``needed``."""
        if not self.holds(needed):
            raise PermissionDenied(refusal(self.review, needed, doing))

    @property
    def is_coordinator(self) -> bool:
        return COORDINATE in self.perms

    @property
    def case_detail(self) -> bool:
        return self.holds(CASE_DETAIL)


def review_for(user: AnyUser, reference: str, needed: Needed = (), doing: str = "") -> ReviewAccess:
    """The review and the roles held on it: 404 to anyone without a role on it (they must not
    learn it exists), 403 to a role holder without one of ``needed`` (if given). Two queries."""
    if not user.is_authenticated:  # no role on any review
        raise Http404("No such review.")
    # The review by its reference first, then the user's codenames on it: every review page starts
    # here, and matching the reference against all the user's reviews (reviews_for_user) read a
    # coordinator's 2,000 permission rows to find one.
    review = (
        Review.objects.select_related("partnership")
        .annotate(overseen=Exists(_managed_partnerships(user).filter(partnership_id=OuterRef("partnership_id"))))
        .filter(reference=reference)
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    # One query for every codename (guardian's has_perm costs one per call).
    perms = frozenset(
        _permission_rows(user).filter(content_object=review).values_list("permission__codename", flat=True)
    )
    if review.overseen:
        perms |= OVERSIGHT_PERMS
    elif "view_review" not in perms:  # what reviews_for_user asks: no role here, so no such review
        raise Http404("No such review.")
    access = ReviewAccess(review=review, perms=perms)
    if needed:
        access.require(needed, doing)
    return access


# --- one agency's contribution, one action ----------------------------------------------------------


@dataclass(frozen=True)
class AgencyObjectAccess:
    """What contributions and actions share: each belongs to one agency on one review, and exists
    only for the review's coordinator and that agency's lead."""

    review: Review
    perms: frozenset[str]
    agency: Agency
    is_lead: bool  # leads ``agency`` on the review

    @property
    def is_coordinator(self) -> bool:
        return COORDINATE in self.perms

    def require(self, needed: Needed, doing: str) -> None:
        """403 unless the user holds one of ``needed``: on an agency's object, ``LEAD_AGENCY``
        means leading that agency (the coordinator reads an agency's pages; the agency writes them)."""
        codenames = _codenames(needed)
        if (LEAD_AGENCY in codenames and self.is_lead) or (self.perms & (codenames - {LEAD_AGENCY})):
            return
        if codenames == {LEAD_AGENCY}:
            raise PermissionDenied(lead_refusal(self.review, self.agency, doing))
        raise PermissionDenied(refusal(self.review, codenames, doing))


@dataclass(frozen=True)
class ContributionAccess(AgencyObjectAccess):
    contribution: AgencyContribution


@dataclass(frozen=True)
class ActionAccess(AgencyObjectAccess):
    action: Action

    @property
    def is_owner_lead(self) -> bool:
        return self.is_lead


def contribution_for(
    user: AnyUser, reference: str, contribution_id: int, needed: Needed = (), doing: str = ""
) -> ContributionAccess:
    """The contribution: 404 unless the user coordinates the review or leads the contribution's
    agency on it (the other agency's lead included); then 403 without one of ``needed``."""
    review = review_for(user, reference)
    contribution = (
        AgencyContribution.objects.select_related("agency", "lead", "review__partnership")
        .filter(pk=contribution_id, review=review.review)
        .first()
    )
    if contribution is None:
        raise Http404("No such contribution.")
    is_lead = contribution.agency_id in lead_agency_ids(user, review.review)
    if not (is_lead or review.is_coordinator):
        raise Http404("No such contribution.")
    access = ContributionAccess(
        review=review.review,
        perms=review.perms,
        agency=contribution.agency,
        is_lead=is_lead,
        contribution=contribution,
    )
    if needed:
        access.require(needed, doing)
    return access


def contributions_for_user(user: AnyUser | None) -> QuerySet[AgencyContribution]:
    """Every contribution ``contribution_for`` opens to ``user``, across their reviews: those of the
    agencies they lead on a review, and every one on the reviews they coordinate. For lists (the
    API's contributions); one query with the page's rows, by EXISTS subqueries (no duplicates)."""
    if not (user and user.is_authenticated):
        return AgencyContribution.objects.none()
    leads = ReviewRole.objects.filter(
        review_id=OuterRef("review_id"), agency_id=OuterRef("agency_id"), user_id=user.pk, role=Role.AGENCY_LEAD
    )
    coordinated = _permission_rows(user).filter(permission__codename=COORDINATE).values("content_object_id")
    return AgencyContribution.objects.filter(Q(Exists(leads)) | Q(review_id__in=coordinated))


def action_for(user: AnyUser, reference: str, action_id: int, needed: Needed = (), doing: str = "") -> ActionAccess:
    """The action: 404 unless the user coordinates its review or leads its owning agency there
    (the other agency's lead included); then 403 without one of ``needed``."""
    review = review_for(user, reference)
    action = (
        Action.objects.select_related("review__partnership", "recommendation", "owner_agency", "completed_by")
        .select_related("verified_by")
        .filter(pk=action_id, review=review.review)
        .first()
    )
    if action is None:
        raise Http404("No such action.")
    is_lead = action.owner_agency_id in lead_agency_ids(user, review.review)
    if not (is_lead or review.is_coordinator):
        raise Http404("No such action.")
    access = ActionAccess(
        review=review.review, perms=review.perms, agency=action.owner_agency, is_lead=is_lead, action=action
    )
    if needed:
        access.require(needed, doing)
    return access


# --- a factual accuracy round ---------------------------------------------------------------------


@dataclass(frozen=True)
class RoundAccess:
    """A factual accuracy round, and whom it is shown to: the report's writers see every agency's
    comments; an agency lead asked in the round sees the draft and their own agency's only."""

    review: Review
    perms: frozenset[str]
    round: AccuracyRound
    # The agencies of the round the user leads on the review.
    own_agency_ids: frozenset[int]

    @property
    def sees_all(self) -> bool:
        return bool(self.perms & set(REPORT_WRITERS))

    @property
    def is_lead(self) -> bool:
        return bool(self.own_agency_ids)


def accuracy_round_for(user: AnyUser, reference: str, round_id: int, doing: str = "") -> RoundAccess:
    """The round: 404 unless the user holds a role on its review (and the round is the review's);
    403 unless they write the report or lead an agency asked in the round. Four queries."""
    review = review_for(user, reference)
    accuracy_round = (
        AccuracyRound.objects.select_related("version", "sent_by").filter(pk=round_id, review=review.review).first()
    )
    if accuracy_round is None:
        raise Http404("No such factual accuracy round.")
    asked = set(accuracy_round.agencies.values_list("agency_id", flat=True))
    own = lead_agency_ids(user, review.review) & asked
    access = RoundAccess(review=review.review, perms=review.perms, round=accuracy_round, own_agency_ids=frozenset(own))
    if not (access.sees_all or access.is_lead):
        raise PermissionDenied(
            f"You need the chair's or the review coordinator's role on {review.review}, or to lead an agency "
            f"asked for comments, to {doing or 'see this factual accuracy round'}."
        )
    return access


# --- panel meetings -------------------------------------------------------------------------------

# What a meeting's pages ask for: not a role on a review, but a partnership coordinator's standing
# (to run the meeting) or being at it (to read its papers).
RUN_MEETING = "run_meeting"
READ_PAPERS = "read_papers"


@dataclass(frozen=True)
class MeetingAccess:
    meeting: PanelMeeting
    is_coordinator: bool  # coordinates the meeting's partnership
    invited: bool
    absent: bool

    @property
    def sees_papers(self) -> bool:
        """The papers go to the attendees: invitees not recorded as absent, and the partnership's
        coordinators who run the meeting."""
        return self.is_coordinator or (self.invited and not self.absent)

    def require(self, needed: str, doing: str) -> None:
        if needed == RUN_MEETING and not self.is_coordinator:
            raise PermissionDenied(f"You need to be a review coordinator of {self.meeting.partnership} to {doing}.")
        if needed == READ_PAPERS and not self.sees_papers:
            raise PermissionDenied(
                f"You need to be at the meeting of {self.meeting.held_on:%-d %B %Y} to {doing}: "
                "you were recorded as absent."
            )


def meeting_for(user: AnyUser, meeting_id: int, needed: str = "", doing: str = "") -> MeetingAccess:
    """The meeting: 404 unless the user coordinates its partnership or was invited to it; then 403
    without ``needed`` (``RUN_MEETING`` or ``READ_PAPERS``). Three queries."""
    meeting = PanelMeeting.objects.select_related("partnership", "chair").filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No such meeting.")
    coordinates = is_partnership_coordinator(user, meeting.partnership_id)
    invitation = meeting.invitations.filter(user_id=user.pk).first() if user.is_authenticated else None
    if not coordinates and invitation is None:
        raise Http404("No such meeting.")
    access = MeetingAccess(
        meeting=meeting,
        is_coordinator=coordinates,
        invited=invitation is not None,
        absent=invitation is not None and invitation.attended is False,
    )
    if needed:
        access.require(needed, doing)
    return access


# --- documents and the family's involvement ---------------------------------------------------------

# The review's documents are the coordinator's to keep; an agency lead adds their own agency's records.
DOCUMENT_UPLOADERS = frozenset({COORDINATE, LEAD_AGENCY})
# What the family said, and when they were told: the coordinator records it, the chair reads it.
FAMILY_READERS = frozenset({COORDINATE, CHAIR})


def readable_documents_q(perms: frozenset[str], lead_agencies: frozenset[int]) -> Q:
    """Which of a review's documents a user holding ``perms`` on it (and leading ``lead_agencies``)
    may read, as a filter: the coordinator every one; the chair, panel members and scrutineers
    those opened to their role; an agency lead those opened to an agency they lead."""
    if COORDINATE in perms:
        return Q()
    readable = Q(pk__in=[])
    if CHAIR in perms:
        readable |= Q(chair_may_read=True)
    if "sit_on_panel" in perms:
        readable |= Q(panel_may_read=True)
    if "scrutinise_review" in perms:
        readable |= Q(scrutineers_may_read=True)
    if LEAD_AGENCY in perms and lead_agencies:
        # EXISTS, not a join: one row per document however many of its agencies the user leads.
        readable |= Q(
            Exists(
                Document.reader_agencies.through.objects.filter(
                    document_id=OuterRef("pk"), agency_id__in=sorted(lead_agencies)
                )
            )
        )
    return readable


def can_read_document(user: AnyUser | None, document: Document) -> bool:
    """Whether ``user`` may read ``document`` (its page, its versions, its downloads). Superusers
    keep has_review_perm's meaning (the platform operator); two queries."""
    perms = held_review_perms(user, document.review, ROLE_CODENAMES)
    if not perms:
        return False
    leads = lead_agency_ids(user, document.review) if LEAD_AGENCY in perms else frozenset()
    return Document.objects.filter(pk=document.pk).filter(readable_documents_q(perms, leads)).exists()


def may_add_document_version(perms: frozenset[str], lead_agencies: frozenset[int], document: Document) -> bool:
    """The coordinator adds a version of any document; an agency lead, of their own agency's records."""
    if COORDINATE in perms:
        return True
    return document.kind == DocumentKind.AGENCY_RECORDS and document.agency_id in lead_agencies


def document_version_refusal(review: Review, document: Document, doing: str) -> str:
    if document.kind == DocumentKind.AGENCY_RECORDS and document.agency is not None:
        return lead_refusal(review, document.agency, doing, or_coordinator=True)
    return refusal(review, COORDINATE, doing)


# Every codename a role grants on a review (reviews.models.roles.ROLE_PERMISSIONS).
ROLE_CODENAMES = frozenset(codename for codenames in ROLE_PERMISSIONS.values() for codename in codenames)


@dataclass(frozen=True)
class DocumentAccess:
    review: Review
    perms: frozenset[str]
    lead_agencies: frozenset[int]
    document: Document

    @property
    def is_coordinator(self) -> bool:
        return COORDINATE in self.perms

    @property
    def may_add_version(self) -> bool:
        return may_add_document_version(self.perms, self.lead_agencies, self.document)

    def require_coordinator(self, doing: str) -> None:
        if not self.is_coordinator:
            raise PermissionDenied(refusal(self.review, COORDINATE, doing))


def documents_reader(user: AnyUser, reference: str) -> tuple[ReviewAccess, frozenset[int]]:
    """The review (404 without a role on it) and the agencies the user leads there."""
    access = review_for(user, reference)
    leads = lead_agency_ids(user, access.review) if LEAD_AGENCY in access.perms else frozenset()
    return access, leads


def document_for(user: AnyUser, reference: str, document_id: int, *, adding_version: bool = False) -> DocumentAccess:
    """A document of the review: 404 to anyone without a role on the review and to a role holder it
    is not opened to (a document's title says what it is, so its existence is not hinted at); then,
    if ``adding_version``, 403 unless the user may add a version (the coordinator, or the lead of
    the agency whose records it is)."""
    access, leads = documents_reader(user, reference)
    document = (
        Document.objects.select_related("agency", "created_by")
        .filter(pk=document_id, review=access.review)
        .filter(readable_documents_q(access.perms, leads))
        .first()
    )
    if document is None:
        raise Http404("No such document.")
    found = DocumentAccess(review=access.review, perms=access.perms, lead_agencies=leads, document=document)
    if adding_version and not found.may_add_version:
        raise PermissionDenied(document_version_refusal(access.review, document, "add a version of this document"))
    return found
