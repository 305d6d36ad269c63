"""Existing deadlines get their partnership's calendar (reviews.services.deadlines.partnership_calendar), so
their reminders skip its closure days. A deadline's scope is its review's reference."""

from django.db import migrations


def set_calendars(apps, schema_editor):
    Deadline = apps.get_model("notifications", "Deadline")
    Review = apps.get_model("reviews", "Review")
    partnership_of = dict(Review.objects.values_list("reference", "partnership_id"))
    for scope in Deadline.objects.filter(calendar="").values_list("scope", flat=True).order_by().distinct():
        if scope in partnership_of:
            Deadline.objects.filter(calendar="", scope=scope).update(calendar=str(partnership_of[scope]))


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0005_action_evidence_files"),
        ("notifications", "0005_deadline_calendar"),
    ]

    operations = [migrations.RunPython(set_calendars, migrations.RunPython.noop)]
