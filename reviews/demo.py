"""The demo data behind `manage.py seed_demo`: a fictional partnership and its reviews.

Everything here is invented. Northbridge is a fictional large English city; people, addresses
and NHS numbers are made up (NHS numbers come from the 999 range, which is never issued to
patients). Reviews are made through the services, so references, clocks, roles, permissions and
the audit trail are exactly what a coordinator would have produced by hand.

Seeding converges rather than replays: each step first looks for what it would create (users by
username, agencies by name, reviews by partnership + kind + title, subjects by pseudonym, roles by
user + role) and only adds what is missing, so running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from nhs_number import calculate_checksum

from reviews.demo_year import seed_year_volume
from reviews.models import (
    Agency,
    AgencyKind,
    ChildDeath,
    ClosureDay,
    IntakeContact,
    JointAgencyResponseItem,
    Notice,
    NoticeKind,
    Partnership,
    PartnershipMember,
    PostcodeArea,
    Review,
    ReviewKind,
    ReviewRole,
    ReviewState,
    Role,
    Sex,
)
from reviews.models.child_death import Disability, Ethnicity, JarItem, PlaceOfDeath
from reviews.services.agencyforms import agency_forms_load_defaults
from reviews.services.child_death import DatasetData, JarItemData, child_death_dataset_record, jar_item_record
from reviews.services.notices import NoticeData, notice_record
from reviews.services.review import review_advance, review_convert_to_cspr, review_open
from reviews.services.roles import review_role_grant
from reviews.services.subjects import SubjectData, subject_add
from workflows.runner import TransitionRefused
from workflows.types import User

Standing = PartnershipMember.Standing

PARTNERSHIP_NAME = "Northbridge Safeguarding Children Partnership"
PARTNERSHIP_CODE = "NSCP"
# A children's partnership: adults' reviews (SAR) and DHRs belong to other boards.
PARTNERSHIP_KINDS = [
    ReviewKind.CHILD_DEATH,
    ReviewKind.RAPID,
    ReviewKind.CSPR,
    ReviewKind.SCR,
    ReviewKind.INSTITUTIONAL,
]
CLOSURE_DAYS = [
    (date(2026, 12, 29), "Northbridge City Council closure between Christmas and New Year"),
    (date(2026, 12, 30), "Northbridge City Council closure between Christmas and New Year"),
]


# --- agencies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencySeed:
    key: str
    name: str
    short_name: str
    kind: str


AGENCIES = [
    AgencySeed("police", "Northbridge Police", "Police", AgencyKind.POLICE),
    AgencySeed("csc", "Northbridge Children's Social Care", "Children's social care", AgencyKind.CHILDRENS_SOCIAL_CARE),
    AgencySeed("acute", "Northbridge University Hospitals NHS Trust", "Hospitals", AgencyKind.ACUTE_HEALTH),
    AgencySeed("community", "Northbridge Community Health", "Health visiting", AgencyKind.COMMUNITY_HEALTH),
    AgencySeed("gp", "Northbridge GP Federation", "GP", AgencyKind.PRIMARY_CARE),
    AgencySeed("mental_health", "Northbridge Mental Health Trust", "Mental health", AgencyKind.MENTAL_HEALTH),
    AgencySeed("schools", "Northbridge Schools", "Education", AgencyKind.EDUCATION),
    AgencySeed("nursery", "Little Acorns Nursery", "Little Acorns", AgencyKind.EARLY_YEARS),
    AgencySeed("probation", "Northbridge Probation Delivery Unit", "Probation", AgencyKind.PROBATION),
    AgencySeed("ambulance", "Northshire Ambulance Service NHS Trust", "Ambulance", AgencyKind.AMBULANCE),
]


# --- users ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserSeed:
    username: str
    first_name: str
    last_name: str
    role: str  # as printed in the logins table
    standing: str = Standing.MEMBER
    superuser: bool = False
    agency: str | None = None  # the agency key they work for: only its members may lead it


USERS = [
    UserSeed("coordinator", "Priya", "Ashdown", "Review coordinator (business unit)", Standing.COORDINATOR),
    UserSeed("chair", "Margaret", "Thistlewood", "Chair / independent reviewer"),
    UserSeed("panel", "Daniel", "Okonjo-Reeve", "Panel member"),
    UserSeed("police.lead", "Tom", "Harrowgate", "Agency lead: Northbridge Police", agency="police"),
    UserSeed("gp.lead", "Aisha", "Kendrick", "Agency lead: Northbridge GP Federation", agency="gp"),
    UserSeed("health.lead", "Ruth", "Calloway", "Agency lead: Northbridge Community Health", agency="community"),
    UserSeed("nursery.lead", "Jade", "Whitlock", "Agency lead: Little Acorns Nursery", agency="nursery"),
    UserSeed("scrutineer", "Graham", "Fellowes", "Read-only scrutineer"),
    UserSeed("business.manager", "Helen", "Marchbank", "Partnership business manager", Standing.BUSINESS_MANAGER),
    UserSeed(
        "partnership.scrutineer", "Kofi", "Adjei-Lund", "Independent scrutineer (partnership)", Standing.SCRUTINEER
    ),
    UserSeed("admin", "Sam", "Brightmore", "Partnership administrator (Django admin)", Standing.ADMINISTRATOR, True),
]


# --- reviews --------------------------------------------------------------------------------


def demo_nhs_number(serial: int) -> str:
    """A valid NHS number from the 999 range (never issued to patients), stable for ``serial``.

    Serials whose check digit would be 10 have no valid number, so they step on to the next.
    """
    while True:
        stem = f"999{serial:06d}"
        check = calculate_checksum(stem)
        if check is not None and check < 10:
            return f"{stem}{check}"
        serial += 1


def _years_before(day: date, years: int, days: int = 0) -> date:
    # 29 Feb has no twin in most years; the day before is close enough for a demo birthday.
    try:
        shifted = day.replace(year=day.year - years)
    except ValueError:
        shifted = day.replace(year=day.year - years, day=28)
    return shifted - timedelta(days=days)


@dataclass(frozen=True)
class ReviewSeed:
    key: str
    kind: str
    title: str
    key_dates: dict[str, date | None]
    subjects: list[SubjectData]
    # (username, role, agency key or None). The opening coordinator is added by the service.
    roles: list[tuple[str, str, str | None]]
    # Transitions to take, in order, unless the review is already at or past their target.
    steps: list[str] = field(default_factory=list)
    convert: bool = False  # rapid review converted into a local CSPR after `steps`
    # Onward notices recorded on it (kind -> what was sent), each once.
    notices: dict[str, NoticeData] = field(default_factory=dict)
    cspr_steps: list[str] = field(default_factory=list)
    # A child death review's notification dataset and its joint agency response's steps, each once.
    child_death: DatasetData | None = None
    jar: dict[str, JarItemData] = field(default_factory=dict)


def review_seeds(today: date) -> list[ReviewSeed]:
    """The demo reviews, dated relative to ``today`` so their clocks show every status.

    (a) CDR at agency submissions: an unexpected death at home, its notification dataset recorded;
        48-hour notification met; the joint home visit done the same day (met), the information-
        sharing meeting still to record (overdue); review meeting (3 months) overdue; CDOP running.
    (b) Rapid review decided and sent to the national Panel in time, converted into a CSPR months
        later: its 15 working days met (they stop on the date it was sent, not on the conversion);
        the CSPR at agency submissions, its 6 months running.
    (c) Nursery investigation at scoping: LADO met, Panel notification met late, Ofsted due
        tomorrow (due soon).
    (d) Fresh rapid review at notification, notified yesterday: a visitor can start scoping.
    """
    cdr_death = today - timedelta(days=100)
    rr_aware = today - timedelta(days=160)
    inv_aware = today - timedelta(days=13)
    fresh_aware = today - timedelta(days=3)
    panel_and_leads = [
        ("chair", Role.CHAIR, None),
        ("panel", Role.PANEL_MEMBER, None),
        ("police.lead", Role.AGENCY_LEAD, "police"),
    ]
    return [
        ReviewSeed(
            key="cdr",
            kind=ReviewKind.CHILD_DEATH,
            title="Child C (aged 4 months)",
            key_dates={
                "incident_on": cdr_death,
                "became_aware_on": cdr_death,
                "notified_on": cdr_death + timedelta(days=1),
            },
            subjects=[
                SubjectData(
                    pseudonym="Child C",
                    date_of_birth=cdr_death - timedelta(days=122),
                    date_of_death_or_incident=cdr_death,
                    sex=Sex.MALE,
                    full_name="Oscar James Penhallow",
                    nhs_number=demo_nhs_number(101),
                    address="14 Larkspur Row, Eastgate, Northbridge NB4 2QT",
                )
            ],
            roles=[
                *panel_and_leads,
                ("gp.lead", Role.AGENCY_LEAD, "gp"),
                ("health.lead", Role.AGENCY_LEAD, "community"),
                ("scrutineer", Role.SCRUTINEER, None),
            ],
            # Not to panel: that step waits for every agency's contribution, which the demo leaves
            # for a visitor to submit.
            steps=["start_scoping", "request_submissions"],
            child_death=DatasetData(
                died_on=cdr_death,
                became_aware_on=cdr_death,
                became_aware_at=time(7, 40),
                unexpected=True,
                place_of_death=PlaceOfDeath.HOME,
                ethnicity=Ethnicity.WHITE_BRITISH,
                looked_after=False,
                disability=Disability.NO,
                home_local_authority="Northbridge City Council",
                notifier_name="Dr Imogen Vale",
                notifier_role="Consultant paediatrician, Northbridge General Hospital",
            ),
            jar={
                JarItem.HOME_VISIT: JarItemData(
                    done_on=cdr_death,
                    done_at=time(15, 0),
                    done_by="DS Hale, police; Dr Vale, paediatrician",
                    note="The sleeping arrangements were seen and photographed.",
                )
            },
        ),
        ReviewSeed(
            key="rapid_converted",
            kind=ReviewKind.RAPID,
            title="Child A (aged 2)",
            key_dates={
                "incident_on": rr_aware - timedelta(days=1),
                "became_aware_on": rr_aware,
                "notified_on": rr_aware + timedelta(days=2),
                "decision_on": rr_aware + timedelta(days=20),
                # Sent with the partners' decision: within 15 working days of the notification (at
                # least 21 calendar days), so the clock is met however late the conversion.
                "sent_to_panel_on": rr_aware + timedelta(days=20),
            },
            subjects=[
                SubjectData(
                    pseudonym="Child A",
                    date_of_birth=_years_before(rr_aware, 2, days=95),
                    date_of_death_or_incident=rr_aware - timedelta(days=1),
                    sex=Sex.FEMALE,
                    full_name="Lily-Mae Orchard",
                    nhs_number=demo_nhs_number(202),
                    address="Flat 3, 27 Tanners Yard, Millbrook, Northbridge NB7 5LD",
                )
            ],
            roles=[
                *panel_and_leads,
                ("gp.lead", Role.AGENCY_LEAD, "gp"),
                ("health.lead", Role.AGENCY_LEAD, "community"),
                ("nursery.lead", Role.AGENCY_LEAD, "nursery"),
                ("scrutineer", Role.SCRUTINEER, None),
            ],
            notices={
                NoticeKind.SERIOUS_INCIDENT: _si_notice(
                    rr_aware + timedelta(days=2),
                    "Child A (aged 2) was admitted to hospital with a fractured arm; the explanation given did "
                    "not match the injury.",
                    "Police; children's social care; the GP; the health visiting service; the nursery.",
                ),
                # The Panel replied about 8 working days after the rapid review reached it (practice: 10).
                NoticeKind.PANEL_REPLY: NoticeData(
                    sent_on=rr_aware + timedelta(days=32),
                    panel_agrees=True,
                    note="The Panel agreed a local review is the right route.",
                ),
            },
            steps=["start_scoping"],
            convert=True,
            cspr_steps=["request_submissions"],
        ),
        ReviewSeed(
            key="nursery",
            kind=ReviewKind.INSTITUTIONAL,
            # The setting and the member of staff are letters only, as in published reports.
            title="Nursery Z: allegations against a member of staff (K)",
            key_dates={
                "incident_on": inv_aware - timedelta(days=2),
                "became_aware_on": inv_aware,
                "lado_referred_on": inv_aware,
                "notified_on": inv_aware + timedelta(days=9),
            },
            subjects=[
                SubjectData(
                    pseudonym="Child D",
                    date_of_birth=_years_before(inv_aware, 3, days=40),
                    date_of_death_or_incident=inv_aware - timedelta(days=2),
                    sex=Sex.FEMALE,
                    full_name="Ava Grace Tillbrook",
                    nhs_number=demo_nhs_number(303),
                    address="8 Quarry Hill Close, Northbridge NB2 9HS",
                ),
                SubjectData(
                    pseudonym="Child E",
                    date_of_birth=_years_before(inv_aware, 2, days=150),
                    date_of_death_or_incident=inv_aware - timedelta(days=2),
                    sex=Sex.MALE,
                    full_name="Noah Fenwick-Shaw",
                    nhs_number=demo_nhs_number(304),
                ),
                SubjectData(
                    pseudonym="Child F",
                    date_of_birth=_years_before(inv_aware, 1, days=200),
                    date_of_death_or_incident=inv_aware - timedelta(days=5),
                    sex=Sex.MALE,
                ),
            ],
            roles=[*panel_and_leads, ("health.lead", Role.AGENCY_LEAD, "community")],
            notices={
                NoticeKind.SERIOUS_INCIDENT: _si_notice(
                    inv_aware + timedelta(days=9),
                    "Three children at Nursery Z were found with unexplained bruising; a member of staff (K) "
                    "was suspended.",
                    "Police; children's social care; the LADO; Ofsted; the community health trust.",
                )
            },
            steps=["start_scoping"],
        ),
        ReviewSeed(
            key="rapid_fresh",
            kind=ReviewKind.RAPID,
            title="Child B (aged 9)",
            key_dates={
                "incident_on": fresh_aware,
                "became_aware_on": fresh_aware,
                "notified_on": today - timedelta(days=1),
            },
            subjects=[
                SubjectData(
                    pseudonym="Child B",
                    date_of_birth=_years_before(fresh_aware, 9, days=60),
                    date_of_death_or_incident=fresh_aware,
                    sex=Sex.MALE,
                )
            ],
            roles=[*panel_and_leads, ("gp.lead", Role.AGENCY_LEAD, "gp")],
            notices={
                NoticeKind.SERIOUS_INCIDENT: _si_notice(
                    today - timedelta(days=1),
                    "Child B (aged 9) disclosed at school that an adult at home hurt them.",
                    "Police; children's social care; the school.",
                )
            },
        ),
    ]


def _si_notice(sent_on: date, what_happened: str, agencies: str) -> NoticeData:
    return NoticeData(
        sent_on=sent_on,
        what_happened=what_happened,
        agencies_involved=agencies,
        immediate_actions="A strategy meeting was held the same day and a safety plan agreed for the children.",
    )


# --- seeding --------------------------------------------------------------------------------


@dataclass
class SeedResult:
    partnership: Partnership
    users: dict[str, User]
    reviews: dict[str, Review]
    created_reviews: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The financial years whose volume (reviews/demo_year.py) this run wrote, e.g. "2026 to 2027".
    years_written: list[str] = field(default_factory=list)


def seed_demo(*, today: date | None = None) -> SeedResult:
    """Create (or complete) the demo. One transaction: a failure leaves nothing half-seeded."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # The shipped agency forms, so a coordinator can ask for them (kept if already stored).
        agency_forms_load_defaults()
        partnership = _partnership()
        agencies = _agencies(partnership)
        users = _users(partnership, agencies)
        result = SeedResult(partnership=partnership, users=users, reviews={})
        for seed in review_seeds(today):
            _review(seed, partnership=partnership, agencies=agencies, users=users, result=result)
        # The year's volume behind the annual report, in bulk, after the showcase reviews (which
        # take the first references of today's year).
        result.years_written = seed_year_volume(partnership=partnership, agencies=agencies, users=users, today=today)
    return result


