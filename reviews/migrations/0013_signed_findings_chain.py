"""The audit chain on signed findings (workflows.chain, docs/SECURITY.md "Audit chain"): a MAC on
every signed version, chained in id order with the append-only trigger lifted for this transaction.

Also chains the audit events that 0010 and 0011 wrote, when they ran after workflows 0004 (a fresh
database): they were written without a MAC.
"""

from __future__ import annotations

from django.db import migrations, models

from workflows.chain import seal_unchained
from workflows.migrations._append_only import lift, restore

SIGNED = "reviews_signedfindings"
EVENTS = "workflows_auditevent"


def chain_existing_rows(apps, schema_editor):
    head_model = apps.get_model("workflows", "AuditChainHead")
    lift(schema_editor, SIGNED, f"{SIGNED}_immutable")
    seal_unchained(apps.get_model("reviews", "SignedFindings"), head_model)
    restore(schema_editor, SIGNED, f"{SIGNED}_immutable", "immutable")
    lift(schema_editor, EVENTS, f"{EVENTS}_append_only")
    seal_unchained(apps.get_model("workflows", "AuditEvent"), head_model)
    restore(schema_editor, EVENTS, f"{EVENTS}_append_only", "append-only")


def forget_chain(apps, schema_editor):
    # The MACs go with the column; so must the head, or chaining again would start mid-chain.
    apps.get_model("workflows", "AuditChainHead").objects.filter(chain=SIGNED).delete()


def restore_sqlite_trigger(apps, schema_editor):
    # Going back, SQLite rebuilds the table to drop the column, without its triggers.
    if schema_editor.connection.vendor == "sqlite":
        restore(schema_editor, SIGNED, f"{SIGNED}_immutable", "immutable")


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0012_onward_notices"),
        ("workflows", "0004_audit_chain"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_trigger),
        migrations.AddField(
            model_name="signedfindings",
            name="mac",
            field=models.CharField(
                default="",
                editable=False,
                help_text="HMAC-SHA256 of the row and the previous row's MAC.",
                max_length=64,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_rows, forget_chain),
    ]
