from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_deadline_calendar"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("channel", "in_app"), ("read_at__isnull", True)),
                fields=["recipient"],
                name="notification_unread",
            ),
        ),
    ]
