"""Two sweeps at once on PostgreSQL: every reminder written exactly once."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Deadline, Notification, PendingReminder
from notifications.registry import DeadlineSpec
from notifications.services import deadline_sync
from notifications.sweep import _write_reminders, deadlines_sweep, reminders_expand_all
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = date(2026, 12, 21)  # "5 working days before" 30 Dec 2026


def make_deadlines(count: int) -> list[Deadline]:
    lead = UserFactory(username="lead")
    deadlines = []
    for i in range(count):
        target = UserFactory(username=f"target{i}")  # any row can carry a deadline
        deadlines.append(
            deadline_sync(
                target=target,
                spec=DeadlineSpec(
                    kind="action_due",
                    due_date=date(2026, 12, 30),
                    state="open",
                    owner_label="Police",
                    scope="NSCP-RR-2026-001",
                    context={"reference": "NSCP-RR-2026-001", "what": f"Action {i}", "link": "/"},
                    recipients=[lead],
                ),
                today=date(2026, 12, 1),
            )
        )
    return deadlines


def run_together(*functions) -> list[object]:
    barrier = threading.Barrier(len(functions))
    results: list[object] = [None] * len(functions)

    def run(index: int, function) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except BaseException as error:  # noqa: BLE001 -- reported by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_sweeps_at_once_claim_each_deadline_once():
    make_deadlines(60)
    results = run_together(
        lambda: deadlines_sweep(today=DAY, publish=False), lambda: deadlines_sweep(today=DAY, publish=False)
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    # The second sweep waited for the first's advisory lock, then saw its claims and skipped them.
    assert sorted(r.deadlines for r in results) == [0, 60]
    assert PendingReminder.objects.count() == 60


def test_two_expansions_at_once_write_each_reminder_once():
    make_deadlines(60)
    assert deadlines_sweep(today=DAY, publish=False).deadlines == 60
    results = run_together(lambda: reminders_expand_all(batch_size=7), lambda: reminders_expand_all(batch_size=7))
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(r.claims for r in results) == 60  # SKIP LOCKED: each claim taken by one worker
    assert all(r.claims for r in results)  # and both did some of the work
    assert Notification.objects.filter(kind="reminder").count() == 120  # e-mail + in-app, once each
    assert not PendingReminder.objects.exists()
    assert set(Deadline.objects.values_list("next_step", "next_reminder_on")) == {(-1, date(2026, 12, 29))}
    # A sweep later the same day finds nothing due: every deadline moved on to its next step.
    assert deadlines_sweep(today=DAY, publish=False).deadlines == 0


def test_a_claim_waiting_for_a_worker_is_not_claimed_again():
    make_deadlines(3)
    assert deadlines_sweep(today=DAY, publish=False).deadlines == 3
    assert deadlines_sweep(today=DAY, publish=False).deadlines == 0
    assert PendingReminder.objects.count() == 3 and not Notification.objects.filter(kind="reminder").exists()


def test_same_rows_written_by_two_transactions_at_once_conflict_into_one():
    """Without the row locks (two sweeps that read the same deadlines), ON CONFLICT DO NOTHING on
    the idempotency key still makes the second insert a no-op: it waits for the first and skips."""
    ids = [d.pk for d in make_deadlines(20)]

    def write() -> int:
        with transaction.atomic():
            written, _ = _write_reminders(ids, date(2026, 12, 30), -5, False, timezone.now())
            return written

    results = run_together(write, write)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(results) == [0, 40]
    assert Notification.objects.filter(kind="reminder").count() == 40


def test_an_expansion_that_fails_halfway_leaves_its_claims_and_writes_nothing(monkeypatch):
    """A worker lost mid-batch (here: an error after the first group's rows were written) rolls the
    whole batch back: no outbox row, no deadline moved, every claim still there for the next try."""
    import notifications.sweep as sweep

    deadlines = make_deadlines(4)
    # Two due dates, so the batch has two groups and the failure comes after the first is written.
    Deadline.objects.filter(pk=deadlines[0].pk).update(due_date=date(2026, 12, 29))
    assert deadlines_sweep(today=DAY, publish=False).deadlines == 4
    real_write = sweep._write_reminders
    calls = []

    def write_then_fail(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(sweep, "_write_reminders", write_then_fail)
    with pytest.raises(RuntimeError):
        reminders_expand_all()
    assert not Notification.objects.filter(kind="reminder").exists()
    assert PendingReminder.objects.count() == 4
    assert Deadline.objects.filter(next_step=-5).count() == 4

    monkeypatch.setattr(sweep, "_write_reminders", real_write)
    assert reminders_expand_all().claims == 4
    assert Notification.objects.filter(kind="reminder", channel="email").count() == 4
    assert not PendingReminder.objects.exists()
