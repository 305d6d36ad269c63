"""The default reminder policy of issue 4 for each deadline kind, as rows a partnership can edit in
the admin: 5 and 1 working days before, on the due day, 1 working day overdue, then every 5 working
days; from 3 working days overdue the coordinator and the agency's senior manager as well."""

from django.db import migrations

KINDS = ["contribution_due", "clock_due", "action_due"]


def create_reminder_policies(apps, schema_editor):
    ReminderPolicy = apps.get_model("notifications", "ReminderPolicy")
    for kind in KINDS:
        ReminderPolicy.objects.get_or_create(
            kind=kind,
            defaults={
                "offsets": [-5, -1, 0, 1],
                "repeat_every_working_days": 5,
                "escalate_from_working_days_overdue": 3,
                "active": True,
            },
        )


def remove_reminder_policies(apps, schema_editor):
    apps.get_model("notifications", "ReminderPolicy").objects.filter(kind__in=KINDS).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(create_reminder_policies, remove_reminder_policies)]
