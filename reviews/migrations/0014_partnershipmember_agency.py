"""A partnership member may work for an agency: only its members may lead its contributions.

Existing members who lead one agency's contribution on the partnership's reviews are recorded as
working for it, so the reviews they already lead (and their conversions, which copy the roles) keep
working. Someone who leads for more than one agency is left for an administrator to decide.
"""

from django.db import migrations, models


def _agency_from_lead_roles(apps, schema_editor):
    PartnershipMember = apps.get_model("reviews", "PartnershipMember")
    ReviewRole = apps.get_model("reviews", "ReviewRole")
    led: dict[tuple[int, int], set[int]] = {}
    for user_id, partnership_id, agency_id in ReviewRole.objects.filter(role="agency_lead").values_list(
        "user_id", "review__partnership_id", "agency_id"
    ):
        led.setdefault((user_id, partnership_id), set()).add(agency_id)
    for (user_id, partnership_id), agencies in led.items():
        if len(agencies) == 1:
            PartnershipMember.objects.filter(user_id=user_id, partnership_id=partnership_id, agency=None).update(
                agency_id=next(iter(agencies))
            )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0013_signed_findings_chain")]

    operations = [
        migrations.AddField(
            model_name="partnershipmember",
            name="agency",
            field=models.ForeignKey(
                blank=True,
                help_text="The agency this member works for; only its members may lead its contributions.",
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="members",
                to="reviews.agency",
            ),
        ),
        migrations.RunPython(_agency_from_lead_roles, migrations.RunPython.noop),
    ]
