"""Benchmark: every list page at national scale, for the heaviest coordinator, agency lead and chair.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reviews_bench_national \\
        .venv/bin/python bench/national.py --scale 1

Creates a throwaway database next to the one DATABASE_URL names (bench/throwaway_db.py), migrates
it and fills it in set-based SQL (``INSERT ... SELECT ... FROM generate_series``, one statement per
table) at ``--scale`` times the national figures of issue 12:

    150 partnerships, 40,000 reviews (5 agency contributions, 2 clocks, findings, 2 recommendations
    and 10 actions each), 10,000,000 chronology entries, 900,000 deadlines, 60 panel meetings per
    partnership; a coordinator of 2,000 reviews, a police lead on 1,000 requests, a chair of 500
    reviews, each with 20,000 in-app notifications (30 unread).

Then, signed in as each of the three through django.test.Client with a confirmed second factor (so
every middleware runs, as in production), loads each list page once to warm up and ``--runs``
times (default 5), and prints the median, the worst, the size of the page and its query count.
Target: every page under 300 ms, and the query counts the same at every scale. Also streams the
action tracker's CSV once. Drops the database at the end (``--keep`` to leave it). Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throwaway_db import run_in_throwaway_database  # noqa: E402 -- after the sys.path line

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/reviews_bench_national"
TARGET_MS = 300

# National figures (issue 12), multiplied by --scale; each at least the minimum beside it.
NATIONAL = {
    "partnerships": (150, 2),
    "reviews": (40_000, 40),
    "entries": (10_000_000, 2_000),
    "deadlines": (900_000, 500),
    "coordinated": (2_000, 20),
    "police_requests": (1_000, 10),
    "chaired": (500, 5),
    "notifications": (20_000, 100),
}
CONTRIBUTIONS_PER_REVIEW = 5
ACTIONS_PER_RECOMMENDATION = 5
RECOMMENDATIONS_PER_REVIEW = 2
MEETINGS_PER_PARTNERSHIP = 60
LOCAL_AGENCIES_PER_PARTNERSHIP = 6
PARTNERSHIPS_PER_POLICE_FORCE = 8
UNREAD = 30


def sizes(scale: float) -> dict[str, int]:
    return {name: max(minimum, round(figure * scale)) for name, (figure, minimum) in NATIONAL.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of the national figures (default 1)")
    parser.add_argument("--runs", type=int, default=5, help="timed loads of each page (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    args = parser.parse_args()
    return run_in_throwaway_database(DEFAULT_URL, lambda db_name: run(args, db_name), keep=args.keep)


# --- generating the data ---------------------------------------------------------------------------


def insert_series(model: Any, count: int, values: dict[str, str], params: list[Any] | None = None) -> int:
    """``INSERT INTO <model's table> SELECT ... FROM generate_series(1, count) AS i``.

    ``values`` gives an SQL expression (in ``i``) per field name; every other column gets the
    field's default, NULL, now() for automatic timestamps or '' for text, so a model change does
    not break the bench unless it adds a column with none of these. Returns the first new id."""
    from django.db import connection, models

    columns, expressions, defaults = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.name not in values:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name in values:
            # "%" is the modulo operator here and "%s" a parameter: escape the one for the driver.
            expressions.append(values[field.name].replace("%s", "\0").replace("%", "%%").replace("\0", "%s"))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expressions.append("now()")
        elif field.has_default():
            expressions.append("%s")
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
        elif field.null:
            expressions.append("NULL")
        elif isinstance(field, models.CharField | models.TextField):
            expressions.append("''")
        else:
            raise ValueError(f"{model.__name__}.{field.name}: no value and no default")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        first = cursor.fetchone()[0] + 1
        # The expressions' own parameters come first in the SELECT list, then the defaults'.
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(expressions)} "
            f"FROM generate_series(1, {int(count)}) AS i"
        )
        cursor.execute(sql, _ordered_params(values, model, params or [], defaults))
    return first


def _ordered_params(values: dict[str, str], model: Any, params: list[Any], defaults: list[Any]) -> list[Any]:
    """Parameters in the order of the placeholders: the caller's ``params`` belong to the given
    expressions (in field order), the defaults to the others; interleave them."""
    given = iter(params)
    default = iter(defaults)
    ordered: list[Any] = []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.name not in values:
            continue
        if field.name in values:
            ordered.extend(next(given) for _ in range(values[field.name].count("%s")))
        elif field.has_default() and not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)):
            ordered.append(next(default))
    return ordered


@dataclass
class Built:
    coordinator: Any
    police_lead: Any
    chair: Any
    review_reference: str
    meeting_id: int
    sizes: dict[str, int]


def build(n: dict[str, int], today: date) -> Built:
    """Everything, in dependency order. Ids are consecutive within a table (one statement each),
    so each row finds its parents by arithmetic on ``i``."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from notifications.models import Deadline, Notification
    from reviews.models import (
        Agency,
        Partnership,
        PartnershipMember,
        Review,
        ReviewRole,
    )
    from reviews.models.actions import Action
    from reviews.models.chronology import ChronologyEntry
    from reviews.models.clocks import ReviewClock
    from reviews.models.contributions import AgencyContribution
    from reviews.models.findings import Findings, Recommendation
    from reviews.models.panels import PanelAgendaItem, PanelInvitation, PanelMeeting
    from reviews.models.roles import ROLE_PERMISSIONS, ReviewUserObjectPermission

    P, R = n["partnerships"], n["reviews"]
    per_partnership = -(-R // P)  # reviews in a block per partnership, the last one shorter
    forces = -(-P // PARTNERSHIPS_PER_POLICE_FORCE)
    local_agencies = P * LOCAL_AGENCIES_PER_PARTNERSHIP
    C = R * CONTRIBUTIONS_PER_REVIEW
    users = get_user_model()

    started = [time.perf_counter()]

    def step(label: str) -> None:
        now = time.perf_counter()
        print(f"  {label:<48} {now - started[0]:6.1f} s", flush=True)
        started[0] = now

    # Users: the three heavy ones, then per partnership a coordinator and a chair, then one lead per agency.
    heavy = insert_series(
        users,
        3,
        {
            "username": "(ARRAY['bench.coordinator', 'bench.police', 'bench.chair'])[i]",
            "email": "'bench' || i || '@example.org'",
            "first_name": "'Bench'",
            "last_name": "(ARRAY['Coordinator', 'Police lead', 'Chair'])[i]",
            "password": "'!'",
            "is_active": "true",
            "date_joined": "now()",
        },
    )
    coordinator_id, police_id, chair_id = heavy, heavy + 1, heavy + 2
    people = insert_series(
        users,
        2 * P + forces + local_agencies,
        {
            "username": "'bench.user' || i",
            "email": "'user' || i || '@example.org'",
            "first_name": "'User'",
            "last_name": "i::text",
            "password": "'!'",
            "is_active": "true",
            "date_joined": "now()",
        },
    )
    coord_of = f"({people} + (%s - 1))"  # partnership p's coordinator: people + p - 1
    chair_of = f"({people} + {P} + (%s - 1))"
    lead_of = f"({people} + {2 * P} + (%s - 1))"  # agency a's lead (agency ids from 1 in order)
    step("users")

    first_partnership = insert_series(
        Partnership,
        P,
        {"name": "'Bench Safeguarding Partnership ' || i", "code": "'BP' || i"},
    )
    # Agencies: the police forces first (one per PARTNERSHIPS_PER_POLICE_FORCE partnerships), then
    # each partnership's own.
    kinds = ["childrens_social_care", "acute_health", "community_health", "primary_care", "education", "probation"]
    first_agency = insert_series(
        Agency,
        forces + local_agencies,
        {
            "name": f"CASE WHEN i <= {forces} THEN 'Police force ' || i ELSE 'Agency ' || i END",
            "short_name": f"CASE WHEN i <= {forces} THEN 'Police ' || i ELSE 'Agency ' || i END",
            "kind": f"CASE WHEN i <= {forces} THEN 'police' "
            f"ELSE (ARRAY{kinds!r})[1 + (i - {forces} - 1) % {LOCAL_AGENCIES_PER_PARTNERSHIP}] END",
        },
    )
    assert first_partnership == 1 and first_agency == 1, "a fresh database numbers from 1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Agency.partnerships.through._meta.db_table} (agency_id, partnership_id) "
            f"SELECT {forces} + p.i, 1 + (p.i - 1) / {LOCAL_AGENCIES_PER_PARTNERSHIP} "
            f"FROM generate_series(1, {local_agencies}) AS p(i) "
            f"UNION ALL SELECT 1 + (p.i - 1) / {PARTNERSHIPS_PER_POLICE_FORCE}, p.i FROM generate_series(1, {P}) AS p(i)"
        )
    heavy_partnerships = -(-n["coordinated"] // per_partnership)
    insert_series(
        PartnershipMember,
        P * 2 + local_agencies + forces,
        {
            "partnership": f"CASE WHEN i <= {2 * P} THEN 1 + (i - 1) % {P} "
            f"WHEN i <= {2 * P + forces} THEN 1 + (i - {2 * P} - 1) * {PARTNERSHIPS_PER_POLICE_FORCE} "
            f"ELSE 1 + (i - {2 * P + forces} - 1) / {LOCAL_AGENCIES_PER_PARTNERSHIP} END",
            "user": f"{people} + i - 1",
            "standing": f"CASE WHEN i <= {P} THEN 'coordinator' ELSE 'member' END",
        },
    )
    insert_series(
        PartnershipMember,
        3 * heavy_partnerships,
        {
            "partnership": f"1 + (i - 1) % {heavy_partnerships}",
            "user": f"{heavy} + (i - 1) / {heavy_partnerships}",
            "standing": f"CASE WHEN i <= {heavy_partnerships} THEN 'coordinator' ELSE 'member' END",
        },
    )
    step("partnerships, agencies, members")

    # Reviews: a block of per_partnership for each partnership; half closed, one in ten withdrawn.
    states = ["closed"] * 5 + ["withdrawn", "action_tracking", "findings", "agency_submissions", "scoping"]
    review_kinds = ["child_death", "rapid_review", "cspr", "dhr", "sar"]
    partnership_of_review = f"(1 + (i - 1) / {per_partnership})"
    insert_series(
        Review,
        R,
        {
            "partnership": partnership_of_review,
            "kind": f"(ARRAY{review_kinds!r})[1 + i % {len(review_kinds)}]",
            "reference": "'BP' || " + partnership_of_review + " || '-' || i",
            "year": "2020 + i % 7",
            "sequence": "i",
            "title": "'Child ' || i",
            "state": f"(ARRAY{states!r})[1 + i % 10]",
            "withdrawal_rationale": "CASE WHEN i % 10 = 5 THEN 'Not proceeding' ELSE '' END",
            "became_aware_on": "%s::date - (i % 1500)",
            "notified_on": "%s::date - (i % 1500) + 2",
            "created_by": f"{coordinator_id}",
            "created_at": "now() - (i % 1500) * interval '1 day'",
        },
        [today, today],
    )
    step(f"{R:,} reviews")
    # Two clocks each: a statutory one (bank holidays) and a local one (closure days); stopped on a
    # closed review, abandoned on a withdrawn one, counting otherwise.
    review_of_clock = "(1 + (i - 1) / 2)"
    state_of = "(ARRAY" + repr(states) + ")[1 + {0} % 10]"
    insert_series(
        ReviewClock,
        2 * R,
        {
            "review": review_of_clock,
            "key": "CASE WHEN i % 2 = 0 THEN 'statutory' ELSE 'local' END",
            "label": "CASE WHEN i % 2 = 0 THEN 'Notify the national panel' ELSE 'Rapid review meeting' END",
            "basis": "CASE WHEN i % 2 = 0 THEN 'statute' ELSE 'practice' END",
            "start_event": "'became_aware_on'",
            "start_date": f"%s::date - ({review_of_clock} % 1500)",
            "duration": "15",
            "unit": "'working_days'",
            "calendar": "CASE WHEN i % 2 = 0 THEN 'bank_holidays' ELSE 'local' END",
            "due_date": f"%s::date - ({review_of_clock} % 1500) + 21",
            "stopped_on": f"CASE WHEN {state_of.format(review_of_clock)} = 'closed' "
            f"THEN %s::date - ({review_of_clock} % 1500) + 14 END",
            "abandoned": f"{state_of.format(review_of_clock)} = 'withdrawn'",
        },
        [today, today, today],
    )
    step(f"{2 * R:,} clocks")

    # Contributions: the partnership's police force and four of its own agencies. The heavy police
    # lead leads the police contributions of the first police_requests reviews.
    review_of_contribution = f"(1 + (i - 1) / {CONTRIBUTIONS_PER_REVIEW})"
    partnership_of_contribution = f"(1 + ({review_of_contribution} - 1) / {per_partnership})"
    slot = f"((i - 1) % {CONTRIBUTIONS_PER_REVIEW})"
    agency_of_contribution = (
        f"CASE WHEN {slot} = 0 THEN 1 + ({partnership_of_contribution} - 1) / {PARTNERSHIPS_PER_POLICE_FORCE} "
        f"ELSE {forces} + ({partnership_of_contribution} - 1) * {LOCAL_AGENCIES_PER_PARTNERSHIP} + {slot} END"
    )
    insert_series(
        AgencyContribution,
        C,
        {
            "review": review_of_contribution,
            "agency": agency_of_contribution,
            "lead": f"CASE WHEN {slot} = 0 AND {review_of_contribution} <= {n['police_requests']} THEN {police_id} "
            f"ELSE {lead_of.replace('%s', agency_of_contribution)} END",
            "due_date": f"%s::date - ({review_of_contribution} % 1500) + 30",
            "state": "(ARRAY['accepted', 'accepted', 'submitted', 'requested', 'in_progress'])[1 + i % 5]",
            "requested_at": "now() - (i % 1500) * interval '1 day'",
        },
        [today],
    )
    step(f"{C:,} contributions")

    # Roles and their object permissions (as reviews.services.roles.role_assign grants them): the
    # coordinator and the chair of every review, and each contribution's lead.
    coordinator_of_review = (
        f"CASE WHEN i <= {n['coordinated']} THEN {coordinator_id} ELSE {coord_of % partnership_of_review} END"
    )
    chair_of_review = f"CASE WHEN i <= {n['chaired']} THEN {chair_id} ELSE {chair_of % partnership_of_review} END"
    insert_series(ReviewRole, R, {"review": "i", "user": coordinator_of_review, "role": "'coordinator'"})
    insert_series(ReviewRole, R, {"review": "i", "user": chair_of_review, "role": "'chair'"})
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ReviewRole._meta.db_table} (review_id, user_id, role, agency_id, granted_at) "
            f"SELECT review_id, lead_id, 'agency_lead', agency_id, now() FROM {AgencyContribution._meta.db_table}"
        )
        review_type = ContentType.objects.get_for_model(Review)
        for role, codenames in ROLE_PERMISSIONS.items():
            ids = list(
                Permission.objects.filter(content_type=review_type, codename__in=codenames).values_list("id", flat=True)
            )
            cursor.execute(
                f"INSERT INTO {ReviewUserObjectPermission._meta.db_table} (permission_id, user_id, content_object_id) "
                f"SELECT DISTINCT p, user_id, review_id FROM {ReviewRole._meta.db_table}, unnest(%s::int[]) AS p "
                "WHERE role = %s",
                [ids, str(role)],
            )
    step("roles and object permissions")

    # Chronology entries, spread evenly over the contributions.
    contribution_of_entry = f"(1 + (i - 1) % {C})"
    insert_series(
        ChronologyEntry,
        n["entries"],
        {
            "contribution": contribution_of_entry,
            "review": f"(1 + ({contribution_of_entry} - 1) / {CONTRIBUTIONS_PER_REVIEW})",
            "event_date": "DATE '2018-01-01' + (i % 2500)",
            "date_precision": "'exact'",
            "source_record": "'Record ' || i",
            "what_happened": "'Home visit ' || i || ': concerns noted and shared with the social worker.'",
            "professional_role": "'Practitioner'",
            "significant": "i % 5 = 0",
        },
    )
    step(f"{n['entries']:,} chronology entries")

    insert_series(Findings, R, {"review": "i", "state": "'signed_off'", "findings": "'Findings of review ' || i"})
    recommendations = R * RECOMMENDATIONS_PER_REVIEW
    review_of_recommendation = f"(1 + (i - 1) / {RECOMMENDATIONS_PER_REVIEW})"
    partnership_of_recommendation = f"(1 + ({review_of_recommendation} - 1) / {per_partnership})"
    insert_series(
        Recommendation,
        recommendations,
        {
            "findings": review_of_recommendation,
            "number": f"1 + (i - 1) % {RECOMMENDATIONS_PER_REVIEW}",
            "what": "'Recommendation ' || i",
            "owner_agency": f"{forces} + ({partnership_of_recommendation} - 1) * {LOCAL_AGENCIES_PER_PARTNERSHIP} "
            f"+ 1 + i % {LOCAL_AGENCIES_PER_PARTNERSHIP}",
            "due_by": "%s::date + (i % 400) - 100",
            "success_measure": "'Audit shows it'",
        },
        [today],
    )
    recommendation_of_action = f"(1 + (i - 1) / {ACTIONS_PER_RECOMMENDATION})"
    action_states = ["verified", "verified", "open", "in_progress", "completed", "closed_not_implemented", "open"]
    action_state = f"(ARRAY{action_states!r})[1 + i % {len(action_states)}]"
    # The police owns one action in five, so the police lead has actions on their reviews.
    review_of_action = f"(1 + ({recommendation_of_action} - 1) / {RECOMMENDATIONS_PER_REVIEW})"
    partnership_of_action = f"(1 + ({review_of_action} - 1) / {per_partnership})"
    insert_series(
        Action,
        recommendations * ACTIONS_PER_RECOMMENDATION,
        {
            "recommendation": recommendation_of_action,
            "review": review_of_action,
            "number": f"1 + (i - 1) % {ACTIONS_PER_RECOMMENDATION}",
            "description": "'Action ' || i || ': train every practitioner in the new pathway.'",
            "owner_agency": f"CASE WHEN i % 5 = 0 THEN 1 + ({partnership_of_action} - 1) / "
            f"{PARTNERSHIPS_PER_POLICE_FORCE} ELSE {forces} + ({partnership_of_action} - 1) * "
            f"{LOCAL_AGENCIES_PER_PARTNERSHIP} + 1 + i % {LOCAL_AGENCIES_PER_PARTNERSHIP} END",
            "owner_role": "'Head of safeguarding'",
            "due_date": "%s::date + (i % 400) - 150",
            "success_measure": "'Audit shows it'",
            "state": action_state,
            "evidence": f"CASE WHEN {action_state} IN ('completed', 'verified') THEN 'Training records' ELSE '' END",
            "not_implemented_reason": f"CASE WHEN {action_state} = 'closed_not_implemented' THEN 'Superseded' "
            "ELSE '' END",
            "created_by": f"{coordinator_id}",
        },
        [today],
    )
    step(f"findings, {recommendations:,} recommendations, {recommendations * ACTIONS_PER_RECOMMENDATION:,} actions")

    meetings = P * MEETINGS_PER_PARTNERSHIP
    partnership_of_meeting = f"(1 + (i - 1) / {MEETINGS_PER_PARTNERSHIP})"
    first_meeting = insert_series(
        PanelMeeting,
        meetings,
        {
            "partnership": partnership_of_meeting,
            "held_on": f"%s::date - (i % {MEETINGS_PER_PARTNERSHIP}) * 30",
            "title": "'Panel ' || i",
            "chair": f"CASE WHEN {partnership_of_meeting} <= {heavy_partnerships} THEN {chair_id} "
            f"ELSE {chair_of % partnership_of_meeting} END",
            "created_by": coord_of % partnership_of_meeting,
        },
        [today],
    )
    # Invited: the chair and the leads of the partnership's own agencies (6 a meeting), plus the
    # police lead to the meetings of the heavy partnerships.
    invitees = 1 + LOCAL_AGENCIES_PER_PARTNERSHIP
    meeting_of_invitation = f"(1 + (i - 1) / {invitees})"
    partnership_of_invitation = f"(1 + ({meeting_of_invitation} - 1) / {MEETINGS_PER_PARTNERSHIP})"
    local_agency = (
        f"{forces} + ({partnership_of_invitation} - 1) * {LOCAL_AGENCIES_PER_PARTNERSHIP} + (i - 1) % {invitees}"
    )
    insert_series(
        PanelInvitation,
        meetings * invitees,
        {
            "meeting": meeting_of_invitation,
            "user": f"CASE WHEN (i - 1) % {invitees} = 0 THEN (CASE WHEN {partnership_of_invitation} <= "
            f"{heavy_partnerships} THEN {chair_id} ELSE {chair_of % partnership_of_invitation} END) "
            f"ELSE {lead_of % local_agency} END",
            "agency": f"CASE WHEN (i - 1) % {invitees} = 0 THEN NULL ELSE {local_agency} END",
        },
    )
    heavy_meetings = heavy_partnerships * MEETINGS_PER_PARTNERSHIP
    insert_series(
        PanelInvitation, heavy_meetings, {"meeting": "i", "user": f"{police_id}", "agency": "1", "attended": "true"}
    )
    insert_series(PanelAgendaItem, 1, {"meeting": f"{first_meeting}", "review": "1"})
    step(f"{meetings:,} panel meetings, {meetings * invitees + heavy_meetings:,} invitations")

    # Deadlines on the actions (more than one per action at national scale: the same targets again
    # under other kinds), each with one recipient; then the outbox: an e-mail per deadline, sent,
    # and each heavy user's in-app notifications, all but UNREAD of them read.
    actions = recommendations * ACTIONS_PER_RECOMMENDATION
    action_type = ContentType.objects.get_for_model(Action).pk
    deadline_kinds = ["action_due", "contribution_due", "clock_due"]
    first_deadline = insert_series(
        Deadline,
        n["deadlines"],
        {
            "content_type": f"{action_type}",
            "object_id": f"1 + (i - 1) % {actions}",
            "kind": f"(ARRAY{deadline_kinds!r})[1 + (i - 1) / {actions} % 3]",
            "due_date": "%s::date + (i % 400) - 150",
            "state": "CASE WHEN i % 3 = 0 THEN 'open' ELSE 'met' END",
            "owner_label": "'Agency'",
            "scope": "'BP1-' || (1 + (i - 1) % 1000)",
            "context": "jsonb_build_object('reference', 'BP1-' || i, 'what', 'Action ' || i, 'link', '/')",
            "next_step": "CASE WHEN i % 3 = 0 THEN -5 END",
            "next_reminder_on": "CASE WHEN i % 3 = 0 THEN %s::date + (i % 400) END",
        },
        [today, today],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Deadline.recipients.through._meta.db_table} (deadline_id, user_id) "
            f"SELECT id, {people} + {2 * P} + (id % {forces + local_agencies}) FROM {Deadline._meta.db_table}"
        )
    insert_series(
        Notification,
        n["deadlines"],
        {
            "idempotency_key": "'bench-email-' || i",
            "kind": "'reminder'",
            "channel": "'email'",
            "recipient": f"{people} + {2 * P} + (i % {forces + local_agencies})",
            "email": "'lead' || i || '@example.org'",
            "deadline": f"{first_deadline} + i - 1",
            "status": "'sent'",
            "context": "'{}'::jsonb",
            "created_at": "now() - (i % 1000) * interval '1 hour'",
            "available_at": "now()",
        },
    )
    per_user = n["notifications"]
    insert_series(
        Notification,
        3 * per_user,
        {
            "idempotency_key": "'bench-in-app-' || i",
            "kind": "'reminder'",
            "channel": "'in_app'",
            "recipient": f"{heavy} + (i - 1) / {per_user}",
            "status": "'sent'",
            "context": "jsonb_build_object('reference', 'BP1-' || i, 'what', 'Action ' || i, 'link', '/')",
            "created_at": "now() - (i % 1000) * interval '1 hour'",
            "available_at": "now()",
            "read_at": f"CASE WHEN (i - 1) % {per_user} < {UNREAD} THEN NULL ELSE now() END",
        },
    )
    step(f"{n['deadlines']:,} deadlines, {n['deadlines'] + 3 * per_user:,} notifications")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    step("ANALYZE")
    by_id = users.objects.in_bulk([coordinator_id, police_id, chair_id])
    reference = Review.objects.values_list("reference", flat=True).get(pk=1)
    return Built(by_id[coordinator_id], by_id[police_id], by_id[chair_id], reference, first_meeting, n)


