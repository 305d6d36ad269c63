"""The writers of notifications: deadlines kept in step, the outbox, the sweep, delivery, the inbox.

Every outbox row is written inside the transaction of the change that causes it and handed to the
broker only after commit, so a rolled-back change never notifies and a broker outage never loses a
row: it waits READY and the requeue task sends it later. Delivery claims a row with a conditional
UPDATE, so a task that runs twice (or two workers) sends it once.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from notifications import conf
from notifications.delivery import DeliveryError, Rendered, send_notification
from notifications.models import Deadline, DeadlineState, Notification, NotificationPreference
from notifications.policies import DEFAULT_SCHEDULE, NO_CLOSURES, Schedule, schedules_by_kind
from notifications.registry import DeadlineSpec, closure_days
from notifications.requeue import requeue_stuck
from workflows.types import User

logger = logging.getLogger(__name__)

Status = Notification.Status
Channel = Notification.Channel
Kind = Notification.Kind

# Publishing to a broker that is down must not hold a coordinator's request for long: two quick
# tries, then the row waits in the outbox for the requeue task.
PUBLISH_OPTIONS: dict[str, Any] = {
    "retry": True,
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
}
# Above this many rows one task per batch is published instead of one task per row, and each batch is
# sent over one SMTP connection: a sweep of 10,000 reminders makes 20 broker round trips and 20
# connections, not 10,000 of each (docs/BENCHMARKS.md).
FAN_OUT_ABOVE = 20
FAN_OUT_BATCH = 500


# --- enqueueing ------------------------------------------------------------------------------


def notifications_enqueue(ids: Iterable[int]) -> None:
    """Hand rows to the broker once the current transaction commits (at once outside one)."""
    ids = list(ids)
    if ids:
        transaction.on_commit(partial(notifications_publish, ids), robust=True)


@contextmanager
def broker_outage_tolerated(waiting: Callable[[], str]) -> Iterator[None]:
    """Publishing to a broker that is down is logged, not raised: what was not published is still
    in the database (outbox rows, sweep claims) and the requeue task publishes it later.
    ``waiting`` says what waits, worked out only when the broker was down."""
    try:
        yield
    except Exception as error:  # kombu raises several kinds when the broker is down
        logger.warning("Broker unreachable (%s): %s wait for the requeue task.", error, waiting())


def notifications_publish(ids: Sequence[int]) -> int:
    """Publish delivery tasks now. A broker outage is logged, not raised: the rows stay READY."""
    from notifications.tasks import deliver_notification, deliver_notifications

    published = 0
    with broker_outage_tolerated(lambda: f"{len(ids) - published} notification(s) in the outbox"):
        if len(ids) > FAN_OUT_ABOVE:
            for start in range(0, len(ids), FAN_OUT_BATCH):
                batch = list(ids[start : start + FAN_OUT_BATCH])
                deliver_notifications.apply_async((batch,), **PUBLISH_OPTIONS)
                published += len(batch)
        else:
            for notification_id in ids:
                deliver_notification.apply_async((notification_id,), **PUBLISH_OPTIONS)
                published += 1
    return published


# --- deadlines -------------------------------------------------------------------------------


def _schedule_of(kind: str, schedules: dict[str, Schedule] | None = None) -> Schedule:
    if schedules is not None:
        return schedules.get(kind, DEFAULT_SCHEDULE)
    return schedules_by_kind().get(kind, DEFAULT_SCHEDULE)


def deadline_reschedule(deadline: Deadline, *, today: date, schedule: Schedule | None = None) -> None:
    """Set the next reminder of an open deadline from its due date (instance only, no save)."""
    if deadline.state != DeadlineState.OPEN:
        deadline.next_step, deadline.next_reminder_on = None, None
        return
    schedule = schedule or _schedule_of(deadline.kind)
    closed = closure_days([deadline.calendar])[deadline.calendar] if deadline.calendar else NO_CLOSURES
    upcoming = schedule.first_on_or_after(deadline.due_date, today, closed)
    deadline.next_step, deadline.next_reminder_on = upcoming if upcoming else (None, None)


def deadline_sync(*, target: models.Model, spec: DeadlineSpec, today: date | None = None) -> Deadline | None:
    """Make the deadline of ``target`` match ``spec``; called inside the caller's transaction.

    Met, waived or cancelled: reminders stop at once and reminders not yet sent are cancelled.
    Moved: the schedule restarts from the new due date and the old date's pending reminders are
    cancelled (the idempotency key holds the due date, so "5 working days before" the new date is
    a new reminder). Announced deadlines tell their recipients when set or moved.
    """
    today = today or timezone.localdate()
    content_type = ContentType.objects.get_for_model(target)
    with transaction.atomic():
        deadline = (
            Deadline.objects.select_for_update()
            .filter(content_type=content_type, object_id=target.pk, kind=spec.kind)
            .first()
        )
        state = spec.state if spec.due_date is not None else DeadlineState.CANCELLED
        if deadline is None:
            # OPEN implies a due date; the second test only says so to the type checker.
            if state != DeadlineState.OPEN or spec.due_date is None:
                return None
            deadline = Deadline(
                content_type=content_type,
                object_id=target.pk,
                kind=spec.kind,
                due_date=spec.due_date,
                state=state,
                owner_label=spec.owner_label[:200],
                scope=spec.scope,
                context=spec.context,
                escalation_email=spec.escalation_email,
                escalation_name=spec.escalation_name,
                calendar=spec.calendar,
            )
            deadline_reschedule(deadline, today=today)
            deadline.save()
            _set_recipients(deadline, spec)
            if spec.announce:
                _announce(deadline, list(spec.recipients), moved=False)
            return deadline

        changed: list[str] = []
        for name, value in (
            ("owner_label", spec.owner_label[:200]),
            ("scope", spec.scope),
            ("context", spec.context),
            ("escalation_email", spec.escalation_email),
            ("escalation_name", spec.escalation_name),
            ("calendar", spec.calendar),
            ("state", state),
        ):
            if getattr(deadline, name) != value:
                setattr(deadline, name, value)
                changed.append(name)
        moved = False
        if spec.due_date is not None and spec.due_date != deadline.due_date:
            deadline.due_date = spec.due_date
            changed.append("due_date")
            moved = True
        if moved or "state" in changed or "calendar" in changed:
            deadline_reschedule(deadline, today=today)
            changed += ["next_step", "next_reminder_on"]
        if changed:
            deadline.save(update_fields=[*changed, "updated_at"])
        if moved or state != DeadlineState.OPEN:
            _cancel_pending(deadline)
        _set_recipients(deadline, spec)
        if moved and spec.announce and state == DeadlineState.OPEN:
            _announce(deadline, list(spec.recipients), moved=True)
        return deadline


def deadlines_settle(*, content_type: ContentType, object_ids: Sequence[int], kind: str, state: str) -> list[int]:
    """The targets ``object_ids`` are done: their deadlines of ``kind`` become ``state`` (met, waived
    or cancelled) and stop reminding. Returns the ids of the deadlines that changed.

    What ``deadline_sync`` does for a deadline whose state alone changes, in two set-based UPDATEs
    instead of a locked read, a save and a diff of both recipient lists per deadline. Recipients are
    left as they are: a deadline that is not open sends nothing, and one that opens again goes back
    through ``deadline_sync``, which sets them. Deadlines already in ``state`` are left alone: their
    pending reminders were cancelled when they got there.

    The deadlines are updated first, which takes their row locks: a reminder expansion holding one
    finishes first and the second UPDATE (a new snapshot) cancels what it wrote; one that comes later
    waits, then finds the deadline no longer open and writes nothing.
    """
    if state == DeadlineState.OPEN:
        raise ValueError("deadlines_settle stops deadlines; use deadline_sync to open or move one.")
    object_ids = list(object_ids)
    if not object_ids:
        return []
    # savepoint=False: inside the caller's transaction a savepoint would cost two more round trips
    # and buy nothing; called on its own it is still one transaction, so the UPDATEs never come apart.
    with transaction.atomic(savepoint=False), transaction.get_connection().cursor() as cursor:
        # RETURNING: the ORM's update() gives only a count, and the reminders below are found by
        # these ids (a plain index lookup) rather than by re-running the filter as a subquery.
        cursor.execute(
            f"UPDATE {Deadline._meta.db_table} SET state = %s, next_step = NULL, next_reminder_on = NULL, "  # noqa: S608 -- table name from _meta
            f"updated_at = %s WHERE content_type_id = %s AND kind = %s AND state <> %s "
            f"AND object_id IN ({', '.join(['%s'] * len(object_ids))}) RETURNING id",
            [state, timezone.now(), content_type.pk, kind, state, *object_ids],
        )
        settled = [row[0] for row in cursor.fetchall()]
        if settled:
            _cancel_reminders(
                _pending_reminders(deadline_id__in=settled), f"the deadline was {DeadlineState(state).label.lower()}"
            )
    return settled


def _set_recipients(deadline: Deadline, spec: DeadlineSpec) -> None:
    deadline.recipients.set(list(spec.recipients))
    deadline.escalation_recipients.set(list(spec.escalation_recipients))


def _pending_reminders(**lookups: Any) -> models.QuerySet[Notification]:
    """Reminders written but not yet sent: e-mails waiting READY, or HELD for a daily digest."""
    return Notification.objects.filter(kind=Kind.REMINDER, status__in=[Status.READY, Status.HELD], **lookups)


def _cancel_reminders(pending: models.QuerySet[Notification], why: str) -> int:
    return pending.update(status=Status.CANCELLED, last_error=f"Not sent: {why} first.")


def _cancel_pending(deadline: Deadline) -> int:
    """Reminders written but not yet sent that no longer hold (met, waived, or another due date)."""
    pending = _pending_reminders(deadline=deadline)
    if deadline.state == DeadlineState.OPEN:
        pending = pending.exclude(due_date=deadline.due_date)
    return _cancel_reminders(pending, f"the deadline was {_cancel_reason(deadline)}")


def _cancel_reason(deadline: Deadline) -> str:
    if deadline.state == DeadlineState.OPEN:
        return f"moved to {deadline.due_date:%d %B %Y}"
    return deadline.get_state_display().lower()


def _announce(deadline: Deadline, users: Sequence[User], *, moved: bool) -> None:
    """Tell the recipients a deadline was set or moved: in the inbox and by e-mail, this transaction."""
    now = timezone.now()
    context = {**deadline.context, "moved": moved, "owner": deadline.owner_label}
    rows = []
    for user in users:
        base = f"set:{deadline.pk}:{deadline.due_date.isoformat()}"
        common = {
            "kind": Kind.DEADLINE_SET,
            "recipient": user,
            "deadline": deadline,
            "scope": deadline.scope,
            "due_date": deadline.due_date,
            "context": context,
            "created_at": now,
            "available_at": now,
        }
        rows.extend(_inbox_and_email(user, base, common))
    outbox_write(rows)


def message_send(
    *, users: Sequence[User], key: str, scope: str, reference: str, what: str, body: str, link: str
) -> None:
    """Tell ``users`` something once (in the inbox, and by e-mail to those with an address), in the
    current transaction. ``key`` makes it once: a second call with the same key adds nothing.
    The words go into e-mails: nothing in them may identify a child."""
    now = timezone.now()
    context = {"reference": reference, "what": what, "body": body, "link": link}
    rows = []
    for user in users:
        common = {"kind": Kind.MESSAGE, "recipient": user, "scope": scope, "context": context, "created_at": now}
        rows.extend(_inbox_and_email(user, f"message:{key}", common))
    outbox_write(rows)


def _inbox_and_email(user: User, key: str, common: dict[str, Any]) -> list[Notification]:
    """One message for ``user``: in the inbox (already delivered), and by e-mail if they have an
    address (ready to send). ``key`` plus the channel and user makes each row once."""
    rows = [
        Notification(
            idempotency_key=f"{key}:in_app:user:{user.pk}",
            channel=Channel.IN_APP,
            status=Status.SENT,
            sent_at=common["created_at"],
            **common,
        )
    ]
    if user.email:
        rows.append(
            Notification(
                idempotency_key=f"{key}:email:user:{user.pk}",
                channel=Channel.EMAIL,
                email=user.email,
                status=Status.READY,
                **{"available_at": common["created_at"], **common},
            )
        )
    return rows


def outbox_write(rows: Sequence[Notification]) -> list[int]:
    """Insert rows, skipping any whose idempotency key exists; enqueue the new e-mails after commit."""
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [row.idempotency_key for row in rows if row.channel == Channel.EMAIL and row.status == Status.READY]
    ids = list(
        Notification.objects.filter(idempotency_key__in=keys, status=Status.READY, attempts=0).values_list(
            "id", flat=True
        )
    )
    notifications_enqueue(ids)
    return ids


# --- delivery --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str
    retry_in: float | None = None
    error: str = ""


def _claimable(now: datetime) -> models.Q:
    # A second of slack: a retry's countdown may fire a moment before the row's back-off ends.
    return models.Q(status=Status.READY, channel=Channel.EMAIL, available_at__lte=now + timedelta(seconds=1))


def _claim(now: datetime) -> dict[str, Any]:
    return {"status": Status.SENDING, "attempts": F("attempts") + 1, "claimed_at": now}


def notification_deliver(*, notification_id: int) -> DeliveryOutcome:
    """Deliver one e-mail row. Claimed by UPDATE ... WHERE status = 'ready', so only one worker
    ever holds it; every later write is conditional on that claim (status and attempt number)."""
    now = timezone.now()
    claimed = Notification.objects.filter(_claimable(now), pk=notification_id).update(**_claim(now))
    if not claimed:
        return DeliveryOutcome("skipped")
    row = Notification.objects.select_related("deadline", "recipient").get(pk=notification_id)
    return _deliver_claimed(row, now)


def _mine(row: Notification) -> models.QuerySet[Notification]:
    """The row, as long as this worker's claim on it still stands."""
    return Notification.objects.filter(pk=row.pk, status=Status.SENDING, attempts=row.attempts)