def _partnership() -> Partnership:
    partnership, _ = Partnership.objects.get_or_create(
        code=PARTNERSHIP_CODE, defaults={"name": PARTNERSHIP_NAME, "review_kinds": list(PARTNERSHIP_KINDS)}
    )
    # Closures first: they move the due dates of the clocks the reviews below start.
    for day, reason in CLOSURE_DAYS:
        ClosureDay.objects.get_or_create(partnership=partnership, date=day, defaults={"reason": reason})
    # The public notification form (/notify/) routes Northbridge (NB) postcodes here.
    PostcodeArea.objects.get_or_create(prefix="NB", defaults={"partnership": partnership})
    IntakeContact.objects.get_or_create(
        partnership=partnership, defaults={"email": "cdop@northbridge.example.org", "phone": "01632 960 000"}
    )
    return partnership


def _agencies(partnership: Partnership) -> dict[str, Agency]:
    agencies = {}
    for seed in AGENCIES:
        agency, _ = Agency.objects.get_or_create(
            name=seed.name, defaults={"short_name": seed.short_name, "kind": seed.kind}
        )
        agency.partnerships.add(partnership)  # add() ignores a link that already exists
        agencies[seed.key] = agency
    return agencies


def _users(partnership: Partnership, agencies: dict[str, Agency]) -> dict[str, User]:
    user_model = get_user_model()
    users = {}
    for seed in USERS:
        user, _ = user_model.objects.get_or_create(
            username=seed.username,
            defaults={
                "first_name": seed.first_name,
                "last_name": seed.last_name,
                "email": f"{seed.username}@example.org",
            },
        )
        # Reset on every run so the printed password always works, even after a visitor changed it.
        user.set_password(settings.DEMO_PASSWORD)
        user.is_active = True
        user.is_staff = seed.superuser
        user.is_superuser = seed.superuser
        user.save()
        PartnershipMember.objects.update_or_create(
            partnership=partnership,
            user=user,
            defaults={"standing": seed.standing, "agency": agencies[seed.agency] if seed.agency else None},
        )
        users[seed.username] = user
    return users


