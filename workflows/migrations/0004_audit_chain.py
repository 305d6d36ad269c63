"""The audit chain (workflows.chain, docs/SECURITY.md "Audit chain"): a MAC on every transition log
and audit event row, a head row per chained table, and timestamps set by the database.

Existing rows are chained here in id order, once, with the append-only triggers lifted for this
transaction only. Rows that reviews' own data migrations write after this one has run (0010,
0011 on a fresh database) are chained by reviews 0012.
"""

from __future__ import annotations

import django.db.models.functions.datetime
from django.db import migrations, models

from workflows.chain import seal_unchained
from workflows.migrations._append_only import lift, restore

TABLES = {"TransitionLog": "workflows_transitionlog", "AuditEvent": "workflows_auditevent"}


def chain_existing_rows(apps, schema_editor):
    head_model = apps.get_model("workflows", "AuditChainHead")
    for name, table in TABLES.items():
        lift(schema_editor, table, f"{table}_append_only")
        seal_unchained(apps.get_model("workflows", name), head_model)
        restore(schema_editor, table, f"{table}_append_only", "append-only")


def unchain(apps, schema_editor):
    # The mac columns and the head table go with the schema operations; on SQLite the tables are
    # rebuilt without their triggers, which go back once the columns are gone.
    pass


def restore_sqlite_triggers(apps, schema_editor):
    for table in TABLES.values():
        if schema_editor.connection.vendor == "sqlite":
            restore(schema_editor, table, f"{table}_append_only", "append-only")


class Migration(migrations.Migration):
    dependencies = [("workflows", "0003_form_submission")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_triggers),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "chain",
                    models.CharField(
                        help_text="The chained table's name.", max_length=100, primary_key=True, serialize=False
                    ),
                ),
                ("row_count", models.PositiveBigIntegerField()),
                ("last_id", models.PositiveBigIntegerField(null=True)),
                ("last_mac", models.CharField(blank=True, max_length=64)),
                ("mac", models.CharField(max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name="auditevent",
            name="mac",
            field=models.CharField(
                default="",
                editable=False,
                help_text="HMAC-SHA256 of the row and the previous row's MAC.",
                max_length=64,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="transitionlog",
            name="mac",
            field=models.CharField(
                default="",
                editable=False,
                help_text="HMAC-SHA256 of the row and the previous row's MAC.",
                max_length=64,
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
        ),
        migrations.AlterField(
            model_name="transitionlog",
            name="at",
            field=models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
        ),
        migrations.RunPython(chain_existing_rows, unchain),
    ]