def _deliver_claimed(
    row: Notification,
    now: datetime,
    *,
    connection: BaseEmailBackend | None = None,
    rendered: dict[tuple[Any, ...], Rendered] | None = None,
    acknowledged: Acknowledged | None = None,
) -> DeliveryOutcome:
    """Send a row this worker has claimed and record the outcome. ``connection``, ``rendered`` and
    ``acknowledged``: a batch's open SMTP connection, its e-mails rendered so far, and its sent rows
    still to be marked SENT (a digest, rare, is marked at once with the reminders folded into it)."""
    if (
        row.kind == Kind.REMINDER
        and row.deadline is not None
        and (row.deadline.state != DeadlineState.OPEN or row.deadline.due_date != row.due_date)
    ):
        _mine(row).update(
            status=Status.CANCELLED, last_error=f"Not sent: the deadline was {_cancel_reason(row.deadline)}."
        )
        return DeliveryOutcome(Status.CANCELLED)
    items: list[Notification] = []
    if row.kind == Kind.DIGEST:
        items = list(row.folded.exclude(status=Status.CANCELLED).order_by("due_date", "id"))
        if not items:
            _mine(row).update(status=Status.CANCELLED, last_error="Not sent: every reminder in it was cancelled.")
            return DeliveryOutcome(Status.CANCELLED)
    try:
        send_notification(row, items=items, connection=connection, rendered=rendered)
    except DeliveryError as error:
        message = str(error)[:2000]
        if error.permanent or row.attempts >= conf.max_attempts():
            if not error.permanent:
                message = f"Gave up after {row.attempts} attempts: {message}"
            _mine(row).update(status=Status.FAILED, last_error=message)
            Notification.objects.filter(digest=row).update(status=Status.FAILED, last_error=message)
            logger.warning("Notification %s failed: %s", row.pk, message)
            return DeliveryOutcome(Status.FAILED, error=message)
        delay = conf.retry_delay(row.attempts)
        _mine(row).update(status=Status.READY, last_error=message, available_at=now + timedelta(seconds=delay))
        return DeliveryOutcome(Status.READY, retry_in=delay, error=message)
    if acknowledged is not None and not items:
        acknowledged.add(row)
        return DeliveryOutcome(Status.SENT)
    sent_at = timezone.now()
    _mine(row).update(status=Status.SENT, sent_at=sent_at, last_error="")
    if items:
        Notification.objects.filter(id__in=[item.pk for item in items]).update(status=Status.SENT, sent_at=sent_at)
    return DeliveryOutcome(Status.SENT)