def _review(
    seed: ReviewSeed,
    *,
    partnership: Partnership,
    agencies: dict[str, Agency],
    users: dict[str, User],
    result: SeedResult,
) -> None:
    actor = users["coordinator"]
    review = Review.objects.filter(partnership=partnership, kind=seed.kind, title=seed.title).first()
    if review is None:
        review = review_open(
            actor=actor,
            partnership=partnership,
            kind=seed.kind,
            title=seed.title,
            key_dates=seed.key_dates,
            subject=seed.subjects[0],
        )
        result.created_reviews.append(review.reference)
    _ensure_subjects_and_roles(review, seed, agencies=agencies, users=users)
    _ensure_notices(review, seed, actor=actor)
    _ensure_child_death(review, seed, actor=actor)
    review = _advance(review, seed.steps, actor=actor, result=result)
    result.reviews[seed.key] = review

    if not seed.convert:
        return
    cspr = Review.objects.filter(converted_from=review).first()
    if cspr is None:
        cspr = review_convert_to_cspr(
            actor=actor,
            review_id=review.pk,
            reason="The partners agreed the case meets the criteria for a local child safeguarding practice review.",
        )
        result.created_reviews.append(cspr.reference)
        review.refresh_from_db()
        result.reviews[seed.key] = review
    # The conversion copied subjects and roles; this only fills in anything added since.
    _ensure_subjects_and_roles(cspr, seed, agencies=agencies, users=users)
    result.reviews[f"{seed.key}_cspr"] = _advance(cspr, seed.cspr_steps, actor=actor, result=result)


