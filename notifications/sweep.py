"""The deadline sweep: claim every reminder step due today, then expand the claims in workers.

Two parts, so the periodic sweep stays as quick as reading the due rows (bench/sweep.py):

1. ``deadlines_sweep`` claims: one INSERT ... SELECT writes a narrow ``PendingReminder`` row for
   each open deadline whose next reminder falls due by today and is not claimed already. It takes
   no row locks and writes nothing else; after it commits it publishes a few expansion tasks.
2. ``reminders_expand`` (Celery ``expand_due_reminders``, in batches, several workers at once)
   writes each claimed deadline's outbox rows (e-mail and in-app per recipient, escalations), moves
   the deadline to its next step and deletes the claim, all in one transaction. A worker that dies
   mid-batch rolls back; the claim stays and the requeue task publishes it again.

Never twice: two sweeps take a transaction-level advisory lock in turn (PostgreSQL; SQLite has one
writer anyway), so the second sees the first's claims and skips them; two expansions take claims
FOR UPDATE SKIP LOCKED; and every outbox row still has its idempotency key with ON CONFLICT DO NOTHING.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from notifications import conf
from notifications.models import Deadline, DeadlineState, Notification, NotificationPreference, PendingReminder
from notifications.policies import (
    DEFAULT_SCHEDULE,
    NO_CLOSURES,
    Schedule,
    next_working_day,
    schedules_by_kind,
    step_label,
)
from notifications.registry import closure_days
from notifications.services import PUBLISH_OPTIONS, broker_outage_tolerated, notifications_enqueue
from notifications.webhooks import webhooks_for_reminders
from workflows.calendar import is_working_day

Status = Notification.Status
Channel = Notification.Channel
Kind = Notification.Kind

# Claims one expansion task takes at a time: small enough that a batch commits in well under a
# second, large enough that the set-based INSERTs pay off.
EXPAND_BATCH = 500
# Expansion tasks published per sweep at most (each drains batches until none is left).
EXPANDERS = 4
# Any 64-bit number unique to this lock; sweeps serialise on it (pg_advisory_xact_lock).
SWEEP_LOCK = 0x5EE9_DEAD_0001


@dataclass
class SweepResult:
    deadlines: int = 0  # claimed by this sweep
    written: int = 0  # outbox rows (only when expanded in the same call)
    enqueued: int = 0
    digests: int = 0
    skipped: str = ""


@dataclass
class ExpandResult:
    claims: int = 0
    written: int = 0
    enqueued: int = 0


@dataclass(frozen=True)
class PlannedReminder:
    deadline_id: int
    reference: str
    what: str
    due_date: date
    step: int
    step_label: str
    escalation: bool
    to: list[str] = field(default_factory=list)


# --- 1. the sweep: claim ---------------------------------------------------------------------


def deadlines_sweep(*, today: date | None = None, publish: bool = True) -> SweepResult:
    """Claim every open deadline with a reminder step due by ``today``; safe to run twice at once.

    ``publish=False``: leave the claims for the caller to expand (the management command and tests
    expand them in the same process with ``reminders_expand_all``).
    """
    today = today or timezone.localdate()
    result = SweepResult()
    if not is_working_day(today):
        result.skipped = f"{today:%A %d %B %Y} is not a working day: no reminders go out."
        return result
    deadlines = Deadline._meta.db_table
    claims = PendingReminder._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A second sweep waits here, and its INSERT (a new snapshot under READ COMMITTED) then
            # sees the first one's claims: NOT EXISTS skips them, so no claim is ever written twice.
            # No nested loop for this transaction: the claims table is usually empty, and for an
            # empty table the planner picks a nested loop that rescans it once per due deadline;
            # the hash anti join reads it once (bench/sweep.py; figures in docs/BENCHMARKS.md).
            cursor.execute("SELECT set_config('enable_nestloop', 'off', true), pg_advisory_xact_lock(%s)", [SWEEP_LOCK])
        # The range scan of the partial index deadline_open_next_reminder, as in a plain SELECT.
        cursor.execute(
            f"INSERT INTO {claims} (deadline_id, swept_on, claimed_at) "  # noqa: S608 -- table names from _meta
            f"SELECT d.id, %s, %s FROM {deadlines} d "
            f"WHERE d.state = %s AND d.next_reminder_on <= %s "
            f"AND NOT EXISTS (SELECT 1 FROM {claims} c WHERE c.deadline_id = d.id)",
            [today, timezone.now(), DeadlineState.OPEN, today],
        )
        result.deadlines = cursor.rowcount
        if publish and result.deadlines:
            transaction.on_commit(
                partial(_publish_expanders, min(EXPANDERS, math.ceil(result.deadlines / EXPAND_BATCH))), robust=True
            )
    return result


def _publish_expanders(count: int) -> None:
    from notifications.tasks import expand_due_reminders

    with broker_outage_tolerated(lambda: "due reminders (as claims)"):
        for _ in range(count):
            expand_due_reminders.apply_async(**PUBLISH_OPTIONS)


def reminders_sweep_and_expand(*, today: date | None = None) -> SweepResult:
    """Sweep and expand in this process (the management command; tests): the whole job, now."""
    today = today or timezone.localdate()
    result = deadlines_sweep(today=today, publish=False)
    if result.skipped:
        return result
    expanded = reminders_expand_all()
    result.written, result.enqueued = expanded.written, expanded.enqueued
    result.digests = digests_fold(today=today)
    return result


def claims_remain() -> bool:
    """Any claim not yet expanded, including ones another worker holds right now."""
    return PendingReminder.objects.exists()


def reminders_requeue_claims(*, older_than: timedelta | None = None) -> int:
    """Claims left behind (the broker was down when the sweep published, a worker died): publish
    expansion again. Harmless when a worker is already on them: claims are taken SKIP LOCKED."""
    cutoff = timezone.now() - (conf.stuck_after() if older_than is None else older_than)
    waiting = PendingReminder.objects.filter(claimed_at__lt=cutoff).count()
    if waiting:
        _publish_expanders(min(EXPANDERS, math.ceil(waiting / EXPAND_BATCH)))
    return waiting


# --- 2. expansion: the outbox rows -----------------------------------------------------------


def reminders_expand(*, batch_size: int = EXPAND_BATCH) -> ExpandResult | None:
    """Expand one batch of claims into outbox rows; None when no claim is left to take."""
    result = ExpandResult()
    with transaction.atomic():
        claims = list(
            PendingReminder.objects.select_for_update(skip_locked=True)
            .order_by("deadline_id")
            .values_list("deadline_id", "swept_on")[:batch_size]
        )
        if not claims:
            return None
        result.claims = len(claims)
        schedules = schedules_by_kind()
        by_day: dict[date, list[int]] = defaultdict(list)
        for deadline_id, swept_on in claims:
            by_day[swept_on].append(deadline_id)
        now = timezone.now()
        ready: list[int] = []
        for today, ids in by_day.items():
            # Locked (waiting, not skipping) so a deadline met or moved at this moment is read in its
            # new state: a met deadline is no longer open and gets no reminder.
            rows = list(
                Deadline.objects.select_for_update()
                .filter(id__in=ids, state=DeadlineState.OPEN, next_reminder_on__lte=today)
                .order_by("id")
                .values_list("id", "kind", "due_date", "next_step", "calendar")
            )
            groups: dict[tuple[str, date, int | None, str], list[int]] = defaultdict(list)
            for deadline_id, kind, due, step, calendar in rows:
                groups[(kind, due, step, calendar)].append(deadline_id)
            closures = closure_days(calendar for *_, calendar in groups)
            for (kind, due, from_step, calendar), group in groups.items():
                closed = closures.get(calendar, NO_CLOSURES)
                if today in closed:
                    # The partnership is closed today: nothing goes out; the step waits for its
                    # next working day (the latest step due then is sent, as after a missed sweep).
                    Deadline.objects.filter(id__in=group).update(next_reminder_on=next_working_day(today, closed))
                    continue
                schedule = schedules.get(kind, DEFAULT_SCHEDULE)
                step = _step_due(schedule, due, today, from_step, closed)
                if step is not None:
                    written, new_ready = _write_reminders(group, due, step, schedule.escalates(step), now)
                    result.written += written
                    ready += new_ready
                    # The same step is an event for the partnership's webhooks (due soon, overdue).
                    webhooks_for_reminders(
                        deadline_ids=group, kind=kind, due=due, step=step, calendar=calendar, now=now
                    )
                upcoming = schedule.after(due, today, closed)
                Deadline.objects.filter(id__in=group).update(
                    next_step=upcoming[0] if upcoming else None, next_reminder_on=upcoming[1] if upcoming else None
                )
        PendingReminder.objects.filter(deadline_id__in=[deadline_id for deadline_id, _ in claims]).delete()
        result.enqueued = len(ready)
        notifications_enqueue(ready)
    return result


def reminders_expand_all(*, batch_size: int = EXPAND_BATCH) -> ExpandResult:
    """Expand batches until no claim is left (or every one left is being expanded by another worker)."""
    total = ExpandResult()
    while (batch := reminders_expand(batch_size=batch_size)) is not None:
        total.claims += batch.claims
        total.written += batch.written
        total.enqueued += batch.enqueued
    return total


def _write_reminders(ids: list[int], due: date, step: int, escalation: bool, now: datetime) -> tuple[int, list[int]]:
    """Set-based INSERT ... SELECT of one step's rows for many deadlines: e-mail and in-app rows per
    recipient (and the coordinators when escalating), plus the senior manager's e-mail."""
    user_model = get_user_model()
    deadline_table = Deadline._meta.db_table
    recipients = Deadline.recipients.through._meta.db_table
    escalated = Deadline.escalation_recipients.through._meta.db_table
    users = user_model._meta.db_table
    preferences = NotificationPreference._meta.db_table
    table = Notification._meta.db_table
    in_ids = ", ".join(["%s"] * len(ids))
    people = f"SELECT deadline_id, user_id FROM {recipients} WHERE deadline_id IN ({in_ids})"  # noqa: S608 -- table names from _meta, values as parameters
    people_params: list[Any] = list(ids)
    if escalation:
        people += f" UNION SELECT deadline_id, user_id FROM {escalated} WHERE deadline_id IN ({in_ids})"  # noqa: S608 -- table names from _meta, values as parameters
        people_params += ids
    columns = (
        "idempotency_key, kind, channel, recipient_id, email, deadline_id, scope, step, escalation, due_date, "
        "context, status, attempts, last_error, created_at, available_at, sent_at"
    )
    suffix = f":{due.isoformat()}:{step}"
    statements: list[tuple[str, list[Any]]] = [
        (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 -- table names from _meta, values as parameters
            f"SELECT 'reminder:' || CAST(d.id AS TEXT) || %s || CAST(u.id AS TEXT), 'reminder', 'email', u.id, "
            f"u.email, d.id, d.scope, %s, %s, d.due_date, d.context, "
            f"CASE WHEN p.daily_digest THEN 'held' ELSE 'ready' END, 0, '', %s, %s, NULL "
            f"FROM {deadline_table} d JOIN ({people}) r ON r.deadline_id = d.id "
            f"JOIN {users} u ON u.id = r.user_id LEFT JOIN {preferences} p ON p.user_id = u.id "
            f"WHERE d.id IN ({in_ids}) AND u.is_active AND u.email <> '' "
            f"ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, status",
            [f"{suffix}:email:user:", step, escalation, now, now, *people_params, *ids],
        ),
        (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 -- table names from _meta, values as parameters
            f"SELECT 'reminder:' || CAST(d.id AS TEXT) || %s || CAST(u.id AS TEXT), 'reminder', 'in_app', u.id, "
            f"'', d.id, d.scope, %s, %s, d.due_date, d.context, 'sent', 0, '', %s, %s, %s "
            f"FROM {deadline_table} d JOIN ({people}) r ON r.deadline_id = d.id "
            f"JOIN {users} u ON u.id = r.user_id "
            f"WHERE d.id IN ({in_ids}) AND u.is_active "
            f"ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, status",
            [f"{suffix}:in_app:user:", step, escalation, now, now, now, *people_params, *ids],
        ),
    ]
    if escalation:
        statements.append(
            (
                f"INSERT INTO {table} ({columns}) "  # noqa: S608 -- table names from _meta, values as parameters
                f"SELECT 'reminder:' || CAST(d.id AS TEXT) || %s || d.escalation_email, 'reminder', 'email', NULL, "
                f"d.escalation_email, d.id, d.scope, %s, %s, d.due_date, d.context, 'ready', 0, '', %s, %s, NULL "
                f"FROM {deadline_table} d WHERE d.id IN ({in_ids}) AND d.escalation_email <> '' "
                f"ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, status",
                [f"{suffix}:email:addr:", step, escalation, now, now, *ids],
            )
        )
    written = 0
    ready: list[int] = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            for row_id, status in cursor.fetchall():
                written += 1
                if status == Status.READY:
                    ready.append(row_id)
    return written, ready