# A batch marks the e-mails the server has accepted SENT this many at a time: a worker lost mid-batch
# leaves at most this many accepted e-mails SENDING (besides the one in flight), which the requeue
# task sends again with the same Message-ID. One UPDATE per e-mail cost PostgreSQL three times the CPU
# of one per ten (docs/BENCHMARKS.md).
MARK_SENT_EVERY = 10


class Acknowledged:
    """A batch's e-mails the mail server has accepted, marked SENT in chunks of MARK_SENT_EVERY;
    ``flush`` marks the rest (the batch calls it however it ends)."""

    def __init__(self, claimed_at: datetime) -> None:
        # Every row of the batch was claimed at this instant; a row the requeue task gave to another
        # worker since has that worker's claim time (or is READY), so it is not marked here.
        self.claimed_at = claimed_at
        self.ids: list[int] = []

    def add(self, row: Notification) -> None:
        self.ids.append(row.pk)
        if len(self.ids) >= MARK_SENT_EVERY:
            self.flush()

    def flush(self) -> None:
        if not self.ids:
            return
        Notification.objects.filter(pk__in=self.ids, status=Status.SENDING, claimed_at=self.claimed_at).update(
            status=Status.SENT, sent_at=timezone.now(), last_error=""
        )
        self.ids = []