# --- timing the pages ------------------------------------------------------------------------------


@dataclass
class Timing:
    who: str
    page: str
    median_ms: float
    worst_ms: float
    kilobytes: float
    queries: int
    rows: str


def build_largest(scale: float, db_name: str, fill_in: Any = None) -> Any:
    """Migrate the throwaway database ``db_name``, build the national set at ``scale`` (then
    ``fill_in()``, what a benchmark reads that the set leaves empty), printing the sizes and the
    time taken, and return the partnership with the most reviews (annotated ``n``)."""
    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from reviews.models import Partnership

    n = sizes(scale)
    print(f"database {db_name}: migrating ...", flush=True)
    call_command("migrate", verbosity=0)
    print(f"scale {scale}: " + ", ".join(f"{k} {v:,}" for k, v in n.items()), flush=True)
    started = time.perf_counter()
    build(n, timezone.localdate())
    if fill_in is not None:
        fill_in()
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
    partnership = Partnership.objects.annotate(n=Count("reviews")).order_by("-n", "pk").first()
    assert partnership is not None
    return partnership


def signed_in(user: Any) -> Any:
    """A client signed in with a confirmed second factor, as every user with a role is."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="Benchmark authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def time_page(client: Any, who: str, label: str, url: str, runs: int) -> Timing:
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, secure=True)  # warm-up: templates, plans, caches
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url, secure=True)
    content = response.content.decode()
    # The count the page shows ("1,234 actions, showing 1 to 50"), to show what was paged.
    shown = re.search(r'id="[a-z-]*count">\s*([^<.]*)', content)
    return Timing(
        who,
        label,
        statistics.median(timings) * 1000,
        max(timings) * 1000,
        len(response.content) / 1024,
        len(captured),
        shown.group(1).strip() if shown else "",
    )


def time_export(client: Any, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url, secure=True)
    assert response.status_code == 200 and response.streaming
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    return time.perf_counter() - started, lines - 1


def run(args: argparse.Namespace, db_name: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import timezone

    n = sizes(args.scale)
    print(f"database {db_name}: migrating ...", flush=True)
    call_command("migrate", verbosity=0)
    print(f"scale {args.scale}: " + ", ".join(f"{k} {v:,}" for k, v in n.items()), flush=True)
    started = time.perf_counter()
    built = build(n, timezone.localdate())
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)

    reference = built.review_reference
    pages = {
        "coordinator": (
            built.coordinator,
            [
                ("dashboard", reverse("reviews:dashboard")),
                ("dashboard, all reviews", reverse("reviews:dashboard") + "?show=all"),
                ("action tracker", reverse("reviews:action_tracker")),
                ("action tracker, all, page 20", reverse("reviews:action_tracker") + "?show=all&page=20"),
                ("action tracker, red", reverse("reviews:action_tracker") + "?rag=red"),
                ("panel meetings", reverse("reviews:panels")),
                ("merged chronology", reverse("reviews:chronology", args=[reference])),
                ("printable chronology", reverse("reviews:chronology_print", args=[reference])),
                ("panel papers", reverse("reviews:panel_papers", args=[built.meeting_id, reference])),
                ("review's actions", reverse("reviews:review_actions", args=[reference])),
                ("notifications", reverse("notifications:inbox")),
                # Every action of the national set says "practitioner": the most matches a search can
                # find; "review" is in every findings text.
                ("search: in every action", reverse("reviews:search") + "?q=practitioner"),
                ("search: in every finding", reverse("reviews:search") + "?q=review"),
                ("search: nothing found", reverse("reviews:search") + "?q=zebra"),
            ],
        ),
        "police lead": (
            built.police_lead,
            [
                ("dashboard", reverse("reviews:dashboard")),
                ("my requests", reverse("reviews:my_requests")),
                ("my actions", reverse("reviews:my_actions")),
                ("panel meetings", reverse("reviews:panels")),
                ("notifications", reverse("notifications:inbox")),
                ("search: in every action", reverse("reviews:search") + "?q=practitioner"),
            ],
        ),
        "chair": (
            built.chair,
            [
                ("dashboard", reverse("reviews:dashboard")),
                ("chair's page", reverse("reviews:chair")),
                ("panel meetings", reverse("reviews:panels")),
            ],
        ),
    }
    results = []
    for who, (user, urls) in pages.items():
        client = signed_in(user)
        for label, url in urls:
            results.append(time_page(client, who, label, url, args.runs))
            print(f"  timed {who}: {label}", flush=True)
    coordinator = signed_in(built.coordinator)
    csv_seconds, csv_rows = time_export(coordinator, reverse("reviews:action_tracker_export") + "?show=all")

    print()
    print(f"Every list page, median of {args.runs} loads (Django test client, every middleware, second factor)")
    print(f"{'user':<12} {'page':<30} {'median ms':>9} {'worst ms':>9} {'KB':>7} {'queries':>7}  shown")
    for t in results:
        flag = "" if t.median_ms < TARGET_MS else "  OVER TARGET"
        print(
            f"{t.who:<12} {t.page:<30} {t.median_ms:9.1f} {t.worst_ms:9.1f} {t.kilobytes:7.0f} {t.queries:7d}  "
            f"{t.rows}{flag}"
        )
    slowest = max(results, key=lambda t: t.median_ms)
    print(
        f"slowest median: {slowest.who}, {slowest.page}: {slowest.median_ms:.1f} ms "
        f"(target < {TARGET_MS} ms: {'met' if slowest.median_ms < TARGET_MS else 'NOT met'})"
    )
    print(f"action tracker CSV, all {csv_rows:,} actions streamed: {csv_seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