def _step_due(schedule: Schedule, due: date, today: date, next_step: int | None, closed: frozenset[date]) -> int | None:
    """The step to send today, from the deadline's next step on (None: from its first); the
    expansion and the dry run both ask this, so the preview says exactly what a sweep sends."""
    if not schedule.active:
        return None
    found = schedule.latest_on_or_before(due, today, next_step if next_step is not None else -(10**4), closed)
    return found[0] if found else None


# --- what a sweep would send; the daily digest ------------------------------------------------


def deadlines_sweep_preview(*, today: date | None = None) -> list[PlannedReminder]:
    """What a sweep would send today and to whom, without writing anything (--dry-run)."""
    today = today or timezone.localdate()
    if not is_working_day(today):
        return []
    schedules = schedules_by_kind()
    planned = []
    due = (
        Deadline.objects.filter(state=DeadlineState.OPEN, next_reminder_on__lte=today)
        .order_by("next_reminder_on", "id")
        .prefetch_related("recipients", "escalation_recipients")
    )
    closures = closure_days(due.order_by().values_list("calendar", flat=True).distinct())
    for deadline in due.iterator(chunk_size=1000):
        closed = closures.get(deadline.calendar, NO_CLOSURES)
        if today in closed:
            continue  # the partnership is closed today: its reminders wait for its next working day
        schedule = schedules.get(deadline.kind, DEFAULT_SCHEDULE)
        step = _step_due(schedule, deadline.due_date, today, deadline.next_step, closed)
        if step is None:
            continue
        escalation = schedule.escalates(step)
        people = list(deadline.recipients.all())
        if escalation:
            people += [u for u in deadline.escalation_recipients.all() if u not in people]
        to = [f"{u.get_username()} <{u.email or 'in-app only'}>" for u in people if u.is_active]
        if escalation and deadline.escalation_email:
            to.append(f"{deadline.escalation_name or 'senior manager'} <{deadline.escalation_email}>")
        planned.append(
            PlannedReminder(
                deadline_id=deadline.pk,
                reference=deadline.context.get("reference", ""),
                what=deadline.context.get("what", deadline.get_kind_display()),
                due_date=deadline.due_date,
                step=step,
                step_label=step_label(step),
                escalation=escalation,
                to=to,
            )
        )
    return planned


def digests_fold(*, today: date) -> int:
    """Fold each digest user's held reminders into one e-mail row (one per user per sweep)."""
    user_ids = list(
        Notification.objects.filter(status=Status.HELD, digest__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    made = 0
    for user_id in user_ids:
        with transaction.atomic():
            held = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(status=Status.HELD, digest__isnull=True, recipient_id=user_id)
                .order_by("due_date", "id")
            )
            if not held:
                continue
            digest = Notification.objects.create(
                idempotency_key=f"digest:{user_id}:{today.isoformat()}:{held[0].pk}",
                kind=Kind.DIGEST,
                channel=Channel.EMAIL,
                recipient_id=user_id,
                email=held[-1].email,
                context={"date": today.isoformat()},
                status=Status.READY,
            )
            Notification.objects.filter(id__in=[row.pk for row in held]).update(digest=digest)
            notifications_enqueue([digest.pk])
            made += 1
    return made