@dataclass
class BatchOutcome:
    sent: int = 0
    skipped: int = 0
    cancelled: int = 0
    failed: int = 0
    retry: list[tuple[int, float]] = field(default_factory=list)


def notifications_deliver_batch(*, notification_ids: Sequence[int]) -> BatchOutcome:
    """Deliver many e-mail rows over one SMTP connection (issue 12: one task and one connection per
    e-mail ran at about 63 a second).

    The batch claims its rows in one transaction (locked, then set SENDING conditionally on READY),
    so a row published in two batches, or also to a single-row task, is sent by one of them only;
    rows another worker holds are skipped. Each row is then sent and recorded as notification_deliver
    does: SENT once the server has accepted it (MARK_SENT_EVERY at a time), or cancelled, failed, or
    READY again with its back-off (which the caller publishes as a retry). Rows that read the same
    are rendered once.
    """
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now), pk__in=list(notification_ids))
            .values_list("id", flat=True)
        )
        Notification.objects.filter(_claimable(now), pk__in=ids).update(**_claim(now))
    outcome = BatchOutcome(skipped=len(notification_ids) - len(ids))
    if not ids:
        return outcome
    rows = Notification.objects.select_related("deadline", "recipient").filter(
        pk__in=ids, status=Status.SENDING, claimed_at=now
    )
    connection = None if conf.notify_api_key() else get_connection(fail_silently=False)
    rendered: dict[tuple[Any, ...], Rendered] = {}
    acknowledged = Acknowledged(now)
    _open(connection)
    try:
        for row in rows.order_by("id"):
            result = _deliver_claimed(row, now, connection=connection, rendered=rendered, acknowledged=acknowledged)
            if result.status == Status.SENT:
                outcome.sent += 1
            elif result.status == Status.CANCELLED:
                outcome.cancelled += 1
            elif result.status == Status.FAILED:
                outcome.failed += 1
            elif result.retry_in is not None:
                outcome.retry.append((row.pk, result.retry_in))
                # The connection may be what failed: start the next message on a fresh one.
                _reopen(connection)
    finally:
        acknowledged.flush()
        if connection is not None:
            connection.close()
    return outcome