def _ensure_notices(review: Review, seed: ReviewSeed, *, actor: User) -> None:
    recorded = set(Notice.objects.filter(review=review).values_list("kind", flat=True))
    for kind, data in seed.notices.items():
        if kind not in recorded:
            notice_record(actor=actor, review_id=review.pk, kind=kind, data=data)


def _ensure_child_death(review: Review, seed: ReviewSeed, *, actor: User) -> None:
    if (
        seed.child_death is not None
        and not ChildDeath.objects.filter(review=review, dataset_recorded_at__isnull=False).exists()
    ):
        child_death_dataset_record(actor=actor, review_id=review.pk, data=seed.child_death)
    recorded = set(JointAgencyResponseItem.objects.filter(review=review).values_list("item", flat=True))
    for item, data in seed.jar.items():
        if item not in recorded:
            jar_item_record(actor=actor, review_id=review.pk, item=item, data=data)


def _ensure_subjects_and_roles(
    review: Review, seed: ReviewSeed, *, agencies: dict[str, Agency], users: dict[str, User]
) -> None:
    actor = users["coordinator"]
    have = set(review.subjects.values_list("pseudonym", flat=True))
    for subject in seed.subjects:
        if subject.pseudonym not in have:
            subject_add(actor=actor, review_id=review.pk, data=subject)
    held = set(ReviewRole.objects.filter(review=review).values_list("user__username", "role"))
    for username, role, agency_key in seed.roles:
        if (username, role) not in held:
            review_role_grant(
                actor=actor,
                review_id=review.pk,
                user=users[username],
                role=role,
                agency=agencies[agency_key] if agency_key else None,
            )


