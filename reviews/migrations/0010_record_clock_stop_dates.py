"""Clocks stop on recorded dates, no longer on a step (docs/DOMAIN.md, Clocks): existing rows move over.

Three clocks used to stop when a stage was reached and now stop on a key date the coordinator
records: the rapid review on the date it was sent to the national Panel (it stopped at findings, or
when the rapid review was converted), the CSPR on its publication date and the DHR on the date its
report went to the Home Office quality assurance panel (both stopped at action tracking). Their rows
take the new stop, so a later step stops none of them.

Before, a step could also stop a clock that waits for a date: converting or closing a review stopped
every clock still running. So that no clock changes outcome without a recorded date to justify it,
each clock that had stopped, with a start date and no stop date recorded, has the day it stopped
carried over into the key date that now stops it. Its outcome stays as it was (met, or "breached",
now met late) until the coordinator records the real date, which may only be earlier, on the review's
key-dates page; each carried date is written to the review's audit trail. A clock that a withdrawal
ended with no outcome keeps it until its date is recorded (reviews.services.clocks).
"""

from django.db import migrations

# The key date that stops each clock from now on (reviews.models.clocks, as of this migration).
STOPS = {
    "si_notification": "notified_on",
    "rapid_review": "sent_to_panel_on",
    "cspr_completion": "published_on",
    "ofsted_notification": "ofsted_notified_on",
    "lado_referral": "lado_referred_on",
    "cdr_notification": "notified_on",
    "dhr_decision": "decision_on",
    "dhr_completion": "sent_to_qa_panel_on",
    "sar_decision": "decision_on",
}
NOW_STOPPED_BY_A_DATE = ("rapid_review", "cspr_completion", "dhr_completion")


def record_clock_stop_dates(apps, schema_editor):
    ReviewClock = apps.get_model("reviews", "ReviewClock")
    Review = apps.get_model("reviews", "Review")
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("workflows", "AuditEvent")

    for key in NOW_STOPPED_BY_A_DATE:
        ReviewClock.objects.filter(key=key).update(stop_event=STOPS[key], stop_state="")

    carried: dict[int, dict[str, str]] = {}
    stopped = ReviewClock.objects.filter(
        key__in=STOPS, stopped_on__isnull=False, start_date__isnull=False, abandoned=False
    ).order_by("review_id", "id")
    for clock in stopped.iterator():
        field = STOPS[clock.key]
        updated = Review.objects.filter(pk=clock.review_id, **{f"{field}__isnull": True}).update(
            **{field: clock.stopped_on}
        )
        if updated:
            carried.setdefault(clock.review_id, {})[field] = clock.stopped_on.isoformat()
    if not carried:
        return
    review_type, _ = ContentType.objects.get_or_create(app_label="reviews", model="review")
    labels = dict(Review.objects.filter(pk__in=carried).values_list("pk", "reference"))
    AuditEvent.objects.bulk_create(
        AuditEvent(
            content_type=review_type,
            object_id=review_id,
            object_label=labels[review_id],
            verb="review.stop_dates_carried_over",
            actor=None,
            detail={
                "changes": {field: [None, day] for field, day in changes.items()},
                "why": "The clock had stopped on this day, on a step; it now stops on this recorded date.",
            },
        )
        for review_id, changes in carried.items()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0009_review_published_on_review_sent_to_panel_on_and_more"),
        ("workflows", "0003_form_submission"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(record_clock_stop_dates, migrations.RunPython.noop)]