def _open(connection: BaseEmailBackend | None) -> None:
    """Open the batch's connection. If the server cannot be reached, each message tries again on
    its own and records why it failed, as a single delivery would."""
    if connection is None:
        return
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("Could not open a connection to the mail server for a batch: %r", error)


def _reopen(connection: BaseEmailBackend | None) -> None:
    if connection is not None:
        connection.close()
        _open(connection)


@dataclass
class RequeueResult:
    requeued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def notifications_requeue_stuck(*, older_than: timedelta | None = None, limit: int = 5000) -> RequeueResult:
    """E-mails left behind, put back (notifications.requeue says which and how)."""
    now = timezone.now()
    cutoff = now - (conf.stuck_after() if older_than is None else older_than)
    with transaction.atomic():
        stuck = requeue_stuck(
            Notification,
            now=now,
            cutoff=cutoff,
            attempts_allowed=conf.max_attempts(),
            ready=models.Q(channel=Channel.EMAIL),
            limit=limit,
        )
    result = RequeueResult(requeued=stuck.to_publish, failed=stuck.gave_up)
    notifications_publish(result.requeued)
    return result


# --- the inbox -------------------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> bool:
    return bool(
        Notification.objects.filter(
            pk=notification_id, recipient=user, channel=Channel.IN_APP, read_at__isnull=True
        ).update(read_at=timezone.now())
    )


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preference_set(*, user: User, daily_digest: bool) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.update_or_create(user=user, defaults={"daily_digest": daily_digest})
    return preference