def _advance(review: Review, steps: list[str], *, actor: User, result: SeedResult) -> Review:
    """Take ``steps`` in order, skipping any whose target the review has already reached.

    A visitor may have moved a demo review on (or withdrawn it); seeding again never moves it back
    and never fails because of that. A step refused by a condition leaves the review where it is
    with a warning, so a new condition elsewhere degrades the demo instead of breaking `make run`.
    """
    targets = {
        meta.name: cast(str, meta.target) for meta in Review._meta.get_field("state").get_all_transitions(Review)
    }
    for step in steps:
        target = targets[step]
        if review.state == ReviewState.WITHDRAWN or review.has_reached(target):
            continue
        try:
            review = review_advance(actor=actor, review_id=review.pk, transition=step)
        except TransitionRefused as refused:
            result.warnings.append(
                f"{review.reference} stays at {review.get_state_display()}: "
                + " ".join([refused.message, *refused.reasons])
            )
            break
    return review


# --- the logins table -----------------------------------------------------------------------


def logins_table(result: SeedResult) -> list[tuple[str, str, str]]:
    """(username, role, what they can see) for every demo user, read from the roles granted."""
    references: dict[str, list[str]] = {}
    for username, reference in (
        ReviewRole.objects.filter(review__partnership=result.partnership, user__username__in=result.users)
        .order_by("review__reference")
        .values_list("user__username", "review__reference")
        .distinct()
    ):
        references.setdefault(username, []).append(reference)
    showcase = {review.reference for review in result.reviews.values()}
    total = Review.objects.filter(partnership=result.partnership).count()
    rows = []
    for seed in USERS:
        refs = references.get(seed.username, [])
        if seed.superuser:
            sees = "everything, including the Django admin at /admin/"
        elif seed.standing == Standing.COORDINATOR:
            sees = f"all {len(refs)} reviews with identities; opens and advances reviews"
        elif seed.standing == Standing.BUSINESS_MANAGER:
            sees = f"every review of the partnership ({total}), read-only, no identities; the exact figures"
        elif seed.standing == Standing.SCRUTINEER:
            sees = "the partnership's figures only (disclosure-controlled): no reviews"
        elif refs:
            # The year's volume gives the chair and the panel member many reviews: name the showcase ones.
            named = [ref for ref in refs if ref in showcase]
            sees = ", ".join(named)
            if len(refs) > len(named):
                sees += f" and {len(refs) - len(named)} more" if named else f"{len(refs)} reviews"
            if seed.username == "scrutineer":
                sees += " (progress and timeliness only)"
        else:
            sees = "no reviews yet"
        rows.append((seed.username, seed.role, sees))
    return rows