def notifications_retry_failed(*, ids: Sequence[int]) -> list[int]:
    """A person (the admin) decides to try failed e-mails again: back to READY with fresh attempts."""
    with transaction.atomic():
        retried = list(
            Notification.objects.filter(id__in=ids, status=Status.FAILED, channel=Channel.EMAIL).values_list(
                "id", flat=True
            )
        )
        Notification.objects.filter(id__in=retried).update(status=Status.READY, attempts=0, available_at=timezone.now())
        notifications_enqueue(retried)
    return retried


def deadlines_reschedule_kind(*, kind: str, today: date | None = None) -> int:
    """After a policy change: recompute the next reminder of every open deadline of ``kind``."""
    return _reschedule(Deadline.objects.filter(kind=kind, state=DeadlineState.OPEN), today)


def deadlines_reschedule_calendar(*, calendar: str, today: date | None = None) -> int:
    """After a partnership's closure days changed: recompute the next reminder of its open deadlines."""
    return _reschedule(Deadline.objects.filter(calendar=calendar, state=DeadlineState.OPEN), today)


def _reschedule(open_deadlines: models.QuerySet[Deadline], today: date | None) -> int:
    """Deadlines with the same kind, due date and calendar share a schedule: one UPDATE for each."""
    today = today or timezone.localdate()
    schedules = schedules_by_kind()
    shared = list(open_deadlines.order_by().values_list("kind", "due_date", "calendar").distinct())
    closures = closure_days(calendar for _, _, calendar in shared)
    count = 0
    for kind, due, calendar in shared:
        upcoming = _schedule_of(kind, schedules).first_on_or_after(due, today, closures[calendar])
        count += open_deadlines.filter(kind=kind, due_date=due, calendar=calendar).update(
            next_step=upcoming[0] if upcoming else None, next_reminder_on=upcoming[1] if upcoming else None
        )
    return count


def deadlines_cancel_scope(*, scope: str, sparing: Sequence[str] = ()) -> int:
    """Everything still open in a scope (a closed or withdrawn review) stops being chased, except the
    deadlines of the kinds in ``sparing``, which their owner keeps in step itself."""
    with transaction.atomic(savepoint=False):
        # Locked (in id order, as the reminder expansion locks them) between reading the ids and
        # updating them, so a deadline met at this moment stays met rather than becoming cancelled,
        # and the deadline and its reminders change together even when called outside a transaction.
        ids = list(
            Deadline.objects.select_for_update()
            .filter(scope=scope, state=DeadlineState.OPEN)
            .exclude(kind__in=sparing)
            .order_by("id")
            .values_list("id", flat=True)
        )
        if not ids:
            return 0
        Deadline.objects.filter(id__in=ids).update(
            state=DeadlineState.CANCELLED, next_step=None, next_reminder_on=None, updated_at=timezone.now()
        )
        _cancel_reminders(_pending_reminders(deadline_id__in=ids), "the review was closed or withdrawn")
    return len(ids)
